# noble study: stochastic spin-exchange collision ensembles between alkali and noble-gas spins
# (seed: katz2022-noble-gas-interface.txt, Fig. 3).  Sweep points come from the generic sweep rules.
from spinsweep.workflow.noble import FIGURES as NOBLE_FIGURES, PANELS as NOBLE_PANELS

NOBLE = RESULTS + "/noble"


rule noble_panel:
    # one Fig. 3 panel: a preset ensemble whose trajectories run as dask tasks
    output:
        directory(NOBLE + "/panels/{panel}.zarr"),
    params:
        noble=lambda wc: {k: v for k, v in config["noble"].items() if k in ("panels", "seed")},
        dask=lambda wc: config.get("dask", {}),
    wildcard_constraints:
        panel="|".join(NOBLE_PANELS),
    threads: lambda wc: int(config.get("dask", {}).get("n_workers", 2))
    log:
        RESULTS + "/logs/noble/{panel}.log",
    script:
        "../scripts/noble_panel.py"


rule noble_figures:
    input:
        panels=expand(NOBLE + "/panels/{panel}.zarr", panel=NOBLE_PANELS),
        sweep=NOBLE + "/sweep.zarr",
    output:
        **{
            name: report(
                NOBLE + f"/figures/{name}.png",
                caption=f"../report/noble_{name}.rst",
                category="noble",
            )
            for name in NOBLE_FIGURES
        },
    log:
        RESULTS + "/logs/noble/figures.log",
    script:
        "../scripts/noble_figures.py"


STUDY_TARGETS["noble"] = lambda: [NOBLE + f"/figures/{name}.png" for name in NOBLE_FIGURES]
