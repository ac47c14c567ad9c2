"""Rule torque_mpi_check: x_c of a 2D/3D MPI run vs the 1D axis reduction (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import mpi_check

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
mpi_check(snakemake.config, snakemake.wildcards.name, snakemake.input[0], snakemake.output[0])  # noqa: F821
