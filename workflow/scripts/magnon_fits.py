"""Rule magnon_fits: dask-batched conductance fits (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.magnon import fits

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    fits(snakemake.params.physics, snakemake.input[0], snakemake.output[0],  # noqa: F821
         engines=snakemake.config, per_task=snakemake.config["magnon"]["fits"].get("batch_size"))  # noqa: F821
