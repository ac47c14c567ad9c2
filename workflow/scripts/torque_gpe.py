"""Rule torque_gpe: one batched GPE run (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import run_gpe

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
run_gpe(snakemake.params.physics, snakemake.wildcards.batch, snakemake.output[0],  # noqa: F821
        threads=snakemake.threads)  # noqa: F821
