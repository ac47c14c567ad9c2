"""Exact oscillation frequency of the Rabi-coupled (internal) bosonic Josephson junction.

Homogeneous limit of seed Eq. (1): ``ds/dt = H(s) x s`` with ``H = -Omega_R x_hat + kappa s_z z_hat``
(sign convention of :mod:`spinsweep.solvers.rabi.params`).  In units of Omega_R, with ``u = s/n`` and
``Lambda = kappa n/Omega_R``, the energy ``E = -u_x + Lambda u_z^2/2`` and ``|u| = 1`` are conserved.  For the
fully polarised start ``s(0) = (0, 0, -n)`` (seed: "initially fully polarized state s_z = -n"), ``E = Lambda/2`` gives
``u_x = Lambda (Z^2 - 1)/2`` and, with ``dZ/dt = -u_y``,

    (dZ/dt)^2 = (1 - Z^2) (1 - (Lambda^2/4)(1 - Z^2)).

With ``Z = -cos(theta)`` this is the pendulum ``theta'^2 = 1 - m sin^2(theta)``, ``m = Lambda^2/4``:

* ``Lambda < 2`` (Josephson / Rabi-like oscillation, Z between -1 and +1; theta runs): period of Z ``T = 4 K(m)``,
  ``Omega/Omega_R = pi / (2 K(Lambda^2/4))``; ``Omega -> Omega_R`` for ``Lambda -> 0``.
* ``Lambda > 2`` (self-trapped, Z < 0, phase running; theta librates and Z = -cos(theta) has half its period):
  ``T = (2/sqrt(m)) K(1/m)``, ``Omega/Omega_R = (pi Lambda/2) / K(4/Lambda^2)``; ``Omega -> kappa n`` for large
  Lambda.
* ``Lambda = 2``: separatrix, ``Omega = 0``.  Since ``K(m) ~ (1/2) ln(16/(1 - m))`` for ``m -> 1``, the frequency
  vanishes logarithmically (the "softening" of Fig. 2a): ``Omega/Omega_R ~ pi/ln(16/(2 - Lambda))`` below and
  ``~ 2 pi/ln(16/(Lambda - 2))`` above Lambda = 2 (leading order in |Lambda - 2|).

K is the complete elliptic integral of the first kind; ``scipy.special.ellipkm1(p) = K(1 - p)`` is used with
``p`` formed as a product ``(2 - Lambda)(2 + Lambda)/4`` so that the relative accuracy survives near Lambda = 2.
The result depends on |Lambda| only (the orbit equation contains Lambda^2).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def _as_lambda(Lambda) -> np.ndarray:
    L = np.asarray(Lambda, dtype=float)
    if np.any(np.isnan(L)):
        raise ValueError(f"Lambda = {Lambda!r}: must be real numbers (no NaN); Lambda = kappa n/Omega_R")
    return np.abs(L)


def frequency(Lambda) -> np.ndarray:
    """Angular frequency of Z(t) in units of Omega_R for s(0) = (0, 0, -n), as a function of
    Lambda = kappa n/Omega_R (seed Fig. 2a, main local oscillation frequency).  Vectorised; exact.

    Returns a numpy array (a 0-d array for scalar input); 0 at |Lambda| = 2, inf at |Lambda| = inf.
    """
    L = _as_lambda(Lambda)
    out = np.zeros_like(L)
    below = L < 2.0
    above = L > 2.0
    Lb = L[below]
    out[below] = np.pi / (2.0 * special.ellipkm1((2.0 - Lb) * (2.0 + Lb) / 4.0))
    La = L[above]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(np.isinf(La), 1.0, (La - 2.0) * (La + 2.0) / np.where(np.isinf(La), 1.0, La) ** 2)
        out[above] = 0.5 * np.pi * La / special.ellipkm1(p)
    return out


def period(Lambda) -> np.ndarray:
    """Period of Z(t) in units of 1/Omega_R (2 pi / frequency; inf at |Lambda| = 2)."""
    with np.errstate(divide="ignore"):
        return 2.0 * np.pi / frequency(Lambda)


def self_trapped(Lambda) -> np.ndarray:
    """True where the fully polarised start is self-trapped (|Lambda| > 2, Z(t) never changes sign)."""
    return _as_lambda(Lambda) > 2.0


def z_max(Lambda) -> np.ndarray:
    """Largest Z reached from Z(0) = -1: +1 for |Lambda| <= 2, -sqrt(1 - 4/Lambda^2) when self-trapped."""
    L = _as_lambda(Lambda)
    with np.errstate(divide="ignore", invalid="ignore"):
        trapped = -np.sqrt(np.clip(1.0 - 4.0 / L ** 2, 0.0, None))
    return np.where(L > 2.0, trapped, 1.0)


def plasma_frequency(Lambda) -> np.ndarray:
    """Small oscillations around the ground state s = (n,0,0): sqrt(1 + Lambda) in units of Omega_R
    (Methods: omega_p = sqrt(Omega_R (Omega_R + kappa n)))."""
    L = np.asarray(Lambda, dtype=float)
    if np.any(np.isnan(L)) or np.any(L < -1):
        raise ValueError(f"Lambda = {Lambda!r}: plasma frequency needs Lambda >= -1")
    return np.sqrt(1.0 + L)
