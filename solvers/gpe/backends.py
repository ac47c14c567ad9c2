"""Back ends of the GPE stepping: objects with ``advance(psi, nsteps) -> psi`` (plus ``V``, ``mu``,
``total_number``, ``normalise``), chosen once by :func:`make_propagator`.

* serial / MPI: :class:`spinsweep.solvers.gpe.stepper.Propagator` (one rank's x-slab; ``comm`` for P > 1);
* batch parts: :class:`ThreadedBatch` -- a batched 1D run (one rank) whose batch points are independent is cut
  into contiguous parts, each small enough (:data:`PART_BYTES`) to stay in a core's L2 cache while its own serial
  propagator advances it through all the steps of a call, a whole number of parts per thread; ``threads`` > 1
  run the parts on that many threads (the numba kernels and the FFTs release the GIL).  The parts use the
  parent's FFT back end (one name to record).  The result agrees with an uncut run to rounding (FFT libraries
  vectorise lines in SIMD groups, and a line may fall in a group or in the scalar tail depending on the part's
  size); the cut depends only on the grid, the batch size and the thread count (not on the machine), so a given
  thread count and FFT back end is bitwise reproducible, which is what a resume needs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .fft import SlabFFT
from .fft_backends import aligned_empty, is_aligned
from .grid import Grid
from .params import GPEParams
from .schemes import SplittingScheme
from .stepper import Propagator, external_potential, normalise, total_number


def check_threads(threads) -> int:
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads={threads!r}: must be an integer >= 1")
    return int(threads)


#: bytes of psi + spectral buffer that one part of a batch may hold: the part then stays in a core's L2 cache
#: through all its sub-steps (the whole batch of 32 x 1728 points, 3.5 MB, streamed through L3 per sub-step
#: and was slower per point than one point alone).  A constant, not the machine's L2 size, so that the cut --
#: and hence the bits of the result -- is the same on every machine.
PART_BYTES = 256 * 1024


def n_parts(grid: Grid, batch: int, threads: int) -> int:
    """How many contiguous parts a batched run (one rank) is cut into: min(threads, batch) in 2D/3D; in 1D
    >= that, each <= PART_BYTES where a point fits, a whole number of parts per thread (at most ``batch``)."""
    threads = min(check_threads(threads), batch)
    if batch <= 1 or grid.ndim != 1:
        return threads
    per_point = 2 * 2 * 16 * int(np.prod(grid.local_shape))  # psi and its spectrum, two components
    per_part = max(1, PART_BYTES // per_point)
    n = max(threads, -(-batch // per_part))
    return min(batch, -(-n // threads) * threads)


def batch_parts(grid: Grid, batch: int, threads: int) -> list[tuple[int, int]]:
    """The contiguous cut of ``batch`` points into :func:`n_parts` parts (start, stop)."""
    n = n_parts(grid, batch, threads)
    edges = [(batch * k) // n for k in range(n + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _adopt(psi: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """psi itself when it is C-contiguous complex, 64-byte aligned, writable and of ``shape``; else an aligned copy."""
    if (psi.dtype == np.complex128 and psi.flags.c_contiguous and psi.flags.writeable and is_aligned(psi)
            and psi.shape == shape):
        return psi
    out = aligned_empty(shape)
    np.copyto(out, psi)
    return out


class ThreadedBatch:
    """A batched 1D run cut into L2-sized parts on ``threads`` threads: the same ``advance`` as :class:`Propagator`
    (in place on aligned arrays).  ``backend``: the FFT back end of every part (the parent SlabFFT's)."""

    def __init__(self, params: GPEParams, grid: Grid, scheme: SplittingScheme, dt: float, *, threads: int,
                 imaginary: bool = False, backend: str | None = None) -> None:
        if grid.size > 1:
            raise ValueError(f"threads={threads}: threads split the batch of a 1D run; MPI runs use one per rank")
        self.params, self.grid, self.B = params, grid, params.batch_size
        self.parts = [(a, b, Propagator(params.subset(a, b), grid, SlabFFT(grid, b - a, backend=backend), scheme,
                                        dt, imaginary=imaginary))
                      for a, b in batch_parts(grid, self.B, threads)]
        self.backend = self.parts[0][2].fft.backend
        self.threads = min(check_threads(threads), self.B)
        n = len(self.parts)
        #: the parts each thread advances, one after the other
        self._thread_parts = [list(range((n * t) // self.threads, (n * (t + 1)) // self.threads))
                              for t in range(self.threads)]
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="gpe-batch") if self.threads > 1 else None
        self.V = np.ascontiguousarray(external_potential(params, grid).reshape(1, -1))
        self.atom_number = params.batch_array("atom_number")
        self.mu = np.zeros(self.B)

    def total_number(self, psi: np.ndarray) -> np.ndarray:
        return total_number(psi, self.grid)

    def normalise(self, psi: np.ndarray) -> np.ndarray:
        return normalise(psi, self.atom_number, self.grid)

    def advance(self, psi: np.ndarray, nsteps: int) -> np.ndarray:
        if nsteps <= 0:
            return psi
        psi = _adopt(psi, (self.B, 2) + self.grid.local_shape)  # the parts work in place on this array

        def run(t: int) -> None:
            for k in self._thread_parts[t]:
                a, b, prop = self.parts[k]
                view = psi[a:b]
                out = prop.advance(view, nsteps)
                if out is not view:  # the part's slice was not aligned: the part worked on a copy
                    view[...] = out

        if self._pool is None:
            run(0)
        else:
            list(self._pool.map(run, range(self.threads)))  # re-raises a thread's exception
        self.mu = np.concatenate([prop.mu for _, _, prop in self.parts])
        return psi


def make_propagator(params: GPEParams, grid: Grid, fft: SlabFFT, scheme: SplittingScheme, dt: float, *,
                    imaginary: bool = False, comm=None, threads: int = 1):
    """The back end for this run: batch parts (:class:`ThreadedBatch`) when one rank runs a batch on ``threads``
    > 1, or a 1D batch too large for one L2-sized part; else the serial (comm None) or MPI propagator."""
    threads = check_threads(threads)
    if threads > 1 and comm is not None:
        raise ValueError(f"threads={threads}: threads split the batch of a 1D run; MPI runs use one per rank")
    if comm is None and (min(threads, params.batch_size) > 1
                         or (grid.ndim == 1 and n_parts(grid, params.batch_size, threads) > 1)):
        return ThreadedBatch(params, grid, scheme, dt, threads=threads, imaginary=imaginary, backend=fft.backend)
    return Propagator(params, grid, fft, scheme, dt, imaginary=imaginary, comm=comm)
