# Configuration is validated against the schema (config/schema/) before any rule is planned: a bad key,
# type or value stops here with one message naming the key, the value and what is allowed.
# Rules pass as `params` only the physics that defines their outputs (Study.physics_of); engine settings
# (dask, progress, scheduler, threads) are read from the config at run time and never invalidate results.
from spinsweep.workflow.rules_support import (
    ENV,
    batch_stores,
    prepare_config,
    study_physics,
    study_targets_of,
    study_threads,
)

RESULTS = prepare_config(config)


rule sweep_batch:
    # a contiguous range of sweep points (config: <study>.sweep.batch_size) computed in one job
    output:
        directory(f"{RESULTS}/{{study}}/points/batch-{{batch}}.zarr"),
    params:
        physics=lambda wc: study_physics(config, wc.study),
    threads: lambda wc: study_threads(config, wc.study)
    log:
        f"{RESULTS}/logs/{{study}}/batch-{{batch}}.log",
    wildcard_constraints:
        batch=r"\d+",
    resources:
        runtime=30,
    conda:
        ENV
    script:
        "../scripts/sweep_batch.py"


rule sweep_aggregate:
    # one store per study whose dimensions are the swept axes
    input:
        lambda wc: batch_stores(config, wc.study),
    output:
        directory(f"{RESULTS}/{{study}}/sweep.zarr"),
    params:
        physics=lambda wc: study_physics(config, wc.study),
    log:
        f"{RESULTS}/logs/{{study}}/aggregate.log",
    conda:
        ENV
    script:
        "../scripts/sweep_aggregate.py"


rule mpi_selftest:
    # `snakemake results/selftest/mpi-4.json`: are P ranks one MPI world with this launcher?
    # MPI rules declare `tasks` and `mpi` (and threads = ranks for local scheduling); locally mpi is the
    # config's mpi.launcher (mpiexec), the Slurm profile's set-resources makes it `srun --mpi=pmi2` with
    # one CPU per rank (cluster/slurm/config.yaml, cluster/README.md).
    output:
        f"{RESULTS}/selftest/mpi-{{ranks}}.json",
    wildcard_constraints:
        ranks=r"\d+",
    threads: lambda wc: int(wc.ranks)
    resources:
        tasks=lambda wc: int(wc.ranks),
        mpi=config.get("mpi", {}).get("launcher", "mpiexec"),
        runtime=5,
    log:
        f"{RESULTS}/logs/selftest/mpi-{{ranks}}.log",
    conda:
        ENV
    shell:
        # HYDRA_IFACE=lo: a local mpiexec (mpich's hydra) binds to loopback only; srun ignores it
        "HYDRA_IFACE=${{HYDRA_IFACE:-lo}} {resources.mpi} -n {resources.tasks} "
        "python -m spinsweep.workflow.mpi_check {output} > {log} 2>&1"
