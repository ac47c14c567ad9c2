"""The noble study: alkali / noble-gas spins coupled by stochastic spin-exchange collisions (Katz et al.).

Sweep points are collision ensembles fanned out on dask (:func:`spinsweep.solvers.collisions.point.point`);
beyond them, this module holds the Fig. 3 panels (preset dask ensembles) and the figures.

Physics lives in ``spinsweep.solvers.collisions`` (ensembles) and ``spinsweep.analysis.noble`` (fits, figures); this module moves
stores in and out and starts the dask cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinsweep.analysis.noble import FIGURES
from spinsweep.workflow.study import Study

log = logging.getLogger("spinsweep")

STUDY = Study(
    name="noble",
    title="Quantum interface between alkali and noble-gas spins",
    seed_paper="katz2022-noble-gas-interface.txt",
    figures=FIGURES,
    point="spinsweep.solvers.collisions.point:point",
    engine="dask",
    seeded=True,
    constraints=Study.at_least("n_noble", "n_alkali", "no noble spin collides twice in a step"),
)


def panels() -> tuple[str, ...]:
    """The Fig. 3 panels: the keys of the collision presets (one owner: spinsweep.solvers.collisions)."""
    from spinsweep.solvers.collisions import fig3_presets

    return tuple(fig3_presets("default"))


def panel(physics: Mapping[str, Any], name: str, out: str | Path, engines: Mapping[str, Any] | None = None) -> Path:
    """One Fig. 3 panel: the preset ensemble (spinsweep.solvers.collisions.fig3_presets) run on dask."""
    from spinsweep.solvers import store
    from spinsweep.solvers.collisions import ensemble, fig3_presets
    from spinsweep.workflow.engines import dask_client, progress_enabled
    from spinsweep.workflow.stages import realisation_seeds

    names = panels()
    params, n_traj = fig3_presets(physics.get("panels", "default"))[name]
    seed = int(realisation_seeds(int(physics.get("seed", 0)), len(names), 1)[names.index(name), 0])
    watch = store.Stopwatch()
    with dask_client(engines or {}) as client:
        ds = ensemble(params, n_traj, seed, client=client, progress=progress_enabled(engines))
    log.info("noble %s: %d trajectories in %.1f s", name, n_traj, watch.elapsed)
    return store.write_dataset(ds, out, params={"study": "noble", "panel": name, **params, "n_traj": n_traj},
                               seed=seed, wall_time_s=watch.elapsed)


def figures(section: Mapping[str, Any], panel_stores: Mapping[str, str | Path], sweep_store: str | Path,
            outputs: Mapping[str, str | Path]) -> None:
    """Fit every ensemble (panels and sweep points) and draw the figures at the paths the rule declared."""
    from spinsweep.analysis.noble import make_figures
    from spinsweep.solvers import store
    from spinsweep.solvers.collisions.point import as_ensemble
    from spinsweep.workflow.stages import place_figures
    from spinsweep.workflow.sweep import Sweep

    runs = {name: store.open_dataset(path).load() for name, path in panel_stores.items()}
    sweep = Sweep.from_section(section)
    flat = store.open_dataset(sweep_store).load().stack(point=sweep.dim_names)
    for p in range(sweep.n_points):
        runs[f"sweep{p}"] = as_ensemble(flat.isel(point=p).drop_vars(["point", *sweep.coords()]),
                                        sweep.point(p))
    place_figures(lambda outdir: make_figures(runs, outdir), outputs, "noble")
