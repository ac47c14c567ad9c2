# Configuration is validated against config/schema/config.schema.yaml before any rule is planned:
# a bad key, type or value stops here with one message naming the key, the value and what is allowed.
import sys

from spinsweep.workflow.config import ConfigError, fill_defaults, validate
from spinsweep.workflow.sweep import Sweep

# Defaults fill in whole top-level sections only: `--configfile study.yaml` or `--config results=...`
# replace the sections they name.  (Slurm jobs receive the full resolved config, so they see the same.)
fill_defaults(config)

try:
    validate(config)
except ConfigError as err:
    sys.exit(f"spinsweep: invalid configuration: {err}")

RESULTS = config["results"]


def sweep_of(study):
    return Sweep.from_section(config[study])


def study_targets(wildcards):
    """Final products of every study listed in config['studies']."""
    targets = []
    for study in config["studies"]:
        targets += STUDY_TARGETS[study]()
    return targets


STUDY_TARGETS = {}
DASK_STUDIES = {"noble"}  # studies whose sweep points fan out on dask (a LocalCluster per batch job)


rule sweep_batch:
    # a contiguous range of sweep points (config: <study>.sweep.batch_size) computed in one job
    output:
        directory(RESULTS + "/{study}/points/batch-{batch}.zarr"),
    params:
        section=lambda wc: config[wc.study],
        engines=lambda wc: {"dask": config.get("dask", {})},
    threads: lambda wc: int(config.get("dask", {}).get("n_workers", 2)) if wc.study in DASK_STUDIES else 1
    log:
        RESULTS + "/logs/{study}/batch-{batch}.log",
    wildcard_constraints:
        batch=r"\d+",
    resources:
        runtime=30,
    script:
        "../scripts/sweep_batch.py"


rule sweep_aggregate:
    # one store per study whose dimensions are the swept axes
    input:
        lambda wc: expand(RESULTS + "/{study}/points/batch-{batch}.zarr", study=wc.study,
                          batch=range(sweep_of(wc.study).n_batches)),
    output:
        directory(RESULTS + "/{study}/sweep.zarr"),
    params:
        section=lambda wc: config[wc.study],
    log:
        RESULTS + "/logs/{study}/aggregate.log",
    script:
        "../scripts/sweep_aggregate.py"


rule mpi_selftest:
    # `snakemake results/selftest/mpi-4.json`: are P ranks one MPI world with this launcher?
    # MPI rules declare `tasks` and `mpi` (and threads = ranks for local scheduling); locally mpi is the
    # config's mpi.launcher (mpiexec), the Slurm profile's set-resources makes it `srun --mpi=pmi2` with
    # one CPU per rank (cluster/slurm/config.yaml, cluster/README.md).
    output:
        RESULTS + "/selftest/mpi-{ranks}.json",
    wildcard_constraints:
        ranks=r"\d+",
    threads: lambda wc: int(wc.ranks)
    resources:
        tasks=lambda wc: int(wc.ranks),
        mpi=config.get("mpi", {}).get("launcher", "mpiexec"),
        runtime=5,
    log:
        RESULTS + "/logs/selftest/mpi-{ranks}.log",
    shell:
        "{resources.mpi} -n {resources.tasks} python -m spinsweep.workflow.mpi_check {output} > {log} 2>&1"
