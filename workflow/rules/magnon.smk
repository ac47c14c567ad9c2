# magnon study: tunnelling spin and heat transport near the magnonic critical point
# (seed: sekino2024-magnon-tunneling-slides.txt).  Points come from the generic sweep rules.
from spinsweep.workflow.magnon import FIGURES as MAGNON_FIGURES

MAGNON = RESULTS + "/magnon"


rule magnon_fits:
    # conductances fitted to noisy relaxation traces, many realisations per point, as dask tasks
    input:
        MAGNON + "/sweep.zarr",
    output:
        directory(MAGNON + "/fits.zarr"),
    params:
        fits=lambda wc: config["magnon"]["fits"],
        dask=lambda wc: config.get("dask", {}),
    threads: lambda wc: int(config.get("dask", {}).get("n_workers", 2))
    log:
        RESULTS + "/logs/magnon/fits.log",
    script:
        "../scripts/magnon_fits.py"


rule magnon_figures:
    input:
        sweep=MAGNON + "/sweep.zarr",
        fits=MAGNON + "/fits.zarr",
    output:
        **{
            name: report(
                MAGNON + f"/figures/{name}.png",
                caption=f"../report/magnon_{name}.rst",
                category="magnon",
            )
            for name in MAGNON_FIGURES
        },
    log:
        RESULTS + "/logs/magnon/figures.log",
    script:
        "../scripts/magnon_figures.py"


STUDY_TARGETS["magnon"] = lambda: [MAGNON + f"/figures/{name}.png" for name in MAGNON_FIGURES]
