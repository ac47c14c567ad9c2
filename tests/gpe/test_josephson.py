"""Uniform gas = two-mode Josephson dynamics (seed Eq. 1 without spin current), against spinsweep.solvers.josephson.

In a homogeneous periodic box the kinetic term never acts (only k = 0 is occupied), so the GPE reduces
exactly to du/dt = H(u) x u with H = (-Omega_R, 0, kappa n u_z), Lambda = kappa n / Omega_R.  The only error
is the splitting error of the local/Rabi steps.
"""

import numpy as np
import pytest

from spinsweep.solvers import josephson
from spinsweep.solvers.gpe import GPEParams, profiles
from gpe_helpers import machinery


@pytest.mark.parametrize("Lambda, Z0, phi0", [(1.0, -1.0, 0.0),   # Rabi-like oscillation (Lambda < 2)
                                              (3.0, -1.0, 0.0),   # self-trapped (Lambda > 2), the paper's start
                                              (2.5, 0.4, 1.0)])   # a generic point on the Bloch sphere
def test_uniform_gas_follows_josephson_ode(Lambda, Z0, phi0):
    n, g = 1.0, 10.0
    L = 4.0
    p = GPEParams(shape=(16,), box=(L,), g11=g, g22=g, g12=g - Lambda, omega_R=1.0, atom_number=n * L)
    dt, every, n_out = 0.005, 40, 60  # t up to 12/Omega_R, about two Josephson periods
    _, _, prop, obs = machinery(p, "yoshida4", dt)
    c = np.array([np.sqrt((1 + Z0) / 2), np.sqrt((1 - Z0) / 2) * np.exp(1j * phi0)])
    psi = np.empty((1, 2, 16), dtype=complex)
    psi[0, 0], psi[0, 1] = c[0] * np.sqrt(n), c[1] * np.sqrt(n)
    Z = []
    for _ in range(n_out):
        Z.append(profiles(psi, obs)["Z"][0].mean())
        psi = prop.advance(psi, every)
    t = np.arange(n_out) * every * dt
    ref = josephson.evolve(Lambda, t, Z0=Z0, phi0=phi0)
    # Yoshida-4 at Omega_R dt = 0.005, (kappa n + g n) dt ~ 0.07: splitting error ~1e-8; ODE rtol 1e-11
    assert np.max(np.abs(np.array(Z) - ref.Z.values)) < 1e-6
    if Z0 == -1.0:  # and the regime is the one the case intends: Z never changes sign iff self-trapped
        assert (np.max(Z) < 0) == (Lambda > 2)
