"""Fock states through the interface: a truncated two-mode master equation and the exact Gaussian channel.

Two-mode master equation (Eq. 2 as a Lindblad equation, frame rotating with the noble gas):

    H = -Delta a^dag a + J (a^dag b + b^dag a),
    L = sqrt(2 gamma + e) a,  sqrt(e) a^dag  (e = excess noise <F^dag F>, 0 for perfect polarization),
    sqrt(2 gamma_b) b,

which reproduces da/dt = -iJ b + (i Delta - gamma) a and d<a^dag a>/dt|_relax = -2 gamma <a^dag a> + e.
Without the excess noise the excitation number never grows, so a cutoff n_max >= the initial excitation
number is exact.

Gaussian channel (any number of modes): the evolution is linear and passive, so a target mode reads
b(t) = u a_signal(0) + (zero-mean, phase-insensitive Gaussian environment of normal-ordered occupation
n_env).  Its photon-number distribution is |n_in> through a pure loss eta = |u|^2 followed by additive
classical noise n_env (normal-ordered characteristic functions multiply): :func:`channel_fock_distribution`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply
from scipy.special import eval_genlaguerre, gammaln


def _ops(n_max):
    d = n_max + 1
    a1 = sp.diags(np.sqrt(np.arange(1, d)), 1, format="csr")
    I = sp.identity(d, format="csr")
    return sp.kron(a1, I, format="csr"), sp.kron(I, a1, format="csr")  # a (alkali), b (noble)


def liouvillian(n_max: int, J: float, gamma: float, Delta: float = 0.0, gamma_b: float = 0.0,
                excess_a: float = 0.0):
    """Sparse Liouvillian L acting on column-stacked vec(rho) of the two-mode truncated Fock space."""
    a, b = _ops(n_max)
    H = -Delta * (a.T @ a) + J * (a.T @ b + b.T @ a)
    dim = a.shape[0]
    Id = sp.identity(dim, format="csr")
    L = -1j * (sp.kron(Id, H) - sp.kron(H.T, Id))
    for c, rate in ((a, 2 * gamma + excess_a), (a.T.tocsr(), excess_a), (b, 2 * gamma_b)):
        if rate == 0:
            continue
        cd = c.conj().T
        cdc = cd @ c
        L = L + rate * (sp.kron(c.conj(), c) - 0.5 * sp.kron(Id, cdc) - 0.5 * sp.kron(cdc.T, Id))
    return L.tocsr()


def fock_state(n_max: int, n_a: int, n_b: int = 0) -> np.ndarray:
    d = n_max + 1
    psi = np.zeros(d * d, complex)
    psi[n_a * d + n_b] = 1.0
    return np.outer(psi, psi.conj())


def master_equation(rho0, t, n_max: int, J: float, gamma: float, schedule=((0.0, 0.0),), gamma_b: float = 0.0,
                    excess_a: float = 0.0) -> np.ndarray:
    """rho(t) on the grid ``t`` (t[0] = start) under the detuning ``schedule`` [(t_on, Delta), ...];
    returns (nt, dim, dim)."""
    t = np.asarray(t, float)
    sched = sorted((float(x), float(y)) for x, y in schedule)
    dim = (n_max + 1) ** 2
    out = np.empty((t.size, dim, dim), complex)
    v = np.asarray(rho0, complex).reshape(-1, order="F")
    out[0] = rho0
    Ls: dict = {}
    for k in range(t.size - 1):
        cuts = [t[k]] + [on for on, _ in sched if t[k] < on < t[k + 1]] + [t[k + 1]]
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            Delta = [d for on, d in sched if on <= 0.5 * (lo + hi)][-1]
            if Delta not in Ls:
                Ls[Delta] = liouvillian(n_max, J, gamma, Delta, gamma_b, excess_a)
            v = expm_multiply(Ls[Delta] * (hi - lo), v)
        out[k + 1] = v.reshape(dim, dim, order="F")
    return out


def noble_number_distribution(rho, n_max: int) -> np.ndarray:
    """P(n_b = k), k = 0..n_max, from two-mode density matrices (..., dim, dim)."""
    d = n_max + 1
    diag = np.real(np.diagonal(rho, axis1=-2, axis2=-1)).reshape(rho.shape[:-2] + (d, d))
    return diag.sum(axis=-2)


def _displaced_fock_poly(k, m, x):
    """exp(x) |<k|D(alpha)|m>|^2 with x = |alpha|^2 (a polynomial of degree k + m)."""
    lo, hi = min(k, m), max(k, m)
    logpre = gammaln(lo + 1) - gammaln(hi + 1)
    return np.exp(logpre) * x ** (hi - lo) * eval_genlaguerre(lo, hi - lo, x) ** 2


def channel_fock_distribution(n_in: int, eta, n_env, k_max: int | None = None) -> np.ndarray:
    """P(k) after |n_in> goes through pure loss eta then additive Gaussian noise of mean n_env.

    Vectorised over eta, n_env (broadcast); returns (..., k_max + 1).  The additive noise is a random
    displacement with <|alpha|^2> = n_env, integrated exactly by Gauss-Laguerre quadrature.
    """
    eta = np.asarray(eta, float)
    n_env = np.asarray(n_env, float)
    eta, n_env = np.broadcast_arrays(eta, n_env)
    k_max = n_in + 12 if k_max is None else k_max
    m = np.arange(n_in + 1)
    # binomial loss
    with np.errstate(divide="ignore", invalid="ignore"):
        logC = gammaln(n_in + 1) - gammaln(m + 1) - gammaln(n_in - m + 1)
        p_loss = np.exp(logC) * eta[..., None] ** m * (1 - eta[..., None]) ** (n_in - m)
    x, w = np.polynomial.laguerre.laggauss(n_in + k_max + 2)  # exact for the degree-(k + m) polynomials
    out = np.zeros(eta.shape + (k_max + 1,))
    nz = np.maximum(n_env, 1e-300)[..., None]
    s = 1 + 1 / nz  # int dx e^{-x/n}/n e^{-x} poly(x) = int dy e^{-y} poly(y/s)/(n s), y = s x
    for k in range(k_max + 1):
        acc = np.zeros(eta.shape)
        for mm in m:
            val = np.sum(w * _displaced_fock_poly(k, mm, x / s), axis=-1) / (nz[..., 0] * s[..., 0])
            direct = float(k == mm)
            val = np.where(n_env > 1e-14, val, direct)
            acc = acc + p_loss[..., mm] * val
        out[..., k] = acc
    return out


def fock2_probability(eta, n_env):
    """P(exactly 2 excitations) of the target mode for |2> sent through (eta, n_env)."""
    return channel_fock_distribution(2, eta, n_env, k_max=2)[..., 2]


def thermal_probability(n, k):
    """P(k) of a thermal state of mean n."""
    n = np.asarray(n, float)
    return n ** k / (1 + n) ** (k + 1)


__all__ = ["channel_fock_distribution", "fock2_probability", "fock_state", "liouvillian", "master_equation",
           "noble_number_distribution", "thermal_probability"]
