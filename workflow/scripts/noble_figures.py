"""Rule noble_figures: fits and figures of the noble study (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import figures, panels

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    figures(snakemake.params.physics, dict(zip(panels(), snakemake.input.panels)),  # noqa: F821
            snakemake.input.sweep,  # noqa: F821
            {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
