"""Generic sweep stages the rules call: compute a batch of points, aggregate batches into a sweep store.

A study's :class:`~spinsweep.workflow.study.Study` record names its point function: a pure function
``point(**params) -> xarray.Dataset`` (no sweep dimensions) implemented in ``solvers``.  Nothing here is
physics; each stage reads and writes whole zarr stores through :mod:`spinsweep.solvers.store`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spinsweep.solvers import store
from spinsweep.workflow.engines import dask_client
from spinsweep.workflow.study import get as get_study
from spinsweep.workflow.sweep import Sweep

log = logging.getLogger("spinsweep")


def setup_logging(logfile: str | Path | None = None) -> None:
    """Progress lines to stderr (and to the rule's log file when given)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile:
        Path(logfile).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logfile, mode="w"))
    # dask's own INFO chatter (worker start/stop, and a benign CommClosedError traceback when a LocalCluster
    # shuts down) would bury the progress lines; its warnings and errors still come through.  distributed
    # sets its loggers up when first imported, and each worker process imports it afresh: the environment
    # setting reaches the workers, the import-then-set keeps it in this process.
    os.environ["DASK_LOGGING__DISTRIBUTED"] = "warning"
    import dask
    import distributed  # noqa: F401  (configures its loggers now, not after ours)

    dask.config.set({"logging.distributed": "warning"})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", handlers=handlers,
                        force=True)
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker",
                 "distributed.core", "distributed.http.proxy"):
        logging.getLogger(name).setLevel(logging.WARNING)

    def log_uncaught(kind, value, tb):  # the traceback belongs in the job's log, where users look
        if isinstance(value, (store.DamagedStoreError, store.IncompleteStoreError)):
            log.critical("%s", value)  # one line naming the store and the array; no traceback to read
            return
        if isinstance(value, OSError) and value.errno in (errno.ENOSPC, errno.EDQUOT):
            log.critical("no space left on the device (%s): free some space and run the same command again",
                         value.filename or "writing a store")
            return
        log.critical("job failed", exc_info=(kind, value, tb))

    sys.excepthook = log_uncaught


def run_batch(study: str, section: Mapping[str, Any], batch: int, out: str | Path,
              engines: Mapping[str, Any] | None = None) -> Path:
    """Compute the points of one batch and write them as one store with a flat ``point`` dimension.

    ``section`` holds the physics of the study (:meth:`Study.physics_of`); ``engines`` is the configuration
    holding the ``dask`` settings, for studies whose points fan out on dask (read at run time: they never
    change the result).
    """
    import xarray as xr

    sweep = Sweep.from_section(section)
    spec = get_study(study)
    func = spec.point_function()
    dask = spec.engine == "dask"
    watch = store.Stopwatch()
    indices = list(sweep.batch(batch))
    seeds = dict(zip(indices, point_seeds(int(section.get("seed", 0)), indices))) if spec.seeded else None
    parts = []
    with dask_client(engines or {}) if dask else contextlib.nullcontext() as client:
        for n, i in enumerate(indices, 1):
            params = sweep.point(i)
            extra = {"seed": int(seeds[i])} if spec.seeded else {}
            if dask:
                extra["client"] = client
            parts.append(func(**params, **extra).expand_dims(point=[i]))
            log.info("%s batch %d: point %d/%d done (%s) after %.1f s", study, batch, n, len(indices),
                     ", ".join(f"{k}={params[k]:.4g}" if isinstance(params[k], float) else f"{k}={params[k]}"
                               for k in sweep.axes), watch.elapsed)
    ds = xr.concat(parts, dim="point", data_vars="all", coords="different", compat="equals", join="exact")
    ds.attrs = {}
    return store.write_dataset(ds, out, params={"study": study, "batch": batch, "points": indices,
                                                "section": dict(section)},
                               wall_time_s=watch.elapsed)


def aggregate(study: str, section: Mapping[str, Any], batch_stores: Sequence[str | Path],
              out: str | Path) -> Path:
    """Join batch stores into one sweep store whose dimensions are the swept axes."""
    import xarray as xr

    sweep = Sweep.from_section(section)
    watch = store.Stopwatch()
    parts = [store.open_dataset(p).load() for p in batch_stores]
    ds = xr.concat(parts, dim="point", data_vars="all", coords="different", compat="equals", join="exact")
    ds = ds.sortby("point")
    if not np.array_equal(ds["point"].values, np.arange(sweep.n_points)):
        raise ValueError(f"{study}: batch stores hold points {ds['point'].values.tolist()}, "
                         f"expected 0..{sweep.n_points - 1}")
    swept = sweep.unstack(ds)
    swept.attrs = {}  # the root attrs describe the sweep (params below), not the first point
    swept = swept.assign_coords({name: swept[name].assign_attrs(axis_attrs(study, name)) for name in sweep.axes})
    log.info("%s: aggregated %d points into dims %s", study, sweep.n_points, dict(swept.sizes))
    return store.write_dataset(swept, out, encoding=sweep_encoding(swept, sweep.dim_names), params={"study": study, "fixed": dict(sweep.fixed),
                                                   "axes": {k: list(v) for k, v in sweep.axes.items()},
                                                   "zip": [list(g) for g in sweep.zip_groups],
                                                   "section": dict(section)},
                               wall_time_s=watch.elapsed)


def sweep_encoding(ds, sweep_dims: Sequence[str], target_bytes: int = 1 << 16) -> dict[str, dict]:
    """Chunks of a sweep store: blocks of whole points (C order over the sweep dimensions) of about
    ``target_bytes`` (64 KiB), so that a stage reading one point (magnon fits) reads a small chunk, not the sweep."""
    encoding = {}
    for name, var in ds.data_vars.items():
        swept = [d for d in var.dims if d in sweep_dims]
        if not swept:
            continue
        per_point = var.dtype.itemsize if var.dtype.kind != "O" else 64
        for d in var.dims:
            if d not in sweep_dims:
                per_point *= var.sizes[d]
        budget = max(1, target_bytes // max(1, per_point))
        chunks = {}
        for d in reversed(var.dims):
            if d in sweep_dims:
                chunks[d] = max(1, min(var.sizes[d], budget))
                budget = max(1, budget // chunks[d])
            else:
                chunks[d] = var.sizes[d]
        encoding[name] = {"chunks": tuple(chunks[d] for d in var.dims)}
    return encoding


def axis_attrs(study: str, name: str) -> dict[str, str]:
    """``units`` and ``long_name`` of a swept parameter, from the study's point schema (written once there)."""
    from spinsweep.workflow.config import schema

    prop = schema()["$defs"][f"{study}_point"]["properties"].get(name, {})
    return {"units": str(prop.get("units", "1")), "long_name": str(prop.get("description", name))}


def realisation_seeds(root: int, n_points: int, n_realisations: int) -> np.ndarray:
    """Integer seeds, shape (n_points, n_realisations), from SeedSequence(root).spawn keyed by index.

    Independent of worker count and scheduling: seed (p, r) depends only on root, p and r.
    """
    seeds = np.empty((n_points, n_realisations), dtype=np.uint64)
    for p, child in enumerate(np.random.SeedSequence(root).spawn(n_points)):
        for r, grandchild in enumerate(child.spawn(n_realisations)):
            seeds[p, r] = grandchild.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)
    return seeds.astype(np.int64)  # 63-bit seeds: fit in int64 stores and numpy.random.default_rng


def point_seeds(root: int, indices: Sequence[int], realisation: int = 0) -> list[int]:
    """``realisation_seeds(root, n_points, ...)[indices, realisation]`` without spawning every point's sequence
    (``SeedSequence(root).spawn(n)[p].spawn(m)[r]`` is ``SeedSequence(root, spawn_key=(p, r))``): a batch job
    costs its own points, not the sweep's."""
    return [int(np.random.SeedSequence(root, spawn_key=(int(p), realisation)).generate_state(1, dtype=np.uint64)[0]
                >> np.uint64(1)) for p in indices]


def place_figures(draw: Callable[[Path], Mapping[str, Path]], outputs: Mapping[str, str | Path],
                  study: str) -> None:
    """Call ``draw(tmpdir) -> {name: png}`` and move each figure to the path the rule declared for it."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        made = draw(Path(tmp))
        missing = sorted(set(outputs) - set(made))
        if missing:
            raise RuntimeError(f"{study}: make_figures did not draw {missing} (does the sweep hold the runs "
                               f"they need?); drew {sorted(made)}")
        for name, path in outputs.items():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(made[name], path)
