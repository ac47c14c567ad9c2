"""Tunnelling Onsager coefficients of two magnon gases (seed slides 16, 21-22).

Linearising the currents of slide 21,
    I_S = A int_0^inf dw w [n_B((w + h_L)/T_L) - n_B((w + h_R)/T_R)]
    I_H = A int_0^inf dw w (w + h_L) [n_B((w + h_L)/T_L) - n_B((w + h_R)/T_R)]
(transmittance T(w) = A w from two 3D densities of states ~ sqrt(w)), in Delta h = -(h_L - h_R) and
Delta T = T_L - T_R gives (slide 22, with F_d(x) = Li_d(e^{-x}), x = h/T):
    L11 / (A T)   = F1
    L12 / (A T)   = L21 / (A T^2) = 2 F2 + x F1
    L22 / (A T^2) = 6 F3 + 4 x F2 + x^2 F1
and the heat conductance K = L22 - L12 L21 / L11 (slide 16).

Stable form of K.  The x- and x^2-terms cancel exactly:
    F1 L22/(A T^2) - (L12/(A T))^2 = 6 F1 F3 - 4 F2^2,   so   K / (A T^2) = 6 F3 - 4 F2^2 / F1,
a difference of two O(1) numbers of ratio >= 3/2 for all x (no cancellation at x -> 0 or x -> inf).
For x >= X_SPLIT we factor z = e^{-x} out (F_d = z f_d), so the classical tail is never formed as a
difference and nothing overflows or produces 0/0 when z underflows.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .polylog import _COEF, N_SERIES, ORDERS, X_SPLIT

_J2 = ORDERS.index(2.0)
_J3 = ORDERS.index(3.0)
_C2 = _COEF[_J2].copy()
_C3 = _COEF[_J3].copy()


@numba.njit(cache=True)
def _onsager_kernel(x, l11, l12, l22, k):
    for i in range(x.size):
        xi = x[i]
        if xi >= X_SPLIT:
            # F_d = z f_d with f_d = sum_k z^{k-1} / k^d, all sums share the powers of z
            z = math.exp(-xi)
            zk = 1.0
            f1 = 0.0
            f2 = 0.0
            f3 = 0.0
            n = 1
            while True:
                inv = 1.0 / n
                t1 = zk * inv
                f1 += t1
                f2 += t1 * inv
                f3 += t1 * inv * inv
                if t1 < 1e-18 * f1:
                    break
                n += 1
                zk *= z
            l11[i] = z * f1
            l12[i] = z * (2.0 * f2 + xi * f1)
            l22[i] = z * (6.0 * f3 + 4.0 * xi * f2 + xi * xi * f1)
            k[i] = z * (6.0 * f3 - 4.0 * f2 * f2 / f1)
        else:
            # series around the critical point x = 0 (polylog.py); Li1 in closed form
            F1 = -math.log(-math.expm1(-xi)) if xi <= 0.6931471805599453 else -math.log1p(-math.exp(-xi))
            F2 = 0.0
            F3 = 0.0
            for n in range(N_SERIES - 1, -1, -1):
                F2 = F2 * xi + _C2[n]
                F3 = F3 * xi + _C3[n]
            lx = math.log(xi)
            F2 += -xi * (1.0 - lx)  # (-x)^1/1! (H_1 - ln x)
            F3 += 0.5 * xi * xi * (1.5 - lx)  # (-x)^2/2! (H_2 - ln x)
            l11[i] = F1
            l12[i] = 2.0 * F2 + xi * F1
            l22[i] = 6.0 * F3 + 4.0 * xi * F2 + xi * xi * F1
            k[i] = 6.0 * F3 - 4.0 * F2 * F2 / F1


def onsager(x) -> dict[str, np.ndarray]:
    """Dimensionless tunnelling Onsager coefficients of the magnon junction at x = h/T (slides 16, 21-22).

    Parameters
    ----------
    x : float or array_like
        h/T, mean Zeeman field (= magnon gap) over mean temperature; must be > 0 (x -> 0+ is the magnonic
        critical point).  Accurate to ~1e-14 relative (tested to 1e-10 against mpmath for 1e-8 <= x <= 50).

    Returns
    -------
    dict with keys ``L11``, ``L12``, ``L21``, ``L22``, ``K`` (arrays shaped like ``x``) in units of
    A T, A T, A T^2, A T^2, A T^2 respectively, A being the tunnelling prefactor of T(w) = A w:
    L11 = F1, L12 = L21 = 2F2 + xF1, L22 = 6F3 + 4xF2 + x^2F1, K = L22 - L12 L21 / L11 = 6F3 - 4F2^2/F1.
    """
    xa = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(xa)) or not np.all(xa > 0):
        bad = xa[~(np.isfinite(xa) & (xa > 0))].ravel()[0]
        raise ValueError(f"x = h/T must be finite and > 0 (gapped magnons, x -> 0+ is the critical point); "
                         f"got x={bad!r}")
    flat = np.ascontiguousarray(xa).ravel()
    l11 = np.empty(flat.size)
    l12 = np.empty(flat.size)
    l22 = np.empty(flat.size)
    kk = np.empty(flat.size)
    _onsager_kernel(flat, l11, l12, l22, kk)
    shape = xa.shape
    out = {"L11": l11.reshape(shape), "L12": l12.reshape(shape), "L21": l12.copy().reshape(shape),
           "L22": l22.reshape(shape), "K": kk.reshape(shape)}
    return out
