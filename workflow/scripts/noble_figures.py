"""Rule noble_figures: fits and figures of the noble study (thin wrapper, no physics)."""
from spinsweep.workflow.noble import PANELS, figures
from spinsweep.workflow.stages import setup_logging

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    figures(snakemake.config, dict(zip(PANELS, snakemake.input.panels)), snakemake.input.sweep,  # noqa: F821
            {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
