"""The fused kernels' building blocks: vectorisable sin/cos and the exact 2x2 Rabi rotation."""

import numpy as np
import scipy.linalg

from spinsweep.solvers.gpe import kernels


def test_sincos_matches_libm_to_an_ulp():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-7, 7, 20000), rng.uniform(-1e4, 1e4, 20000), np.linspace(-20, 20, 4001),
                        np.pi / 4 * np.arange(-40, 41)])  # octant boundaries: the quadrant logic
    out = np.empty((2, x.size))
    kernels.sincos_array(x, out)
    # |sin|, |cos| <= 1: 2.3e-16 absolute is ~1 ulp of 1
    assert np.max(np.abs(out[0] - np.sin(x))) < 2.3e-16
    assert np.max(np.abs(out[1] - np.cos(x))) < 2.3e-16


def test_rabi_matrix_is_the_matrix_exponential():
    om, de = np.array([0.0, 1.3, 2.0]), np.array([0.0, 0.0, -0.7])
    for tau in (0.37, -0.21j):  # real time and imaginary time
        U = kernels.rabi_matrix(om, de, tau)
        for b in range(3):
            M = np.array([[de[b] / 2, -om[b] / 2], [-om[b] / 2, -de[b] / 2]])
            assert np.allclose(U[b], scipy.linalg.expm(-1j * tau * M), atol=1e-15, rtol=1e-14)
