"""Rule torque_lle: LLE with and without quantum torque (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import lle_runs

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
lle_runs(snakemake.params.physics, snakemake.output.free, snakemake.output.torque)  # noqa: F821
