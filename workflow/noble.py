"""Noble-study stages beyond the generic sweep: the Fig. 3 panels (dask ensembles) and the figures.

Physics lives in ``spinsweep.solvers.collisions`` (ensembles) and ``spinsweep.analysis.noble`` (fits, figures); this module moves
stores in and out and starts the dask cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinsweep.solvers import store
from spinsweep.analysis.noble.figures import FIGURES
from spinsweep.workflow.engines import dask_client
from spinsweep.workflow.stages import place_figures, realisation_seeds
from spinsweep.workflow.sweep import Sweep

log = logging.getLogger("spinsweep")

PANELS = ("fig3a", "fig3b", "fig3c", "fig3d", "fig3e")


def panel(config: Mapping[str, Any], name: str, out: str | Path) -> Path:
    """One Fig. 3 panel: the preset ensemble (spinsweep.solvers.collisions.fig3_presets) run on dask."""
    from spinsweep.solvers.collisions import ensemble, fig3_presets

    section = config["noble"]
    params, n_traj = fig3_presets(section.get("panels", "default"))[name]
    seed = int(realisation_seeds(int(section.get("seed", 0)), len(PANELS), 1)[PANELS.index(name), 0])
    watch = store.Stopwatch()
    with dask_client(config) as client:
        ds = ensemble(params, n_traj, seed, client=client,
                      progress=bool((config.get("dask") or {}).get("progress", True)))
    log.info("noble %s: %d trajectories in %.1f s", name, n_traj, watch.elapsed)
    return store.write_dataset(ds, out, params={"study": "noble", "panel": name, **params, "n_traj": n_traj},
                               seed=seed, wall_time_s=watch.elapsed)


def figures(config: Mapping[str, Any], panel_stores: Mapping[str, str | Path], sweep_store: str | Path,
            outputs: Mapping[str, str | Path]) -> None:
    """Fit every ensemble (panels and sweep points) and draw the figures at the paths the rule declared."""
    from spinsweep.analysis.noble import make_figures
    from spinsweep.solvers.collisions.point import as_ensemble

    runs = {name: store.open_dataset(path).load() for name, path in panel_stores.items()}
    sweep = Sweep.from_section(config["noble"])
    flat = store.open_dataset(sweep_store).load().stack(point=sweep.dim_names)
    for p in range(sweep.n_points):
        runs[f"sweep{p}"] = as_ensemble(flat.isel(point=p).drop_vars(["point", *sweep.coords()]),
                                        sweep.point(p))
    place_figures(lambda outdir: make_figures(runs, outdir), outputs, "noble")
