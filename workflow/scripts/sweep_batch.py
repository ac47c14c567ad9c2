"""Rule sweep_batch: compute one batch of sweep points (thin wrapper, no physics)."""
from spinsweep.workflow.stages import run_batch, setup_logging

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    run_batch(snakemake.wildcards.study, snakemake.params.physics, int(snakemake.wildcards.batch),  # noqa: F821
              snakemake.output[0], engines=snakemake.config)  # noqa: F821
