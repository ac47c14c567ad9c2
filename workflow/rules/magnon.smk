# magnon study: tunnelling spin and heat transport near the magnonic critical point
# (seed: sekino2024-magnon-tunneling-slides.txt).  Points come from the generic sweep rules.
from spinsweep.workflow.engines import n_workers
from spinsweep.workflow.studies.magnon import fit_physics as magnon_fit_physics
from spinsweep.workflow.study import get as get_study

MAGNON = get_study("magnon")


rule magnon_fits:
    # conductances fitted to noisy relaxation traces, many realisations per point, as dask tasks
    input:
        f"{RESULTS}/magnon/sweep.zarr",
    output:
        directory(f"{RESULTS}/magnon/fits.zarr"),
    params:
        physics=lambda wc: magnon_fit_physics(config["magnon"]),
    threads: lambda wc: n_workers(config)
    log:
        f"{RESULTS}/logs/magnon/fits.log",
    conda:
        ENV
    script:
        "../scripts/magnon_fits.py"


rule magnon_figures:
    # outputs only for the requested figures (config magnon.figures, default all; checked by validation)
    input:
        sweep=f"{RESULTS}/magnon/sweep.zarr",
        fits=f"{RESULTS}/magnon/fits.zarr",
    output:
        **{
            name: report(
                f"{RESULTS}/magnon/figures/{name}.png",
                caption=f"../report/magnon_{name}.rst",
                category="magnon",
                subcategory="conductance fits" if name == "fits" else "sweep",
            )
            for name in MAGNON.requested_figures(config["magnon"])
        },
    log:
        f"{RESULTS}/logs/magnon/figures.log",
    conda:
        ENV
    script:
        "../scripts/magnon_figures.py"
