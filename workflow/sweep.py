"""Sweeps: named axes -> points -> batches -> one sweep-level dataset.

A study section of the configuration declares ``fixed`` parameters and ``sweep.axes`` (explicit values,
linspace or logspace grids).  Axes form a cartesian product, except that the axes of one ``sweep.zip``
group vary together and make a single dimension (named after the group's first axis, the other axes of
the group become coordinates along it).  Points are numbered in C order over the dimensions; a batch is a
contiguous range of point numbers, so that many cheap points share one job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from spinsweep.workflow.config import expand_axis

#: default cap on the batch jobs of one sweep (config key ``<study>.sweep.max_jobs``)
MAX_JOBS = 2000


@dataclass(frozen=True)
class Sweep:
    """The points of one study's sweep (validated config section in, plain dicts out)."""

    fixed: Mapping[str, Any]
    axes: Mapping[str, list]
    zip_groups: Sequence[Sequence[str]] = field(default_factory=list)
    batch_size: int = 1

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> "Sweep":
        """The sweep of a config section; batches grow beyond ``batch_size`` when the sweep has more points than
        ``max_jobs`` (default :data:`MAX_JOBS`) batches of that size: max(batch_size, ceil(points / max_jobs))."""
        sweep = section["sweep"]
        out = cls(
            fixed=dict(section["fixed"]),
            axes={k: expand_axis(v) for k, v in sweep["axes"].items()},
            zip_groups=[list(g) for g in sweep.get("zip", [])],
            batch_size=int(sweep.get("batch_size", 1)),
        )
        needed = math.ceil(out.n_points / int(sweep.get("max_jobs", MAX_JOBS)))
        return out if needed <= out.batch_size else replace(out, batch_size=needed)

    @property
    def dims(self) -> list[list[str]]:
        """Axis names per dimension, in order: a zip group is one dimension."""
        grouped = {k: g for g in self.zip_groups for k in g}
        dims, done = [], set()
        for name in self.axes:
            if name in done:
                continue
            group = list(grouped.get(name, [name]))
            done.update(group)
            dims.append(group)
        return dims

    @property
    def dim_names(self) -> list[str]:
        return [group[0] for group in self.dims]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(self.axes[group[0]]) for group in self.dims)

    @property
    def n_points(self) -> int:
        return math.prod(self.shape)

    @property
    def n_batches(self) -> int:
        return math.ceil(self.n_points / self.batch_size)

    def point(self, index: int) -> dict[str, Any]:
        """Full parameter set of point ``index`` (fixed parameters plus one value of every axis)."""
        if not 0 <= index < self.n_points:
            raise IndexError(f"point {index} outside 0..{self.n_points - 1}")
        params = dict(self.fixed)
        for group, i in zip(self.dims, np.unravel_index(index, self.shape)):
            for name in group:
                params[name] = self.axes[name][int(i)]
        return params

    def points(self) -> list[dict[str, Any]]:
        return [self.point(i) for i in range(self.n_points)]

    def batch(self, b: int) -> range:
        """Point numbers of batch ``b``."""
        if not 0 <= b < self.n_batches:
            raise IndexError(f"batch {b} outside 0..{self.n_batches - 1}")
        return range(b * self.batch_size, min((b + 1) * self.batch_size, self.n_points))

    def coords(self) -> dict[str, tuple[str, np.ndarray]]:
        """xarray coordinates of the sweep dimensions (zip partners as non-dimension coordinates)."""
        out = {}
        for group in self.dims:
            for name in group:
                out[name] = (group[0], np.asarray(self.axes[name]))
        return out

    def unstack(self, ds, point_dim: str = "point"):
        """Reshape a dataset with a flat ``point`` dimension (in point order) onto the sweep dimensions."""
        import xarray as xr

        if ds.sizes[point_dim] != self.n_points:
            raise ValueError(f"expected {self.n_points} points along '{point_dim}', got {ds.sizes[point_dim]}")
        def reshaped(var):
            if point_dim not in var.dims:
                return var
            var = var.transpose(point_dim, ...)
            return (tuple(self.dim_names) + var.dims[1:], var.values.reshape(self.shape + var.shape[1:]),
                    var.attrs)

        data_vars = {name: reshaped(var) for name, var in ds.data_vars.items()}
        # coordinates along the points other than the point index (e.g. a time grid that differs per point)
        coords = {k: reshaped(v.variable) for k, v in ds.coords.items() if k != point_dim}
        return xr.Dataset(data_vars, coords={**coords, **self.coords()}, attrs=ds.attrs)
