"""Uniform gas = two-mode Josephson dynamics (seed Eq. 1 without spin current), against spinsweep.solvers.josephson,
on every back end (moved from tests/gpe).

In a homogeneous periodic box the kinetic term never acts (only k = 0 is occupied), so the GPE reduces
exactly to du/dt = H(u) x u with H = (-Omega_R, 0, kappa n u_z), Lambda = kappa n / Omega_R.  The only error
is the splitting error of the local/Rabi steps.
"""

import numpy as np
import pytest

from conformance_backends import Job, mpi_subset
from spinsweep.solvers import josephson
from spinsweep.solvers.gpe import GPEParams

CASES = [(1.0, -1.0, 0.0),   # Rabi-like oscillation (Lambda < 2)
         (3.0, -1.0, 0.0),   # self-trapped (Lambda > 2), the paper's start
         (2.5, 0.4, 1.0)]    # a generic point on the Bloch sphere
N_DENS, G, L, NX = 1.0, 10.0, 4.0, 12  # NX divisible by 6 (2 and 3 ranks)
DT, EVERY, N_OUT = 0.01, 20, 61         # t up to 12/Omega_R, about two Josephson periods
N_OUT_MPI = 31                          # MPI back ends: t up to 6/Omega_R (time budget)


def _system(Lambda, Z0, phi0):
    p = GPEParams(shape=(NX,), box=(L,), g11=G, g22=G, g12=G - Lambda, omega_R=1.0, atom_number=N_DENS * L)
    c = np.array([np.sqrt((1 + Z0) / 2), np.sqrt((1 - Z0) / 2) * np.exp(1j * phi0)])
    psi = np.empty((1, 2, NX), dtype=complex)
    psi[0, 0], psi[0, 1] = c[0] * np.sqrt(N_DENS), c[1] * np.sqrt(N_DENS)
    return p, psi


@pytest.fixture(scope="module")
def trajectories(backend):
    cases = [CASES[1]] if backend.is_mpi else CASES  # MPI: the paper's self-trapped start, one period
    jobs = [Job(*_system(*case), "yoshida4", DT, EVERY, N_OUT_MPI if backend.is_mpi else N_OUT) for case in cases]
    return dict(zip(cases, backend.trajectories(jobs)))


@pytest.mark.parametrize("Lambda, Z0, phi0", CASES)
def test_uniform_gas_follows_josephson_ode(backend, trajectories, Lambda, Z0, phi0):
    mpi_subset(backend, (Lambda, Z0, phi0) == CASES[1])
    traj = trajectories[(Lambda, Z0, phi0)]
    n = np.abs(traj) ** 2                                   # (T, 2, x)
    Z = ((n[:, 0] - n[:, 1]) / (n[:, 0] + n[:, 1])).mean(axis=-1)
    t = np.arange(len(traj)) * EVERY * DT
    ref = josephson.evolve(Lambda, t, Z0=Z0, phi0=phi0)
    # Yoshida-4 at Omega_R dt = 0.01, (kappa n + g n) dt ~ 0.13: splitting error (measured) <= 1.5e-8;
    # ODE rtol 1e-11
    assert np.max(np.abs(Z - ref.Z.values)) < 1e-6
    if Z0 == -1.0:  # and the regime is the one the case intends: Z never changes sign iff self-trapped
        assert (np.max(Z) < 0) == (Lambda > 2)
