"""The magnon study: tunnelling spin and heat transport near the magnonic critical point (Sekino et al.).

Points come from the generic sweep rules (:func:`spinsweep.solvers.magnons.point`); beyond them, this
module holds the study's stages: dask-batched conductance fits and the figures.

The physics lives in ``spinsweep.solvers.magnons`` (per point) and ``spinsweep.analysis.magnons`` (fits, figures); this module
only moves stores in and out and fans the fits out over dask.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinsweep.analysis.magnons import FIGURES
from spinsweep.workflow.study import Study

log = logging.getLogger("spinsweep")

STUDY = Study(
    name="magnon",
    title="Tunnelling spin and heat transport near the magnonic critical point",
    seed_paper="sekino2024-magnon-tunneling-slides.txt",
    figures=FIGURES,
    point="spinsweep.solvers.magnons:point",
    engine="plain",
    paper_configs=("magnon.yaml",),
)


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
    """
    import xarray as xr

    from spinsweep.analysis.magnons import fit_point
    from spinsweep.solvers import store
    from spinsweep.workflow.engines import chunked, dask_client, map_ordered, progress_enabled
    from spinsweep.workflow.stages import realisation_seeds
    from spinsweep.workflow.sweep import Sweep

    settings = section["fits"]
    sweep = Sweep.from_section(section)
    watch = store.Stopwatch()
    swept = store.open_dataset(sweep_store).load()
    flat = swept.stack(point=sweep.dim_names)
    n_real = int(settings["realisations"])
    seeds = realisation_seeds(int(settings.get("seed", 0)), sweep.n_points, n_real)
    per_task = int(per_task or n_real)
    tasks, owners = [], []
    for p in range(sweep.n_points):
        # the point's own parameters (a swept T or A differs from point to point)
        point = flat.isel(point=p).drop_vars(["point", *sweep.coords()]).assign_attrs(sweep.point(p))
        for chunk in chunked(list(map(int, seeds[p])), per_task):
            tasks.append((point, float(settings["noise"]), chunk))
            owners.append(p)
    with dask_client(engines or {}) as client:
        results = map_ordered(client, fit_point, tasks, label="magnon fits", progress=progress_enabled(engines))
    per_point = [[] for _ in range(sweep.n_points)]
    for p, result in zip(owners, results):
        per_point[p].append(result)
    joined = xr.concat([xr.concat(parts, dim="realisation") for parts in per_point], dim="point")
    joined = joined.assign_coords(realisation=range(n_real))
    fitted = sweep.unstack(joined)
    log.info("magnon fits: %d points x %d realisations in %d tasks, %.1f s", sweep.n_points, n_real,
             len(tasks), watch.elapsed)
    return store.write_dataset(fitted, out, params={"study": "magnon", "fits": dict(settings),
                                                    "section": dict(section)},
                               seed=int(settings.get("seed", 0)), wall_time_s=watch.elapsed)


def figures(sweep_store: str | Path, fits_store: str | Path, outputs: Mapping[str, str | Path]) -> None:
    """Draw the magnon figures and put each at the path the rule declared for it."""
    from spinsweep.analysis.magnons import make_figures
    from spinsweep.solvers import store
    from spinsweep.workflow.stages import place_figures

    swept = store.open_dataset(sweep_store).load()
    fitted = store.open_dataset(fits_store).load()
    place_figures(lambda outdir: make_figures(swept, fitted, outdir), outputs, "magnon")
