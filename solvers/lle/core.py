"""Dimensionless 1D Landau-Lifshitz equation of the torque study on a periodic grid (FD4 or Fourier).

Seed Eqs. (1)-(2) with n(x) fixed and v = 0 (Methods: "if the density and the superfluid velocity are constant,
the system is described only by Eq. (5)"), in the units of :meth:`spinsweep.solvers.rabi.RabiParams.units`
(time 1/Omega_R, length xi_R = sqrt(hbar/(m Omega_R)), density n0, so hbar/(2m) = 1/2):

    ds/dt + d_x j_s = H(s) x s,     j_s = (1/2) (d_x s x s)/n,     H = (-1, 0, Lambda0 s_z).

Effective-field form.  Because ``d_x s/n x d_x s = 0``, ``-d_x j_s = -(1/2) d_x(d_x s/n) x s`` and the equation is
``ds/dt = G x s`` with ``G = dE/ds = H - (1/2) d_x(d_x s/n)``, the functional derivative of

    E[s] = int dx [ |d_x s|^2/(4 n) - s_x + Lambda0 s_z^2/2 ]      (units hbar Omega_R n0 xi_R / 2)

(the quantum-torque term is the exchange field of the magnetic analogue, seed refs. [5, 8]).  G is the exact
gradient of a discrete energy, ``G = H - (1/2) D-(w D+ s)`` with ``D- = -(D+)^T`` and ``w = 1/n``, for two
discretisations (:data:`GRIDS`): fourth-order staggered finite differences (``"fd4"``, default, weights at the half
points) and Fourier derivatives (``"spectral"``, D+ = D- = D).  The semi-discrete system therefore conserves
|s_i| at every grid point and the discrete energy exactly; only the time integrator (scipy DOP853, or fixed-step
RK4) violates them, at the level of its tolerance.  These are the conservation tests of tests/torque_reduced.
Why FD4 is the default for trapped clouds: see :class:`StaggeredFD4Grid` (the Fourier stencil's long range makes
the problem ~10x stiffer when n varies from n0 to n_floor).

Without quantum torque (``quantum_torque=False``) G = H: every point follows its own Josephson dynamics
(seed Fig. 2c); with it, Fig. 2d.

Thomas-Fermi edge.  ``n(x) = n0 (1 - x^2/R_x^2)`` vanishes at +-R_x, where 1/n in j_s is singular (j_s itself,
``(1/2) n d_x u x u`` with u = s/n, stays finite).  The grid is periodic and must extend beyond R_x; the density
used is the smooth, positive ``n_reg = f + f ln(1 + exp((nu - f)/f))`` with ``nu = 1 - x^2/R_x^2`` and
``f = n_floor`` (default 0.02): equal to n_TF up to f exp(-(nu - f)/f) inside the cloud (< 1e-13 at x_c for the
paper presets), a flat background f outside, smooth over a length ~ f R_x so that Fourier derivatives of s/n do
not ring.  A flat background matters: a density still falling at the periodic boundary puts a kink in ln n that
rings through the whole grid and makes the explicit integrator crawl.  Where n ~ f, Lambda < f
Lambda0: this is the Rabi-dominated tail, far from the interfaces at x_c where Lambda = 2.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp


def regularised_density(x, R_x: float, n_floor: float) -> np.ndarray:
    """n_reg(x)/n0 = f + f ln(1 + exp((nu - f)/f)), nu = 1 - x^2/R_x^2, f = n_floor (module docstring);
    1 if R_x is inf.  n_reg = nu up to f exp(-(nu - f)/f) inside, f outside, smooth over |nu| ~ f."""
    x = np.asarray(x, dtype=float)
    if np.isinf(R_x):
        return np.ones_like(x)
    nu = 1.0 - (x / R_x) ** 2
    f = float(n_floor)
    return f + f * np.logaddexp(0.0, (nu - f) / f)


class SpectralGrid:
    """Uniform periodic grid, Fourier derivative D (skew-symmetric; Nyquist mode of D set to zero).

    The quantum-torque operator is ``D(w D s)`` with the weight ``w = 1/n`` on the grid points."""

    name = "spectral"

    def __init__(self, N: int, dx: float):
        self.N = int(N)
        self.dx = float(dx)
        self.k = 2.0 * np.pi * np.fft.rfftfreq(self.N, d=self.dx)
        ik = 1j * self.k
        if self.N % 2 == 0:
            ik[-1] = 0.0
        self._ik = ik[:, None]

    def d(self, f: np.ndarray) -> np.ndarray:
        """d/dx of real f with shape (N, c), on the grid points."""
        return np.fft.irfft(self._ik * np.fft.rfft(f, axis=0), n=self.N, axis=0)

    def weight_positions(self, x: np.ndarray) -> np.ndarray:
        """Where the weight 1/n of the gradient term lives: the grid points."""
        return np.asarray(x, dtype=float)

    def div_w_grad(self, s: np.ndarray, w: np.ndarray) -> np.ndarray:
        """D(w D s)."""
        return self.d(w[:, None] * self.d(s))

    def grad_sq(self, s: np.ndarray) -> np.ndarray:
        """|D s|^2 at the weight positions."""
        return np.sum(self.d(s) ** 2, axis=1)

    @property
    def k_max(self) -> float:
        """Largest |modified wavenumber| of D."""
        return np.pi / self.dx


class StaggeredFD4Grid:
    """Uniform periodic grid, fourth-order staggered finite differences (local stencil).

    ``D+`` maps grid points to half points x_{i+1/2}: ``(9/8 (s_{i+1} - s_i) - 1/24 (s_{i+2} - s_{i-1}))/dx``;
    ``D- = -(D+)^T`` maps back.  The quantum-torque operator is ``D-(w D+ s)`` with ``w = 1/n(x_{i+1/2})``, the
    exact gradient of the discrete energy ``sum |D+ s|^2 w/4``: |s| and E stay conserved exactly in semi-discrete
    form, as with the spectral grid.  Unlike the Fourier derivative, whose long-range stencil couples the dense
    centre to the dilute edge and raises the largest frequency of ``D(n^-1 D n .)`` by ~sqrt(n_max/n_min)
    (6x for n_floor = 0.02), the local stencil keeps it at ~k_eff^2/2 with k_eff = (7/3)/dx, which makes explicit
    time steps several times longer for a Thomas-Fermi cloud.  Dispersion error ~ (3/640)(k dx)^4 per unit k."""

    name = "fd4"
    _a = 9.0 / 8.0
    _b = 1.0 / 24.0

    def __init__(self, N: int, dx: float):
        self.N = int(N)
        self.dx = float(dx)
        if self.N < 4:
            raise ValueError(f"N = {N}: the FD4 stencil needs at least 4 points")

    def d_plus(self, f: np.ndarray) -> np.ndarray:
        a, b = self._a, self._b
        return (a * (np.roll(f, -1, 0) - f) - b * (np.roll(f, -2, 0) - np.roll(f, 1, 0))) / self.dx

    def d_minus(self, q: np.ndarray) -> np.ndarray:
        a, b = self._a, self._b
        return (a * (q - np.roll(q, 1, 0)) - b * (np.roll(q, -1, 0) - np.roll(q, 2, 0))) / self.dx

    def d(self, f: np.ndarray) -> np.ndarray:
        """Collocated fourth-order central d/dx (diagnostics: spin current)."""
        return (8.0 * (np.roll(f, -1, 0) - np.roll(f, 1, 0)) - (np.roll(f, -2, 0) - np.roll(f, 2, 0))) / (
            12.0 * self.dx)

    def weight_positions(self, x: np.ndarray) -> np.ndarray:
        """The half points x_{i+1/2}."""
        return np.asarray(x, dtype=float) + 0.5 * self.dx

    def div_w_grad(self, s: np.ndarray, w: np.ndarray) -> np.ndarray:
        """D-(w D+ s)."""
        return self.d_minus(w[:, None] * self.d_plus(s))

    def grad_sq(self, s: np.ndarray) -> np.ndarray:
        return np.sum(self.d_plus(s) ** 2, axis=1)

    @property
    def k_max(self) -> float:
        return (2 * self._a + 2 * self._b) / self.dx


GRIDS = {"fd4": StaggeredFD4Grid, "spectral": SpectralGrid}


class LLE:
    """Right-hand side, energy and spin current of the dimensionless LLE on a grid of :data:`GRIDS`.

    ``n`` is the density on the grid points, ``n_w`` the density at the grid's weight positions (the same array
    for the spectral grid, the half points for FD4)."""

    def __init__(self, grid, n: np.ndarray, Lambda0: float, quantum_torque: bool = True,
                 n_w: np.ndarray | None = None):
        self.grid = grid
        self.n = np.asarray(n, dtype=float)
        self.n_w = self.n if n_w is None else np.asarray(n_w, dtype=float)
        for name, arr in (("n", self.n), ("n_w", self.n_w)):
            if arr.shape != (grid.N,) or np.any(arr <= 0):
                raise ValueError(f"{name}: must be a positive array of the grid's length (regularise the TF edge)")
        self.Lambda0 = float(Lambda0)
        self.quantum_torque = bool(quantum_torque)
        self._w = 1.0 / self.n_w
        self._n_col = self.n[:, None]
        self._omega_max = None

    def field(self, s: np.ndarray) -> np.ndarray:
        """Effective field G = H - (1/2) D(n^-1 D s) (shape (N, 3))."""
        if self.quantum_torque:
            G = -0.5 * self.grid.div_w_grad(s, self._w)
        else:
            G = np.zeros_like(s)
        G[:, 0] -= 1.0
        G[:, 2] += self.Lambda0 * s[:, 2]
        return G

    def torque(self, s: np.ndarray) -> np.ndarray:
        """ds/dt = G x s on an (N, 3) array (components written out; np.cross is slower)."""
        G = self.field(s)
        out = np.empty_like(s)
        out[:, 0] = G[:, 1] * s[:, 2] - G[:, 2] * s[:, 1]
        out[:, 1] = G[:, 2] * s[:, 0] - G[:, 0] * s[:, 2]
        out[:, 2] = G[:, 0] * s[:, 1] - G[:, 1] * s[:, 0]
        return out

    def rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        return self.torque(y.reshape(self.grid.N, 3)).ravel()

    def energy(self, s: np.ndarray) -> float:
        """E = sum dx [|D s|^2/(4n) - s_x + Lambda0 s_z^2/2] (gradient term only with quantum torque)."""
        e = float(np.sum(-s[:, 0] + 0.5 * self.Lambda0 * s[:, 2] ** 2))
        if self.quantum_torque:
            e += 0.25 * float(np.sum(self.grid.grad_sq(s) * self._w))
        return e * self.grid.dx

    def spin_current(self, s: np.ndarray) -> np.ndarray:
        """Quantum-torque spin current j_s = (1/2)(d_x s x s)/n, seed Eq. (2) with v = 0 (shape (N, 3);
        collocated derivative of the grid)."""
        return 0.5 * np.cross(self.grid.d(s), s) / self._n_col

    def stiffness(self) -> float:
        """Largest frequency of the linearised dynamics around the polarised state (units Omega_R).

        Homogeneous estimate ``sqrt((e + 1)(e + 1 + Lambda0))``, ``e = k_max^2/2``, times the measured
        amplification of the weighted operator: the largest eigenvalue of ``n D(n^-1 D .)`` by power iteration
        (similar to the symmetric -B^T B, B = n^-1/2 D n^1/2; for a uniform n it is k_max^2)."""
        if self._omega_max is None:
            e = 0.5 * self.grid.k_max ** 2 if self.quantum_torque else 0.0
            if self.quantum_torque and not np.allclose(self.n_w, self.n_w[0]):
                rng = np.random.default_rng(0)
                v = rng.standard_normal((self.grid.N, 1))
                lam = 0.0
                for _ in range(60):
                    v = self._n_col * self.grid.div_w_grad(v, self._w)
                    lam = float(np.linalg.norm(v))
                    v /= lam
                e = max(e, 0.5 * lam * 1.02)
            self._omega_max = float(np.sqrt((e + 1.0) * (e + 1.0 + abs(self.Lambda0))))
        return self._omega_max

    def rk4_dt_max(self) -> float:
        """Stability bound of classical RK4 on the imaginary axis, 2 sqrt(2)/omega_max (units 1/Omega_R)."""
        return 2.0 * np.sqrt(2.0) / self.stiffness()

    def integrate_rk4(self, s0: np.ndarray, t_eval, dt: float | None = None) -> np.ndarray:
        """Classical fixed-step RK4 through the output times t_eval; returns s at t_eval, shape (T, N, 3).

        Each output interval is split into equal steps no longer than ``dt`` (default: half the stability bound
        :meth:`rk4_dt_max`).  The step must lie inside the stability bound (checked)."""
        t_eval = np.asarray(t_eval, dtype=float)
        dt_max = self.rk4_dt_max()
        if dt is None:
            dt = 0.5 * dt_max
        if not (0.0 < dt <= dt_max):
            raise ValueError(f"dt = {dt!r}: RK4 needs 0 < dt <= 2 sqrt(2)/omega_max = {dt_max:.4g} "
                             f"(units 1/Omega_R; omega_max = {self.stiffness():.4g} from k_max = "
                             f"{self.grid.k_max:.4g}/xi_R)")
        s = np.array(s0, dtype=float).reshape(self.grid.N, 3)
        out = np.empty((t_eval.size,) + s.shape)
        out[0] = s
        f = self.torque
        for i in range(1, t_eval.size):
            span = t_eval[i] - t_eval[i - 1]
            n_sub = max(1, int(np.ceil(span / dt - 1e-12)))
            h = span / n_sub
            for _ in range(n_sub):
                k1 = f(s)
                k2 = f(s + 0.5 * h * k1)
                k3 = f(s + 0.5 * h * k2)
                k4 = f(s + h * k3)
                s = s + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
            out[i] = s
        return out

    def integrate(self, s0: np.ndarray, t_eval, *, rtol: float = 1e-8, atol: float = 1e-10, events=None,
                  dense_output: bool = False):
        """DOP853 from s0 (shape (N, 3)) over [t_eval[0], t_eval[-1]]; returns scipy's OdeResult."""
        t_eval = np.asarray(t_eval, dtype=float)
        y0 = np.asarray(s0, dtype=float).reshape(-1)
        return solve_ivp(self.rhs, (float(t_eval[0]), float(t_eval[-1])), y0, method="DOP853",
                         t_eval=t_eval, rtol=rtol, atol=atol, events=events, dense_output=dense_output)
