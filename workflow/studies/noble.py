"""The noble study: alkali / noble-gas spins coupled by stochastic spin-exchange collisions (Katz et al.).

Sweep points are collision ensembles fanned out on dask (:func:`spinsweep.solvers.collisions.point.point`);
beyond them, this module holds the Fig. 3 panels (preset dask ensembles), the fits of panels and sweep points
into ``fits.zarr`` (:func:`fits`) and the figures drawn from them.

Part 2, the mixture modes (:mod:`spinsweep.solvers.modes`): :func:`modes_part` computes one of
:data:`MODES_PARTS` (Fig. 2, Fig. 4, mode convergence, the (p_a, p_b), (B, n_a) and (n_b, R) maps) for the K-39/He-3
preset into a store, :func:`modes_figures` draws them.  Config: the ``modes`` key of the noble section
(defaults :data:`MODES_DEFAULTS`).

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


def figure_needs(section: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, tuple[str, Any, str]]:
    """The collision figures the runs of this section cannot supply: the Fig. 3 panels of ``section.panels``
    and the sweep points (``params``: as for ``Study.constraints``), judged by the figures' own needs
    (spinsweep.analysis.noble.needs).  The modes figures need nothing from the sweep."""
    from spinsweep.analysis.noble import needs
    from spinsweep.solvers.collisions import fig3_presets

    blocks = [needs.panel_runs(fig3_presets(section.get("panels", "default"))), needs.sweep_runs(params)]
    out = {}
    for figure in needs.NEEDS:
        problem = needs.unmet(figure, blocks)
        if problem:
            name, what = problem
            out[figure] = (*Study.param_at(section, name), what)
    return out


STUDY = Study(
    name="noble",
    title="Quantum interface between alkali and noble-gas spins",
    seed_paper="katz2022-noble-gas-interface.txt",
    figures=FIGURES,
    point="spinsweep.solvers.collisions.point:point",
    engine="dask",
    seeded=True,
    constraints=Study.at_least("n_noble", "n_alkali", "no noble spin collides twice in a step"),
    figure_needs=figure_needs,
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
        # Fig. 3a also shows single trajectories (the seed's inset)
        ds = ensemble(params, n_traj, seed, client=client, progress=progress_enabled(engines),
                      keep_trajectories=3 if name == "fig3a" else 0)
    log.info("noble %s: %d trajectories in %.1f s", name, n_traj, watch.elapsed)
    return store.write_dataset(ds, out, params={"study": "noble", "panel": name, **params, "n_traj": n_traj},
                               seed=seed, wall_time_s=watch.elapsed)


def fits(section: Mapping[str, Any], panel_stores: Mapping[str, str | Path], sweep_store: str | Path,
         out: str | Path) -> Path:
    """Fit every ensemble (the Fig. 3 panels, then the sweep points) into ``fits.zarr`` (dim ``run``).

    Runs are named after the panels and ``sweep<p>`` for sweep point p (C order over the sweep dimensions);
    each holds J, gamma with standard errors, the two-mode model's values and the measured J/gamma next to
    the model's (spinsweep.analysis.noble.fit_table).  A sweep point is fitted in its store layout (``t``
    along ``record``) with its parameters from the sweep and its derived scalars (delta_phi, Delta).
    """
    from spinsweep.analysis.noble import fit_table
    from spinsweep.solvers import store
    from spinsweep.workflow.sweep import Sweep

    watch = store.Stopwatch()
    runs: dict[str, Any] = {name: store.open_dataset(path).load() for name, path in panel_stores.items()}
    sweep = Sweep.from_section(section)
    flat = store.open_dataset(sweep_store).load().stack(point=sweep.dim_names)
    for p in range(sweep.n_points):
        ds = flat.isel(point=p)
        runs[f"sweep{p}"] = (ds, {**sweep.point(p), "phi_std": ds["phi_std"].item(),
                                  "detuning": ds["detuning"].item()})
    tab = fit_table(runs)
    tab = tab.assign_coords(point=("run", [int(n[5:]) if n.startswith("sweep") else -1 for n in tab.run.values],
                                   {"units": "1", "long_name": "sweep point (C order; -1: a Fig. 3 panel)"}))
    log.info("noble fits: %d runs in %.1f s", tab.sizes["run"], watch.elapsed)
    return store.write_dataset(tab, out, params={"study": "noble", "section": dict(section)},
                               wall_time_s=watch.elapsed)


def figures(panel_stores: Mapping[str, str | Path], fits_store: str | Path,
            outputs: Mapping[str, str | Path]) -> None:
    """Draw the figures from the panel ensembles and the fits store at the paths the rule declared."""
    from spinsweep.analysis.noble import make_figures
    from spinsweep.solvers import store
    from spinsweep.workflow.stages import place_figures

    panels_ = {name: store.open_dataset(path).load() for name, path in panel_stores.items()}
    fitted = store.open_dataset(fits_store).load()
    place_figures(lambda outdir: make_figures(panels_, fitted, outdir, names=list(outputs)), outputs, "noble")


# --- part 2: mixture modes -------------------------------------------------------------------------------

#: the stores of the modes part (one job each)
MODES_PARTS = ("fig2", "fig4", "convergence", "map_polarization", "map_field_density", "map_density_radius")

#: settings of the modes part when the noble section has no ``modes`` key (also the schema's documentation)
MODES_DEFAULTS = {
    "fig2_n_t": 4000, "n_modes": 100, "n_t": 201, "B_store_mG": 180.0, "convergence": [10, 25, 50, 100], "map_modes": 24,
    "map_n_t": 81, "p_a": [0.6, 0.7, 0.8, 0.9, 0.95, 1.0], "p_b": [0.5, 0.6, 0.75, 0.85, 1.0],
    "B_mG": [84.6, 84.9, 85.2, 85.4, 85.6, 85.8, 86.0, 86.3, 86.6], "n_a_cm3": [1e14, 2e14, 3e14, 5e14, 1e15],
    "n_b_cm3": [5e19, 1e20, 2e20, 4e20, 8e20], "R_cm": [0.64, 1.27, 2.54, 5.08],
}


def modes_settings(section: Mapping[str, Any]) -> dict:
    """The modes settings of a noble config section, defaults filled in."""
    return {**MODES_DEFAULTS, **(section.get("modes") or {})}


def modes_part(settings: Mapping[str, Any], part: str, out: str | Path) -> Path:
    """Compute one part of the modes study (K-39/He-3 preset, spinsweep.solvers.modes.runs) into a store."""
    from spinsweep.solvers import store
    from spinsweep.solvers.modes import runs

    s = {**MODES_DEFAULTS, **settings}
    watch = store.Stopwatch()
    if part == "fig2":
        ds = runs.fig2_dataset(n_t=int(s["fig2_n_t"]))
    elif part == "fig4":
        ds = runs.fig4_dataset(n_modes=int(s["n_modes"]), n_t=int(s["n_t"]), B_store_G=1e-3 * float(s["B_store_mG"]))
    elif part == "convergence":
        ds = runs.convergence_dataset(n_modes=tuple(int(n) for n in s["convergence"]))
    elif part == "map_polarization":
        ds = runs.polarization_map(s["p_a"], s["p_b"], n_modes=int(s["map_modes"]), n_t=int(s["map_n_t"]))
    elif part == "map_field_density":
        ds = runs.field_density_map(s["B_mG"], s["n_a_cm3"], n_modes=int(s["map_modes"]), n_t=int(s["map_n_t"]))
    elif part == "map_density_radius":
        ds = runs.density_radius_map(s["n_b_cm3"], s["R_cm"], n_modes=int(s["map_modes"]), n_t=int(s["map_n_t"]))
    else:
        raise ValueError(f"part={part!r} is not allowed: choose one of {MODES_PARTS}")
    runs.clean_attrs(ds)
    log.info("noble modes %s in %.1f s", part, watch.elapsed)
    mixture = {k: v for k, v in ds.attrs.items() if isinstance(v, (int, float, str))}
    ds.attrs = {}
    return store.write_dataset(ds, out, params={"study": "noble", "part": part, **s, "mixture": mixture},
                               seed=None, wall_time_s=watch.elapsed)


def modes_figures(part_stores: Mapping[str, str | Path], outputs: Mapping[str, str | Path]) -> None:
    """Draw the modes figures from the part stores at the paths the rule declared."""
    from spinsweep.analysis.noble import make_modes_figures
    from spinsweep.solvers import store
    from spinsweep.workflow.stages import place_figures

    data = {}
    for name, path in part_stores.items():
        ds = store.open_dataset(path).load()
        params = dict(ds.attrs.get("params", {}))
        # the run's own attrs (mixture, modes used) win over the part's settings
        ds.attrs = {**{k: v for k, v in params.items() if k != "mixture"}, **params.get("mixture", {})}
        data[name] = ds
    place_figures(lambda outdir: make_modes_figures(data, outdir), outputs, "noble")

