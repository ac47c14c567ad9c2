"""The torque study: magnetic interfaces, quantum torque and spin fronts in a Rabi-coupled 23Na BEC
(Farolfi et al. 2023, seed farolfi2023-quantum-torque.md).

Jobs (rules in ``workflow/rules/torque.smk``):

* ``torque_gpe`` -- one *batch*: B GPE runs of one cloud advanced together by the batched 1D solver
  (:mod:`spinsweep.solvers.gpe`, threads back end).  A batch holds points that differ only in
  Omega_R/(kappa n0) and in the shot index: the cloud (kappa n0, R_x, trap) is the same, Omega_R is the knob,
  as in the experiment.  Solver units are those of the batch member with the largest Omega_R.  The paper's data
  sets (``panels``: fig3, fig4b) are batches of one.
* ``torque_analysis`` -- one point (all its shots): :func:`spinsweep.analysis.torque.run_products`, one store per
  product under ``analysis/<point>/``.
* ``torque_lle`` -- the LLE with and without quantum torque on the fig3 cloud; ``torque_compare`` the
  Fig. 2a-d and Extended Data Fig. 1 products (LLE vs GPE).
* ``torque_tables`` -- ``tables.zarr``: one row per sweep point (v/c_s, L1, L2, x_c, breaking time).
* ``torque_figures`` -- :func:`spinsweep.analysis.torque.make_figures`.
* optional (``torque.mpi_runs``, empty by default; ``config/studies/torque-3d.yaml``): ``torque_gpe_mpi_config``
  renders an entry's gpe configuration, ``torque_gpe_mpi`` runs it as a 2D/3D MPI job
  (``{resources.mpi} -n {resources.tasks} python -m spinsweep.workflow.gpe_cli run``) into ``mpi/<name>.zarr``,
  ``torque_mpi_check`` reads it (:func:`mpi_check`, ``mpi/checks/<name>.zarr``): x_c of the radially integrated
  Z(x, t) of a ``quench`` entry, omega_p of the central slice of a ``plasma`` entry.  A quench entry naming a
  ``plasma`` partner gets the 3D-vs-1D comparison: ``torque_reduction_1d`` runs the 1D GPE with each kappa
  reduction (the 3D cloud's axial profile, and the 118 Hz set for v/c_s), ``torque_reduction`` writes
  ``mpi/reduction/<name>.zarr`` and ``figures/reduction-<name>.png`` (:func:`reduction_compare`).

Noisy shots (``torque.noise.kind: wigner``).  Every GPE run (point, shot) starts from its own truncated-Wigner
vacuum realisation, ``SeedSequence(noise.seed, spawn_key=(r, ...))`` with ``r`` the run's index in the plan
(:func:`realisations`: panels first, then the sweep's runs cloud by cloud; a batch's member b draws r0 + b).  The
index does not depend on ``sweep.batch_size``, on threads or on how many jobs run at once, so a shot is the same
field whatever the scheduling.  Shots fan out as *Snakemake batches*, not dask: the shots of one cloud differ only
in their noise, so the batched 1D solver advances them together in one threaded job (one FFT plan, one store,
the shot error computed from one place), and Snakemake already spreads batches over cores or Slurm jobs; a dask
cluster inside a job would add a second scheduler for work that is one array operation.  The panels take
``shots`` runs (``torque.panels.<name>.shots``), the sweep its ``shot`` axis; ``torque_analysis`` reads all shots
of a point lazily and reports the shot spread next to the statistical and systematic errors.

Everything here moves stores in and out and translates config entries to parameters; the physics lives in
``spinsweep.solvers`` (GPE, LLE, RabiParams) and ``spinsweep.analysis.torque``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinsweep.analysis.torque.figures import FIGURES
from spinsweep.workflow.study import Study

log = logging.getLogger("spinsweep")


def _extra_targets(config: Mapping[str, Any]) -> list[str]:
    root = f"{str(config['results']).rstrip('/')}/torque"
    return ([f"{root}/tables.zarr"] + [f"{root}/mpi/checks/{name}.zarr" for name in mpi_runs(config)]
            + [f"{root}/mpi/reduction/{name}.zarr" for name in reduction_runs(config)])


STUDY = Study(
    name="torque",
    title="Quantum-torque-induced breaking of magnetic interfaces in ultracold gases",
    seed_paper="farolfi2023-quantum-torque.md",
    figures=FIGURES,
    point=None,
    engine="threads",
    physics=("fixed", "sweep", "panels", "noise", "analysis", "lle"),
    paper_configs=("torque.yaml",),
    extra_targets=_extra_targets,
)

PANELS = {"fig3": "run118", "fig4b": "run62"}  # panel -> the make_figures input it feeds
_BATCH_KEYS = ("omega_R_over_kappa_n0", "shot")  # what may differ inside one batch


#: the keys of the torque section each rule's outputs depend on (its ``params``): changing the analysis
#: settings must not rerun the GPE
RULE_PHYSICS = {"gpe": ("fixed", "sweep", "panels", "noise"),
                "analysis": ("fixed", "sweep", "panels", "noise", "analysis"),
                "lle": ("panels", "lle"), "compare": ("panels", "noise", "lle"), "tables": STUDY.physics}


def physics_for(config: Mapping[str, Any], rule: str) -> dict[str, Any]:
    """The part of ``config['torque']`` that defines the outputs of ``rule`` (:data:`RULE_PHYSICS`)."""
    section = config["torque"]
    return {k: section[k] for k in RULE_PHYSICS[rule] if k in section}


def gpe_threads(config: Mapping[str, Any]) -> int:
    """Threads of one batched GPE job (engine setting ``torque.threads``; null: 2)."""
    return int(config["torque"].get("threads") or 2)


# ---------------------------------------------------------------- MPI runs (torque.mpi_runs)
def mpi_runs(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The optional ``torque.mpi_runs`` entries (name -> {ranks, gpe, window_rabi}); {} when absent."""
    return dict((config.get("torque") or {}).get("mpi_runs") or {})


def mpi_ranks(config: Mapping[str, Any], name: str) -> int:
    """MPI ranks of the run ``name`` (the rule's ``tasks`` resource and, for local scheduling, its threads)."""
    return int(mpi_runs(config)[name]["ranks"])


def mpi_run_config(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The gpe run configuration of ``torque.mpi_runs.<name>``: a 2D/3D model run validated against the gpe
    schema (errors name the torque key), with ``threads: 1`` (one thread per rank)."""
    from spinsweep.workflow.config import ConfigError, validate_with

    entry = mpi_runs(config)[name]
    cfg = {**entry["gpe"], "threads": 1}
    validate_with(cfg, "gpe", prefix=("torque", "mpi_runs", name, "gpe"))
    shape = cfg["model"]["shape"]
    if len(shape) not in (2, 3):
        raise ConfigError(f"config key 'torque.mpi_runs.{name}.gpe.model.shape': {shape} is not 2D or 3D "
                          "(1D runs are not domain-decomposed: use the batched torque_gpe rule)")
    P = int(entry["ranks"])
    if shape[0] % P or shape[1] % P:
        raise ConfigError(f"config key 'torque.mpi_runs.{name}.ranks': {P} ranks must divide nx = {shape[0]} "
                          f"and ny = {shape[1]} (slab decomposition)")
    return cfg


def write_mpi_config(config: Mapping[str, Any], name: str, out: str | Path) -> Path:
    """Rule torque_gpe_mpi_config: the rendered YAML that ``gpe_cli run --config`` reads."""
    import yaml

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# torque.mpi_runs.{name} rendered for spinsweep gpe run (do not edit: regenerated)\n"
                   + yaml.safe_dump(mpi_run_config(config, name), sort_keys=False))
    return out


def mpi_kind(entry: Mapping[str, Any]) -> str:
    """``quench`` (the experiment's |1,-1> start: x_c check) or ``plasma`` (small oscillation around the dressed
    ground state: omega_p check) of a torque.mpi_runs entry."""
    return str(entry.get("kind", "quench"))


def reduction_runs(config: Mapping[str, Any]) -> dict[str, str]:
    """Quench entries that name a ``plasma`` partner (quench name -> plasma name): the 3D-vs-1D comparisons of
    rule torque_reduction (checked: the partner exists and is a plasma run)."""
    from spinsweep.workflow.config import ConfigError

    runs = mpi_runs(config)
    out = {}
    for name, entry in runs.items():
        partner = entry.get("plasma")
        if partner is None:
            continue
        if mpi_kind(entry) != "quench" or partner not in runs or mpi_kind(runs[partner]) != "plasma":
            raise ConfigError(f"config key 'torque.mpi_runs.{name}.plasma': {partner!r} must name a torque.mpi_runs "
                              f"entry of kind 'plasma' (entries: {sorted(runs)}), and {name!r} must be of kind 'quench'")
        out[name] = partner
    return out


def mpi_check(config: Mapping[str, Any], name: str, store_path: str | Path, out: str | Path) -> Path:
    """Rule torque_mpi_check: the one-row table of a 2D/3D run, solver units (lengths in xi_R).

    * kind ``quench``: x_c of the radially integrated Z(x, t) against every 1D reduction's TF x_c
      (:func:`spinsweep.analysis.torque.reduction.quench_check`);
    * kind ``plasma``: omega_p of the central slice and the effective kappa n0
      (:func:`spinsweep.analysis.torque.reduction.plasma_check`)."""
    import xarray as xr

    from spinsweep.analysis.torque import reduction
    from spinsweep.solvers import store

    watch = store.Stopwatch()
    entry = mpi_runs(config)[name]
    ds = store.open_dataset(store_path)
    if mpi_kind(entry) == "plasma":
        row, meta = reduction.plasma_check(ds, float(entry.get("slice_half_width", 0.5)))
    else:
        row, meta = reduction.quench_check(ds, float(entry.get("window_rabi", 0.8)))
    row["ranks"], meta["ranks"] = float(ds.attrs["params"]["ranks"]), ("1", "MPI ranks of the run (store attrs)")
    row["wall_time_s"] = float(ds.attrs.get("wall_time_s", float("nan")))
    meta["wall_time_s"] = ("s", "wall time of the MPI run (store attrs; ground state included)")
    table = xr.Dataset({k: ("run", [v], {"units": meta[k][0], "long_name": meta[k][1]}) for k, v in row.items()},
                       coords={"run": ("run", [name], {"units": "1", "long_name": "torque.mpi_runs entry"})})
    table.attrs["description"] = f"torque.mpi_runs.{name} ({mpi_kind(entry)} check), lengths in xi_R, times 1/Omega_R"
    log.info("torque mpi %s (%s): %s", name, mpi_kind(entry),
             ", ".join(f"{k} = {v:.4g}" for k, v in row.items()))
    return store.write_dataset(table, out, params={"study": "torque", "mpi_run": name, "entry": dict(entry)},
                               wall_time_s=watch.elapsed)


#: the 1D 118 Hz set (fig3 cloud, R_x = 210 um) rerun with each reduction's kappa n0 (rule torque_reduction_1d)
PAPER_1D = {"preset": "paper118", "periods": 7.0, "output_rabi": 0.02}


#: the names of spinsweep.solvers.rabi.KAPPA_REDUCTIONS (a test checks), here so that the rule file need not import
#: the solver module (scipy.constants: 0.3 s of every Snakemake start)
PAPER_REDUCTIONS = ("axis", "projected", "eq9")
#: the 1D runs of a 3D cloud: every reduction of :data:`PAPER_REDUCTIONS`, and "omega_p": kappa n0 calibrated on
#: the 3D plasma frequency of the partner run, as the paper calibrates it (Methods)
CLOUD_REDUCTIONS = (*PAPER_REDUCTIONS, "omega_p")


def reduction_1d_config(config: Mapping[str, Any], name: str, red: str, quench_store: str | Path | None,
                        plasma_check: str | Path | None = None) -> dict:
    """The gpe configuration of a 1D run with the ``red`` reduction (:data:`spinsweep.solvers.rabi.KAPPA_REDUCTIONS`;
    for a 3D cloud also ``omega_p``: the weight w_measured of the ``plasma_check`` table).

    ``name`` = ``paper118``: the fig3 data set (Omega_R = 2pi x 118 Hz, R_x = 210 um) with kappa n0 = w x 2pi x
    357.6 Hz, paper route, lab units, 7 Rabi periods sampled every 0.02 (for the front speed).
    Otherwise the quench entry ``name``: the 3D cloud's axial profile, kappa n(x) = w Lambda0_axis (1 - x^2/R_x^2)
    with Lambda0_axis and R_x measured on the axis density of ``quench_store``
    (:func:`spinsweep.analysis.torque.reduction.axis_reduction`), delta_g/g of the 3D run (so mu_1d = w Lambda0 Omega_R/
    (delta_g/g) and omega_x = sqrt(2 mu_1d)/R_x, as in spinsweep.solvers.rabi), the 3D axial box at twice
    its resolution, and the 3D run's dt and output times."""
    from spinsweep.analysis.torque.reduction import axis_reduction
    from spinsweep.solvers import store
    from spinsweep.solvers.gpe.params import GPEParams
    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.solvers.gpe.simulation import time_grid
    from spinsweep.solvers.rabi import KAPPA_REDUCTIONS, PRESETS

    if red == "omega_p":
        w = float(store.open_dataset(plasma_check)["w_measured"].values[0])
    else:
        w = KAPPA_REDUCTIONS[red]
    if name == "paper118":
        ratio = 1.0 / (w * PRESETS["fig3_118Hz"].Lambda0)
        cfg = {"preset": PAPER_1D["preset"], "physical": {"omega_R_over_kappa_n0": ratio},
               "time": {"t_final": PAPER_1D["periods"] * 2 * math.pi}, "threads": 1}
        dt = time_grid(RunSettings.from_mapping(cfg), _preset_params(cfg))[0]
        cfg["time"]["output_every"] = max(1, int(math.floor(PAPER_1D["output_rabi"] * 2 * math.pi / dt)))
        return cfg
    entry = mpi_runs(config)[name]
    ds = store.open_dataset(quench_store)
    ax = axis_reduction(ds)
    m3 = entry["gpe"]["model"]
    g, g12 = float(m3["g11"]), float(m3["g12"])
    dg_over_g = (g - g12) / g
    mu = w * ax["Lambda0"] * ax["omega_R"] / dg_over_g  # kappa n0 = w Lambda0 Omega_R = (delta_g/g) mu
    N = float(m3["atom_number"])
    n0 = 0.75 * N / ax["R_x"]
    g1 = mu / n0
    # 1D is cheap: twice the 3D axial resolution (the dressed cloud's xi_s is below 2 x the 3D dx)
    model = {"shape": [2 * int(m3["shape"][0])], "box": [float(m3["box"][0])], "g11": g1, "g22": g1,
             "g12": g1 * (1 - dg_over_g), "omega_R": ax["omega_R"], "atom_number": N,
             "trap": [math.sqrt(2 * mu) / ax["R_x"]]}
    t3 = ds.t.values
    cfg = {"model": model, "time": {"t_final": float(t3[-1]), "dt": float(ds.attrs["params"]["dt"])},
           "initial": {"ground_tol": 1e-6}, "threads": 1}
    dt = time_grid(RunSettings.from_mapping(cfg), GPEParams(**model))[0]
    cfg["time"]["output_every"] = max(1, int(round(float(t3[1] - t3[0]) / dt)))
    return cfg


def _preset_params(cfg):
    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.solvers.gpe.simulation import build_params

    return build_params(RunSettings.from_mapping(cfg))[0]


def reduction_1d(config: Mapping[str, Any], name: str, red: str, quench_store: str | Path | None,
                 out: str | Path, plasma_check: str | Path | None = None) -> Path:
    """Rule torque_reduction_1d: the 1D GPE run of :func:`reduction_1d_config` into ``out``."""
    from spinsweep.solvers.gpe.run import RunSettings, run
    from spinsweep.workflow.config import validate_with

    cfg = reduction_1d_config(config, name, red, quench_store, plasma_check)
    validate_with(cfg, "gpe", prefix=("gpe",))
    log.info("torque 1D reduction %s of %s: %s", red, name, cfg.get("model") or cfg.get("physical"))
    return run(RunSettings.from_mapping(cfg), out, log=log.info)


def reduction_compare(config: Mapping[str, Any], name: str, inputs: Mapping[str, Any], out: str | Path,
                      figure: str | Path) -> Path:
    """Rule torque_reduction: the 3D-vs-1D table (:func:`spinsweep.analysis.torque.reduction.compare_reductions`)
    of the quench entry ``name`` and its plasma partner, and the figure
    (:func:`spinsweep.analysis.torque.reduction.reduction_figure`).  ``inputs``: quench, plasma (3D stores),
    quench_check, plasma_check, and for each reduction r ``cloud_<r>`` (1D run of the 3D cloud) and ``paper_<r>``
    (the 118 Hz set)."""
    from spinsweep.analysis.torque import reduction
    from spinsweep.solvers import store
    from spinsweep.solvers.rabi import HBAR, KAPPA_REDUCTIONS, M_NA23

    watch = store.Stopwatch()
    runs = mpi_runs(config)
    entry = runs[name]
    q3, p3 = store.open_dataset(inputs["quench"]), store.open_dataset(inputs["plasma"])
    qc = store.open_dataset(inputs["quench_check"]).load()
    pc = store.open_dataset(inputs["plasma_check"]).load()
    cloud = {r: store.open_dataset(inputs[f"cloud_{r}"]) for r in CLOUD_REDUCTIONS}
    paper = {r: store.open_dataset(inputs[f"paper_{r}"]) for r in KAPPA_REDUCTIONS}
    table = reduction.compare_reductions(q3, qc, pc, cloud, paper, window_rabi=float(entry.get("window_rabi", 0.8)))
    for k, v in table.data_vars.items():
        log.info("torque reduction %s: %s = %s (%s)", name, k, v.values.tolist(), v.attrs.get("long_name", ""))
    log.info("torque reduction %s: closest by omega_p: %s; by x_c: agreeing %s, closest first %s", name,
             table.attrs["supported_by_plasma"], table.attrs["x_c_agreeing"], table.attrs["x_c_closest_first"])
    hz = entry.get("omega_R_hz")
    xi_um = math.sqrt(HBAR / (M_NA23 * 2 * math.pi * float(hz))) * 1e6 if hz else None
    Path(figure).parent.mkdir(parents=True, exist_ok=True)
    reduction.reduction_figure(q3, cloud, p3, table, figure, xi_R_um=xi_um,
                               half_width=float(runs[entry["plasma"]].get("slice_half_width", 0.5)))
    return store.write_dataset(table, out, params={"study": "torque", "mpi_run": name, "entry": dict(entry)},
                               wall_time_s=watch.elapsed)


# ---------------------------------------------------------------- config -> parameters
def rabi_params(point: Mapping[str, Any]):
    """:class:`spinsweep.solvers.rabi.RabiParams` of one point: the preset's cloud (kappa n0 and the centre
    density n0; ``kappa_n0_hz``, when given, another centre density of the same gas: n0 scaled, kappa kept), the
    point's Omega_R/(kappa n0), and R_x either as given (``R_x_um``) or from the trap (``trap_hz``: R_x =
    sqrt(2 mu/m)/omega_x, mu = hbar kappa n0/(delta_g/g), the 1D Thomas-Fermi radius of
    :attr:`RabiParams.omega_x`).  The seed quotes both 210 um and a 10 Hz trap: they agree for the 118 Hz data
    set (10.1 Hz) but the 62 Hz one (kappa n0 = 2pi x 221 Hz) with R_x = 210 um implies 7.9 Hz."""
    from spinsweep.analysis.torque.data import GPE_PRESETS
    from spinsweep.solvers.rabi import HBAR, M_NA23, PRESETS, RabiParams

    base = PRESETS[GPE_PRESETS[point["preset"]]]
    kappa_n0 = base.kappa_n0
    scale = 1.0  # kappa_n0_hz: another centre density n0 of the same gas (kappa kept): N and n0 scale with it
    if point.get("kappa_n0_hz") is not None:
        scale = 2 * math.pi * float(point["kappa_n0_hz"]) / kappa_n0
        kappa_n0 *= scale
    ratio = float(point["omega_R_over_kappa_n0"])
    dg = float(point["dg_over_g"])
    if point.get("trap_hz") is not None:
        mu = HBAR * kappa_n0 / dg
        R_x_um = math.sqrt(2 * mu / M_NA23) / (2 * math.pi * float(point["trap_hz"])) * 1e6
    else:
        R_x_um = float(point["R_x_um"])
    N = 4.0 / 3.0 * base.n0 * base.R_x * scale  # the preset's atom number (5e5; n0 = 3N/(4 R_x) in from_paper)
    return RabiParams.from_paper(omega_R_hz=ratio * kappa_n0 / (2 * math.pi), omega_R_over_kappa_n0=ratio,
                                 R_x_um=R_x_um, dg_over_g=dg, N=N,
                                 label=f"torque study: {point['preset']} cloud, Omega_R = {ratio:g} kappa n0, "
                                       f"R_x = {R_x_um:.1f} um")


def _shots_axis(section: Mapping[str, Any]) -> bool:
    return "shot" in section["sweep"]["axes"]


def sweep_points(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sweep's points with the shots folded: [{"params": point without shot, "shots": [...]}, ...]."""
    from spinsweep.workflow.sweep import Sweep

    sweep = Sweep.from_section(section)
    if "shots" in section.get("fixed", {}) or "shots" in section["sweep"]["axes"]:
        raise ValueError("config key 'torque.fixed.shots': shots of sweep points come from the sweep axis 'shot' "
                         "(values: [0, 1, ...]); 'shots' is allowed in torque.panels only")
    out: list[dict[str, Any]] = []
    index: dict[tuple, int] = {}
    for p in sweep.points():
        key = tuple(sorted((k, v) for k, v in p.items() if k != "shot"))
        if key not in index:
            index[key] = len(out)
            out.append({"params": {k: v for k, v in p.items() if k != "shot"}, "shots": []})
        out[index[key]]["shots"].append(int(p["shot"]))
    return out


def sweep_coords(section: Mapping[str, Any]) -> dict[str, list]:
    """Values of the swept parameters (shot excluded) per folded sweep point: the table's coordinates."""
    pts = sweep_points(section)
    axes = [a for a in section["sweep"]["axes"] if a != "shot"]
    return {a: [p["params"][a] for p in pts] for a in axes}


def plan(section: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Batches by name: ``panel-<name>`` (the panel's ``shots`` runs: shot, shot + 1, ...) and ``sweep-<k>`` (up
    to ``sweep.batch_size`` runs of one cloud).  Each entry: {"point": "fig3" | "sweep-<i>", "shot": s,
    "params": full point}."""
    batches: dict[str, list[dict[str, Any]]] = {}
    for name, params in section["panels"].items():
        s0, n = int(params["shot"]), int(params.get("shots", 1))
        batches[f"panel-{name}"] = [{"point": name, "shot": s0 + j, "params": {**params, "shot": s0 + j}}
                                    for j in range(n)]
    if "sweep" not in section:  # rules that only need the panels get only them (RULE_PHYSICS)
        return batches
    size = int(section["sweep"].get("batch_size", 1))
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for i, p in enumerate(sweep_points(section)):
        key = tuple(sorted((k, v) for k, v in p["params"].items() if k not in _BATCH_KEYS))
        for s in p["shots"]:
            groups.setdefault(key, []).append({"point": f"sweep-{i}", "shot": s,
                                               "params": {**p["params"], "shot": s}})
    k = 0
    for entries in groups.values():
        for start in range(0, len(entries), size):
            batches[f"sweep-{k}"] = entries[start:start + size]
            k += 1
    return batches


def analysis_points(section: Mapping[str, Any]) -> list[str]:
    """Names of the analysed points: the panels and sweep-<i> for every folded sweep point."""
    return list(section["panels"]) + [f"sweep-{i}" for i in range(len(sweep_points(section)))]


def batches_of(section: Mapping[str, Any], point: str) -> list[str]:
    """The batches holding the shots of ``point``."""
    return [b for b, entries in plan(section).items() if any(e["point"] == point for e in entries)]


def _reference(entries):
    rps = [rabi_params(e["params"]) for e in entries]
    ref = max(range(len(rps)), key=lambda i: rps[i].omega_R)
    return rps, rps[ref]


def atoms_per_unit(ref) -> float:
    """Real atoms per solver number unit of a batch: n0 xi_R of its reference point.  The batch's model is
    rescaled by it (atom_number x a, couplings / a) so that psi counts real atoms, which is what the GPE's
    truncated-Wigner noise assumes for a model run (half a real atom per mode)."""
    return float(ref.n0 * ref.xi_R)


def realisations(section: Mapping[str, Any]) -> dict[str, int]:
    """Noise realisation index of the first member of every batch: all runs of the plan numbered in plan
    order, so that a batch's member b draws realisation r0 + b (the GPE's convention) and every run has its
    own, independent of worker count and scheduling."""
    out, r = {}, 0
    for name, entries in plan(section).items():
        out[name] = r
        r += len(entries)
    return out


def noise_of(section: Mapping[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The noise settings of a batch: ``torque.noise`` with its kind replaced by the batch's own ``noise`` (a
    panel may set ``noise: none`` or ``wigner``; sweep batches follow the section)."""
    noise = dict(section.get("noise") or {"kind": "none", "seed": 0})
    own = entries[0]["params"].get("noise")
    if own is not None:
        noise["kind"] = own
    return noise


def gpe_config(entries: list[dict[str, Any]], threads: int | None = None, noise: Mapping[str, Any] | None = None,
               realisation: int = 0) -> dict[str, Any]:
    """The GPE run configuration (``gpe`` schema) of one batch: model route in the solver units of the member
    with the largest Omega_R, psi counting real atoms (:func:`atoms_per_unit`); same cloud, Omega_R per
    member; long enough for every member's ``periods`` and sampled at least as finely as every member's
    ``output_rabi`` asks (in its own periods); ``noise`` (kind, seed) with shot = ``realisation``."""
    from spinsweep.analysis.torque import required_output_interval
    from spinsweep.solvers.gpe.params import GPEParams
    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.solvers.gpe.simulation import time_grid
    from spinsweep.solvers.gpe.units import from_rabi

    rps, ref = _reference(entries)
    p0 = entries[0]["params"]
    params, _ = from_rabi(ref, box_factor=float(p0["box_factor"]), points_per_xi_s=float(p0["points_per_xi_s"]))
    for rp, e in zip(rps, entries):
        if abs(rp.kappa_n0 - ref.kappa_n0) > 1e-9 * ref.kappa_n0 or rp.R_x != ref.R_x:
            raise ValueError(f"batch member {e['point']}: a batch must share one cloud (kappa n0, R_x)")
    a = atoms_per_unit(ref)
    omega = [rp.omega_R / ref.omega_R for rp in rps]
    g = {k: float(params.batch_array(k)[0]) / a for k in ("g11", "g22", "g12")}
    model = {"shape": list(params.shape), "box": list(params.box), **g,
             "omega_R": omega if len(omega) > 1 else omega[0],
             "atom_number": float(params.batch_array("atom_number")[0]) * a, "trap": list(params.trap)}
    t_final = max(float(e["params"]["periods"]) * 2 * math.pi / w for e, w in zip(entries, omega))
    cadence = min((e["params"]["output_rabi"] or required_output_interval(rp)) * 2 * math.pi / w
                  for e, rp, w in zip(entries, rps, omega))
    cfg: dict[str, Any] = {"model": model, "time": {"t_final": t_final}, "threads": threads}
    if noise and noise.get("kind", "none") != "none":
        cfg["noise"] = {"kind": noise["kind"], "seed": int(noise.get("seed", 0)), "shot": int(realisation)}
    dt = time_grid(RunSettings.from_mapping(cfg), GPEParams(**model))[0]
    cfg["time"]["output_every"] = max(1, int(math.floor(cadence / dt + 1e-9)))
    return cfg


def output_units(ref):
    """Stored solver units of a batch -> lab units (:class:`spinsweep.solvers.gpe.units.OutputUnits`): length
    xi_R, time 1/Omega_R of the reference, density real atoms per xi_R (psi counts real atoms)."""
    from spinsweep.solvers.gpe.units import OutputUnits

    return OutputUnits(length_m=ref.xi_R, time_s=1 / ref.omega_R, density_per_m=1 / ref.xi_R)


# ---------------------------------------------------------------- stages
def run_gpe(section: Mapping[str, Any], batch: str, out: str | Path, threads: int | None = None) -> Path:
    """Rule torque_gpe: the batched GPE run of ``batch`` into the store ``out`` (resumable, see gpe.run)."""
    from spinsweep.solvers.gpe.run import RunSettings, run
    from spinsweep.workflow.config import validate_with

    entries = plan(section)[batch]
    cfg = gpe_config(entries, threads, noise_of(section, entries), realisations(section)[batch])
    validate_with(cfg, "gpe", prefix=("gpe",))
    log.info("torque %s: %d runs (%s), t_final = %.3g, output every %d steps", batch, len(entries),
             ", ".join(f"{e['point']}/shot {e['shot']}" for e in entries), cfg["time"]["t_final"],
             cfg["time"]["output_every"])
    return run(RunSettings.from_mapping(cfg), out, log=log.info)


def lab_dataset(section: Mapping[str, Any], point: str, stores: Mapping[str, str | Path]):
    """All shots of ``point`` in lab units (x um, t ms, densities 1/um, currents 1/ms; dim ``shot``), lazy.

    ``stores``: batch name -> GPE store.  Each batch's solver units are converted with the GPE's own table
    (:class:`spinsweep.solvers.gpe.units.OutputUnits`, :data:`spinsweep.solvers.gpe.output.PROFILE_VARS`)."""
    import numpy as np
    import xarray as xr

    from spinsweep.analysis.torque import lab
    from spinsweep.solvers import store
    from spinsweep.solvers.gpe.output import PROFILE_VARS, SCALAR_VARS
    batches = plan(section)
    parts, shots, rp_point = [], [], None
    for name, path in stores.items():
        entries = batches[name]
        idx = [i for i, e in enumerate(entries) if e["point"] == point]
        if not idx:
            continue
        rps, ref = _reference(entries)
        rp_point = rps[idx[0]]
        units = output_units(ref)
        ds = store.open_dataset(path)
        ds = ds.isel(point=idx) if "point" in ds.dims else ds.expand_dims(point=[0])
        keep = [v for v in list(PROFILE_VARS) + list(SCALAR_VARS) if v in ds]
        ds = ds[keep].drop_vars([c for c in ds.coords if str(c).startswith("param_") or c == "point"])
        ds = ds.rename(point="shot")
        for name_v, (kind, long_name, _) in {**PROFILE_VARS, **{k: (u, l, False) for k, (u, l) in SCALAR_VARS.items()}}.items():
            if name_v in ds:
                fac, unit = units.factor(kind)
                ds[name_v] = (ds[name_v] * fac).assign_attrs(units=unit, long_name=long_name)
        fx, _ = units.factor("length")
        ft, _ = units.factor("time")
        ds = ds.assign_coords(x=("x", ds.x.values * fx, {"units": "um"}), t=("t", ds.t.values * ft, {"units": "ms"}))
        parts.append(ds)
        shots += [entries[i]["shot"] for i in idx]
    if not parts:
        raise ValueError(f"point {point}: in none of the batches {sorted(stores)}")
    ds = xr.concat(parts, dim="shot") if len(parts) > 1 else parts[0]
    ds = ds.assign_coords(shot=("shot", np.asarray(shots), {"units": "1", "long_name": "shot"}))
    return lab(ds, rp_point), rp_point


def _write_products(products: Mapping[str, Any], outdir: str | Path, params: Mapping[str, Any],
                    wall: float) -> Path:
    from spinsweep.solvers import store

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, ds in products.items():
        ds = ds.load().copy()  # products are small; loaded, they are written in whole chunks
        ds.attrs = store.to_jsonable(ds.attrs)
        store.write_dataset(ds, outdir / f"{name}.zarr", params=dict(params), wall_time_s=wall)
    return outdir


def analyse(section: Mapping[str, Any], point: str, stores: Mapping[str, str | Path], outdir: str | Path) -> Path:
    """Rule torque_analysis: :func:`spinsweep.analysis.torque.run_products` of one point (all shots)."""
    from spinsweep.analysis.torque import run_products
    from spinsweep.solvers import store

    watch = store.Stopwatch()
    ds, rp = lab_dataset(section, point, stores)
    a = section["analysis"]
    entries = [e for b in stores for e in plan(section)[b] if e["point"] == point]
    wigner = noise_of(section, entries)["kind"] != "none"
    products = run_products(ds, rp, sigma_um=float(a["sigma_um"]),
                            frequency_window_rabi=float(a["frequency_window_rabi"]), wigner=wigner)
    s = products["summary"]
    log.info("torque %s: %d shots, v/c_s = %.3g +- %.2g (stat) +- %.2g (syst) +- %.2g (shots), x_c = %.1f um "
             "(predicted %.1f), L1 = %.3g +- %.2g +- %.2g (shots) um, L2 = %.3g um, C_ZZ min at %.3g um; bare field: "
             "L1 = %.3g, L2 = %.3g, min at %.3g um; noise floor %.3g, centre breaks at %.2f Rabi periods (Floquet "
             "rate %.3f Omega_R, wavelength %.2f um)",
             point, ds.sizes["shot"], float(s.v_over_c_s), float(s.v_over_c_s_stat), float(s.v_over_c_s_syst),
             float(s.v_over_c_s_shot), float(s.x_c_meas_um), float(s.x_c_pred_um), float(s.L1_um),
             float(s.L1_err_um), float(s.L1_shot_err_um), float(s.L2_um), float(s.C_min_dx_um), float(s.L1_raw_um),
             float(s.L2_raw_um), float(s.C_min_dx_raw_um), float(s.noise_floor), float(s.t_bulk_rabi),
             float(s.floquet_rate_omega_R), float(s.floquet_wavelength_um))
    return _write_products(products, outdir, {"study": "torque", "point": point, "analysis": dict(a),
                                              "rabi_params": rp.to_dict()}, watch.elapsed)


def lle_runs(section: Mapping[str, Any], out_free: str | Path, out_torque: str | Path) -> None:
    """Rule torque_lle: the LLE without and with quantum torque on the fig3 panel's cloud and grid, output
    every 0.005 Rabi periods for ``lle.periods`` periods (Fig. 2a insets, 2c,d; Extended Data Fig. 1)."""
    import numpy as np

    from spinsweep.solvers import lle, store
    from spinsweep.solvers.gpe.units import from_rabi

    point = section["panels"]["fig3"]
    rp = rabi_params(point)
    params, _ = from_rabi(rp, box_factor=float(point["box_factor"]), points_per_xi_s=float(point["points_per_xi_s"]))
    u = rp.units()
    n, box = params.shape[0], params.box[0]
    x = (np.arange(n) * box / n - box / 2) * u.length
    t = np.arange(0.0, float(section["lle"]["periods"]) + 1e-9, 0.005) * 2 * math.pi / rp.omega_R
    for qt, out in ((False, out_free), (True, out_torque)):
        watch = store.Stopwatch()
        ds = lle.evolve(rp, x, t, quantum_torque=qt, method="RK4")
        ds = ds.drop_vars("s")  # Z and n suffice downstream; s triples the store
        log.info("torque LLE (quantum torque %s): %d points x %d times, %.1f s", qt, n, t.size, watch.elapsed)
        store.write_dataset(ds, out, params={"study": "torque", "lle": dict(section["lle"]), "quantum_torque": qt,
                                             "rabi_params": rp.to_dict()}, wall_time_s=watch.elapsed)


def compare(section: Mapping[str, Any], gpe_store: str | Path, lle_free: str | Path, lle_torque: str | Path,
            outdir: str | Path) -> Path:
    """Rule torque_compare: the LLE-with/without-torque product (Fig. 2a insets, 2c,d) and the GPE-vs-LLE
    maps (Extended Data Fig. 1) of the fig3 panel."""
    from spinsweep.analysis.torque import gpe_vs_lle, lle_comparison
    from spinsweep.solvers import store

    watch = store.Stopwatch()
    ds, rp = lab_dataset(section, "fig3", {"panel-fig3": gpe_store})
    free, torque = store.open_dataset(lle_free), store.open_dataset(lle_torque)
    products = {"lle": lle_comparison(free, torque, rp),
                "extdata1": gpe_vs_lle(ds.isel(shot=0), torque, rp,
                                       t_max_rabi=min(3.0, float(section["lle"]["periods"])))}
    return _write_products(products, outdir, {"study": "torque", "lle": dict(section["lle"])}, watch.elapsed)


def tables(section: Mapping[str, Any], analysis_dirs: list[str | Path], out: str | Path) -> Path:
    """Rule torque_tables: the sweep table (one row per folded sweep point, swept values as coordinates)."""
    from spinsweep.analysis.torque import sweep_table
    from spinsweep.solvers import store

    watch = store.Stopwatch()
    rows = []
    for d in analysis_dirs:
        s = store.open_dataset(Path(d) / "summary.zarr").load()
        rows.append({k: float(v) for k, v in s.data_vars.items()})
    table = sweep_table(rows, sweep_coords(section))
    return store.write_dataset(table, out, params={"study": "torque", "sweep": dict(section["sweep"]),
                                                   "fixed": dict(section["fixed"]),
                                                   "analysis": dict(section["analysis"])},
                               wall_time_s=watch.elapsed)


def _open_products(d: str | Path) -> dict:
    from spinsweep.solvers import store

    return {p.name[:-5]: store.open_dataset(p).load() for p in sorted(Path(d).glob("*.zarr"))}


def figures(panel_dirs: Mapping[str, str | Path], compare_dir: str | Path, table: str | Path,
            outputs: Mapping[str, str | Path]) -> None:
    """Rule torque_figures: draw from the stored products (no fitting here)."""
    from spinsweep.analysis.torque import make_figures
    from spinsweep.solvers import store
    from spinsweep.workflow.stages import place_figures

    inputs: dict[str, Any] = {PANELS[name]: _open_products(d) for name, d in panel_dirs.items()}
    inputs.update(_open_products(compare_dir))
    inputs["table"] = store.open_dataset(table).load()
    place_figures(lambda outdir: make_figures(inputs, outdir, names=list(outputs)), outputs, "torque")
