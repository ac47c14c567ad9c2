"""Initial states: Thomas-Fermi guesses, imaginary-time ground states at fixed TOTAL atom number, spin waves."""

from __future__ import annotations

import numpy as np

from .backends import make_propagator
from .fft import SlabFFT
from .grid import Grid, ordered_sum
from .params import GPEParams
from .schemes import get_scheme
from .stepper import external_potential
from .observables import Observer

#: named spinors (c_{+1}, c_{-1}); "minus" is the experiment's |1,-1>, "x" the Rabi ground state s = (n,0,0)
SPINORS = {"minus": (0.0, 1.0), "plus": (1.0, 0.0), "x": (2 ** -0.5, 2 ** -0.5)}


def spinor_vector(spinor) -> np.ndarray:
    if isinstance(spinor, str):
        if spinor not in SPINORS:
            raise ValueError(f"spinor={spinor!r}: allowed names {sorted(SPINORS)} or a pair (c_plus, c_minus)")
        spinor = SPINORS[spinor]
    c = np.asarray(spinor, dtype=complex)
    if c.shape != (2,) or not np.linalg.norm(c) > 0:
        raise ValueError(f"spinor={spinor!r}: needs two amplitudes (c_plus, c_minus), not both zero")
    return c / np.linalg.norm(c)


def thomas_fermi_state(params: GPEParams, grid: Grid, spinor="minus", comm=None) -> np.ndarray:
    """psi = sqrt(n_TF) (c_+, c_-) with n_TF = max(mu - V, 0)/g_c, mu fixed by the total atom number.

    g_c = |c_+|^4 g11 + |c_-|^4 g22 + 2 |c_+ c_-|^2 g12 is the coupling seen by the spinor c.
    """
    c = spinor_vector(spinor)
    B = params.batch_size
    V = external_potential(params, grid)
    w = np.abs(c) ** 2
    g = (w[0] ** 2 * params.batch_array("g11") + w[1] ** 2 * params.batch_array("g22")
         + 2 * w[0] * w[1] * params.batch_array("g12"))
    if np.any(g <= 0):
        raise ValueError(f"spinor={spinor!r}: the effective coupling {g} must be > 0 for a Thomas-Fermi guess")
    N = params.batch_array("atom_number")
    dV = grid.cell_volume

    def number(mu):
        return ordered_sum(np.maximum(mu - V, 0)[None], 1, 1, comm) * dV

    psi = np.empty((B, 2) + grid.local_shape, dtype=complex)
    vmin = float(np.min(V)) if comm is None or comm.Get_size() == 1 else comm.allreduce(float(np.min(V)), op=_min())
    for b in range(B):
        lo, hi = vmin, vmin + 1.0
        while number(hi)[0] / g[b] < N[b]:
            hi = vmin + 2 * (hi - vmin)
        for _ in range(200):  # bisection on mu: number(mu)/g = N
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if number(mid)[0] / g[b] < N[b] else (lo, mid)
        amp = np.sqrt(np.maximum(hi - V, 0) / g[b])
        psi[b, 0], psi[b, 1] = c[0] * amp, c[1] * amp
    return psi


def _min():
    from mpi4py import MPI
    return MPI.MIN


def ground_state(params: GPEParams, grid: Grid, fft: SlabFFT, comm=None, *, spinor="minus", dt: float,
                 scheme: str = "strang", tol: float = 1e-7, max_steps: int = 500_000,
                 check_every: int = 100, psi0: np.ndarray | None = None,
                 threads: int = 1) -> tuple[np.ndarray, dict]:
    """Imaginary-time ground state at fixed TOTAL atom number (per batch point).

    Starts from the Thomas-Fermi guess of ``spinor`` (or ``psi0``) and stops when the densities change by
    less than ``tol`` (relative to their maximum) per unit imaginary time, i.e. when the slowest relaxing
    mode (a trap mode, rate ~ omega) has decayed to ~tol/omega.  (An energy criterion stops far too early:
    the energy is stationary, its change is quadratic in the error.)  Components are never normalised
    separately: with Omega_R > 0 the populations relax to the coupled ground state s = (n, 0, 0); with
    Omega_R = 0 and a polarised guess the empty component stays empty (the experiment's initial state).
    """
    prop = make_propagator(params, grid, fft, get_scheme(scheme), dt, imaginary=True, comm=comm, threads=threads)
    obs = Observer(params, grid, fft, prop.V, comm)
    psi = thomas_fermi_state(params, grid, spinor, comm) if psi0 is None else np.array(psi0, dtype=complex)
    prop.normalise(psi)
    steps, converged, change = 0, False, np.inf
    dens_old = np.abs(psi) ** 2
    while steps < max_steps:
        psi = prop.advance(psi, check_every)
        steps += check_every
        dens = np.abs(psi) ** 2
        local = np.max(np.abs(dens - dens_old)) / max(np.max(dens), 1e-300)
        change = obs.global_max(np.array([local])) / (check_every * dt)
        dens_old = dens
        if change < tol:
            converged = True
            break
    if not converged:
        raise RuntimeError(f"ground_state: not converged to tol={tol} in max_steps={max_steps} "
                           f"(last relative density change rate {change:.3g}); raise max_steps or dt")
    N = params.batch_array("atom_number")
    e = obs.energy(psi)
    return psi, {"steps": steps, "energy_per_atom": (e / N).tolist(), "converged": converged,
                 "imaginary_time": steps * dt, "tol": tol}


def spin_wave_state(params: GPEParams, grid: Grid, k_index: int, amplitude: float, axis: int = 0) -> np.ndarray:
    """Uniform gas in s = (n, 0, 0) with a small s_z modulation of wave number k = 2 pi k_index / L_axis.

    psi_{+-} = sqrt(n/2) (1 +- amplitude cos(k x)): s_z = 2 n amplitude cos(k x) to first order, n uniform to
    first order, s_y = 0; the mode then oscillates as cos(omega(k) t).
    """
    N = params.batch_array("atom_number")
    n = N / float(np.prod(grid.box))
    x = grid.local_coords()[axis]
    k = 2 * np.pi * k_index / grid.box[axis]
    shape = (params.batch_size,) + (1,) * grid.ndim
    base = np.sqrt(n / 2).reshape(shape)
    mod = amplitude * np.cos(k * x)
    psi = np.empty((params.batch_size, 2) + grid.local_shape, dtype=complex)
    psi[:, 0] = base * (1 + mod)
    psi[:, 1] = base * (1 - mod)
    return psi
