"""Distributed FFT of slab-decomposed fields by MPI all-to-all transposes.

Forward: local FFT over (y, z) on the x-slab, pack ky-blocks into a contiguous send buffer, ``Alltoall``,
unpack into the ky-slab with all x, local FFT over x.  Backward runs the same steps in reverse.  One rank
runs the very same code without the ``Alltoall`` (the send buffer is the receive buffer), so P ranks and
1 rank differ only by the order of nothing: the arithmetic per FFT line is the same.
scipy.fft with workers=1 (one thread per rank).  Arrays carry leading (B, 2) axes.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .grid import Grid

try:  # scipy's pocketfft binding: same transforms as scipy.fft, without the dispatch layer, with out=
    from scipy.fft._pocketfft.pypocketfft import c2c as _c2c
except ImportError:  # pragma: no cover - other scipy builds: fall back to the public API
    _c2c = None


def c2c(a: np.ndarray, axes: tuple[int, ...], forward: bool, out: np.ndarray) -> np.ndarray:
    """Unnormalised forward / 1/N-normalised backward FFT of ``a`` over ``axes`` written into ``out``.

    One thread (workers=1 per rank).  ``scipy.fft``'s public functions cost ~20 us of dispatch per call on
    this machine, as much as a 2048-point transform, and always allocate; the binding avoids both.
    """
    if _c2c is not None:
        return _c2c(a, axes, forward, 0 if forward else 2, out, 1)
    f = sfft.fftn if forward else sfft.ifftn
    out[...] = f(a, axes=axes, workers=1)
    return out


class SlabFFT:
    def __init__(self, grid: Grid, batch: int, comm=None) -> None:
        self.grid = grid
        self.comm = comm
        self.P = 1 if comm is None else comm.Get_size()
        if self.P != grid.size:
            raise ValueError(f"ranks={self.P}: grid was decomposed for {grid.size} ranks")
        d = grid.ndim
        self.lead = (batch, 2)
        self.trans_axes = tuple(range(3, 2 + d))  # local (y, z) axes in both layouts
        if d > 1:
            P, nxl, nyl = self.P, grid.nx_local, grid.ny_local
            self.block = (nxl, nyl) + grid.shape[2:]
            self.buf = np.empty((P,) + self.block, dtype=complex)  # one field's pack/unpack buffer
            self.spec = np.empty(self.lead + grid.spectral_shape, dtype=complex)
            self.real = np.empty(self.lead + grid.local_shape, dtype=complex)
        #: preallocated spectral buffer of the in-place transforms used by the stepper
        self.kbuf = np.empty(self.lead + grid.spectral_shape, dtype=complex)
        self.x_axis = (2,)

    # -- transposes ----------------------------------------------------------------------------------------
    # Per field (b, component): the x-slab -> ky-slab transpose packs the P ky-blocks of the local slab into a
    # contiguous buffer (P, nx_local, ny_local, ...) and receives straight into the spectral array, whose
    # x-blocks are contiguous; the way back sends those blocks as they are and unpacks the received ky-blocks.
    # One copy per direction besides the Alltoall itself.
    def _alltoall(self, send: np.ndarray, recv: np.ndarray) -> None:
        from mpi4py import MPI
        self.comm.Alltoall([send, MPI.C_DOUBLE_COMPLEX], [recv, MPI.C_DOUBLE_COMPLEX])

    def _x_to_y(self, a: np.ndarray) -> np.ndarray:
        if self.P == 1:
            np.copyto(self.spec, a)
            return self.spec
        nyl, P = self.grid.ny_local, self.P
        for f in np.ndindex(*self.lead):
            src = a[f]
            for p in range(P):
                np.copyto(self.buf[p], src[:, p * nyl:(p + 1) * nyl])
            self._alltoall(self.buf, self.spec[f].reshape((P,) + self.block))
        return self.spec

    def _y_to_x(self, a: np.ndarray) -> np.ndarray:
        if self.P == 1:
            np.copyto(self.real, a)
            return self.real
        nyl, P = self.grid.ny_local, self.P
        a = np.ascontiguousarray(a)
        for f in np.ndindex(*self.lead):
            self._alltoall(a[f].reshape((P,) + self.block), self.buf)
            dst = self.real[f]
            for p in range(P):
                np.copyto(dst[:, p * nyl:(p + 1) * nyl], self.buf[p])
        return self.real

    # -- in-place transforms (hot loop: no allocation) --------------------------------------------------------
    def forward_buf(self, psi: np.ndarray) -> np.ndarray:
        """Forward FFT of psi (real layout, left intact) into the preallocated spectral buffer ``kbuf``."""
        if self.grid.ndim == 1:
            return c2c(psi, self.x_axis, True, self.kbuf)
        if self.P == 1:  # spectral layout = real layout: the same per-line transforms, without the copies
            c2c(psi, self.trans_axes, True, self.kbuf)
            return c2c(self.kbuf, self.x_axis, True, self.kbuf)
        c2c(psi, self.trans_axes, True, self.real)
        self._x_to_y(self.real)  # -> self.spec
        return c2c(self.spec, self.x_axis, True, self.kbuf)

    def backward_buf(self, psik: np.ndarray, psi: np.ndarray) -> np.ndarray:
        """Backward FFT of the spectral buffer written into psi (real layout) in place."""
        if self.grid.ndim == 1:
            return c2c(psik, self.x_axis, False, psi)
        if self.P == 1:
            c2c(psik, self.x_axis, False, psik)
            return c2c(psik, self.trans_axes, False, psi)
        c2c(psik, self.x_axis, False, self.spec)
        self._y_to_x(self.spec)  # -> self.real
        return c2c(self.real, self.trans_axes, False, psi)

    # -- allocating transforms (observables) ---------------------------------------------------------------
    def forward(self, psi: np.ndarray, overwrite: bool = False) -> np.ndarray:
        """Unnormalised forward FFT; real layout in, spectral layout out (a new or internal array)."""
        if self.grid.ndim == 1:
            return sfft.fft(psi, axis=-1, workers=1, overwrite_x=overwrite)
        a = sfft.fftn(psi, axes=self.trans_axes, workers=1, overwrite_x=overwrite)
        b = self._x_to_y(a)
        return sfft.fft(b, axis=2, workers=1, overwrite_x=False)

    def backward(self, psik: np.ndarray, overwrite: bool = False) -> np.ndarray:
        """Inverse FFT (1/N normalised); spectral layout in, real layout out."""
        if self.grid.ndim == 1:
            return sfft.ifft(psik, axis=-1, workers=1, overwrite_x=overwrite)
        a = sfft.ifft(psik, axis=2, workers=1, overwrite_x=overwrite)
        b = self._y_to_x(a)
        return sfft.ifftn(b, axes=self.trans_axes, workers=1, overwrite_x=False)
