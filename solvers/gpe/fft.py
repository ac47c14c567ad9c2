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
One rank needs no transpose: it transforms all spatial axes at once, out of place from the real-layout array
into the spectral buffer and back (no packing copy), with the back end picked per layout by
:mod:`.fft_backends` (ducc0 or FFTW; setting ``backend=`` / ``$SPINSWEEP_FFT``, recorded on ``SlabFFT.backend``).
P ranks use ducc0 through the stages above.  FFT libraries vectorise lines in SIMD groups and a line may fall
in a group or in the scalar tail depending on how many lines a rank holds, so P and 1 ranks agree to a few ulp
(measured 4e-15 relative in 3D); a given rank count and back end is bitwise reproducible.

The in-place pair used by the stepper (:meth:`SlabFFT.forward_buf`, :meth:`SlabFFT.backward_buf`) is
*unnormalised* both ways: the caller folds 1/N (:attr:`SlabFFT.inv_n`) into its spectral factor.  The
allocating :meth:`SlabFFT.forward` / :meth:`SlabFFT.backward` keep the usual 1/N-normalised inverse.
"""

from __future__ import annotations

import ducc0
import numpy as np

from . import fft_backends
from .fft_backends import aligned_empty, is_aligned
from .grid import Grid


def c2c(a: np.ndarray, axes: tuple[int, ...], forward: bool, out: np.ndarray, normalise: bool = True) -> np.ndarray:
    """Unnormalised forward / 1/N-normalised (``normalise``) backward FFT of ``a`` over ``axes`` into ``out``.

    ducc0 (the successor of scipy's pocketfft, by the same author) with one thread per rank; it vectorises
    across lines (AVX2 / AVX-512).  ``out`` may be ``a`` (in place).
    """
    inorm = 2 if (normalise and not forward) else 0
    return ducc0.fft.c2c(a, axes=axes, forward=forward, inorm=inorm, out=out, nthreads=1)


class SlabFFT:
    """Forward / backward transforms of fields (B, 2, *local_shape) between the real and spectral layouts."""

    def __init__(self, grid: Grid, batch: int, comm=None, backend: str | None = None) -> None:
        self.grid = grid
        self.comm = comm
        self.P = 1 if comm is None else comm.Get_size()
        if self.P != grid.size:
            raise ValueError(f"ranks={self.P}: grid was decomposed for {grid.size} ranks")
        self.lead = (batch, 2)
        #: the back-end setting asked for (None: $SPINSWEEP_FFT or auto)
        self.setting = backend
        #: 1/N: the factor the caller applies once per forward/backward pair of the unnormalised *_buf transforms
        self.inv_n = 1.0 / grid.n_points
        #: preallocated spectral buffer of the in-place transforms used by the stepper (64-byte aligned)
        self.kbuf = aligned_empty(self.lead + grid.spectral_shape)
        self.kbuf[...] = 0.0
        self._axes = tuple(range(2, 2 + grid.ndim))
        if self.P == 1:
            shape = self.lead + grid.local_shape
            #: the FFT back end of this layout (see :mod:`.fft_backends`; the parts of a batched run use it too):
            #: record it with the run and pass it back as ``backend=`` on resume
            self.backend = fft_backends.choose(shape, self._axes, self.kbuf, backend)
            self._plan = fft_backends.PLANS[self.backend](shape, self._axes, self.kbuf)
            return
        fft_backends.requested(backend)  # checks the setting; P ranks transform by ducc0 stages
        self.backend = "ducc0"
        P, nxl, nyl = self.P, grid.nx_local, grid.ny_local
        nz = grid.shape[2] if grid.ndim == 3 else 1
        ny = grid.shape[1]
        self._real6 = self.lead + (nxl, P, nyl, nz)      # x-slab as (x, y-block, y in block, z)
        self._real5 = self.lead + (nxl, ny, nz)
        self._block = (P, nxl, nyl, nz)                   # one field's send/receive blocks
        from mpi4py import MPI
        self._mpi_complex = MPI.C_DOUBLE_COMPLEX
        send = np.empty(self.lead + self._block, dtype=complex)
        self._send = send.reshape(self.lead + self._block)
        # the send buffer seen in x-slab order: the z transform writes (reads) it through this view
        self._send_as_real = self._send.transpose(0, 1, 3, 2, 4, 5)

    def _alltoall(self, src: np.ndarray, dst: np.ndarray) -> None:
        for f in np.ndindex(*self.lead):
            self.comm.Alltoall([src[f], self._mpi_complex], [dst[f], self._mpi_complex])

    def adopt(self, psi: np.ndarray) -> np.ndarray:
        """psi itself when the in-place transforms can use it (C-contiguous complex, 64-byte aligned, writable),
        else an aligned copy: the stepper then works in place on it (no copy per call)."""
        if (psi.dtype == np.complex128 and psi.flags.c_contiguous and psi.flags.writeable and is_aligned(psi)
                and psi.shape == self.lead + self.grid.local_shape):
            return psi
        out = aligned_empty(self.lead + self.grid.local_shape)
        np.copyto(out, psi)
        return out

    # -- in-place transforms (hot loop: no allocation, unnormalised) ----------------------------------------------
    def forward_buf(self, psi: np.ndarray) -> np.ndarray:
        """Unnormalised forward FFT of psi (real layout, from :meth:`adopt`) into ``kbuf``; returns ``kbuf``.

        psi is scratch afterwards (the stepper overwrites it by the backward transform).
        """
        if self.P == 1:
            return self._plan.forward(psi, self.kbuf)
        real5 = psi.reshape(self._real5)
        c2c(real5, (3,), True, real5)                                         # y, in place
        c2c(real5.reshape(self._real6), (5,), True, self._send_as_real)       # z, packed for the transpose
        self._alltoall(self._send, self.kbuf.reshape(self.lead + self._block))
        return c2c(self.kbuf, (2,), True, self.kbuf)                          # x, in place

    def backward_buf(self, psik: np.ndarray, psi: np.ndarray) -> np.ndarray:
        """Unnormalised backward FFT of ``kbuf`` (scratch afterwards) written into psi; returns psi."""
        if psik is not self.kbuf:
            np.copyto(self.kbuf, psik)
        if self.P == 1:
            return self._plan.backward(self.kbuf, psi)
        c2c(self.kbuf, (2,), False, self.kbuf, False)                         # x, in place
        self._alltoall(self.kbuf.reshape(self.lead + self._block), self._send)
        real5 = psi.reshape(self._real5)
        c2c(self._send_as_real, (5,), False, real5.reshape(self._real6), False)  # z, unpacked into psi
        c2c(real5, (3,), False, real5, False)                                 # y, in place
        return psi

    # -- allocating transforms (observables) ---------------------------------------------------------------
    def forward(self, psi: np.ndarray) -> np.ndarray:
        """Unnormalised forward FFT; real layout in (left intact), a new spectral-layout array out."""
        if self.P == 1 and self.backend == "ducc0":
            return c2c(psi, self._axes, True, np.empty(psi.shape, dtype=complex))
        work = aligned_empty(self.lead + self.grid.local_shape)
        np.copyto(work, psi)
        return self.forward_buf(work).copy()

    def backward(self, psik: np.ndarray) -> np.ndarray:
        """Inverse FFT (1/N normalised); spectral layout in (left intact), a new real-layout array out."""
        out = aligned_empty(psik.shape[:2] + self.grid.local_shape)
        if self.P == 1 and self.backend == "ducc0":
            return c2c(psik, self._axes, False, out)
        self.backward_buf(np.asarray(psik, dtype=complex), out)
        out *= self.inv_n
        return out
