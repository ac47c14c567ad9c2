"""Distributed FFT of slab-decomposed fields by MPI all-to-all transposes (ducc0 transforms, one thread per rank).

Real layout on a rank: (B, 2, Nx/P, Ny, Nz) x-slab; spectral layout: (B, 2, Nx, Ny/P, Nz) ky-slab (see
:mod:`.grid`).  Forward, per 2D/3D field:

1. FFT over y, in place on the x-slab;
2. FFT over z written straight into the send buffer in destination-major order (P, Nx/P, Ny/P, Nz): the
   transform's output view does the packing, so no separate pack copy is made (2D: a length-1 "z" axis,
   whose transform is the packing copy);
3. ``Alltoall`` of each field into the spectral array, whose x-blocks are contiguous (no unpack copy);
4. FFT over x, in place.

Backward runs the same steps in reverse (the z transform reads the received blocks through the same view).
One rank runs the very same code with the send buffer *being* the spectral array and no ``Alltoall``, so P
ranks and 1 rank do the same transforms per line.  ducc0 vectorises lines in SIMD groups and a line may fall
in a group or in the scalar tail depending on how many lines a rank holds, so P and 1 ranks agree to a few ulp
(measured 4e-15 relative in 3D; bitwise in 2D on the tests' grids); a given rank count is bitwise reproducible.
"""

from __future__ import annotations

import ducc0
import numpy as np

from .grid import Grid


def c2c(a: np.ndarray, axes: tuple[int, ...], forward: bool, out: np.ndarray) -> np.ndarray:
    """Unnormalised forward / 1/N-normalised backward FFT of ``a`` over ``axes`` written into ``out``.

    ducc0 (the successor of scipy's pocketfft, by the same author) with one thread per rank; unlike scipy's
    build it vectorises across lines with AVX-512, which halves the cost per line of batched transforms
    (benchmarks/bench_gpe.py).  ``out`` may be ``a`` (in place).
    """
    return ducc0.fft.c2c(a, axes=axes, forward=forward, inorm=0 if forward else 2, out=out, nthreads=1)


class SlabFFT:
    """Forward / backward transforms of fields (B, 2, *local_shape) between the real and spectral layouts."""

    def __init__(self, grid: Grid, batch: int, comm=None) -> None:
        self.grid = grid
        self.comm = comm
        self.P = 1 if comm is None else comm.Get_size()
        if self.P != grid.size:
            raise ValueError(f"ranks={self.P}: grid was decomposed for {grid.size} ranks")
        self.lead = (batch, 2)
        #: preallocated spectral buffer of the in-place transforms used by the stepper
        self.kbuf = np.empty(self.lead + grid.spectral_shape, dtype=complex)
        if grid.ndim == 1:
            return
        P, nxl, nyl = self.P, grid.nx_local, grid.ny_local
        nz = grid.shape[2] if grid.ndim == 3 else 1
        ny = grid.shape[1]
        self._real6 = self.lead + (nxl, P, nyl, nz)      # x-slab as (x, y-block, y in block, z)
        self._real5 = self.lead + (nxl, ny, nz)
        self._block = (P, nxl, nyl, nz)                   # one field's send/receive blocks
        if P > 1:
            from mpi4py import MPI
            self._mpi_complex = MPI.C_DOUBLE_COMPLEX
        send = self.kbuf if P == 1 else np.empty(self.lead + self._block, dtype=complex)
        self._send = send.reshape(self.lead + self._block)
        # the send buffer seen in x-slab order: the z transform writes (reads) it through this view
        self._send_as_real = self._send.transpose(0, 1, 3, 2, 4, 5)

    def _alltoall(self, src: np.ndarray, dst: np.ndarray) -> None:
        for f in np.ndindex(*self.lead):
            self.comm.Alltoall([src[f], self._mpi_complex], [dst[f], self._mpi_complex])

    # -- in-place transforms (hot loop: no allocation) --------------------------------------------------------
    def forward_buf(self, psi: np.ndarray) -> np.ndarray:
        """Forward FFT of psi (real layout) into the spectral buffer ``kbuf``; returns ``kbuf``.

        1D leaves psi intact; 2D/3D use psi as scratch (the stepper overwrites it by the backward transform).
        """
        if self.grid.ndim == 1:
            return c2c(psi, (2,), True, self.kbuf)
        real5 = psi.reshape(self._real5)
        c2c(real5, (3,), True, real5)                                         # y, in place
        c2c(real5.reshape(self._real6), (5,), True, self._send_as_real)       # z, packed for the transpose
        if self.P > 1:
            self._alltoall(self._send, self.kbuf.reshape(self.lead + self._block))
        return c2c(self.kbuf, (2,), True, self.kbuf)                          # x, in place

    def backward_buf(self, psik: np.ndarray, psi: np.ndarray) -> np.ndarray:
        """Backward FFT of the spectral buffer ``psik`` (used as scratch) written into psi; returns psi."""
        if self.grid.ndim == 1:
            return c2c(psik, (2,), False, psi)
        if psik is not self.kbuf:
            np.copyto(self.kbuf, psik)
        c2c(self.kbuf, (2,), False, self.kbuf)                                # x, in place
        if self.P > 1:
            self._alltoall(self.kbuf.reshape(self.lead + self._block), self._send)
        real5 = psi.reshape(self._real5)
        c2c(self._send_as_real, (5,), False, real5.reshape(self._real6))      # z, unpacked into psi
        c2c(real5, (3,), False, real5)                                        # y, in place
        return psi

    # -- allocating transforms (observables) ---------------------------------------------------------------
    def forward(self, psi: np.ndarray) -> np.ndarray:
        """Unnormalised forward FFT; real layout in (left intact), a new spectral-layout array out."""
        if self.grid.ndim == 1:
            return c2c(psi, (2,), True, np.empty(psi.shape, dtype=complex))
        return self.forward_buf(np.array(psi, dtype=complex, order="C", copy=True)).copy()

    def backward(self, psik: np.ndarray) -> np.ndarray:
        """Inverse FFT (1/N normalised); spectral layout in (left intact), a new real-layout array out."""
        out = np.empty(psik.shape[:2] + self.grid.local_shape, dtype=complex)
        if self.grid.ndim == 1:
            return c2c(psik, (2,), False, out)
        return self.backward_buf(np.asarray(psik, dtype=complex), out)
