"""Observables: the fused kernel equals the numpy reference, and the GPE obeys the spinor hydrodynamics
of the seed, continuity Eq. (3) and spin Eq. (1)/(5) with the spin current of Eq. (7), checked on the stored
fields themselves (time derivative by a centred difference)."""

import numpy as np
import pytest

from spinsweep.solvers.gpe.observables import profiles, profiles_reference
from gpe_helpers import machinery, quench_ground, small_trapped


@pytest.fixture(scope="module")
def evolved():
    p = small_trapped(shape=(256,))
    _, _, prop, obs = machinery(p, "yoshida4", 0.002)
    psi = prop.advance(quench_ground(p), 1500)  # Omega_R t = 3: interfaces present, strong gradients
    return p, prop, obs, psi


def test_kernel_matches_numpy_reference(evolved):
    _, _, obs, psi = evolved
    a, b = profiles(psi, obs), profiles_reference(psi, obs)
    for k in b:
        # same formulas, different operation order: round-off only
        assert np.max(np.abs(a[k] - b[k])) <= 1e-12 * np.max(np.abs(b[k])), k


def _dx(f, L):
    k = 2 * np.pi * np.fft.fftfreq(f.shape[-1], L / f.shape[-1])
    return np.fft.ifft(1j * k * np.fft.fft(f, axis=-1), axis=-1).real


def test_continuity_and_spin_equation(evolved):
    p, prop, obs, psi = evolved
    h = 0.002  # one step each way
    fm = profiles(psi, obs)
    psi_p = prop.advance(psi.copy(), 1)
    f0 = profiles(psi_p, obs)
    fp = profiles(prop.advance(psi_p.copy(), 1), obs)
    L = p.box[0]
    # Eq. (3): dn/dt + d_x j = 0
    dn_dt = (fp["n"][0] - fm["n"][0]) / (2 * h)
    res_n = dn_dt + _dx(f0["j"][0], L)
    assert np.max(np.abs(res_n)) < 1e-4 * np.max(np.abs(dn_dt)) + 1e-6 * np.max(f0["n"])
    # Eq. (1): ds/dt + d_x j_s = (local precession), j_s = advection + twist (Eq. 7), quantum torque = -d_x twist
    s = f0["s"][0]
    ds_dt = (fp["s"][0] - fm["s"][0]) / (2 * h)
    na, nb = (s[2] + f0["n"][0]) / 2, (f0["n"][0] - s[2]) / 2
    Wz = (p.g11 - p.g12) * na - (p.g22 - p.g12) * nb
    H = np.stack([np.full_like(Wz, p.omega_R), np.zeros_like(Wz), -Wz])
    local = -np.cross(H, s, axis=0)  # ds/dt|local = -H x s in this GPE's convention (spinsweep.solvers.gpe.observables)
    assert np.allclose(np.linalg.norm(local, axis=0), f0["H_cross_s"][0], rtol=1e-10, atol=1e-12)
    rhs = -_dx(f0["spin_current_advection"][0], L) + f0["quantum_torque"][0] + local
    # centred difference: error ~ h^2 |d3s/dt3| / 6; measured 5.1e-6, 2.1e-5, 1.3e-4 for h = 1, 2, 5 steps
    # (h^2 scaling: the residual is the finite difference, not the physics)
    assert np.max(np.abs(ds_dt - rhs)) < 3e-5 * np.max(np.abs(ds_dt))
    # and the torque is really the divergence of the spin-twist current
    assert np.allclose(f0["quantum_torque"][0], -_dx(f0["spin_current_twist"][0], L),
                       atol=1e-6 * np.max(np.abs(f0["quantum_torque"][0])))
