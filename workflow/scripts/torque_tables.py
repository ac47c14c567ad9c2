"""Rule torque_tables: the sweep table (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import tables

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
tables(snakemake.params.physics, list(snakemake.input), snakemake.output[0])  # noqa: F821
