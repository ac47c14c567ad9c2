"""Rule noble_modes_part: one store of the mixture-modes part (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import modes_part

if __name__ == "__main__":
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    modes_part(snakemake.params.physics, snakemake.wildcards.part, snakemake.output[0])  # noqa: F821
