# spinsweep: parameter sweeps and HPC workflows for spin dynamics in atomic gases.
#
# The workflow lives in workflow/Snakefile, which ships inside the installed package (spinsweep.workflow),
# so that `spinsweep run` works from any directory.  This file lets `snakemake --cores 2` run from the
# repository root as well; its default target is the workflow's `rule all`.
workflow.include("workflow/Snakefile", overwrite_default_target=True)
