"""FFT back ends (issue 13, item 1): every back end gives the same physics; the choice is a setting, stored
once per machine and layout, and a given back end is bitwise reproducible (what a resume needs)."""

import json

import numpy as np
import pytest

from spinsweep.solvers.gpe import Grid, Propagator, SlabFFT, get_scheme, fft_backends
from gpe_helpers import small_trapped

BACKENDS = ["ducc0"] + (["fftw"] if fft_backends.fftw_available() else [])


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SPINSWEEP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(fft_backends.ENV, raising=False)


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
