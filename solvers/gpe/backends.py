"""Back ends of the GPE stepping: objects with ``advance(psi, nsteps) -> psi`` (plus ``V``, ``mu``,
``total_number``, ``normalise``), chosen once by :func:`make_propagator`.

* serial / MPI: :class:`spinsweep.solvers.gpe.stepper.Propagator` (one rank's x-slab; ``comm`` for P > 1);
* threaded batch: :class:`ThreadedBatch` -- a batched 1D run whose batch points are independent is cut into
  ``threads`` contiguous parts, each advanced through all its steps by its own serial propagator in its own
  thread (the numba kernels and ducc0's FFTs release the GIL).  The result agrees with a one-thread run to
  rounding (ducc0 vectorises FFT lines in SIMD groups, and a line may fall in a group or in the scalar tail
  depending on the part's size); a given thread count is bitwise reproducible, which is what a resume needs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .fft import SlabFFT
from .grid import Grid
from .params import GPEParams
from .schemes import SplittingScheme
from .stepper import Propagator, external_potential, normalise, total_number


def check_threads(threads) -> int:
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads={threads!r}: must be an integer >= 1")
    return int(threads)


def batch_parts(batch: int, threads: int) -> list[tuple[int, int]]:
    """The contiguous cut of ``batch`` points into min(threads, batch) parts (start, stop)."""
    n = min(check_threads(threads), batch)
    edges = [(batch * k) // n for k in range(n + 1)]
    return list(zip(edges[:-1], edges[1:]))


class ThreadedBatch:
    """A batched 1D run on ``threads`` threads: the same ``advance`` as :class:`Propagator`."""

    def __init__(self, params: GPEParams, grid: Grid, scheme: SplittingScheme, dt: float, *, threads: int,
                 imaginary: bool = False) -> None:
        if grid.size > 1:
            raise ValueError(f"threads={threads}: threads split the batch of a 1D run; MPI runs use one per rank")
        self.params, self.grid, self.B = params, grid, params.batch_size
        self.parts = [(a, b, Propagator(params.subset(a, b), grid, SlabFFT(grid, b - a), scheme, dt,
                                        imaginary=imaginary))
                      for a, b in batch_parts(self.B, threads)]
        self.threads = len(self.parts)
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="gpe-batch")
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
        psi = np.array(psi, dtype=complex, order="C", copy=True)

        def part(k: int) -> None:
            a, b, prop = self.parts[k]
            psi[a:b] = prop.advance(psi[a:b], nsteps)

        list(self._pool.map(part, range(self.threads)))  # re-raises a thread's exception
        self.mu = np.concatenate([prop.mu for _, _, prop in self.parts])
        return psi


def make_propagator(params: GPEParams, grid: Grid, fft: SlabFFT, scheme: SplittingScheme, dt: float, *,
                    imaginary: bool = False, comm=None, threads: int = 1):
    """The back end for this run: a threaded batch when ``threads`` > 1 and the batch has > 1 point, else the
    serial (comm None) or MPI propagator."""
    threads = check_threads(threads)
    if threads > 1 and comm is not None:
        raise ValueError(f"threads={threads}: threads split the batch of a 1D run; MPI runs use one per rank")
    if min(threads, params.batch_size) > 1:
        return ThreadedBatch(params, grid, scheme, dt, threads=threads, imaginary=imaginary)
    return Propagator(params, grid, fft, scheme, dt, imaginary=imaginary, comm=comm)
