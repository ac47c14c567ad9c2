"""Rule torque_reduction: the 3D-vs-1D comparison table and figure (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import reduction_compare

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
reduction_compare(snakemake.config, snakemake.wildcards.name, dict(snakemake.input.items()),  # noqa: F821
                  snakemake.output.table, snakemake.output.figure)  # noqa: F821
