"""Rule torque_gpe_mpi_config: render torque.mpi_runs.<name> as a gpe run configuration (thin wrapper)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import write_mpi_config

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
write_mpi_config(snakemake.config, snakemake.wildcards.name, snakemake.output[0])  # noqa: F821
