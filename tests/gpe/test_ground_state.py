"""Imaginary-time ground states: Thomas-Fermi limit and normalisation of the TOTAL atom number only."""

import numpy as np

from spinsweep.solvers.gpe import GPEParams, Grid, SlabFFT, ground_state
from gpe_helpers import machinery


def test_polarised_ground_state_matches_thomas_fermi():
    # single component (all in |1,-1>, Omega_R = 0), mu = 200 >> omega = 1: TF is accurate in the bulk up to
    # kinetic corrections of relative size ~ omega^2/mu^2 * (R^2/(R^2 - x^2))^2 < 1e-3 for |x| < 0.8 R.
    g, N, w = 1.0, 4.0 / 3.0 * 200.0 * np.sqrt(2 * 200.0), 1.0  # N = 4/3 n0 R with n0 = mu/g, R = sqrt(2 mu)
    p = GPEParams(shape=(1024,), box=(48.0,), g11=g, g22=g, g12=0.9 * g, omega_R=0.0, atom_number=N, trap=(w,))
    grid = Grid(p.shape, p.box)
    psi, info = ground_state(p, grid, SlabFFT(grid, 1), spinor="minus", dt=0.002, tol=1e-8)
    x = grid.axis(0)
    n = np.abs(psi[0, 1]) ** 2
    assert np.all(np.abs(psi[0, 0]) == 0)  # the empty component stays empty without coupling
    mu = 200.0
    R = np.sqrt(2 * mu) / w
    bulk = np.abs(x) < 0.8 * R
    n_tf = np.maximum(mu - 0.5 * w ** 2 * x ** 2, 0) / g
    assert np.max(np.abs(n[bulk] - n_tf[bulk]) / n_tf[bulk]) < 2e-3
    # TF energy per atom 3/5 mu in 1D; the surface correction is O(omega/mu log) ~ 1e-2 relative
    assert abs(info["energy_per_atom"][0] / (0.6 * mu) - 1) < 1e-2
    assert abs(np.sum(n) * grid.dx[0] - N) < 1e-9 * N


def test_coupled_ground_state_normalises_the_total_not_each_component():
    # Start fully polarised in |1,-1>: with Omega_R > 0 the ground state is s = (n, 0, 0), i.e. half of the
    # atoms must move to |1,+1>.  Per-component normalisation (pygpe issue #22) would pin N_-1 = N.
    g, g12, Om = 20.0, 17.0, 1.0
    p = GPEParams(shape=(256,), box=(50.0,), g11=g, g22=g, g12=g12, omega_R=Om, atom_number=26.7,
                  trap=(np.sqrt(2 * 20.0) / 20.0,))
    grid = Grid(p.shape, p.box)
    psi, _ = ground_state(p, grid, SlabFFT(grid, 1), spinor="minus", dt=0.005, tol=1e-8)
    dx = grid.dx[0]
    Np, Nm = (np.sum(np.abs(psi[0, c]) ** 2) * dx for c in (0, 1))
    assert abs(Np + Nm - 26.7) < 1e-10 * 26.7
    assert abs(Np - Nm) < 1e-6 * 26.7  # symmetric couplings: equal populations
    _, _, _, obs = machinery(p)
    from spinsweep.solvers.gpe import profiles
    f = profiles(psi, obs)
    n, s = f["n"][0], f["s"][0]
    core = n > 1e-3 * n.max()
    # s = (n, 0, 0): the spin points along +x (Rabi term -hbar Omega_R s_x/2 minimised)
    assert np.max(np.abs(s[0, core] - n[core]) / n[core]) < 1e-6
    # density: TF of the mixture, n = (mu - V + Omega_R/2)/((g + g12)/2) in the bulk
    x = grid.axis(0)
    V = 0.5 * (np.sqrt(2 * 20.0) / 20.0) ** 2 * x ** 2
    # chemical potential from the numerical state at the centre, then compare the profile shape
    i0 = np.argmin(np.abs(x))
    mu_eff = n[i0] * (g + g12) / 2 + V[i0]
    bulk = np.abs(x) < 0.8 * x[core].max()
    n_tf = (mu_eff - V) / ((g + g12) / 2)
    assert np.max(np.abs(n[bulk] - n_tf[bulk]) / n_tf[bulk]) < 5e-3
