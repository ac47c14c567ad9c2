"""Split-step Fourier propagator: one loop, the scheme is a coefficient table (see :mod:`.schemes`).

Real time:       psi(t + dt) = N(b_0 dt) L(a_0 dt) ... L(a_{s-1} dt) N(b_s dt) psi(t), exact sub-steps.
Imaginary time:  the same table with dt -> -i dt, followed by the renormalisation of the TOTAL atom number
                 per batch point (Rabi coupling conserves only N_{+1} + N_{-1}; never normalise components).

Real and imaginary time differ by data only (:class:`TimeKind`): the kinetic phase table, the Rabi step
(tau = a dt or -i a dt), the local kernel, and a hook after each step (imaginary time: renormalise; real time:
none, so consecutive local sub-steps merge).  The FFT pair of the loop is unnormalised both ways: 1/N
(``fft.inv_n``) rides on the kinetic factor of both kinds (applied here, in :class:`Propagator`), so it costs
no pass of its own.  Batched 1D runs (one rank) are cut into L2-sized parts, on one thread or several, by the
back end :class:`spinsweep.solvers.gpe.backends.ThreadedBatch`, which has the same ``advance`` interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import kernels
from .fft import SlabFFT
from .grid import Grid, ordered_sum
from .params import GPEParams
from .schemes import SplittingScheme


def external_potential(params: GPEParams, grid: Grid) -> np.ndarray:
    """V on this rank's x-slab: the given array, or the harmonic sum_i omega_i^2 x_i^2 / 2 (zero without trap)."""
    if params.potential is not None:
        return np.ascontiguousarray(params.potential[grid.x_start:grid.x_start + grid.nx_local])
    V = np.zeros(grid.local_shape)
    if params.trap is not None:
        for w, x in zip(params.trap, grid.local_coords()):
            V = V + 0.5 * w ** 2 * x ** 2
    return V


@dataclass(frozen=True)
class TimeKind:
    """What distinguishes real from imaginary time: data, not a second loop.

    kinetic(a, dt, k2): the kinetic factor exp(-i tau k^2/2) of a linear sub-step of fraction a (tau = a dt
    in real time, -i a dt in imaginary time); rabi_tau(a, dt): the (complex) time of the exact 2x2 Rabi
    rotation; renormalise: imaginary time restores the TOTAL atom number after every step (and tracks the
    chemical potential), so its last and first local sub-steps of consecutive steps do not merge.
    """
    name: str
    kinetic: Callable[[float, float, np.ndarray], np.ndarray]
    rabi_tau: Callable[[float, float], complex]
    renormalise: bool


REAL = TimeKind("real", kinetic=lambda a, dt, k2: np.exp(-1j * a * dt * 0.5 * k2),
                rabi_tau=lambda a, dt: a * dt, renormalise=False)
IMAGINARY = TimeKind("imaginary", kinetic=lambda a, dt, k2: np.exp(-a * dt * 0.5 * k2).astype(complex),
                     rabi_tau=lambda a, dt: -1j * a * dt, renormalise=True)


def total_number(psi: np.ndarray, grid: Grid, comm=None) -> np.ndarray:
    """N_{+1} + N_{-1} per batch point of psi (B, 2, *local) (summed over ranks in rank-count-free order)."""
    dens = psi.real ** 2 + psi.imag ** 2
    return ordered_sum(dens[:, 0] + dens[:, 1], psi.shape[0], 1, comm) * grid.cell_volume


def normalise(psi: np.ndarray, atom_number: np.ndarray, grid: Grid, comm=None) -> np.ndarray:
    """Scale each batch point so that its TOTAL atom number is ``atom_number``, in place; returns N_target/N."""
    ratio = atom_number / total_number(psi, grid, comm)
    psi *= np.sqrt(ratio).reshape((psi.shape[0],) + (1,) * (psi.ndim - 1))
    return ratio


class Propagator:
    """Advances psi of shape (B, 2, *local_shape) by whole steps of one splitting scheme (one rank's slab of
    a serial or MPI run; the serial and MPI back end)."""

    def __init__(self, params: GPEParams, grid: Grid, fft: SlabFFT, scheme: SplittingScheme, dt: float,
                 *, imaginary: bool = False, comm=None) -> None:
        self.params, self.grid, self.fft, self.scheme = params, grid, fft, scheme
        self.dt, self.imaginary, self.comm = float(dt), imaginary, comm
        self.kind = IMAGINARY if imaginary else REAL
        self.B = params.batch_size
        self.V = np.ascontiguousarray(external_potential(params, grid).reshape(1, -1))
        self.g11, self.g22, self.g12 = (params.batch_array(n) for n in ("g11", "g22", "g12"))
        omega_R, delta = params.batch_array("omega_R"), params.batch_array("detuning")
        k2 = np.ascontiguousarray(np.broadcast_to(grid.k2(), grid.spectral_shape)).reshape(-1)
        #: a -> (kinetic factor, Rabi rotation) of a linear sub-step of fraction a; the FFT pair of the loop is
        #: unnormalised, so 1/N rides on the kinetic factor (no pass of its own)
        self._linear = {a: (self.kind.kinetic(a, self.dt, k2) * fft.inv_n,
                            kernels.rabi_matrix(omega_R, delta, self.kind.rabi_tau(a, self.dt)))
                        for a in dict.fromkeys(scheme.a)}
        #: running chemical potential of imaginary time (subtracted so each step keeps the norm, see kernels)
        self.mu = np.zeros(self.B)
        self._fsal = scheme.b[-1] + scheme.b[0]
        self.atom_number = params.batch_array("atom_number")

    def total_number(self, psi: np.ndarray) -> np.ndarray:
        """N_{+1} + N_{-1} per batch point (summed over ranks)."""
        return total_number(psi, self.grid, self.comm)

    def normalise(self, psi: np.ndarray) -> np.ndarray:
        """Scale each batch point so that its TOTAL atom number is the prescribed one; returns N_target/N."""
        return normalise(psi, self.atom_number, self.grid, self.comm)

    def _local(self):
        """The local (potential + contact) sub-step kernel, (flat psi, tau) -> None, in place."""
        V, g11, g22, g12 = self.V, self.g11, self.g22, self.g12
        if self.kind.renormalise:
            mu, local_imag = self.mu, kernels.local_imag
            return lambda flat, tau: local_imag(flat, V, g11, g22, g12, tau, mu)
        local_real = kernels.local_real
        return lambda flat, tau: local_real(flat, V, g11, g22, g12, tau)

    def advance(self, psi: np.ndarray, nsteps: int) -> np.ndarray:
        """nsteps whole steps; returns the new psi.

        Works in place: the input array is overwritten and returned when it is a C-contiguous, 64-byte aligned
        complex array of the local layout (every array this method returns is), else an aligned copy is made
        once and returned -- so ``psi = prop.advance(psi, n)`` in a loop copies nothing and touches no new
        pages.  Real time merges the last local sub-step of a step with the first of the next (exact, see
        schemes); every call starts and ends with whole steps, so splitting a run into calls at the same step
        boundaries gives bitwise the same result.  Imaginary time renormalises after every step instead.
        """
        if nsteps <= 0:
            return psi
        psi = self.fft.adopt(psi)  # the loop works in place on this array
        # hot loop: locals only, in-place kernels and FFTs into preallocated buffers
        flat = psi.reshape(self.B, 2, -1)
        kbuf = self.fft.kbuf
        kflat = kbuf.reshape(self.B, 2, -1)
        fwd, bwd, linear, local = self.fft.forward_buf, self.fft.backward_buf, kernels.linear, self._local()
        s, dt, merge = len(self.scheme.a), self.dt, not self.kind.renormalise
        lin = [self._linear[ai] for ai in self.scheme.a]
        taus = [bi * dt for bi in self.scheme.b]
        tau_fsal = self._fsal * dt
        for step in range(nsteps):
            for i in range(s):
                local(flat, tau_fsal if (merge and i == 0 and step > 0) else taus[i])
                fwd(psi)
                linear(kflat, *lin[i])
                bwd(kbuf, psi)
            if not merge:
                local(flat, taus[s])
                self._after_step(psi)
        if merge:
            local(flat, taus[s])
        return psi

    def _after_step(self, psi: np.ndarray) -> None:
        """Imaginary time: N(t+dt) = N(t) exp(-2 (mu_true - mu) dt); renormalise and correct the running mu."""
        self.mu += np.log(self.normalise(psi)) / (2 * self.dt)
