"""Equilibrium thermodynamics of one ferromagnetic insulator in the spin-wave approximation (slides 10, 14, 24, 26).

Magnons are free bosons with E_k = h + (J/2) k^2 in 3D (slide 14; J is the spin stiffness, lattice constant 1)
whose number is conserved by the Heisenberg Hamiltonian: h acts as minus their chemical potential
(mu_magnon = -h, slide 24) and h = (dF/dM)_T (slide 8).  Per lattice site, with
    Nscr(T) = (T / (2 pi J))^{3/2}        (thermal magnon-number scale, the script N of slides 25-26)
and x = h/T, g_s = Li_s(e^{-x}) (k_B = hbar = 1):
    magnon density       n = Nscr g_{3/2}
    magnetization        M = s_spin - n                       (s_spin: spin length, full polarisation)
    entropy              S = Nscr (5/2 g_{5/2} + x g_{3/2})
    internal energy      E = (3/2) T Nscr g_{5/2}    (kinetic energy above the gap, dE = T dS + h dM)
and the thermodynamic matrix of slide 26 (Maxwell relation (dM/dT)_h = (dS/dh)_T, from G(h,T) = F - hM):
    kappa = (dM/dh)_T = Nscr g_{1/2} / T                      ~ Nscr sqrt(pi/(h T)) -> inf as h -> 0+
    (dM/dT)_h = (dS/dh)_T = -(Nscr / T) (3/2 g_{3/2} + x g_{1/2})
    (dS/dT)_h = (Nscr / T) (15/4 g_{5/2} + 3 x g_{3/2} + x^2 g_{1/2})
The inverse map (M, S) -> (h, T) uses that S/n = R(x) = 5/2 g_{5/2}/g_{3/2} + x depends on x only and is
strictly increasing (R'(x) >= 1 by the Cauchy-Schwarz inequality g_{3/2}^2 <= g_{1/2} g_{5/2}), with
R(0) = 5 zeta(5/2) / (2 zeta(3/2)) ~ 1.284: states with S/n below it would need a magnon condensate (h < 0),
which the spin-wave gas model excludes.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .polylog import _li_exp, bose

_J12, _J32, _J52 = 1, 3, 5  # indices of s = 1/2, 3/2, 5/2 in polylog.ORDERS
ZETA32 = 2.612375348685488
ZETA52 = 1.341487257250917
R_CRIT = 2.5 * ZETA52 / ZETA32  # S/n at the magnonic critical point h = 0+


def _check_hTJ(h, T, J):
    h, T = np.asarray(h, float), np.asarray(T, float)
    if not np.all(T > 0):
        raise ValueError(f"T must be > 0; got T={T.ravel()[np.argmin(T.ravel())]!r}")
    if not np.all(h > 0):
        raise ValueError(f"h must be > 0 (gapped magnons; h -> 0+ is the critical point, h < 0 would condense); "
                         f"got h={h.ravel()[np.argmin(h.ravel())]!r}")
    if not (np.isscalar(J) or np.ndim(J) == 0) or not float(J) > 0:
        raise ValueError(f"J (spin stiffness in E_k = h + J k^2/2) must be a positive scalar; got J={J!r}")
    return h, T, float(J)


def n_scale(T, J: float):
    """Nscr = (T/(2 pi J))^{3/2}: magnons per site of a gapless gas at temperature T, up to zeta(3/2)."""
    return (np.asarray(T, float) / (2.0 * math.pi * J)) ** 1.5


def magnon_density(h, T, J: float = 1.0):
    """Thermal magnon number per site, n = Nscr g_{3/2}(e^{-h/T})."""
    h, T, J = _check_hTJ(h, T, J)
    return n_scale(T, J) * bose(1.5, h / T)


def magnetization(h, T, J: float = 1.0, s_spin: float = 0.5):
    """M(h, T) per site = s_spin - n (spin-wave approximation, valid while n << s_spin)."""
    return s_spin - magnon_density(h, T, J)


def entropy(h, T, J: float = 1.0):
    """S(h, T) per site = Nscr (5/2 g_{5/2} + x g_{3/2}), x = h/T (k_B = 1)."""
    h, T, J = _check_hTJ(h, T, J)
    x = h / T
    return n_scale(T, J) * (2.5 * bose(2.5, x) + x * bose(1.5, x))


def energy(h, T, J: float = 1.0):
    """Kinetic energy per site above the gap, E = (3/2) T Nscr g_{5/2}; dE = T dS + h dM."""
    h, T, J = _check_hTJ(h, T, J)
    return 1.5 * T * n_scale(T, J) * bose(2.5, h / T)


def response_matrix(h, T, J: float = 1.0) -> dict[str, np.ndarray]:
    """Thermodynamic matrix of slide 26: keys ``dM_dh`` (= kappa), ``dM_dT``, ``dS_dh``, ``dS_dT`` (per site)."""
    h, T, J = _check_hTJ(h, T, J)
    x = h / T
    g12, g32, g52 = bose(0.5, x), bose(1.5, x), bose(2.5, x)
    pref = n_scale(T, J) / T
    cross = -pref * (1.5 * g32 + x * g12)
    return {"dM_dh": pref * g12, "dM_dT": cross, "dS_dh": cross.copy(),
            "dS_dT": pref * (3.75 * g52 + 3.0 * x * g32 + x * x * g12)}


def compressibility(h, T, J: float = 1.0):
    """Magnon compressibility kappa = (dM/dh)_T = Nscr g_{1/2}(e^{-h/T}) / T ~ 1/sqrt(h) as h -> 0+ (slide 24)."""
    return response_matrix(h, T, J)["dM_dh"]


def dimensionless_matrix(x):
    """T/Nscr times the thermodynamic matrix at x = h/T, as a (..., 2, 2) array [[kappa, dM/dT], [dS/dh, dS/dT]]."""
    x = np.asarray(x, float)
    g12, g32, g52 = bose(0.5, x), bose(1.5, x), bose(2.5, x)
    cross = -(1.5 * g32 + x * g12)
    out = np.empty(x.shape + (2, 2))
    out[..., 0, 0] = g12
    out[..., 0, 1] = cross
    out[..., 1, 0] = cross
    out[..., 1, 1] = 3.75 * g52 + 3.0 * x * g32 + x * x * g12
    return out


@numba.njit(cache=True)
def _state_from_ns(n, s):
    """Invert n = tau^{3/2} g_{3/2}(e^{-x}), s = tau^{3/2}(5/2 g_{5/2} + x g_{3/2}) for (x, tau).

    Safeguarded Newton iteration on u = sqrt(x) for R(x) = s/n (smooth in u at the critical point); returns
    (nan, nan) if s/n <= R_CRIT (no gapped state), or if n <= 0.
    """
    if not (n > 0.0) or not (s > 0.0):
        return np.nan, np.nan
    r = s / n
    if not (r > R_CRIT):
        return np.nan, np.nan
    lo = math.sqrt(max(r - 2.5, 0.0))  # R(x) <= x + 5/2
    hi = math.sqrt(r - R_CRIT) + 1e-300  # R(x) >= x + R_CRIT
    c = 5.0 * ZETA52 * math.sqrt(math.pi) / ZETA32**2  # R ~ R_CRIT + c sqrt(x) near x = 0
    u = (r - R_CRIT) / c
    if u * u > 1.0 or u <= lo or u >= hi:
        u = 0.5 * (lo + hi)
    for _ in range(200):
        x = u * u
        g12 = _li_exp(_J12, x)
        g32 = _li_exp(_J32, x)
        g52 = _li_exp(_J52, x)
        f = 2.5 * g52 / g32 + x - r
        if f > 0.0:
            hi = u
        else:
            lo = u
        dfdu = -3.0 * u + 5.0 * (u * g12) * g52 / (g32 * g32)
        un = u - f / dfdu
        if not (lo < un < hi):
            un = 0.5 * (lo + hi)
        if abs(un - u) <= 1e-15 * max(u, 1e-300) or hi - lo <= 1e-16 * hi:
            u = un
            break
        u = un
    x = u * u
    tau = (n / _li_exp(_J32, x)) ** (2.0 / 3.0)
    return x, tau


def state_from_MS(M, S, J: float = 1.0, s_spin: float = 0.5):
    """Invert the equations of state: (M, S) per site -> (h, T).  Raises if (M, S) has no gapped magnon state."""
    M, S = np.broadcast_arrays(np.asarray(M, float), np.asarray(S, float))
    n = (s_spin - M).ravel()
    s = S.ravel()
    h = np.empty(n.size)
    T = np.empty(n.size)
    scale = 2.0 * math.pi * J
    for i in range(n.size):
        # n = tau^{3/2} g_{3/2} per site exactly, with tau = T/(2 pi J)
        x, tau = _state_from_ns(n[i], s[i])
        T[i] = scale * tau
        h[i] = x * T[i]
    if not np.all(np.isfinite(h)):
        i = int(np.argmax(~np.isfinite(h)))
        raise ValueError(f"(M, S)=({M.ravel()[i]!r}, {S.ravel()[i]!r}) has no gapped magnon state: "
                         f"need n = s_spin - M > 0 and S/n > {R_CRIT:.6f} (h > 0)")
    return h.reshape(M.shape), T.reshape(M.shape)
