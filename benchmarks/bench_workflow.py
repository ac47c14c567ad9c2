"""Fixed costs of the workflow (issue 13 item 5): a no-change `spinsweep run`, a dry run, and the per-job
overhead of a forced tiny job, measured in one run on a tiny magnon sweep in a temporary directory.

    python benchmarks/bench_workflow.py [--repeat 3] [--workdir DIR]

Prints seconds (medians of interleaved repeats) and the ratio of a forced job's wall time to the compute
time its store records (the rest is Snakemake + interpreter start + store I/O); Snakemake started plainly
and through spinsweep's launcher (workflow/launcher.py: no Slurm plugins for a local run), with whether the
Slurm client tools are installed and what ``scontrol show config`` costs (the Slurm plugin runs it when
imported); the up-front store check of ``spinsweep run`` alone, hashing every store and skipping unchanged
ones.  With ``--workdir DIR``, a directory where ``spinsweep run --cores 2`` (default sweep) has finished, also
a no-change run there (and with ``--verify-all``) and the store check on its results (of realistic size).
Appends the lines to benchmarks/results/<host>.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def timed(cmd, cwd) -> float:
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    return time.perf_counter() - start


def slurm_status() -> str:
    """Whether the Slurm client tools are installed, and how long ``scontrol show config`` takes (what the Slurm
    executor plugin runs at import, 10 s timeout) and whether a controller answered."""
    if shutil.which("sinfo") is None or shutil.which("scontrol") is None:
        return "Slurm client tools: not installed"
    start = time.perf_counter()
    try:
        res = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=10)
        answered = res.returncode == 0
    except subprocess.TimeoutExpired:
        answered = False
    return (f"Slurm client tools: installed; controller {'answers' if answered else 'does not answer'} "
            f"(scontrol show config {time.perf_counter() - start:.1f} s)")


def check_times(results: Path, repeat: int) -> tuple[float, float, int, float]:
    """Seconds of the up-front check hashing every store and skipping unchanged ones (medians), files, GB.
    Read-only: nothing is moved, the record of checked stores goes to a temporary file."""
    from spinsweep.workflow.cli import verify_results

    files = [f for f in results.rglob("*") if f.is_file()]
    size = sum(f.stat().st_size for f in files) / 1e9
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "verified.json"
        full, cached = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            damaged = verify_results(results, move=False, cache=cache, verify_all=True)
            full.append(time.perf_counter() - start)
            start = time.perf_counter()
            verify_results(results, move=False, cache=cache)
            cached.append(time.perf_counter() - start)
    if damaged:
        print("\n".join(damaged), file=sys.stderr)
    return statistics.median(full), statistics.median(cached), len(files), size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="a finished `spinsweep run --cores 2` directory (default sweep): time no-change runs there")
    args = ap.parse_args()
    from spinsweep.solvers import store
    from spinsweep.workflow.studies.magnon import tiny_config

    slurm = slurm_status()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config = tiny_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
        (work / "tiny.yaml").write_text(yaml.safe_dump(config))
        spinsweep = [sys.executable, "-m", "spinsweep.workflow.cli", "run", "--cores", "2", "--configfile",
                     "tiny.yaml"]
        first = timed(spinsweep, work)
        batch = "results/magnon/points/batch-0.zarr"
        rows = {"python -c pass": [], "snakemake --version": [], "launcher --version": [],
                "no-change spinsweep run": [], "no-change run --verify-all": [], "dry run (snakemake -n)": [],
                "forced tiny job": []}
        compute = []
        for _ in range(args.repeat):  # interleaved, so load drifts hit every row alike
            rows["python -c pass"].append(timed([sys.executable, "-c", "pass"], work))
            rows["snakemake --version"].append(timed([sys.executable, "-m", "snakemake", "--version"], work))
            rows["launcher --version"].append(timed([sys.executable, "-m", "spinsweep.workflow.launcher",
                                                     "--version"], work))
            rows["forced tiny job"].append(timed(spinsweep + ["--no-report", "--forcerun", "sweep_batch",
                                                              "--until", batch], work))
            compute.append(float(store.open_dataset(work / batch).attrs["wall_time_s"]))
            timed(spinsweep, work)  # the forced batch made its downstream jobs and the report stale: redo them
            rows["no-change spinsweep run"].append(timed(spinsweep, work))
            rows["no-change run --verify-all"].append(timed(spinsweep + ["--verify-all"], work))
            rows["dry run (snakemake -n)"].append(timed(spinsweep + ["-n"], work))
        checks = {"tiny results": check_times(work / "results", args.repeat)}
    if args.workdir is not None:
        here = [sys.executable, "-m", "spinsweep.workflow.cli", "run", "--cores", "2"]
        timed(here, args.workdir)  # records stores written since the last check
        for _ in range(args.repeat):
            rows.setdefault("no-change run, workdir", []).append(timed(here, args.workdir))
            rows.setdefault("no-change --verify-all, workdir", []).append(timed(here + ["--verify-all"],
                                                                                    args.workdir))
        checks[str(args.workdir / "results")] = check_times(args.workdir / "results", args.repeat)
    med = {k: statistics.median(v) for k, v in rows.items()}
    job = med["forced tiny job"]
    lines = [f"# bench_workflow {time.strftime('%Y-%m-%d %H:%M')} host={platform.node()} "
             f"load={os.getloadavg()[0]:.2f} first full run {first:.1f} s", f"# {slurm}"]
    lines += [f"{k:34s} {v:6.2f} s" for k, v in med.items()]
    lines.append(f"{'per-job overhead':34s} {job - statistics.median(compute):6.2f} s  "
                 f"(forced job / its compute = {job / max(statistics.median(compute), 1e-9):.1f}x)")
    lines.append(f"{'  of which beyond a no-change run':34s} "
                 f"{job - med['no-change spinsweep run'] - statistics.median(compute):6.2f} s  (the job's own "
                 f"interpreter, imports and store I/O)")
    lines.append(f"{'no-change run / launcher --version':34s} "
                 f"{med['no-change spinsweep run'] / med['launcher --version']:.2f}x")
    for where, (full, cached, n_files, gb) in checks.items():
        lines.append(f"{'store check, all hashed':34s} {full:6.2f} s  ({where}: {n_files} files, {gb:.3f} GB)")
        lines.append(f"{'store check, unchanged skipped':34s} {cached:6.2f} s  ({full / max(cached, 1e-9):.0f}x less)")
    print("\n".join(lines))
    out = REPO / "benchmarks" / "results" / f"{platform.node() or 'unknown'}.txt"
    with open(out, "a") as fh:
        fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
