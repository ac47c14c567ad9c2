"""Rule sweep_aggregate: join batch stores into the sweep store (thin wrapper, no physics)."""
from spinsweep.workflow.stages import aggregate, setup_logging

if __name__ == "__main__":  # dask worker processes re-import this file; run only once
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    aggregate(snakemake.wildcards.study, snakemake.params.physics, list(snakemake.input),  # noqa: F821
              snakemake.output[0])  # noqa: F821
