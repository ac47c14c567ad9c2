"""Exact Gaussian-state propagation of linear quantum Langevin equations (Eq. 2, Eq. 18, SI Eq. S2).

The modes x = (a_0 .. a_{M-1}, b_0 .. b_{N-1}) obey  dx/dt = M(Delta) x + F(t)  with
M(Delta) = M_0 + i Delta P_a (P_a: projector on the alkali modes; the frame rotates with the noble gas) and
white Langevin forces with <F_i^dag(t) F_j(t')> = D_ij delta(t - t').  Vacuum noise (perfect polarization)
has D = 0: in normal order it only restores the commutators, which the moments below need not track.

Tracked moments (exact for Gaussian states; the means also serve as the "transfer vectors" G(t) w):

    m = <x>,  N_ij = <x_i^dag x_j>,  A_ij = <x_i x_j>,
    dm/dt = M m,  dN/dt = M* N + N M^T + D,  dA/dt = M A + A M^T   (phase-insensitive noise).

Two exact propagators, both for a piecewise-constant ``schedule`` [(t_on, Delta), ...] (the storage
protocol switches the detuning):

* ``method="vanloan"``: per grid step h, P = expm(M h) and the noise integral
  Q = int_0^h e^{M* s} D e^{M^T s} ds from Van Loan's block exponential (cached per (Delta, h)); O(n^3) per
  step, full moments at every step;
* ``method="eig"``: per constant-Delta segment, M* = V diag(lambda) V^-1 and, with X = V^-1 N V^-H,
  N(t) = V [e^{lambda_i t} e^{lambda_j* t} X_ij + expm1((lambda_i + lambda_j*) t)/(lambda_i + lambda_j*) D'_ij] V^H
  evaluated only on the observed rows (O(n^2) per time, O(n^3) per segment).  Default for n > 16.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import functools

import numpy as np
from scipy.linalg import expm
from threadpoolctl import threadpool_limits


def _one_blas_thread(fn):
    """Run with one BLAS thread: the matrices here are small (n <= a few hundred), and OpenBLAS threads on a
    busy machine made a 200 x 200 eig 50x slower (measured 0.35 s vs 19.6 s on the shared 2-core host)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper


@dataclass
class LinearModes:
    """dx/dt = (M0 + i Delta diag(alkali)) x + F, <F^dag F> = noise (normal-ordered diffusion matrix)."""

    M0: np.ndarray
    alkali: np.ndarray              # bool mask of the alkali modes (feel the detuning)
    noise: np.ndarray               # D_ij, Hermitian, >= 0
    labels: list = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.M0.shape[0]

    def drift(self, Delta: float) -> np.ndarray:
        return self.M0 + 1j * float(Delta) * np.diag(self.alkali.astype(float))

    def index(self, label: str) -> int:
        return self.labels.index(label)


def two_mode(J: float, gamma: float, gamma_b: float = 0.0, excess_a: float = 0.0) -> LinearModes:
    """Eq. (2): da/dt = -iJ b + (i Delta - gamma) a + F_a,  db/dt = -iJ a - gamma_b b (+ F_b).

    ``excess_a`` = <F_a^dag F_a> rate (0: vacuum noise); the noble-gas noise is vacuum noise.
    """
    M0 = np.array([[-gamma, -1j * J], [-1j * J, -gamma_b]], dtype=complex)
    return LinearModes(M0, np.array([True, False]), np.diag([excess_a, 0.0]).astype(complex), ["a0", "b0"])


def coupled_modes(J: float, c: np.ndarray, decay_a: np.ndarray, decay_b: np.ndarray,
                  excess_a: float = 0.0) -> LinearModes:
    """SI Eq. (S2): da_m/dt = (i Delta - gamma_am) a_m - iJ sum_n c_mn b_n + F_am,
    db_n/dt = -gamma_bn b_n - iJ sum_m c*_mn a_m + F_bn (the excess noise is white in space, so it is
    ``excess_a`` times the identity on the orthonormal alkali modes)."""
    c = np.asarray(c)
    Ma, Nb = c.shape
    M0 = np.zeros((Ma + Nb, Ma + Nb), dtype=complex)
    M0[:Ma, :Ma] = np.diag(-np.asarray(decay_a, float))
    M0[Ma:, Ma:] = np.diag(-np.asarray(decay_b, float))
    M0[:Ma, Ma:] = -1j * J * c
    M0[Ma:, :Ma] = -1j * J * c.conj().T
    alkali = np.r_[np.ones(Ma, bool), np.zeros(Nb, bool)]
    noise = np.diag(np.r_[np.full(Ma, float(excess_a)), np.zeros(Nb)]).astype(complex)
    return LinearModes(M0, alkali, noise, [f"a{m}" for m in range(Ma)] + [f"b{n}" for n in range(Nb)])


@dataclass
class GaussianState:
    """Means (n,) or several 'transfer vectors' (n, k), and the moments N = <x^dag x>, A = <x x>."""

    mean: np.ndarray
    N: np.ndarray
    A: np.ndarray

    @classmethod
    def thermal(cls, nbar, n_vectors: int = 0) -> "GaussianState":
        nbar = np.asarray(nbar, float)
        n = nbar.size
        mean = np.zeros((n, n_vectors), complex) if n_vectors else np.zeros(n, complex)
        return cls(mean, np.diag(nbar).astype(complex), np.zeros((n, n), complex))


class _Steps:
    def __init__(self, system: LinearModes):
        self.system = system
        self.cache: dict = {}

    def __call__(self, Delta: float, h: float):
        key = (float(Delta), round(float(h), 15))
        if key not in self.cache:
            M = self.system.drift(Delta)
            n = M.shape[0]
            Ac = M.conj()
            C = np.zeros((2 * n, 2 * n), complex)
            C[:n, :n] = -Ac
            C[:n, n:] = self.system.noise
            C[n:, n:] = Ac.conj().T
            E = expm(C * h)
            Phi = E[n:, n:].conj().T          # = expm(M* h)
            Q = Phi @ E[:n, n:]
            Q = 0.5 * (Q + Q.conj().T)
            self.cache[key] = (Phi.conj(), Phi, Q)  # P = expm(M h), expm(M* h), noise integral
        return self.cache[key]


def _segments(t, schedule):
    """Cut [t_k, t_k+1] at switch times; yield (k, [(Delta, h), ...])."""
    sched = sorted((float(a), float(b)) for a, b in schedule)
    if not sched or sched[0][0] > t[0]:
        raise ValueError(f"schedule={schedule!r} is not allowed: it must give the detuning from t[0] on")

    def delta_at(x):
        d = sched[0][1]
        for on, val in sched:
            if on <= x:
                d = val
        return d

    for k in range(len(t) - 1):
        cuts = [t[k]] + [on for on, _ in sched if t[k] < on < t[k + 1]] + [t[k + 1]]
        yield k, [(delta_at(0.5 * (a + b)), b - a) for a, b in zip(cuts[:-1], cuts[1:])]


@_one_blas_thread
def evolve(system: LinearModes, state: GaussianState, t, schedule=((0.0, 0.0),), observe=None,
           method: str | None = None) -> dict:
    """Propagate ``state`` from t[0] over the grid ``t`` under the detuning ``schedule``.

    Returns {"t", "mean": (nt, n[, k]), "N": (nt, o, o), "A": (nt, o, o)} with o = the ``observe`` indices
    (default: all modes if n <= 16, else none).  ``method``: "vanloan" or "eig" (default: eig if n > 16).
    """
    t = np.asarray(t, float)
    if t.ndim != 1 or t.size < 1 or np.any(np.diff(t) <= 0):
        raise ValueError("t is not allowed: must be a strictly increasing 1-D grid")
    n = system.n
    obs = (np.arange(n) if n <= 16 else np.arange(0)) if observe is None else np.asarray(observe, int)
    method = ("eig" if n > 16 else "vanloan") if method is None else method
    if method == "eig":
        return _evolve_eig(system, state, t, schedule, obs)
    if method != "vanloan":
        raise ValueError(f"method={method!r} is not allowed: choose 'vanloan' or 'eig'")
    steps = _Steps(system)
    m, N, A = state.mean.copy(), state.N.copy(), state.A.copy()
    means = np.empty((t.size,) + m.shape, complex)
    Ns = np.empty((t.size, obs.size, obs.size), complex)
    As = np.empty_like(Ns)

    def record(i):
        means[i] = m
        Ns[i] = N[np.ix_(obs, obs)]
        As[i] = A[np.ix_(obs, obs)]

    record(0)
    for k, pieces in _segments(t, schedule):
        for Delta, h in pieces:
            P, Pc, Q = steps(Delta, h)
            m = P @ m
            N = Pc @ N @ Pc.conj().T + Q
            A = P @ A @ P.T
        record(k + 1)
    return {"t": t, "mean": means, "N": Ns, "A": As, "observe": obs}


def _evolve_eig(system, state, t, schedule, obs):
    sched = sorted((float(a), float(b)) for a, b in schedule)
    if not sched or sched[0][0] > t[0]:
        raise ValueError(f"schedule={schedule!r} is not allowed: it must give the detuning from t[0] on")
    # segment boundaries inside the grid
    bounds = [t[0]] + [on for on, _ in sched if t[0] < on < t[-1]] + [np.inf]
    m, N, A = state.mean.copy(), state.N.copy(), state.A.copy()
    track_A = bool(np.any(A != 0))
    means = np.empty((t.size,) + m.shape, complex)
    Ns = np.empty((t.size, obs.size, obs.size), complex)
    As = np.zeros_like(Ns)
    for s0, s1 in zip(bounds[:-1], bounds[1:]):
        Delta = [d for on, d in sched if on <= s0][-1]
        Mc = system.drift(Delta).conj()
        lam, V = np.linalg.eig(Mc)                  # M* = V diag(lam) V^-1; M = V* diag(lam*) V*^-1
        Vi = np.linalg.inv(V)
        X = Vi @ N @ Vi.conj().T
        Dn = Vi @ system.noise @ Vi.conj().T
        mc = Vi.conj() @ m                          # mean in M's eigenbasis
        Ac = Vi.conj() @ A @ Vi.conj().T if track_A else None
        S = lam[:, None] + lam.conj()[None, :]
        Vo = V[obs]
        sel = np.nonzero(((t > s0) | (s0 == t[0])) & (t <= s1))[0]  # the segment (s0, s1], t[0] included

        def moments(tau, rows):
            e = np.exp(lam * tau)
            with np.errstate(divide="ignore", invalid="ignore"):
                F = np.where(np.abs(S * tau) > 1e-8, np.expm1(S * tau) / np.where(S == 0, 1, S), tau)
            Y = (e[:, None] * X * e.conj()[None, :]) + F * Dn
            return rows @ Y @ rows.conj().T, e

        for i in sel:
            tau = t[i] - s0
            Ns[i], e = moments(tau, Vo)
            ec = e.conj()
            means[i] = V.conj() @ (ec.reshape((-1,) + (1,) * (mc.ndim - 1)) * mc)
            if track_A:
                Po = (V.conj()[obs] * ec[None, :])
                As[i] = Po @ Ac @ Po.T
        if s1 == np.inf:
            break
        tau = s1 - s0
        N, e = moments(tau, V)
        N = 0.5 * (N + N.conj().T)
        ec = e.conj()
        m = V.conj() @ (ec.reshape((-1,) + (1,) * (mc.ndim - 1)) * mc)
        if track_A:
            P = V.conj() * ec[None, :]
            A = P @ Ac @ P.T
    return {"t": t, "mean": means, "N": Ns, "A": As, "observe": obs}


def quadrature_variances(N, A):
    """Var of X = (b + b^dag)/sqrt2 and Y = i(b^dag - b)/sqrt2 and the minimum over angles, for zero-mean
    single-mode moments N = <b^dag b>, A = <b b> (vacuum: 1/2)."""
    N = np.real(np.asarray(N))
    A = np.asarray(A)
    vx = (2 * N + 1 + 2 * A.real) / 2
    vy = (2 * N + 1 - 2 * A.real) / 2
    vmin = (2 * N + 1 - 2 * np.abs(A)) / 2
    return vx, vy, vmin


def squeezing_db(var):
    """10 log10(var / var_vacuum); negative = squeezed."""
    return 10 * np.log10(2 * np.asarray(var))
