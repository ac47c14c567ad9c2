# noble study: stochastic spin-exchange collision ensembles between alkali and noble-gas spins
# (seed: katz2022-noble-gas-interface.txt, Fig. 3).  Sweep points come from the generic sweep rules.
from spinsweep.workflow.engines import n_workers
from spinsweep.workflow.studies.noble import panels as noble_panels
from spinsweep.workflow.study import get as get_study

NOBLE = get_study("noble")


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


rule noble_figures:
    input:
        panels=lambda wc: [f"{RESULTS}/noble/panels/{p}.zarr" for p in noble_panels()],
        sweep=f"{RESULTS}/noble/sweep.zarr",
    output:
        **{
            name: report(
                f"{RESULTS}/noble/figures/{name}.png",
                caption=f"../report/noble_{name}.rst",
                category="noble",
                subcategory="Fig. 3" if name.startswith("fig3") else "sweep",
            )
            for name in NOBLE.figures
        },
    params:
        physics=lambda wc: NOBLE.physics_of(config["noble"]),
    log:
        f"{RESULTS}/logs/noble/figures.log",
    conda:
        ENV
    script:
        "../scripts/noble_figures.py"
