"""Batched 1D mode: B parameter points advanced in one (B, 2, Nx) array equal B separate runs."""

import numpy as np

from gpe_helpers import machinery, quench_ground, small_trapped


def test_batched_equals_one_at_a_time():
    omegas = np.array([0.5, 1.0, 1.5])
    g12 = np.array([17.0, 17.5, 16.0])
    p = small_trapped(shape=(128,), box=40.0, R=15.0).replace(omega_R=omegas, g12=g12)
    assert p.batched and p.batch_size == 3
    psi0 = quench_ground(p)
    _, _, prop, obs = machinery(p, "yoshida4", 0.01)
    psiB = prop.advance(psi0.copy(), 150)
    for b in range(3):
        pb = p.point(b)
        psi0b = quench_ground(pb)
        # the ground state per point equals the batch's (same arithmetic row by row)
        assert np.max(np.abs(psi0b[0] - psi0[b])) <= 1e-12 * np.max(np.abs(psi0[b]))
        _, _, prop_b, _ = machinery(pb, "yoshida4", 0.01)
        psi_b = prop_b.advance(psi0b.copy(), 150)
        # spec: agreement to 1e-12 relative (in practice bitwise: the same operations per row)
        assert np.max(np.abs(psi_b[0] - psiB[b])) <= 1e-12 * np.max(np.abs(psiB[b]))
    # the points really differ (otherwise the test would prove nothing)
    assert np.max(np.abs(psiB[0] - psiB[1])) > 1e-3 * np.max(np.abs(psiB[0]))


def test_batched_cli_store_equals_single_runs(tmp_path):
    """The CLI with list-valued parameters writes one store with a `point` dimension (swept values as
    coordinates); each point equals its own single run."""
    import json

    from spinsweep.solvers.store import open_dataset
    from gpe_helpers import run_cli
    model = {"shape": [288], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": [17.0, 16.5], "omega_R": [1.0, 1.2],
             "atom_number": 26.67, "trap": [0.316]}
    cfg = {"model": model, "time": {"dt": 0.008, "t_final": 2.0, "output_every": 50}}
    (tmp_path / "b.json").write_text(json.dumps(cfg))
    run_cli(["--config", tmp_path / "b.json", "--store", tmp_path / "b.zarr"])
    batch = open_dataset(tmp_path / "b.zarr").load()
    assert batch.sizes["point"] == 2 and list(batch.param_omega_R.values) == [1.0, 1.2]
    single = dict(cfg, model=dict(model, g12=16.5, omega_R=1.2))
    (tmp_path / "s.json").write_text(json.dumps(single))
    run_cli(["--config", tmp_path / "s.json", "--store", tmp_path / "s.zarr"])
    one = open_dataset(tmp_path / "s.zarr").load()
    for name in ("Z", "s", "quantum_torque", "energy"):
        a, b = one[name].values, batch[name].isel(point=1).values
        # the fields agree to ~1e-15 in float64; float32 stores round them, so a value on a rounding boundary
        # may land one float32 ulp away: allow 4 ulp of the largest value (1e-12 relative for float64)
        rel = 1e-12 if a.dtype == np.float64 else 4 * np.finfo(a.dtype).eps
        assert np.max(np.abs(a - b)) <= rel * np.max(np.abs(a)), name


def test_threads_split_the_batch():
    """threads > 1 cut the batch into parts advanced concurrently.  Spec: 1e-12 relative to one thread
    (ducc0 rounds a line in a SIMD group and in the scalar tail differently, by an ulp); bitwise for a given
    thread count."""
    from spinsweep.solvers.gpe import Grid, Propagator, SlabFFT, get_scheme, ground_state
    from spinsweep.solvers.gpe.backends import ThreadedBatch, make_propagator

    p = small_trapped(shape=(128,), box=40.0, R=15.0).replace(omega_R=np.linspace(0.5, 1.5, 5))
    grid = Grid(p.shape, p.box)
    psi0 = quench_ground(p)
    one = Propagator(p, grid, SlabFFT(grid, 5), get_scheme("strang"), 0.01)
    ref = one.advance(psi0.copy(), 100)
    scale = np.max(np.abs(ref))
    for threads in (2, 3, 8):  # 8 > B: one point per thread
        prop = make_propagator(p, grid, SlabFFT(grid, 5), get_scheme("strang"), 0.01, threads=threads)
        assert isinstance(prop, ThreadedBatch) and prop.threads == min(threads, 5)
        out = prop.advance(psi0.copy(), 100)
        assert np.max(np.abs(out - ref)) <= 1e-12 * scale, threads
        again = ThreadedBatch(p, grid, get_scheme("strang"), 0.01, threads=threads)
        assert np.array_equal(again.advance(psi0.copy(), 100), out), threads
    # imaginary time: the ground state (with its per-point chemical potentials) agrees too
    prep = p.replace(omega_R=np.zeros(5))
    g1, _ = ground_state(prep, grid, SlabFFT(grid, 5), dt=0.02, tol=1e-6)
    g2, _ = ground_state(prep, grid, SlabFFT(grid, 5), dt=0.02, tol=1e-6, threads=2)
    assert np.max(np.abs(g1 - g2)) <= 1e-12 * np.max(np.abs(g1))


def test_threads_are_checked():
    import pytest

    from spinsweep.solvers.gpe import Grid, SlabFFT, get_scheme
    from spinsweep.solvers.gpe.backends import make_propagator
    from spinsweep.solvers.gpe.run import batch_threads
    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.workflow.config import ConfigError, validate_with

    p = small_trapped(shape=(64,), box=40.0, R=15.0)
    grid = Grid(p.shape, p.box)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="threads"):
            make_propagator(p, grid, SlabFFT(grid, 1), get_scheme("strang"), 0.01, threads=bad)
        with pytest.raises(ValueError, match="threads"):
            RunSettings.from_mapping({"preset": "paper118", "threads": bad})
        with pytest.raises(ConfigError, match="gpe.threads"):
            validate_with({"preset": "paper118", "threads": bad}, "gpe", prefix=("gpe",))
    assert batch_threads(None, 1, 1) == 1 and batch_threads(4, 3, 1) == 3 and batch_threads(None, 8, 2) == 1
    with pytest.raises(ValueError, match="one thread per rank"):
        batch_threads(2, 8, 2)


def test_large_batches_are_cut_into_cache_sized_parts():
    """A one-rank 1D batch larger than PART_BYTES is cut into parts (a whole number per thread), also on one
    thread; the cut depends only on grid, batch size and thread count, agrees with the uncut propagator to
    1e-12 relative and is bitwise reproducible."""
    from spinsweep.solvers.gpe import Propagator, SlabFFT, get_scheme
    from spinsweep.solvers.gpe.backends import PART_BYTES, ThreadedBatch, make_propagator, n_parts
    from spinsweep.solvers.gpe.grid import Grid

    B = 24
    p = small_trapped(shape=(1024,), box=40.0, R=15.0).replace(omega_R=np.linspace(0.5, 1.5, B))
    grid = Grid(p.shape, p.box)
    # 64 KB per point: 4 points per part; 5 threads take 2 parts each
    assert n_parts(grid, B, 1) == 6 and n_parts(grid, B, 2) == 6 and n_parts(grid, B, 5) == 10
    assert n_parts(grid, 1, 1) == 1 and n_parts(Grid((16, 16), (5.0, 5.0)), B, 2) == 2
    tf = np.sqrt(np.maximum(1 - (grid.axis(0) / 15.0) ** 2, 0))
    psi0 = np.broadcast_to(tf[None, None] * np.array([0.3, 1.0])[:, None], (B, 2, 1024)).astype(complex)
    ref = Propagator(p, grid, SlabFFT(grid, B, backend="ducc0"), get_scheme("strang"), 0.01).advance(psi0.copy(), 50)
    scale = np.max(np.abs(ref))
    for threads in (1, 2):
        prop = make_propagator(p, grid, SlabFFT(grid, B, backend="ducc0"), get_scheme("strang"), 0.01,
                               threads=threads)
        assert isinstance(prop, ThreadedBatch) and len(prop.parts) == n_parts(grid, B, threads)
        assert all(2 * 2 * 16 * 1024 * (b - a) <= PART_BYTES for a, b, _ in prop.parts)
        assert {part.fft.backend for _, _, part in prop.parts} == {"ducc0"}
        out = prop.advance(psi0.copy(), 50)
        assert np.max(np.abs(out - ref)) <= 1e-12 * scale, threads
        again = make_propagator(p, grid, SlabFFT(grid, B, backend="ducc0"), get_scheme("strang"), 0.01,
                                threads=threads)
        assert np.array_equal(again.advance(psi0.copy(), 50), out), threads
