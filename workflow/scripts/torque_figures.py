"""Rule torque_figures: figures from stored products (thin wrapper, no physics)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.torque import figures

setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
figures({"fig3": snakemake.input.fig3, "fig4b": snakemake.input.fig4b}, snakemake.input.compare,  # noqa: F821
        snakemake.input.table, {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
