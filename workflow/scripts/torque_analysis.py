"""Rule torque_analysis: analysis products of one point (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import analyse

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
analyse(snakemake.params.physics, snakemake.wildcards.point,  # noqa: F821
        dict(zip(snakemake.params.batches, snakemake.input)), snakemake.output[0])  # noqa: F821
