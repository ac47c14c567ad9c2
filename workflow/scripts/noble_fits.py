"""Rule noble_fits: J, gamma of every panel and sweep point into fits.zarr (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import fits, panels

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
fits(snakemake.params.physics, dict(zip(panels(), snakemake.input.panels)),  # noqa: F821
     snakemake.input.sweep, snakemake.output[0])  # noqa: F821
