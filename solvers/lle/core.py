"""Dimensionless 1D Landau-Lifshitz equation of the torque study on a periodic Fourier grid.

Seed Eqs. (1)-(2) with n(x) fixed and v = 0 (Methods: "if the density and the superfluid velocity are constant,
the system is described only by Eq. (5)"), in the units of :meth:`solvers.rabi.RabiParams.units`
(time 1/Omega_R, length xi_R = sqrt(hbar/(m Omega_R)), density n0, so hbar/(2m) = 1/2):

    ds/dt + d_x j_s = H(s) x s,     j_s = (1/2) (d_x s x s)/n,     H = (-1, 0, Lambda0 s_z).

Effective-field form.  Because ``d_x s/n x d_x s = 0``, ``-d_x j_s = -(1/2) d_x(d_x s/n) x s`` and the equation is
``ds/dt = G x s`` with ``G = dE/ds = H - (1/2) d_x(d_x s/n)``, the functional derivative of

    E[s] = int dx [ |d_x s|^2/(4 n) - s_x + Lambda0 s_z^2/2 ]      (units hbar Omega_R n0 xi_R / 2)

(the quantum-torque term is the exchange field of the magnetic analogue, seed refs. [5, 8]).  We discretise G
with Fourier derivatives D (skew-adjoint), so the semi-discrete system conserves |s_i| at every grid point and the
discrete energy exactly; only the time integrator (scipy DOP853) violates them, at the level of its tolerance.
These are the conservation tests of tests/torque_reduced.

Without quantum torque (``quantum_torque=False``) G = H: every point follows its own Josephson dynamics
(seed Fig. 2c); with it, Fig. 2d.

Thomas-Fermi edge.  ``n(x) = n0 (1 - x^2/R_x^2)`` vanishes at +-R_x, where 1/n in j_s is singular (j_s itself,
``(1/2) n d_x u x u`` with u = s/n, stays finite).  The grid is periodic and must extend beyond R_x; the density
used is the smooth, positive ``n_reg = f + f ln(1 + exp((nu - f)/f))`` with ``nu = 1 - x^2/R_x^2`` and
``f = n_floor`` (default 0.02): equal to n_TF up to f exp(-(nu - f)/f) inside the cloud (< 1e-14 at x_c for the
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
    """Uniform periodic grid of N points with spacing dx; Fourier derivative along the last-but-one axis."""

    def __init__(self, N: int, dx: float):
        self.N = int(N)
        self.dx = float(dx)
        self.k = 2.0 * np.pi * np.fft.rfftfreq(self.N, d=self.dx)
        ik = 1j * self.k
        if self.N % 2 == 0:
            ik[-1] = 0.0          # Nyquist mode of an odd derivative is set to zero (keeps D real, skew)
        self._ik = ik[:, None]

    def d(self, f: np.ndarray) -> np.ndarray:
        """d/dx of real f with shape (N, c)."""
        return np.fft.irfft(self._ik * np.fft.rfft(f, axis=0), n=self.N, axis=0)

    @property
    def k_max(self) -> float:
        return np.pi / self.dx


class LLE:
    """Right-hand side, energy and spin current of the dimensionless LLE on a :class:`SpectralGrid`."""

    def __init__(self, grid: SpectralGrid, n: np.ndarray, Lambda0: float, quantum_torque: bool = True):
        self.grid = grid
        self.n = np.asarray(n, dtype=float)
        if self.n.shape != (grid.N,) or np.any(self.n <= 0):
            raise ValueError("n: must be a positive array of the grid's length (regularise the TF edge)")
        self.Lambda0 = float(Lambda0)
        self.quantum_torque = bool(quantum_torque)
        self._n_col = self.n[:, None]

    def field(self, s: np.ndarray) -> np.ndarray:
        """Effective field G = H - (1/2) d_x(d_x s/n) (shape (N, 3))."""
        G = np.zeros_like(s)
        G[:, 0] = -1.0
        G[:, 2] = self.Lambda0 * s[:, 2]
        if self.quantum_torque:
            G -= 0.5 * self.grid.d(self.grid.d(s) / self._n_col)
        return G

    def rhs(self, t: float, y: np.ndarray) -> np.ndarray:
        s = y.reshape(self.grid.N, 3)
        return np.cross(self.field(s), s).ravel()

    def energy(self, s: np.ndarray) -> float:
        """E = sum dx [|D s|^2/(4n) - s_x + Lambda0 s_z^2/2] (gradient term only with quantum torque)."""
        e = -s[:, 0] + 0.5 * self.Lambda0 * s[:, 2] ** 2
        if self.quantum_torque:
            e = e + 0.25 * np.sum(self.grid.d(s) ** 2, axis=1) / self.n
        return float(np.sum(e) * self.grid.dx)

    def spin_current(self, s: np.ndarray) -> np.ndarray:
        """Quantum-torque spin current j_s = (1/2)(d_x s x s)/n, seed Eq. (2) with v = 0 (shape (N, 3))."""
        return 0.5 * np.cross(self.grid.d(s), s) / self._n_col

    def stiffness(self) -> float:
        """Largest linear frequency on the grid (units Omega_R): ~ k_max^2/2 + 1 + Lambda0."""
        e = 0.5 * self.grid.k_max ** 2 if self.quantum_torque else 0.0
        return float(np.sqrt((e + 1.0) * (e + 1.0 + abs(self.Lambda0))))

    def integrate(self, s0: np.ndarray, t_eval, *, rtol: float = 1e-8, atol: float = 1e-10, events=None,
                  dense_output: bool = False):
        """DOP853 from s0 (shape (N, 3)) over [t_eval[0], t_eval[-1]]; returns scipy's OdeResult."""
        t_eval = np.asarray(t_eval, dtype=float)
        y0 = np.asarray(s0, dtype=float).reshape(-1)
        return solve_ivp(self.rhs, (float(t_eval[0]), float(t_eval[-1])), y0, method="DOP853",
                         t_eval=t_eval, rtol=rtol, atol=atol, events=events, dense_output=dense_output)
