"""Spherically symmetric diffusion modes of a spherical cell and their overlap matrix c_mn (SI section 2).

Mode functions, orthonormal over the ball of radius R (volume V = 4 pi R^3/3):

    u_k(r) = N_k sin(k r)/r,   N_k^-2 = 4 pi (R/2 - sin(2kR)/(4k));   k = 0: u_0 = 1/sqrt(V).

Boundary conditions (SI after Eq. S2): alkali -- Robin, D_a du/dr + kappa u = 0 at r = R, i.e.
x cot x = 1 - Bi with x = kR and Robin number Bi = kappa R/D_a (Bi = 0: Neumann, Bi = inf: Dirichlet,
x = (m+1) pi); noble gas -- Neumann, tan x = x (x_0 = 0: the uniform mode).  The decay rate of a mode is
gamma + D k^2.  Overlaps c_mn = int A_m B_n d^3r are closed-form:

    4 pi N_1 N_2 int_0^R sin(k_1 r) sin(k_2 r) dr = 4 pi N_1 N_2 [sin((k1-k2)R)/(2(k1-k2)) - sin((k1+k2)R)/(2(k1+k2))]

and the infinite matrix is unitary (both sets are complete in the radial subspace); a truncated M x N block
is unitary only up to the weight of the dropped modes, which is what the mode-count convergence measures.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq


def robin_roots(n_modes: int, biot: float) -> np.ndarray:
    """First ``n_modes`` roots x = kR >= 0 of x cos x - (1 - Bi) sin x = 0 (Bi = inf: x = (m+1) pi)."""
    if n_modes < 1:
        raise ValueError(f"n_modes={n_modes!r} is not allowed: must be >= 1")
    if not biot >= 0:
        raise ValueError(f"biot={biot!r} is not allowed: the Robin number must be >= 0")
    m = np.arange(n_modes)
    if math.isinf(biot):
        return (m + 1) * math.pi
    f = lambda x: x * math.cos(x) - (1 - biot) * math.sin(x)  # noqa: E731
    eps = 1e-12
    out = np.empty(n_modes)
    for i in m:
        if biot == 0:
            out[i] = 0.0 if i == 0 else brentq(f, i * math.pi + eps, (i + 0.5) * math.pi - eps, xtol=1e-14)
        else:
            out[i] = brentq(f, i * math.pi + eps, (i + 1) * math.pi - eps, xtol=1e-14)
    return out


def neumann_roots(n_modes: int) -> np.ndarray:
    """kR of the Neumann (noble-gas) modes: 0, then the roots of tan x = x."""
    return robin_roots(n_modes, 0.0)


def norm(k, R):
    """N_k of u_k = N_k sin(kr)/r (k > 0) or 1/sqrt(V) (k = 0), as an array."""
    k = np.asarray(k, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = 1.0 / np.sqrt(4 * np.pi * (R / 2 - np.sin(2 * k * R) / (4 * k)))
    return np.where(k == 0, 1.0 / math.sqrt(4 * math.pi * R ** 3 / 3), n)


def mode_function(k, R, r):
    """u_k(r) on the radii ``r`` (array (len(k), len(r)))."""
    k = np.atleast_1d(np.asarray(k, float))[:, None]
    r = np.asarray(r, float)[None, :]
    kr = k * r
    sinc = np.where(kr == 0, 1.0, np.sin(kr) / np.where(kr == 0, 1.0, kr))
    return np.where(k == 0, norm(0.0, R), norm(k, R) * k * sinc)


def _sin_sin(k1, k2, R):
    """int_0^R sin(k1 r) sin(k2 r) dr, element-wise with the k1 = k2 limit."""
    d, s = k1 - k2, k1 + k2
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(d == 0, R / 2, np.sin(d * R) / (2 * np.where(d == 0, 1, d)))
        b = np.where(s == 0, 0.0, np.sin(s * R) / (2 * np.where(s == 0, 1, s)))
    return a - b


def overlap_matrix(k_a, k_b, R) -> np.ndarray:
    """c_mn = int A_m(r) B_n(r) d^3 r for radial modes with wavenumbers k_a (rows) and k_b (columns)."""
    k1 = np.asarray(k_a, float)[:, None]
    k2 = np.asarray(k_b, float)[None, :]
    N1, N2 = norm(k1, R), norm(k2, R)
    sv = 1.0 / math.sqrt(4 * math.pi * R ** 3 / 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        # one of the two is the uniform mode: 4 pi N sv int sin(k r) r dr
        def uni(k):
            kk = np.where(k == 0, 1.0, k)
            return np.sin(kk * R) / kk ** 2 - R * np.cos(kk * R) / kk
        c = 4 * np.pi * N1 * N2 * _sin_sin(k1, k2, R)
        c = np.where((k2 == 0) & (k1 > 0), 4 * np.pi * N1 * sv * uni(k1), c)
        c = np.where((k1 == 0) & (k2 > 0), 4 * np.pi * N2 * sv * uni(k2), c)
        c = np.where((k1 == 0) & (k2 == 0), 1.0, c)
    return c


def overlap_quadrature(k_a, k_b, R, n_points: int = 200) -> np.ndarray:
    """c_mn by Gauss-Legendre quadrature of 4 pi int u_m u_n r^2 dr (for tests)."""
    x, w = np.polynomial.legendre.leggauss(n_points)
    r = 0.5 * R * (x + 1)
    w = 0.5 * R * w * 4 * np.pi * r ** 2
    A = mode_function(k_a, R, r)
    B = mode_function(k_b, R, r)
    return (A * w) @ B.T


class SphereModes:
    """The first ``n_a`` alkali (Robin) and ``n_b`` noble-gas (Neumann) radial modes of a sphere.

    Attributes: k_a, k_b (1/cm), c (n_a x n_b overlaps), and ``uniform_weights`` -- the amplitudes
    c_m0 of the spatially uniform alkali excitation on the alkali modes (normalised over the kept modes;
    ``uniform_captured`` is the weight before normalisation, 1 for infinitely many modes).
    """

    def __init__(self, R_cm: float, n_a: int, n_b: int | None = None, alkali_biot: float = math.inf):
        n_b = n_a if n_b is None else n_b
        self.R = float(R_cm)
        self.k_a = robin_roots(n_a, alkali_biot) / self.R
        self.k_b = neumann_roots(n_b) / self.R
        self.c = overlap_matrix(self.k_a, self.k_b, self.R)
        w = overlap_matrix(self.k_a, [0.0], self.R)[:, 0]
        self.uniform_captured = float(w @ w)
        self.uniform_weights = w / math.sqrt(self.uniform_captured)

    def decay_a(self, gamma_bulk: float, D: float) -> np.ndarray:
        return gamma_bulk + D * self.k_a ** 2

    def decay_b(self, gamma_bulk: float, D: float) -> np.ndarray:
        return gamma_bulk + D * self.k_b ** 2
