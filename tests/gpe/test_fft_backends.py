"""FFT back ends (issue 13, item 1): every back end gives the same physics; the choice is a setting, stored
once per machine and layout, and a given back end is bitwise reproducible (what a resume needs)."""

import json

import numpy as np
import pytest

from spinsweep.solvers.gpe import Grid, Propagator, SlabFFT, get_scheme, fft_backends
from gpe_helpers import small_trapped

BACKENDS = ["ducc0"] + (["fftw"] if fft_backends.fftw_available() else [])


def _forget_fftw_wisdom():
    if fft_backends.fftw_available():
        import pyfftw
        pyfftw.forget_wisdom()
        fft_backends.FFTWPlan._wisdom_loaded = False


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SPINSWEEP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(fft_backends.ENV, raising=False)
    _forget_fftw_wisdom()
    yield
    # FFTW's wisdom lives in the process too: plans measured here for a throw-away cache dir must not decide the
    # plans of later tests in this process (which then differ from a CLI subprocess's by an ulp)
    _forget_fftw_wisdom()


def _state(shape, batch=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 2) + shape) + 1j * rng.standard_normal((batch, 2) + shape)


@pytest.mark.parametrize("shape", [(96,), (24, 12), (12, 8, 6)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_transforms_match_numpy(shape, backend):
    grid = Grid(shape, tuple(float(n) for n in shape))
    fft = SlabFFT(grid, 2, backend=backend)
    assert fft.backend == backend
    psi = _state(shape, 2)
    axes = tuple(range(2, 2 + len(shape)))
    ref = np.fft.fftn(psi, axes=axes)
    k = fft.forward(psi)
    assert np.allclose(k, ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    assert np.allclose(fft.backward(k), psi, rtol=0, atol=1e-13)
    # the hot-loop pair is unnormalised both ways: the round trip is N psi
    work = fft.adopt(psi.copy())
    fft.forward_buf(work)
    fft.backward_buf(fft.kbuf, work)
    assert np.allclose(work * fft.inv_n, psi, rtol=0, atol=1e-13)


def test_backends_agree_on_a_run_and_each_is_bitwise_reproducible():
    p = small_trapped(shape=(128,), box=40.0, R=15.0).replace(omega_R=np.linspace(0.5, 1.5, 3))
    grid = Grid(p.shape, p.box)
    psi0 = np.sqrt(np.maximum(1 - (grid.axis(0) / 15.0) ** 2, 0))[None, None] * np.array([0.3, 1.0])[:, None]
    psi0 = np.broadcast_to(psi0, (3, 2, 128)).astype(complex)
    out = {}
    for backend in BACKENDS:
        runs = [Propagator(p, grid, SlabFFT(grid, 3, backend=backend), get_scheme("strang"), 0.01)
                .advance(psi0.copy(), 200) for _ in range(2)]
        assert np.array_equal(runs[0], runs[1]), backend
        out[backend] = runs[0]
    for backend in BACKENDS[1:]:
        assert np.max(np.abs(out[backend] - out["ducc0"])) <= 1e-12 * np.max(np.abs(out["ducc0"]))


def test_setting_and_recorded_choice(monkeypatch, tmp_path):
    grid = Grid((64,), (10.0,))
    monkeypatch.setenv(fft_backends.ENV, "ducc0")
    assert SlabFFT(grid, 1).backend == "ducc0"
    monkeypatch.setenv(fft_backends.ENV, "nonsense")
    with pytest.raises(ValueError, match="ducc0, fftw, auto"):
        SlabFFT(grid, 1)
    monkeypatch.setenv(fft_backends.ENV, "auto")
    first = SlabFFT(grid, 1).backend
    assert first in BACKENDS
    if len(BACKENDS) > 1:
        # the choice is stored per machine and layout and then read, never re-timed: a later process (a resume)
        # gets the stored back end even where a new timing would pick the other one
        table_path = tmp_path / "cache" / "fft-choice.json"
        table = json.loads(table_path.read_text())
        (key,) = [k for k in table if "(1, 2, 64)" in k]
        other = "ducc0" if first == "fftw" else "fftw"
        table[key]["backend"] = other
        table_path.write_text(json.dumps(table))
        assert SlabFFT(grid, 1).backend == other


def test_adopt_works_in_place_on_aligned_arrays():
    grid = Grid((64,), (10.0,))
    fft = SlabFFT(grid, 2, backend="ducc0")
    a = fft.adopt(np.zeros((2, 2, 64), complex))
    assert fft_backends.is_aligned(a) and fft.adopt(a) is a
    raw = np.zeros(2 * 2 * 64 + 4, complex)
    shift = next(s for s in range(4) if not fft_backends.is_aligned(raw[s:]))
    b = raw[shift:shift + 256].reshape(2, 2, 64)  # misaligned
    c = fft.adopt(b)
    assert c is not b and fft_backends.is_aligned(c)


def test_run_records_its_back_end_and_resume_passes_it_back(tmp_path, monkeypatch):
    """The store's run record names the FFT back end; a resume rebuilds the SlabFFT with ``backend=`` that
    name whatever the setting in the resuming process (another choice would break the bitwise resume)."""
    import zarr

    from spinsweep.solvers.gpe.run import run
    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.solvers.gpe.simulation import Simulation, _resume_identity

    cfg = {"model": {"shape": [256], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": 1.0,
                     "atom_number": 26.67, "trap": [0.316]},
           "time": {"dt": 0.01, "t_final": 0.5, "output_every": 25}}
    monkeypatch.setenv(fft_backends.ENV, BACKENDS[-1])
    store = run(RunSettings.from_mapping(cfg), tmp_path / "r.zarr")
    record = dict(zarr.open_group(store, mode="r").attrs["params"])
    assert record["fft_backend"] == BACKENDS[-1]
    # the back end is not part of the identity a resume must match (like the thread count)
    assert _resume_identity(record) == _resume_identity(dict(record, fft_backend="other"))
    monkeypatch.setenv(fft_backends.ENV, BACKENDS[0])
    sim = Simulation(RunSettings.from_mapping(cfg), store)
    assert sim.fft.backend == BACKENDS[0]
    sim.resume()
    assert sim.fft.backend == BACKENDS[-1] and sim.propagator.fft is sim.fft
