"""Measured orders of convergence: dt (Strang 2, Yoshida 4) and dx (spectral, i.e. faster than any power).

System: the paper protocol in small numbers (fully polarised ground state, Omega_R switched on, kappa n0 =
3 Omega_R so the centre is self-trapped), evolved to Omega_R t = 2 when the interfaces are forming.
"""

import numpy as np
import pytest

from gpe_helpers import machinery, quench_ground, small_trapped

T = 2.0


@pytest.fixture(scope="module")
def system():
    p = small_trapped(shape=(128,), box=40.0, R=15.0)
    return p, quench_ground(p)


def _evolve(p, psi0, scheme, dt):
    _, _, prop, _ = machinery(p, scheme, dt)
    return prop.advance(psi0.copy(), int(round(T / dt)))


def _rel(a, b):
    return float(np.sqrt(np.sum(np.abs(a - b) ** 2) / np.sum(np.abs(b) ** 2)))


@pytest.mark.parametrize("scheme, order, dts", [("strang", 2, (0.01, 0.005, 0.0025)),
                                                ("yoshida4", 4, (0.02, 0.01, 0.005))])
def test_order_in_dt(system, scheme, order, dts):
    p, psi0 = system
    ref = _evolve(p, psi0, "yoshida4", 0.000625)  # error ~1e-12, far below the errors measured
    errs = [_rel(_evolve(p, psi0, scheme, dt), ref) for dt in dts]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    # measured 2.000 and 4.00-4.02; asymptotic regime, so +-0.15 is a sharp but safe band
    assert np.all(np.abs(orders - order) < 0.15), (errs, orders)


def _interp(psi, n_fine):
    """Trigonometric interpolation of a periodic field onto the finer grid -L/2 + j L/n_fine."""
    nc = psi.shape[-1]
    c = np.fft.fft(psi, axis=-1) / nc
    F = np.zeros(psi.shape[:-1] + (n_fine,), complex)
    h = nc // 2
    F[..., :h], F[..., -h:] = c[..., :h], c[..., -h:]
    return np.fft.ifft(F, axis=-1) * n_fine


def test_spectral_convergence_in_dx():
    res = {}
    for N in (64, 80, 96, 128, 256):
        p = small_trapped(shape=(N,), box=40.0, R=15.0)
        res[N] = _interp(_evolve(p, quench_ground(p), "yoshida4", 0.005), 256)
    errs = [_rel(res[N], res[256]) for N in (64, 80, 96, 128)]
    # measured 5.3e-5, 5.4e-6, 5.7e-7, 7.9e-9: a factor ~10 per 16 points (exponential, not a power law).
    # Require at least a factor 4 per refinement and a power-law-beating 8th-order drop from 64 to 128.
    assert errs[1] < errs[0] / 4 and errs[2] < errs[1] / 4 and errs[3] < errs[2] / 4, errs
    assert errs[3] < errs[0] / 2 ** 8, errs
