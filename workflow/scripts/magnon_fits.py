"""Rule magnon_fits: dask-batched conductance fits (thin wrapper, no physics)."""
from spinsweep.workflow.magnon import fits
from spinsweep.workflow.stages import setup_logging

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    fits(snakemake.config, snakemake.input[0], snakemake.output[0])  # noqa: F821
