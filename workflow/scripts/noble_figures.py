"""Rule noble_figures: figures of the noble study from the panels and fits.zarr (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import figures, panels

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
figures(dict(zip(panels(), snakemake.input.panels)), snakemake.input.fits,  # noqa: F821
        {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
