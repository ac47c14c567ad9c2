# noble study: stochastic spin-exchange collision ensembles between alkali and noble-gas spins
# (seed: katz2022-noble-gas-interface.txt, Fig. 3).  Sweep points come from the generic sweep rules.
# Part 2: alkali / noble-gas mixture modes (Figs. 2 and 4, sweep maps over (p_a, p_b) and (B, n_a)).
from spinsweep.workflow.engines import n_workers
from spinsweep.workflow.studies.noble import MODES_PARTS as NOBLE_MODES_PARTS
from spinsweep.workflow.studies.noble import modes_settings as noble_modes_settings
from spinsweep.workflow.studies.noble import panels as noble_panels
from spinsweep.analysis.noble import COLLISION_FIGURES as NOBLE_COLLISION_FIGURES
from spinsweep.analysis.noble import MODES_FIGURES as NOBLE_MODES_FIGURES
from spinsweep.analysis.noble.needs import MODES_PART as NOBLE_MODES_PART
from spinsweep.workflow.study import get as get_study

NOBLE = get_study("noble")
# outputs only for the requested figures (config noble.figures, default all; checked by validation)
NOBLE_WANTED = NOBLE.requested_figures(config["noble"])
NOBLE_COLLISION_WANTED = [name for name in NOBLE_COLLISION_FIGURES if name in NOBLE_WANTED]
NOBLE_MODES_WANTED = [name for name in NOBLE_MODES_FIGURES if name in NOBLE_WANTED]


rule noble_panel:
    # one Fig. 3 panel: a preset ensemble whose trajectories run as dask tasks
    output:
        directory(f"{RESULTS}/noble/panels/{{panel}}.zarr"),
    params:
        physics=lambda wc: {k: config["noble"][k] for k in ("panels", "seed") if k in config["noble"]},
    wildcard_constraints:
        panel=r"fig3[a-z]",
    threads: lambda wc: n_workers(config)
    log:
        f"{RESULTS}/logs/noble/{{panel}}.log",
    conda:
        ENV
    script:
        "../scripts/noble_panel.py"


rule noble_fits:
    # J, gamma (+ standard errors) of every panel and sweep point, next to the two-mode model's values
    input:
        panels=lambda wc: [f"{RESULTS}/noble/panels/{p}.zarr" for p in noble_panels()],
        sweep=f"{RESULTS}/noble/sweep.zarr",
    output:
        directory(f"{RESULTS}/noble/fits.zarr"),
    params:
        physics=lambda wc: NOBLE.physics_of(config["noble"]),
    log:
        f"{RESULTS}/logs/noble/fits.log",
    conda:
        ENV
    script:
        "../scripts/noble_fits.py"


if NOBLE_COLLISION_WANTED:

    rule noble_figures:
        input:
            panels=lambda wc: [f"{RESULTS}/noble/panels/{p}.zarr" for p in noble_panels()],
            fits=f"{RESULTS}/noble/fits.zarr",
        output:
            **{
                name: report(
                    f"{RESULTS}/noble/figures/{name}.png",
                    caption=f"../report/noble_{name}.rst",
                    category="noble",
                    subcategory="Fig. 3" if name.startswith("fig3") else "sweep",
                )
                for name in NOBLE_COLLISION_WANTED
            },
        log:
            f"{RESULTS}/logs/noble/figures.log",
        conda:
            ENV
        script:
            "../scripts/noble_figures.py"


# --- part 2: mixture modes (K-39/He-3 preset; solvers.modes) ------------------------------------------------
rule noble_modes_part:
    # one store of the modes part: Fig. 2 regimes, Fig. 4 transfers, mode convergence or a sweep map
    output:
        directory(f"{RESULTS}/noble/modes/{{part}}.zarr"),
    params:
        physics=lambda wc: noble_modes_settings(config["noble"]),
    wildcard_constraints:
        part="|".join(NOBLE_MODES_PARTS),
    log:
        f"{RESULTS}/logs/noble/modes-{{part}}.log",
    conda:
        ENV
    script:
        "../scripts/noble_modes_part.py"


if NOBLE_MODES_WANTED:

    rule noble_modes_figures:
        input:
            # only the parts the requested modes figures are drawn from
            **{
                part: f"{RESULTS}/noble/modes/{part}.zarr"
                for part in dict.fromkeys(NOBLE_MODES_PART[name] for name in NOBLE_MODES_WANTED)
            },
        output:
            **{
                name: report(
                    f"{RESULTS}/noble/figures/{name}.png",
                    caption=f"../report/noble_{name}.rst",
                    category="noble",
                    subcategory="modes",
                )
                for name in NOBLE_MODES_WANTED
            },
        log:
            f"{RESULTS}/logs/noble/modes-figures.log",
        conda:
            ENV
        script:
            "../scripts/noble_modes_figures.py"
