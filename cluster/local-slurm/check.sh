#!/usr/bin/env bash
# Check a running Slurm cluster (e.g. after cluster/local-slurm/start.sh) for what spinsweep needs:
#   1. srun offers the pmi2 MPI plugin;
#   2. a batch job runs (sbatch --wrap hostname) and its state is visible to squeue after it ends;
#   3. `srun --mpi=pmi2 -n 2` starts 2 mpi4py ranks that see COMM_WORLD size 2 and reduce correctly;
#   4. with --snakemake: the profile cluster/slurm runs a throwaway workflow (written to a temporary
#      directory) with two plain rules and one 2-rank MPI rule through snakemake-executor-plugin-slurm.
# Prints the time of each step. Exit status 0 only when every step passed.
#
#   bash cluster/local-slurm/check.sh              # steps 1-3 (seconds)
#   bash cluster/local-slurm/check.sh --snakemake  # steps 1-4 (about a minute on 2 cores)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROFILE="$(cd "$HERE/../slurm" && pwd)"
PYTHON="${PYTHON:-python}"
RUN_SNAKEMAKE=0
case "${1:-}" in
    --snakemake) RUN_SNAKEMAKE=1 ;;
    "") ;;
    *) echo "usage: $0 [--snakemake]" >&2; exit 2 ;;
esac

log() { printf '[check] %s\n' "$*"; }
die() { printf '[check] FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

WORK="$(mktemp -d /tmp/spinsweep-slurm-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# 1. MPI plugins
srun --mpi=list 2>&1 | grep -qw pmi2 || die "srun --mpi=list does not offer pmi2: $(srun --mpi=list 2>&1 | tr '\n' ' ')"
log "srun offers pmi2"

# 2. batch job
t0=$(now)
jobid="$(sbatch --parsable -o "$WORK/hostname-%j.out" --wrap 'hostname -s')"
state=""
for _ in $(seq 1 120); do
    state="$(squeue -h -j "$jobid" -t all -o '%T' 2>/dev/null || true)"
    [[ "$state" == COMPLETED || "$state" == FAILED || "$state" == CANCELLED ]] && break
    sleep 0.5
done
[[ "$state" == COMPLETED ]] || die "sbatch job $jobid ended as '${state:-unknown}' (expected COMPLETED within 60 s)"
[[ "$(cat "$WORK/hostname-$jobid.out")" == "$(hostname -s)" ]] || die "job $jobid printed '$(cat "$WORK/hostname-$jobid.out")'"
log "sbatch --wrap hostname: job $jobid COMPLETED in $(since "$t0") s"

# 3. srun + mpi4py (mpich wheel) over PMI2: every rank must see size 2 and the allreduce 1 + 2 = 3
t0=$(now)
out="$(timeout 120 srun --mpi=pmi2 -n 2 "$PYTHON" -c \
    'from mpi4py import MPI; c = MPI.COMM_WORLD; print(c.Get_rank(), c.Get_size(), c.allreduce(c.Get_rank() + 1))' \
    | sort)"
[[ "$out" == $'0 2 3\n1 2 3' ]] || die "srun --mpi=pmi2 -n 2: expected ranks '0 2 3' and '1 2 3', got: $out"
log "srun --mpi=pmi2 -n 2: 2 ranks, size 2, allreduce ok in $(since "$t0") s"

# 4. Snakemake profile end to end
if [[ "$RUN_SNAKEMAKE" == 1 ]]; then
    cat >"$WORK/Snakefile" <<'EOF'
HELLO = ("from mpi4py import MPI; c = MPI.COMM_WORLD; "
         "s = c.allreduce(c.Get_rank() + 1); "
         "open('{output}', 'w').write(f'{{c.Get_size()}} {{s}}\\n') if c.Get_rank() == 0 else None")

rule all:
    input: "a.txt", "b.txt", "mpi.txt"
    localrule: True

rule a:
    output: "a.txt"
    shell: "echo ${{SLURM_JOB_ID:-none}} > {output}"

rule b:
    output: "b.txt"
    shell: "echo ${{SLURM_JOB_ID:-none}} > {output}"

rule mpi_hello:
    output: "mpi.txt"
    threads: 2
    resources:
        tasks=2,
        cpus_per_task=1,
        mpi="srun --mpi=pmi2",
    shell: "{resources.mpi} -n {resources.tasks} python -c \"" + HELLO + "\""
EOF
    t0=$(now)
    snakemake --profile "$PROFILE" --slurm-init-seconds-before-status-checks 2 >"$WORK/snakemake.log" 2>&1 \
        || { tail -n 40 "$WORK/snakemake.log" >&2; die "snakemake --profile $PROFILE failed"; }
    [[ "$(cat mpi.txt)" == "2 3" ]] || die "MPI rule wrote '$(cat mpi.txt)', expected '2 3' (size, sum of rank+1)"
    for f in a.txt b.txt; do
        [[ "$(cat "$f")" =~ ^[0-9]+$ ]] || die "$f holds '$(cat "$f")': the rule did not run inside a Slurm job"
    done
    log "snakemake --profile cluster/slurm: 2 plain + 1 two-rank MPI job in $(since "$t0") s"
fi
log "all checks passed"
