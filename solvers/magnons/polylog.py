"""Bose-Einstein functions g_s(e^{-x}) = Li_s(e^{-x}) for x > 0, fast and accurate in double precision.

The magnon study needs these everywhere (seed slides 21-26, Sekino et al. PRL 133, 163402):
``F_d(x) = Li_d(e^{-x})`` (d = 1, 2, 3) in the conductances and ``g_{1/2}, g_{3/2}, g_{5/2}`` in the 3D magnon
equation of state.  Two convergent representations are combined:

* ``x < X_SPLIT``: the expansion around the critical point x = 0 (Robinson's series, |x| < 2 pi),
      Li_s(e^{-x}) = Gamma(1-s) x^{s-1} + sum_{k>=0} zeta(s-k) (-x)^k / k!            (s not integer)
      Li_n(e^{-x}) = (-x)^{n-1}/(n-1)! [H_{n-1} - ln x] + sum_{k != n-1} zeta(n-k) (-x)^k / k!   (s = n),
  whose coefficients are computed once at import with mpmath (30 digits) and evaluated by Horner's rule.
  The terms fall like (x / 2 pi)^k, so 40 terms give < 1e-17 relative truncation at x = X_SPLIT = 2.
* ``x >= X_SPLIT``: the direct sum  sum_{k>=1} e^{-kx} / k^s, which needs <= 20 terms there.

Accuracy against mpmath.polylog is ~1e-14 relative over 1e-12 <= x <= 700 (tested to 1e-10 in tests/magnons).
Kernels are numba-compiled (cache=True); ``bose(s, x)`` is the vectorised public entry point.
"""
from __future__ import annotations

import math

import mpmath
import numba
import numpy as np

#: orders s of Li_s(e^{-x}) available from ``bose`` (-1/2 is used for d kappa / dh).
ORDERS = (-0.5, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
#: switch between the series around x = 0 and the direct sum over images
X_SPLIT = 2.0
#: number of terms of the x -> 0 series (truncation < (X_SPLIT / 2 pi)^40 ~ 1e-20)
N_SERIES = 40


def _series_tables():
    """Coefficients c_k = zeta(s-k) (-1)^k / k! (singular integer term removed), Gamma(1-s), H_{n-1}."""
    coef = np.zeros((len(ORDERS), N_SERIES))
    sing = np.zeros(len(ORDERS))  # Gamma(1-s) for non-integer s, H_{n-1} for integer s
    is_int = np.zeros(len(ORDERS), dtype=np.bool_)
    with mpmath.workdps(30):
        for j, s in enumerate(ORDERS):
            integer = float(s).is_integer()
            is_int[j] = integer
            for k in range(N_SERIES):
                if integer and k == int(s) - 1:
                    continue  # the pole of zeta(1) is replaced by the logarithmic term
                coef[j, k] = float(mpmath.zeta(mpmath.mpf(s) - k) * (-1) ** k / mpmath.factorial(k))
            if integer:
                sing[j] = float(mpmath.harmonic(int(s) - 1))
            else:
                sing[j] = float(mpmath.gamma(1 - mpmath.mpf(s)))
    return coef, sing, is_int


_COEF, _SING, _IS_INT = _series_tables()
_ORD = np.array(ORDERS)


@numba.njit(cache=True)
def _li_exp(j, x):
    """Li_s(e^{-x}) for s = ORDERS[j], scalar x > 0 (returns inf at x = 0 for s <= 1)."""
    s = _ORD[j]
    if s == 1.0:  # closed form, accurate for all x
        if x > 0.6931471805599453:
            return -math.log1p(-math.exp(-x))
        return -math.log(-math.expm1(-x))
    if x >= X_SPLIT:
        z = math.exp(-x)
        zk = z
        acc = 0.0
        k = 1
        while True:
            term = zk * math.pow(k, -s)
            acc += term
            if term < 1e-18 * acc or zk == 0.0:
                break
            k += 1
            zk *= z
        return acc
    acc = 0.0
    for k in range(N_SERIES - 1, -1, -1):
        acc = acc * x + _COEF[j, k]
    if _IS_INT[j]:
        n = int(s)
        acc += (-x) ** (n - 1) / math.gamma(n) * (_SING[j] - math.log(x))
    else:
        acc += _SING[j] * math.pow(x, s - 1.0)
    return acc


@numba.njit(cache=True)
def _li_exp_array(j, x, out):
    for i in range(x.size):
        out[i] = _li_exp(j, x[i])


def bose(s: float, x) -> np.ndarray:
    """Bose-Einstein function g_s(e^{-x}) = Li_s(e^{-x}) = sum_k e^{-kx}/k^s, vectorised over x > 0.

    ``s`` must be one of ``ORDERS``; ``x`` (= h/T for magnons, minus the magnon chemical potential over T)
    must be positive.
    """
    s = float(s)
    if s not in ORDERS:
        raise ValueError(f"s={s!r} is not an available order; allowed: {ORDERS}")
    xa = np.asarray(x, dtype=float)
    if not np.all(xa > 0):
        raise ValueError(f"x must be > 0 (x = h/T of a gapped magnon gas); got min(x)={np.min(xa)!r}")
    out = np.empty(xa.size)
    _li_exp_array(ORDERS.index(s), np.ascontiguousarray(xa).ravel(), out)
    return out.reshape(xa.shape) if xa.ndim else float(out[0])
