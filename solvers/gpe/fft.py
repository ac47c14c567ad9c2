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
            block = self.lead + (nxl, nyl) + grid.shape[2:]
            self.send = np.empty((P,) + block, dtype=complex)
            self.recv = self.send if P == 1 else np.empty_like(self.send)
            self.spec = np.empty(self.lead + grid.spectral_shape, dtype=complex)
            self.real = np.empty(self.lead + grid.local_shape, dtype=complex)
        #: preallocated spectral buffer of the in-place transforms used by the stepper
        self.kbuf = np.empty(self.lead + grid.spectral_shape, dtype=complex)
        self.x_axis = (2,)

    # -- transposes ----------------------------------------------------------------------------------------
    def _alltoall(self) -> None:
        if self.P > 1:
            from mpi4py import MPI
            self.comm.Alltoall([self.send, MPI.C_DOUBLE_COMPLEX], [self.recv, MPI.C_DOUBLE_COMPLEX])

    def _x_to_y(self, a: np.ndarray) -> np.ndarray:
        nyl = self.grid.ny_local
        for p in range(self.P):
            np.copyto(self.send[p], a[:, :, :, p * nyl:(p + 1) * nyl])
        self._alltoall()
        nxl = self.grid.nx_local
        for p in range(self.P):
            np.copyto(self.spec[:, :, p * nxl:(p + 1) * nxl], self.recv[p])
        return self.spec

    def _y_to_x(self, a: np.ndarray) -> np.ndarray:
        nxl = self.grid.nx_local
        for p in range(self.P):
            np.copyto(self.send[p], a[:, :, p * nxl:(p + 1) * nxl])
        self._alltoall()
        nyl = self.grid.ny_local
        for p in range(self.P):
            np.copyto(self.real[:, :, :, p * nyl:(p + 1) * nyl], self.recv[p])
        return self.real

    # -- in-place transforms (hot loop: no allocation) --------------------------------------------------------
    def forward_buf(self, psi: np.ndarray) -> np.ndarray:
        """Forward FFT of psi (real layout, left intact) into the preallocated spectral buffer ``kbuf``."""
        if self.grid.ndim == 1:
            return c2c(psi, self.x_axis, True, self.kbuf)
        c2c(psi, self.trans_axes, True, self.real)
        self._x_to_y(self.real)  # -> self.spec
        return c2c(self.spec, self.x_axis, True, self.kbuf)

    def backward_buf(self, psik: np.ndarray, psi: np.ndarray) -> np.ndarray:
        """Backward FFT of the spectral buffer written into psi (real layout) in place."""
        if self.grid.ndim == 1:
            return c2c(psik, self.x_axis, False, psi)
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
