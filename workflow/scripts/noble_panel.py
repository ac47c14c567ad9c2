"""Rule noble_panel: one Fig. 3 ensemble on dask (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import panel

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    panel(snakemake.params.physics, snakemake.wildcards.panel, snakemake.output[0],  # noqa: F821
          engines=snakemake.config)  # noqa: F821
