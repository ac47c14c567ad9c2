# torque study: magnetic interfaces, quantum torque and spin fronts in a Rabi-coupled 23Na BEC
# (seed: farolfi2023-quantum-torque.md, Figs. 2-4, Extended Data Fig. 1).  No generic sweep rules: batched
# GPE runs (threads back end) -> per-point analysis products -> sweep table -> figures.
from spinsweep.workflow.studies.torque import analysis_points as torque_points
from spinsweep.workflow.studies.torque import batches_of as torque_batches_of
from spinsweep.workflow.studies.torque import gpe_threads as torque_threads
from spinsweep.workflow.studies.torque import mpi_ranks as torque_mpi_ranks
from spinsweep.workflow.studies.torque import mpi_runs as torque_mpi_runs
from spinsweep.workflow.studies.torque import physics_for as torque_physics
from spinsweep.workflow.studies.torque import reduction_runs as torque_reduction_runs
from spinsweep.workflow.studies.torque import CLOUD_REDUCTIONS as TORQUE_CLOUD_REDUCTIONS
from spinsweep.workflow.studies.torque import PAPER_REDUCTIONS as TORQUE_REDUCTIONS
from spinsweep.workflow.study import get as get_study

TORQUE = get_study("torque")
TQ = f"{RESULTS}/torque"


rule torque_gpe:
    # one batch: B GPE runs of one cloud (different Omega_R / shots) advanced together, B split over threads
    output:
        directory(f"{TQ}/gpe/{{batch}}.zarr"),
    params:
        physics=lambda wc: torque_physics(config, "gpe"),
    wildcard_constraints:
        batch=r"(panel-[a-z0-9]+|sweep-\d+)",
    threads: lambda wc: torque_threads(config)
    resources:
        runtime=120,
    log:
        f"{TQ}/logs/gpe-{{batch}}.log",
    conda:
        ENV
    script:
        "../scripts/torque_gpe.py"


rule torque_analysis:
    # every analysis product of one point (all its shots): fronts, C_ZZ fits, Omega(x), profiles, summary
    input:
        lambda wc: [f"{TQ}/gpe/{b}.zarr" for b in torque_batches_of(config["torque"], wc.point)],
    output:
        directory(f"{TQ}/analysis/{{point}}"),
    params:
        physics=lambda wc: torque_physics(config, "analysis"),
        batches=lambda wc: torque_batches_of(config["torque"], wc.point),
    wildcard_constraints:
        point=r"(fig3|fig4b|sweep-\d+)",
    log:
        f"{TQ}/logs/analysis-{{point}}.log",
    conda:
        ENV
    script:
        "../scripts/torque_analysis.py"


rule torque_lle:
    # the Landau-Lifshitz reduction with and without quantum torque on the fig3 cloud
    output:
        free=directory(f"{TQ}/lle/no_torque.zarr"),
        torque=directory(f"{TQ}/lle/torque.zarr"),
    params:
        physics=lambda wc: torque_physics(config, "lle"),
    log:
        f"{TQ}/logs/lle.log",
    conda:
        ENV
    script:
        "../scripts/torque_lle.py"


rule torque_compare:
    # Fig. 2a insets, 2c,d (LLE with/without torque) and Extended Data Fig. 1 (GPE vs LLE) products
    input:
        gpe=f"{TQ}/gpe/panel-fig3.zarr",
        free=f"{TQ}/lle/no_torque.zarr",
        torque=f"{TQ}/lle/torque.zarr",
    output:
        directory(f"{TQ}/analysis/compare"),
    params:
        physics=lambda wc: torque_physics(config, "compare"),
    log:
        f"{TQ}/logs/compare.log",
    conda:
        ENV
    script:
        "../scripts/torque_compare.py"


rule torque_tables:
    # the sweep table: v/c_s (stat, syst), L1, L2, x_c, breaking time per sweep point
    input:
        lambda wc: [f"{TQ}/analysis/{p}" for p in torque_points(config["torque"]) if p.startswith("sweep-")],
    output:
        directory(f"{TQ}/tables.zarr"),
    params:
        physics=lambda wc: torque_physics(config, "tables"),
    log:
        f"{TQ}/logs/tables.log",
    conda:
        ENV
    script:
        "../scripts/torque_tables.py"


rule torque_figures:
    input:
        fig3=f"{TQ}/analysis/fig3",
        fig4b=f"{TQ}/analysis/fig4b",
        compare=f"{TQ}/analysis/compare",
        table=f"{TQ}/tables.zarr",
    output:
        **{
            name: report(
                f"{TQ}/figures/{name}.png",
                caption=f"../report/torque_{name}.rst",
                category="torque",
                subcategory="sweep" if name.startswith("sweep") else "paper figures",
            )
            for name in TORQUE.figures
        },
    log:
        f"{TQ}/logs/figures.log",
    conda:
        ENV
    script:
        "../scripts/torque_figures.py"


# ---- optional 2D/3D GPE runs as MPI jobs (torque.mpi_runs; the default config has none) -------------------
rule torque_gpe_mpi_config:
    # the gpe run configuration of torque.mpi_runs.<name>, validated against the gpe schema
    output:
        f"{TQ}/mpi/{{name}}.yaml",
    params:
        run=lambda wc: torque_mpi_runs(config)[wc.name],
    wildcard_constraints:
        name=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    log:
        f"{TQ}/logs/mpi-{{name}}-config.log",
    conda:
        ENV
    script:
        "../scripts/torque_mpi_config.py"


rule torque_gpe_mpi:
    # one 2D/3D GPE run on `ranks` MPI ranks (slabs); locally mpiexec on loopback (HYDRA_IFACE=lo), under the
    # Slurm profile srun --mpi=pmi2 with one CPU per rank (cluster/slurm/config.yaml set-resources)
    input:
        f"{TQ}/mpi/{{name}}.yaml",
    output:
        directory(f"{TQ}/mpi/{{name}}.zarr"),
    params:
        run=lambda wc: torque_mpi_runs(config)[wc.name],
    wildcard_constraints:
        name=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    threads: lambda wc: torque_mpi_ranks(config, wc.name)
    resources:
        tasks=lambda wc: torque_mpi_ranks(config, wc.name),
        mpi=config.get("mpi", {}).get("launcher", "mpiexec"),
        runtime=120,
    log:
        f"{TQ}/logs/mpi-{{name}}.log",
    conda:
        ENV
    shell:
        "HYDRA_IFACE=lo OMP_NUM_THREADS=1 {resources.mpi} -n {resources.tasks} "
        "python -m spinsweep.workflow.gpe_cli run --config {input} --store {output} > {log} 2>&1"


rule torque_mpi_check:
    # quench: x_c of the radially integrated Z(x, t) vs the 1D reductions; plasma: omega_p of the central slice
    input:
        f"{TQ}/mpi/{{name}}.zarr",
    output:
        directory(f"{TQ}/mpi/checks/{{name}}.zarr"),
    params:
        run=lambda wc: torque_mpi_runs(config)[wc.name],
    wildcard_constraints:
        name=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    log:
        f"{TQ}/logs/mpi-{{name}}-xc.log",
    conda:
        ENV
    script:
        "../scripts/torque_mpi_check.py"


rule torque_reduction_1d:
    # a 1D GPE run with one kappa reduction (axis, projected, eq9; omega_p: calibrated on the 3D plasma run): the
    # axial profile of the 3D quench entry {name}, or (name = paper118) the 118 Hz set of Fig. 3b (front speed)
    input:
        quench=lambda wc: [] if wc.name == "paper118" else [f"{TQ}/mpi/{wc.name}.zarr"],
        plasma_check=lambda wc: ([f"{TQ}/mpi/checks/{torque_reduction_runs(config)[wc.name]}.zarr"]
                                 if wc.red == "omega_p" else []),
    output:
        directory(f"{TQ}/mpi/1d/{{name}}-{{red}}.zarr"),
    params:
        run=lambda wc: None if wc.name == "paper118" else torque_mpi_runs(config)[wc.name],
    wildcard_constraints:
        name=r"[A-Za-z0-9][A-Za-z0-9_.-]*?",
        red="|".join(TORQUE_CLOUD_REDUCTIONS),
    resources:
        runtime=30,
    log:
        f"{TQ}/logs/mpi-1d-{{name}}-{{red}}.log",
    conda:
        ENV
    script:
        "../scripts/torque_reduction_1d.py"


rule torque_reduction:
    # the 3D-vs-1D comparison of a quench entry and its plasma partner: table + figure
    input:
        quench=f"{TQ}/mpi/{{name}}.zarr",
        quench_check=f"{TQ}/mpi/checks/{{name}}.zarr",
        plasma=lambda wc: f"{TQ}/mpi/{torque_reduction_runs(config)[wc.name]}.zarr",
        plasma_check=lambda wc: f"{TQ}/mpi/checks/{torque_reduction_runs(config)[wc.name]}.zarr",
        **{f"cloud_{r}": f"{TQ}/mpi/1d/{{name}}-{r}.zarr" for r in TORQUE_CLOUD_REDUCTIONS},
        **{f"paper_{r}": f"{TQ}/mpi/1d/paper118-{r}.zarr" for r in TORQUE_REDUCTIONS},
    output:
        table=directory(f"{TQ}/mpi/reduction/{{name}}.zarr"),
        figure=report(
            f"{TQ}/figures/reduction-{{name}}.png",
            caption="../report/optional/torque_reduction3d.rst",
            category="torque",
            subcategory="beyond the paper",
        ),
    params:
        run=lambda wc: torque_mpi_runs(config)[wc.name],
    wildcard_constraints:
        name=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    log:
        f"{TQ}/logs/reduction-{{name}}.log",
    conda:
        ENV
    script:
        "../scripts/torque_reduction.py"
