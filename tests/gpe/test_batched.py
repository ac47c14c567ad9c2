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
