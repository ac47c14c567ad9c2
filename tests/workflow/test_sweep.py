"""Sweeps: every point exactly once, batches cover the sweep, unstack restores the swept axes."""

from __future__ import annotations

import numpy as np
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from spinsweep.workflow.stages import point_seeds, realisation_seeds
from spinsweep.workflow.sweep import Sweep


def _sweep(sizes, zipped, batch_size):
    axes = {f"a{i}": [float(10 * i + j) for j in range(n)] for i, n in enumerate(sizes)}
    groups = [[f"a{i}" for i in zipped]] if len(zipped) > 1 else []
    for name in groups[0][1:] if groups else []:
        axes[name] = [v + 0.5 for v in axes[groups[0][0]]]
    return Sweep(fixed={"T": 1.0}, axes=axes, zip_groups=groups, batch_size=batch_size)


@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3), batch=st.integers(1, 7), zip_=st.booleans())
@settings(max_examples=60, deadline=None)
def test_batches_partition_points_and_unstack_round_trips(sizes, batch, zip_):
    zipped = list(range(len(sizes))) if zip_ and len(sizes) > 1 else []
    sweep = _sweep(sizes, zipped, batch)
    covered = [i for b in range(sweep.n_batches) for i in sweep.batch(b)]
    assert covered == list(range(sweep.n_points))
    points = sweep.points()
    assert len({tuple(sorted(p.items())) for p in points}) == sweep.n_points
    # a flat per-point dataset reshaped onto the sweep dims must put each value at its own coordinates
    value = np.array([sum(p[k] for k in sweep.axes) for p in points])
    flat = xr.Dataset({"v": ("point", value, {"units": "1", "long_name": "v"})}, coords={"point": range(len(value))})
    swept = sweep.unstack(flat)
    assert swept["v"].dims == tuple(sweep.dim_names)
    for p in points:
        sel = {d: sweep.axes[d].index(p[d]) for d in sweep.dim_names}
        assert swept["v"].isel(sel).item() == sum(p[k] for k in sweep.axes)


def test_zip_group_is_one_dimension():
    sweep = Sweep(fixed={}, axes={"a": [1, 2, 3], "b": [4, 5], "c": [7, 8, 9]}, zip_groups=[["a", "c"]])
    assert sweep.dim_names == ["a", "b"] and sweep.shape == (3, 2)
    assert [(p["a"], p["c"]) for p in sweep.points()[::2]] == [(1, 7), (2, 8), (3, 9)]


def test_realisation_seeds_depend_only_on_root_and_index():
    a, b = realisation_seeds(7, 3, 5), realisation_seeds(7, 4, 5)
    assert np.array_equal(a, b[:3])
    assert len(np.unique(b)) == b.size
    assert not np.array_equal(a, realisation_seeds(8, 3, 5))


def test_point_seeds_match_realisation_seeds_without_the_whole_sweep():
    full = realisation_seeds(11, 40, 3)
    assert point_seeds(11, [0, 7, 39]) == full[[0, 7, 39], 0].tolist()
    assert point_seeds(11, [5], realisation=2) == [full[5, 2]]
