"""Rule torque_reduction_1d: a 1D GPE run with one kappa reduction (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import reduction_1d

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
inp = snakemake.input  # noqa: F821
reduction_1d(snakemake.config, snakemake.wildcards.name, snakemake.wildcards.red,  # noqa: F821
             inp.quench[0] if len(inp.quench) else None, snakemake.output[0],  # noqa: F821
             plasma_check=inp.plasma_check[0] if len(inp.plasma_check) else None)
