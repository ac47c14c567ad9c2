"""Fixed costs of the workflow (issue 13 item 5): a no-change `spinsweep run`, a dry run, and the per-job
overhead of a forced tiny job, measured in one run on a tiny magnon sweep in a temporary directory.

    python benchmarks/bench_workflow.py [--repeat 3]

Prints seconds (medians of interleaved repeats) and the ratio of a forced job's wall time to the compute
time its store records (the rest is Snakemake + interpreter start + store I/O).  Appends the lines to
benchmarks/results/<host>.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from spinsweep.solvers import store
    from spinsweep.workflow.studies.magnon import tiny_config

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config = tiny_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
        (work / "tiny.yaml").write_text(yaml.safe_dump(config))
        spinsweep = [sys.executable, "-m", "spinsweep.workflow.cli", "run", "--cores", "2", "--configfile",
                     "tiny.yaml"]
        first = timed(spinsweep, work)
        batch = "results/magnon/points/batch-0.zarr"
        rows = {"python -c pass": [], "snakemake --version": [], "no-change spinsweep run": [],
                "dry run (snakemake -n)": [], "forced tiny job": []}
        compute = []
        for _ in range(args.repeat):  # interleaved, so load drifts hit every row alike
            rows["python -c pass"].append(timed([sys.executable, "-c", "pass"], work))
            rows["snakemake --version"].append(timed([sys.executable, "-m", "snakemake", "--version"], work))
            rows["forced tiny job"].append(timed(spinsweep + ["--no-report", "--forcerun", "sweep_batch",
                                                              "--until", batch], work))
            compute.append(float(store.open_dataset(work / batch).attrs["wall_time_s"]))
            timed(spinsweep, work)  # the forced batch made its downstream jobs and the report stale: redo them
            rows["no-change spinsweep run"].append(timed(spinsweep, work))
            rows["dry run (snakemake -n)"].append(timed(spinsweep + ["-n"], work))
    med = {k: statistics.median(v) for k, v in rows.items()}
    job = med["forced tiny job"]
    lines = [f"# bench_workflow {time.strftime('%Y-%m-%d %H:%M')} host={platform.node()} "
             f"load={os.getloadavg()[0]:.2f} first full run {first:.1f} s"]
    lines += [f"{k:28s} {v:6.2f} s" for k, v in med.items()]
    lines.append(f"{'per-job overhead':28s} {job - statistics.median(compute):6.2f} s  "
                 f"(forced job / its compute = {job / max(statistics.median(compute), 1e-9):.1f}x)")
    lines.append(f"{'no-change run / snakemake --version':28s} "
                 f"{med['no-change spinsweep run'] / med['snakemake --version']:.2f}x")
    print("\n".join(lines))
    out = REPO / "benchmarks" / "results" / f"{platform.node() or 'unknown'}.txt"
    with open(out, "a") as fh:
        fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
