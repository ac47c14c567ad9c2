"""Seeded initial fluctuations (spinsweep.solvers.gpe.noise): truncated-Wigner vacuum noise and thermal occupation.

Statistics are checked at 5 sigma of the sampling error (a false alarm about once in 10^6 runs, and the draws
are seeded, so the outcome is fixed anyway); reproducibility is checked bitwise.
"""

import json

import numpy as np
import pytest

from spinsweep.solvers.gpe import Grid
from spinsweep.solvers.gpe.noise import (add_noise, bogoliubov, bogoliubov_vacuum, bose_occupation, thermal_noise,
                                         vacuum_noise, vacuum_variance)
from spinsweep.solvers.gpe.run import run
from spinsweep.solvers.gpe.settings import NoiseSettings, RunSettings
from spinsweep.solvers.gpe.units import OutputUnits
from spinsweep.solvers.store import open_dataset
from gpe_helpers import small_trapped

MODEL = {"shape": [256], "box": [50.0], "g11": 0.02, "g22": 0.02, "g12": 0.017, "omega_R": 1.0,
         "atom_number": 26670.0, "trap": [0.316]}  # the paper-like cloud of test_resume with 1000x the atoms
BASE = {"model": MODEL, "time": {"dt": 0.01, "t_final": 4.0, "output_every": 100}, "threads": 1}


def test_vacuum_noise_statistics():
    grid = Grid((4096,), (50.0,))
    d = vacuum_noise(seed=3, shot=0, grid=grid)
    v = vacuum_variance(grid)
    assert v == 1 / (2 * grid.dx[0])  # <|delta psi_j|^2> = 1/(2 dx): half a particle per mode
    z = d.reshape(-1)
    n = z.size
    # mean 0: each of Re, Im has variance v/2, so the sample mean has sigma sqrt(v/2/n)
    assert abs(z.real.mean()) < 5 * np.sqrt(v / 2 / n) and abs(z.imag.mean()) < 5 * np.sqrt(v / 2 / n)
    # |z|^2 of a complex Gaussian is exponential with mean v and standard deviation v
    assert abs(np.mean(np.abs(z) ** 2) - v) < 5 * v / np.sqrt(n)
    # white: neighbouring points and the two components are uncorrelated (sigma of the estimate v/sqrt(n))
    assert abs(np.mean(d[:, 1:] * np.conj(d[:, :-1]))) < 5 * v / np.sqrt(n)
    assert abs(np.mean(d[0] * np.conj(d[1]))) < 5 * v / np.sqrt(n / 2)


def test_half_a_real_atom_per_mode_in_solver_units():
    """Preset units: one real atom is 1/(n0 xi_R) solver number units; the noise per mode is 1/2 real atom."""
    grid = Grid((64,), (10.0,))
    units = OutputUnits(length_m=2e-6, time_s=1e-3, density_per_m=5e7)  # n0 xi_R = 100 atoms per unit
    p = small_trapped(shape=(64,), box=10.0, R=3.0)
    _, info = add_noise(np.zeros((1, 2, 64), complex), NoiseSettings(kind="wigner"), p, grid, units)
    assert info["atoms_per_unit"] == pytest.approx(100.0)
    assert info["vacuum_variance"] == pytest.approx(1 / (2 * grid.dx[0] * 100.0))


def test_thermal_occupation():
    grid = Grid((128,), (40.0,))
    occ = bose_occupation(grid, kT=2.0)
    k = grid.k_axis(0)
    assert occ[0] == 0 and np.allclose(occ[1:], 1 / np.expm1(k[1:] ** 2 / 2 / 2.0))  # free particles
    E, u, v = bogoliubov(grid, mu=3.0)
    eps = k ** 2 / 2
    assert np.allclose(E, np.sqrt(eps * (eps + 6.0))) and np.allclose((u ** 2 - v ** 2)[1:], 1.0)
    # the thermal field holds sum_k (u_k^2 + v_k^2) N_k atoms on average: 200 draws within 5 sigma
    for mu in ((0.0, 0.0), (3.0, 0.0)):
        draws = np.array([np.sum(np.abs(thermal_noise(1, s, grid, 2.0, mu=mu)) ** 2) * grid.dx[0]
                          for s in range(200)])
        mean = sum(np.sum((bogoliubov(grid, m)[1] ** 2 + bogoliubov(grid, m)[2] ** 2) * bose_occupation(grid, 2.0, m))
                   for m in mu)
        assert abs(draws.mean() - mean) < 5 * draws.std() / np.sqrt(len(draws)), mu
    # phonons: fewer thermal atoms at low k than free particles at the same temperature
    assert np.sum(bose_occupation(grid, 2.0, 3.0)) < np.sum(occ)


def test_noise_is_independent_of_ranks_and_batch():
    """Shot k is bitwise the same field whatever the slab decomposition and whatever batch it sits in."""
    grid = Grid((24, 12), (6.0, 3.0))
    full = (vacuum_noise(7, 4, grid) + thermal_noise(7, 4, grid, 0.5, mu=(1.0, 0.2))
            + bogoliubov_vacuum(7, 4, grid, mu=(None, 3.0)))
    for P in (2, 3):
        slabs = [vacuum_noise(7, 4, g) + thermal_noise(7, 4, g, 0.5, mu=(1.0, 0.2))
                 + bogoliubov_vacuum(7, 4, g, mu=(None, 3.0))
                 for g in (Grid(grid.shape, grid.box, r, P) for r in range(P))]
        assert np.array_equal(np.concatenate(slabs, axis=1), full), P
    p1 = small_trapped(shape=(64,), box=40.0, R=15.0)
    g1 = Grid(p1.shape, p1.box)
    zero = np.zeros((1, 2, 64), complex)
    alone, _ = add_noise(zero, NoiseSettings(kind="thermal", seed=11, shot=5, temperature=0.3), p1, g1)
    batch = p1.replace(omega_R=[0.5, 1.0, 1.5])
    together, info = add_noise(np.zeros((3, 2, 64), complex),
                               NoiseSettings(kind="thermal", seed=11, shot=4, temperature=0.3), batch, g1)
    assert info["shots"] == [4, 5, 6]
    assert np.array_equal(together[1], alone[0])
    assert not np.array_equal(together[0], together[1])
    # the streams are those of SeedSequence(seed).spawn(...) keyed by the shot index
    from spinsweep.solvers.gpe.noise import _rng
    child = np.random.SeedSequence(11).spawn(6)[5].spawn(1)[0].spawn(3)[2]
    assert np.array_equal(_rng(11, 5, 0, 2).standard_normal(4),
                          np.random.Generator(np.random.PCG64(child)).standard_normal(4))


def test_no_noise_is_the_deterministic_run(tmp_path):
    """kind none (with any seed) writes bitwise the store of a run without a noise section."""
    run(RunSettings.from_mapping(BASE), tmp_path / "a.zarr")
    run(RunSettings.from_mapping({**BASE, "noise": {"kind": "none", "seed": 99, "shot": 3}}), tmp_path / "b.zarr")
    a, b = open_dataset(tmp_path / "a.zarr").load(), open_dataset(tmp_path / "b.zarr").load()
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_ensemble_of_shots_spreads_Z(tmp_path):
    """A batch of 4 Wigner shots (noise.shots): nonzero shot-to-shot spread of Z after the quench, each shot the
    same as its own single run (to 1e-12, the batch cuts ducc0's SIMD groups differently)."""
    cfg = {**BASE, "noise": {"kind": "wigner", "seed": 2026, "shots": 4}}
    run(RunSettings.from_mapping(cfg), tmp_path / "shots.zarr")
    ds = open_dataset(tmp_path / "shots.zarr").load()
    assert ds.sizes["point"] == 4 and list(ds.param_shot.values) == [0, 1, 2, 3]
    init = json.loads(json.dumps(ds.attrs["initial_state"]["noise"]))
    assert init["kind"] == "wigner" and init["shots"] == [0, 1, 2, 3]
    Z = ds.Z.isel(t=-1).values.astype(float)               # (point, x)
    centre = np.abs(ds.x.values) < 10.0
    spread = Z[:, centre].std(axis=0).max()
    # vacuum noise adds ~n_points/2 = 128 atoms per component to 26670: Z fluctuates at the 1e-3..1e-1 level
    assert 1e-4 < spread < 0.5, spread
    single = RunSettings.from_mapping({**BASE, "noise": {"kind": "wigner", "seed": 2026, "shot": 2}})
    run(single, tmp_path / "shot2.zarr")
    one = open_dataset(tmp_path / "shot2.zarr").load()
    a, b = one.energy.values, ds.energy.isel(point=2).values
    assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(a))


def test_temperature_units():
    """temperature in units of mu (Thomas-Fermi, per batch point) or in nK through the preset's time unit."""
    from spinsweep.solvers.gpe.noise import temperature_kT
    p = small_trapped(shape=(64,), box=40.0, R=15.0).replace(omega_R=[0.5, 1.0])
    mu = p.thomas_fermi()[0]
    kT = temperature_kT(NoiseSettings(kind="thermal", temperature=0.5), p, OutputUnits())
    assert np.allclose(kT, 0.5 * mu)
    units = OutputUnits(length_m=1e-6, time_s=1e-3, density_per_m=1e8)
    kT = temperature_kT(NoiseSettings(kind="thermal", temperature_nK=100.0), p, units)
    assert np.allclose(kT, 1.380649e-23 * 100e-9 / (1.054571817e-34 / 1e-3))  # k_B T / (hbar / time unit)
    assert np.all(temperature_kT(NoiseSettings(kind="wigner"), p, units) == 0)
    with pytest.raises(ValueError, match="gpe.noise.temperature_nK"):
        RunSettings.from_mapping({**BASE, "noise": {"kind": "thermal", "temperature_nK": 50.0}})


def test_bogoliubov_vacuum_of_a_condensate():
    """A condensed component gets the Bogoliubov vacuum: <|beta_k|^2> = (u_k^2 + v_k^2)/2 per plane-wave mode
    (more than the free 1/2: phonons are squeezed), and its density fluctuations at low k are reduced by
    eps_k/E_k in amplitude (the static structure factor S(k) = eps_k/E_k of the Bogoliubov ground state);
    300 draws within 5 sigma.  An empty component keeps white noise."""
    grid = Grid((128,), (40.0,))
    mu = 4.0
    _, u, v = bogoliubov(grid, mu)
    draws = np.array([np.fft.fft(bogoliubov_vacuum(5, s, grid, mu=(None, mu))[1]) for s in range(300)])
    V = grid.box[0]
    beta2 = np.abs(draws) ** 2 * V / grid.n_points ** 2  # |beta_k|^2 of the plane waves e^{ikx}/sqrt(V)
    expect = 0.5 * (u ** 2 + v ** 2)
    expect[0] = 0.5
    mean, sd = beta2.mean(0), beta2.std(0) / np.sqrt(len(draws))
    assert np.all(np.abs(mean - expect) < 5 * sd + 1e-12)
    # density fluctuations of a condensate psi_0 = sqrt(n0): delta n_k = sqrt(n0) (beta_k + beta_{-k}^*)
    k = grid.k_axis(0)
    low = (np.abs(k) > 0) & (np.abs(k) < 1.0)
    dn = draws + np.conj(np.roll(np.flip(draws, axis=1), 1, axis=1))
    S_meas = (np.abs(dn) ** 2).mean(0) * V / grid.n_points ** 2
    eps = k ** 2 / 2
    E = np.sqrt(eps * (eps + 2 * mu))
    np.testing.assert_allclose(S_meas[low], (eps / np.where(E > 0, E, 1))[low], rtol=0.35)  # 300 draws: ~6 % each
    assert np.mean(S_meas[low]) < 0.5 * 1.0  # white noise would give 1 (two independent halves)
    # add_noise: the empty component (|1,+1> before the quench) white, the condensed one Bogoliubov
    p1 = small_trapped(shape=(64,), box=40.0, R=15.0)
    psi = np.zeros((1, 2, 64), complex)
    psi[0, 1] = 3.0
    _, info = add_noise(psi, NoiseSettings(kind="wigner", seed=1), p1, Grid(p1.shape, p1.box))
    assert info["vacuum"] == ["white", "bogoliubov"]
