# spinsweep: parameter sweeps and HPC workflows for spin dynamics in atomic gases.
#
#   snakemake --cores 2                      default sweep (config/config.yaml): stores, tables, figures
#   snakemake --report results/report.html   HTML report with every figure and its caption
#   snakemake --profile slurm                the same on a Slurm cluster (cluster/slurm/config.yaml)
#   snakemake --configfile config/studies/magnon.yaml --cores 8    a paper-scale sweep
#
# config/config.yaml is the default; a top-level section given with --configfile/--config replaces the
# default section whole (no key-by-key merge, so a sweep's axes never mix with the default's).
#
# Data flow: config -> rule -> solver -> zarr store -> analysis -> figure -> report.

from snakemake.utils import min_version

min_version("9.0")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/magnon.smk"
include: "workflow/rules/noble.smk"


rule all:
    input:
        study_targets,
    default_target: True
