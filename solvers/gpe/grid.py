"""Periodic grid and its slab decomposition along x (the long axis) over MPI ranks.

Real-space layout on rank r of P:      (B, 2, Nx/P, Ny, Nz)   x-slab  [x_start, x_start + Nx/P)
Spectral layout (after the transpose): (B, 2, Nx, Ny/P, Nz)   ky-slab [y_start, y_start + Ny/P)
In 1D there is no decomposition (P must be 1); the batch axis B carries the sweep instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Grid:
    shape: tuple[int, ...]
    box: tuple[float, ...]
    rank: int = 0
    size: int = 1

    def __post_init__(self) -> None:
        self.shape = tuple(int(n) for n in self.shape)
        self.box = tuple(float(b) for b in self.box)
        d, P = len(self.shape), self.size
        if d == 1 and P > 1:
            raise ValueError(f"ranks={P}: 1D runs are not domain-decomposed (use the batch axis); run with 1 rank")
        if d > 1 and (self.shape[0] % P or self.shape[1] % P):
            raise ValueError(
                f"ranks={P}: slabs must divide the grid; shape={self.shape} needs Nx and Ny divisible by the rank count")
        self.nx_local = self.shape[0] // P
        self.x_start = self.rank * self.nx_local
        self.ny_local = self.shape[1] // P if d > 1 else 1
        self.y_start = self.rank * self.ny_local if d > 1 else 0

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dx(self) -> tuple[float, ...]:
        return tuple(b / n for b, n in zip(self.box, self.shape))

    @property
    def cell_volume(self) -> float:
        return float(np.prod(self.dx))

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape))

    def axis(self, i: int) -> np.ndarray:
        """Global coordinates of axis i: -L/2 + j dx, j = 0..N-1."""
        return -0.5 * self.box[i] + self.dx[i] * np.arange(self.shape[i])

    def k_axis(self, i: int) -> np.ndarray:
        return 2 * np.pi * np.fft.fftfreq(self.shape[i], d=self.dx[i])

    @property
    def local_shape(self) -> tuple[int, ...]:
        return (self.nx_local,) + self.shape[1:]

    @property
    def spectral_shape(self) -> tuple[int, ...]:
        if self.ndim == 1:
            return self.shape
        return (self.shape[0], self.ny_local) + self.shape[2:]

    def local_coords(self) -> list[np.ndarray]:
        """Broadcastable real-space coordinates of this rank's x-slab."""
        axes = [self.axis(i) for i in range(self.ndim)]
        axes[0] = axes[0][self.x_start:self.x_start + self.nx_local]
        return np.meshgrid(*axes, indexing="ij", sparse=True)

    def spectral_k(self) -> list[np.ndarray]:
        """Broadcastable wave vectors of this rank's spectral (ky-slab) layout."""
        ks = [self.k_axis(i) for i in range(self.ndim)]
        if self.ndim > 1:
            ks[1] = ks[1][self.y_start:self.y_start + self.ny_local]
        return np.meshgrid(*ks, indexing="ij", sparse=True)

    def k2(self) -> np.ndarray:
        return sum(k ** 2 for k in self.spectral_k())


def ordered_sum(a: np.ndarray, batch: int, dist_axis: int, comm=None) -> np.ndarray:
    """Global sum of a (B, ...) field over everything but the batch axis, in an order independent of P.

    Sums each slice along the distributed axis locally (the same contiguous arithmetic for any slab
    width), gathers these partial sums in rank order and adds them up: P ranks give bitwise the same
    number as 1 rank (a plain Allreduce would not).
    """
    rows = np.moveaxis(a, dist_axis, 1)
    rows = np.ascontiguousarray(rows).reshape(batch, rows.shape[1], -1).sum(axis=-1)  # (B, n_local)
    if comm is not None and comm.Get_size() > 1:
        gathered = np.empty((comm.Get_size(),) + rows.shape)
        comm.Allgather(np.ascontiguousarray(rows), gathered)
        rows = np.concatenate(list(gathered), axis=1)
    return rows.sum(axis=-1)
