"""The magnon study: tunnelling spin and heat transport near the magnonic critical point (Sekino et al.).

Points come from the generic sweep rules (:func:`spinsweep.solvers.magnons.point`); beyond them, this
module holds the study's stages: dask-batched conductance fits and the figures.

The physics lives in ``spinsweep.solvers.magnons`` (per point) and ``spinsweep.analysis.magnons`` (fits, figures); this module
only moves stores in and out and fans the fits out over dask.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinsweep.analysis.magnons import FIGURES
from spinsweep.workflow.study import Study

log = logging.getLogger("spinsweep")


def figure_needs(section: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, tuple[str, Any, str]]:
    """The requested figures the sweep of this section cannot supply, judged by the figures' own needs
    (spinsweep.analysis.magnons.needs); ``params`` (as for ``Study.constraints``) is not needed."""
    from spinsweep.analysis.magnons import needs
    from spinsweep.workflow.sweep import Sweep

    dims, zipped = needs.section_dims(Sweep.from_section(section))
    out = {}
    for figure in STUDY.requested_figures(section):
        problem = needs.unmet(figure, dims, zipped)
        if problem:
            name, what = problem
            out[figure] = (*Study.param_at(section, name), what)
    return out


STUDY = Study(
    name="magnon",
    title="Tunnelling spin and heat transport near the magnonic critical point",
    seed_paper="sekino2024-magnon-tunneling-slides.txt",
    figures=FIGURES,
    point="spinsweep.solvers.magnons:point",
    engine="plain",
    paper_configs=("magnon.yaml",),
    figure_needs=figure_needs,
)


def tiny_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` reduced to the smallest magnon-only run that still executes every magnon rule (seconds):
    2 points x 21 samples, 2 fit realisations, one dask worker, no dashboard.  Used where the workflow's fixed
    costs are measured or packaging is tested (benchmarks/bench_workflow.py, tests/workflow/test_packaging.py)."""
    import copy

    out = copy.deepcopy(dict(config))
    out.update(studies=["magnon"])
    out["dask"].update(n_workers=1, dashboard=None, progress=False)
    out["magnon"]["fixed"].update(n_t=21)
    out["magnon"]["sweep"] = {"axes": {"h_over_T": {"values": [0.1, 1.0]}, "bias": {"values": [0.01]}},
                              "batch_size": 2}
    out["magnon"]["fits"].update(realisations=2, batch_size=2)
    return out


#: keys of ``magnon.fits`` that change the fitted values (``batch_size`` only groups work into dask tasks)
FIT_PHYSICS = ("noise", "realisations", "seed")


def fit_physics(section: Mapping[str, Any]) -> dict[str, Any]:
    """What defines ``fits.zarr``: the sweep and the fit settings, without the task grouping."""
    return {"fixed": section["fixed"], "sweep": section["sweep"],
            "fits": {k: v for k, v in section["fits"].items() if k in FIT_PHYSICS}}


def fits(section: Mapping[str, Any], sweep_store: str | Path, out: str | Path,
         engines: Mapping[str, Any] | None = None, per_task: int | None = None) -> Path:
    """Fit every sweep point's relaxation traces for many noise realisations (dask tasks).

    Each task fits ``fits.batch_size`` realisations of one point; realisation seeds come from
    ``SeedSequence(fits.seed)`` keyed by (point, realisation), so the result does not depend on how many
    workers ran it or in which order.  ``section`` is :func:`fit_physics` of the magnon section; ``engines``
    the run-time engine settings (``dask``) and ``per_task`` the realisations per task: neither changes the
    result.

    Tasks stream with bounded memory: at most 4 x workers tasks are in flight (``distributed.as_completed``
    with a sliding window), each task opens its own point from the sweep store (nothing but indices and
    seeds is shipped), and each result is copied into preallocated arrays as it arrives.
    """
    import numpy as np
    import xarray as xr
    from distributed import as_completed

    from spinsweep.solvers import store
    from spinsweep.workflow.engines import dask_client, progress_enabled
    from spinsweep.workflow.sweep import Sweep

    settings = section["fits"]
    sweep = Sweep.from_section(section)
    watch = store.Stopwatch()
    store.verify(sweep_store)  # once, here; the tasks then read the verified store without re-hashing it
    n_real = int(settings["realisations"])
    root = int(settings.get("seed", 0))
    noise = float(settings["noise"])
    per_task = max(1, int(per_task or n_real))
    drop = sorted(sweep.coords())

    def tasks():
        for p in range(sweep.n_points):
            where = dict(zip(sweep.dim_names, map(int, np.unravel_index(p, sweep.shape))))
            for start in range(0, n_real, per_task):
                yield p, start, (str(sweep_store), where, drop, sweep.point(p), noise, root, p,
                                 start, min(start + per_task, n_real))

    arrays: dict[str, np.ndarray] = {}
    template: xr.Dataset | None = None
    n_tasks = -(-n_real // per_task) * sweep.n_points
    done = 0
    show = progress_enabled(engines)
    with dask_client(engines or {}) as client:
        window = 4 * max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        pending = tasks()
        running = as_completed()
        owners = {}

        def submit(n):
            for _ in range(n):
                item = next(pending, None)
                if item is None:
                    return
                p, start, args = item
                future = client.submit(_fit_task, *args, pure=False)
                owners[future.key] = (p, start)
                running.add(future)

        submit(window)
        for future in running:
            p, start = owners.pop(future.key)
            result = future.result()
            future.release()
            if template is None:
                template = result.isel(realisation=slice(0, 0))
                arrays = {k: np.empty((sweep.n_points, n_real), dtype=v.dtype) for k, v in result.data_vars.items()}
            for k, v in result.data_vars.items():
                arrays[k][p, start:start + v.shape[0]] = v.values
            done += 1
            if show and (done == n_tasks or done % max(1, n_tasks // 10) == 0):
                log.info("magnon fits: %d/%d tasks done after %.1f s", done, n_tasks, watch.elapsed)
            submit(1)
    joined = xr.Dataset({k: (("point", "realisation"), arrays[k], template[k].attrs) for k in arrays},
                        coords={"point": np.arange(sweep.n_points), "realisation": np.arange(n_real)},
                        attrs=template.attrs)
    fitted = sweep.unstack(joined)
    log.info("magnon fits: %d points x %d realisations in %d tasks, %.1f s", sweep.n_points, n_real,
             n_tasks, watch.elapsed)
    return store.write_dataset(fitted, out, params={"study": "magnon", "fits": dict(settings),
                                                    "section": dict(section)},
                               seed=root, wall_time_s=watch.elapsed)


def _realisation_seeds(root: int, p: int, start: int, stop: int) -> list[int]:
    """Seeds of realisations start..stop of point p: ``SeedSequence(root).spawn(points)[p].spawn(n)[r]`` (the
    same as :func:`spinsweep.workflow.stages.realisation_seeds`) without spawning every point's sequence."""
    import numpy as np

    return [int(np.random.SeedSequence(root, spawn_key=(p, r)).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
            for r in range(start, stop)]


@functools.lru_cache(maxsize=4)
def _open_sweep(path: str, stamp: int):
    """The sweep store, opened once per worker process (``stamp``: its metadata's mtime, so a rewritten store
    is opened afresh)."""
    from spinsweep.solvers import store

    # verified by the stage that submitted the task; chunks=None: plain lazy arrays, so that reading a point
    # inside a task never turns into dask tasks of its own
    return store.open_dataset(path, verify=False, chunks=None)


def _fit_task(path: str, where: Mapping[str, int], drop: list[str], params: Mapping[str, Any], noise: float,
              root: int, p: int, start: int, stop: int):
    """One dask task: read sweep point ``p`` from the store and fit realisations start..stop."""
    import os

    from spinsweep.analysis.magnons import fit_point

    ds = _open_sweep(path, os.stat(os.path.join(path, "zarr.json")).st_mtime_ns)
    # the point's own parameters (a swept T or A differs from point to point)
    point = ds.isel(where).drop_vars(drop).load().assign_attrs(params)
    return fit_point(point, noise, _realisation_seeds(root, p, start, stop))


def figures(sweep_store: str | Path, fits_store: str | Path, outputs: Mapping[str, str | Path]) -> None:
    """Draw the magnon figures and put each at the path the rule declared for it."""
    from spinsweep.analysis.magnons import make_figures
    from spinsweep.solvers import store
    from spinsweep.workflow.stages import place_figures

    swept = store.open_dataset(sweep_store).load()
    fitted = store.open_dataset(fits_store).load()
    place_figures(lambda outdir: make_figures(swept, fitted, outdir, names=list(outputs)), outputs, "magnon")
