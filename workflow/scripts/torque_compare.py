"""Rule torque_compare: LLE and GPE-vs-LLE products (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import compare

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
compare(snakemake.params.physics, snakemake.input.gpe, snakemake.input.free, snakemake.input.torque,  # noqa: F821
        snakemake.output[0])  # noqa: F821
