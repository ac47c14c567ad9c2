"""Rule noble_modes_figures: Figs. 2, 4, mode convergence and sweep maps of the modes part (thin wrapper)."""
from spinsweep.workflow.stages import setup_logging
from spinsweep.workflow.studies.noble import modes_figures

if __name__ == "__main__":
    setup_logging(snakemake.log[0])  # noqa: F821 (injected by Snakemake)
    modes_figures({part: snakemake.input[part] for part in snakemake.input.keys()},  # noqa: F821
                  {name: snakemake.output[name] for name in snakemake.output.keys()})  # noqa: F821
