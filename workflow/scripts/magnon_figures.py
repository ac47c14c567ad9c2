"""Rule magnon_figures: draw the magnon figures (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.magnon import figures

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    figures(snakemake.input.sweep, snakemake.input.fits,  # noqa: F821
            {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
