"""Split-step Fourier propagator: one loop, the scheme is a coefficient table (see :mod:`.schemes`).

Real time:       psi(t + dt) = N(b_0 dt) L(a_0 dt) ... L(a_{s-1} dt) N(b_s dt) psi(t), exact sub-steps.
Imaginary time:  the same table with dt -> -i dt, followed by the renormalisation of the TOTAL atom number
                 per batch point (Rabi coupling conserves only N_{+1} + N_{-1}; never normalise components).

Batched 1D runs are cut into contiguous parts of the batch, each small enough (:data:`PART_BYTES`) to stay in a
core's L2 cache while its own propagator advances it through all the steps of a call; ``threads`` > 1 run the
parts on that many threads (the numba kernels and the FFTs release the GIL).  The result agrees with an uncut
run to rounding (FFT libraries vectorise lines in SIMD groups, and a line may fall in a group or in the scalar
tail depending on the part's size); the cut depends only on the grid, the batch size and the thread count (not on
the machine), so a given thread count and FFT back end is bitwise reproducible, which is what a resume needs.
"""

from __future__ import annotations

import numpy as np

from concurrent.futures import ThreadPoolExecutor

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


#: bytes of psi + spectral buffer that one part of a batch may hold: the part then stays in a core's L2 cache
#: through all its sub-steps (the whole batch of 32 x 1728 points, 3.5 MB, streamed through L3 per sub-step
#: and was slower per point than one point alone).  A constant, not the machine's L2 size, so that the cut --
#: and hence the bits of the result -- is the same on every machine.
PART_BYTES = 256 * 1024


def batch_parts(grid: Grid, batch: int, threads: int) -> int:
    """How many contiguous parts a batched 1D run (one rank) is cut into: >= ``threads``, each <= PART_BYTES."""
    if batch <= 1:
        return 1
    per_point = 2 * 2 * 16 * int(np.prod(grid.local_shape))  # psi and its spectrum, two components
    per_part = max(1, PART_BYTES // per_point)
    n = max(threads, -(-batch // per_part))
    return min(batch, -(-n // threads) * threads)  # a whole number of parts per thread


class Propagator:
    """Advances psi of shape (B, 2, *local_shape) by whole steps of one splitting scheme."""

    def __init__(self, params: GPEParams, grid: Grid, fft: SlabFFT, scheme: SplittingScheme, dt: float,
                 *, imaginary: bool = False, comm=None, threads: int = 1) -> None:
        self.params, self.grid, self.fft, self.scheme = params, grid, fft, scheme
        self.dt, self.imaginary, self.comm = float(dt), imaginary, comm
        self.B = params.batch_size
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
            raise ValueError(f"threads={threads!r}: must be an integer >= 1")
        if threads > 1 and comm is not None:
            raise ValueError(f"threads={threads}: threads split the batch of a 1D run; MPI runs use one per rank")
        #: (start, stop, propagator) per part of the batch; empty: this propagator runs the whole batch itself
        self._parts: list[tuple[int, int, Propagator]] = []
        #: the parts each thread advances, one after the other
        self._thread_parts: list[list[int]] = []
        n_threads = min(int(threads), self.B)
        n_parts = batch_parts(grid, self.B, n_threads) if comm is None and grid.ndim == 1 else n_threads
        if n_parts > 1:
            edges = [(self.B * k) // n_parts for k in range(n_parts + 1)]
            for a, b in zip(edges[:-1], edges[1:]):
                sub = params.subset(a, b)
                self._parts.append((a, b, Propagator(sub, grid, SlabFFT(grid, b - a, backend=fft.backend), scheme,
                                                     dt, imaginary=imaginary)))
            self._thread_parts = [list(range((n_parts * t) // n_threads, (n_parts * (t + 1)) // n_threads))
                                  for t in range(n_threads)]
            if n_threads > 1:
                self._pool = ThreadPoolExecutor(n_threads, thread_name_prefix="gpe-batch")
        self.V = np.ascontiguousarray(external_potential(params, grid).reshape(1, -1))
        self.g11, self.g22, self.g12 = (params.batch_array(n) for n in ("g11", "g22", "g12"))
        omega_R, delta = params.batch_array("omega_R"), params.batch_array("detuning")
        k2 = np.ascontiguousarray(np.broadcast_to(grid.k2(), grid.spectral_shape)).reshape(-1)
        self._linear = {}
        for a in scheme.a:
            if a in self._linear:
                continue
            # the FFT pair of the loop is unnormalised: 1/N rides on the kinetic factor (no pass of its own)
            if imaginary:
                kin = (np.exp(-a * self.dt * 0.5 * k2) * fft.inv_n).astype(complex)
                U = kernels.rabi_matrix(omega_R, delta, -1j * a * self.dt)
            else:
                kin = np.exp(-1j * a * self.dt * 0.5 * k2) * fft.inv_n
                U = kernels.rabi_matrix(omega_R, delta, a * self.dt)
            self._linear[a] = (kin, U)
        #: running chemical potential of imaginary time (subtracted so each step keeps the norm, see kernels)
        self.mu = np.zeros(self.B)
        self._fsal = scheme.b[-1] + scheme.b[0]
        self.atom_number = params.batch_array("atom_number")

    def _N(self, psi: np.ndarray, frac: float) -> None:
        if self.imaginary:
            kernels.local_imag(psi.reshape(self.B, 2, -1), self.V, self.g11, self.g22, self.g12,
                               frac * self.dt, self.mu)
        else:
            kernels.local_real(psi.reshape(self.B, 2, -1), self.V, self.g11, self.g22, self.g12, frac * self.dt)

    def _L(self, psi: np.ndarray, a: float) -> np.ndarray:
        psik = self.fft.forward_buf(psi)
        kin, U = self._linear[a]
        kernels.linear(psik.reshape(self.B, 2, -1), kin, U)
        return self.fft.backward_buf(psik, psi)

    def total_number(self, psi: np.ndarray) -> np.ndarray:
        """N_{+1} + N_{-1} per batch point (summed over ranks)."""
        dens = psi.real ** 2 + psi.imag ** 2
        return ordered_sum(dens[:, 0] + dens[:, 1], self.B, 1, self.comm) * self.grid.cell_volume

    def normalise(self, psi: np.ndarray) -> np.ndarray:
        """Scale each batch point so that its TOTAL atom number is the prescribed one; returns N_target/N."""
        ratio = self.atom_number / self.total_number(psi)
        psi *= np.sqrt(ratio).reshape((self.B,) + (1,) * (psi.ndim - 1))
        return ratio

    def advance(self, psi: np.ndarray, nsteps: int) -> np.ndarray:
        """nsteps whole steps; returns the new psi.

        Works in place: the input array is overwritten and returned when it is a C-contiguous, 64-byte aligned
        complex array of the local layout (every array this method returns is), else an aligned copy is made
        once and returned -- so ``psi = prop.advance(psi, n)`` in a loop copies nothing and touches no new
        pages.  Real time merges the last local sub-step of a step with the first of the next (exact, see
        schemes); every call starts and ends with whole steps (one local sub-step more than the steps
        need: the price of a state one can look at), so splitting a run into calls at the same step
        boundaries gives bitwise the same result.
        """
        a, b = self.scheme.a, self.scheme.b
        s = len(a)
        if nsteps <= 0:
            return psi
        psi = self.fft.adopt(psi)  # the loop works in place on this array
        if self._parts:
            def parts(t: int) -> None:
                for k in self._thread_parts[t]:
                    a, b, prop = self._parts[k]
                    view = psi[a:b]
                    out = prop.advance(view, nsteps)
                    if out is not view:  # the part's slice was not aligned: the part worked on a copy
                        view[...] = out

            if len(self._thread_parts) == 1:
                parts(0)
            else:
                list(self._pool.map(parts, range(len(self._thread_parts))))  # re-raises a thread's exception
            self.mu = np.concatenate([prop.mu for _, _, prop in self._parts])
            return psi
        if self.imaginary:
            for _ in range(nsteps):
                for i in range(s):
                    self._N(psi, b[i])
                    psi = self._L(psi, a[i])
                self._N(psi, b[s])
                # N(t+dt) = N(t) exp(-2 (mu_true - mu) dt): correct the running chemical potential
                self.mu += np.log(self.normalise(psi)) / (2 * self.dt)
            return psi
        # hot loop: locals only, in-place kernels and FFTs into preallocated buffers
        flat = psi.reshape(self.B, 2, -1)
        kflat = self.fft.kbuf.reshape(self.B, 2, -1)
        fwd, bwd, local, linear = self.fft.forward_buf, self.fft.backward_buf, kernels.local_real, kernels.linear
        V, g11, g22, g12, dt = self.V, self.g11, self.g22, self.g12, self.dt
        lin = [self._linear[ai] for ai in a]
        taus = [bi * dt for bi in b]
        tau_fsal = self._fsal * dt
        for step in range(nsteps):
            for i in range(s):
                local(flat, V, g11, g22, g12, (taus[0] if step == 0 else tau_fsal) if i == 0 else taus[i])
                fwd(psi)
                linear(kflat, *lin[i])
                bwd(self.fft.kbuf, psi)
        local(flat, V, g11, g22, g12, taus[s])
        return psi
