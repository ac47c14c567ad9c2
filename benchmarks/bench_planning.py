"""Planning cost of large sweeps, and the memory of the magnon fits stage.

    python benchmarks/bench_planning.py [--points 1e4 1e5 1e6] [--fits-points 1e3 1e4] [--real-fits-points 100]

Prints, in one run:

* for magnon sweeps of 10^4, 10^5 and 10^6 cheap points: the time to validate the configuration
  (spinsweep.workflow.config.load) and the wall and CPU time of `snakemake -n` (a complete plan: batch jobs,
  aggregate, fits, figures; batches grow with sweep.max_jobs, default 2000, so the plan is O(jobs));
* the peak resident memory of the magnon fits stage (this process and its 2 dask workers, sampled every 50 ms)
  on sweep stores of 10^3 and 10^4 points, and their ratio (flat in the number of points is the target).
  These runs go through the real stage (`workflow.studies.magnon.fits`: task streaming, per-task store
  reads, result assembly, the verified write) with a stand-in `fit_point` on the workers that returns a
  precomputed fit of the right shape (a real fit costs ~0.1-0.2 s per realisation here); a last run with
  real fits on a small sweep shows the stage's memory with the real fit.

The results are appended as one section to benchmarks/results/<host>.txt, with the load average before and
after (the machine is shared: `snakemake -n` wall time follows the load, its CPU time is what the plan costs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def sweep_config(results: str, n_points: int) -> dict:
    from spinsweep.workflow.config import DEFAULT_CONFIG

    with open(DEFAULT_CONFIG) as fh:
        config = yaml.safe_load(fh)
    side = int(round(math.sqrt(n_points)))
    config.update(results=results, studies=["magnon"])
    config["dask"].update(n_workers=2, dashboard=None, progress=False)
    magnon = config["magnon"]
    magnon["fixed"]["n_t"] = 21
    magnon["sweep"] = {"axes": {"h_over_T": {"logspace": {"start": -3, "stop": 1, "num": side}},
                                "bias": {"linspace": {"start": 1e-4, "stop": 0.5, "num": n_points // side}}},
                       "batch_size": 13}
    magnon["fits"].update(realisations=2, batch_size=2)
    return config


def planning(n_points: int, workdir: Path) -> dict:
    from spinsweep.workflow.config import load

    path = workdir / f"plan-{n_points}.yaml"
    path.write_text(yaml.safe_dump(sweep_config("results", n_points), sort_keys=False))
    start = time.perf_counter()
    config = load(path)
    validate_s = time.perf_counter() - start
    from spinsweep.workflow.sweep import Sweep

    sweep = Sweep.from_section(config["magnon"])
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    plan = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "workflow" / "Snakefile"),
                           "--directory", str(workdir), "--configfile", str(path), "-n", "--cores", "2"],
                          capture_output=True, text=True)
    plan_s = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    plan_cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if plan.returncode != 0:
        raise RuntimeError(plan.stderr[-2000:])
    jobs = re.search(r"^total\s+(\d+)", plan.stdout + plan.stderr, re.M)
    return {"points": sweep.n_points, "batch_size": sweep.batch_size, "batches": sweep.n_batches,
            "jobs": int(jobs.group(1)) if jobs else None, "validate_s": validate_s, "plan_s": plan_s,
            "plan_cpu_s": plan_cpu_s}


class PeakRSS:
    """Peak resident memory of this process and its children (dask workers), sampled in a thread."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self.proc, self.interval, self.peak, self._stop = psutil.Process(), interval, 0, threading.Event()

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def fits_memory(n_points: int, workdir: Path, stand_in: bool = False) -> dict:
    """Peak RSS of the magnon fits stage on an n_points sweep store (one computed point tiled over the grid:
    the shapes and the work per task are those of a real sweep).

    ``stand_in``: the workers' ``fit_point`` returns a precomputed result of the same shape instead of fitting
    (a real fit costs ~0.1-0.2 s per realisation here, so 10^4 points take ~15 min on 2 workers); what is
    measured is then the stage itself: task streaming, per-task store reads, result assembly and the write."""
    import numpy as np
    import xarray as xr

    from spinsweep.solvers import store
    from spinsweep.workflow.config import validate
    from spinsweep.workflow.stages import run_batch, sweep_encoding
    from spinsweep.workflow.studies.magnon import fit_physics, fits
    from spinsweep.workflow.sweep import Sweep

    config = validate(sweep_config(str(workdir / "results"), n_points))
    section = config["magnon"]
    sweep = Sweep.from_section(section)
    one = {**section, "sweep": {"axes": {k: {"values": [v[0]]} for k, v in sweep.axes.items()}}}
    run_batch("magnon", one, 0, workdir / "one.zarr")
    flat = store.open_dataset(workdir / "one.zarr").load()  # every variable has 'point' first
    reps = {name: (var.dims, np.repeat(var.values, sweep.n_points, axis=0), var.attrs)
            for name, var in flat.data_vars.items()}
    flat = xr.Dataset(reps, coords={"point": np.arange(sweep.n_points),
                                    **{k: v for k, v in flat.coords.items() if "point" not in v.dims}})
    swept = sweep.unstack(flat)
    swept.attrs = {}
    sweep_store = store.write_dataset(swept, workdir / "sweep.zarr", params={"study": "magnon"},
                                      encoding=sweep_encoding(swept, sweep.dim_names))  # as stages.aggregate
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if stand_in:
            from spinsweep.analysis.magnons import fit_point

            first = swept.isel({d: 0 for d in sweep.dim_names}).drop_vars(list(sweep.coords()))
            template = fit_point(first.assign_attrs(sweep.point(0)), 0.01, [1, 2])

            def patch():
                import spinsweep.analysis.magnons as magnons

                def quick(point, noise, seeds):
                    out = template.isel(realisation=[0] * len(seeds))
                    return out.assign_coords(realisation=range(len(seeds)), seed=("realisation", list(seeds)))

                magnons.fit_point = quick

            client.run(patch)
        engines = {"dask": {"scheduler": cluster.scheduler_address, "progress": False}}
        start = time.perf_counter()
        with PeakRSS() as rss:
            fits(fit_physics(section), sweep_store, workdir / "fits.zarr", engines=engines,
                 per_task=section["fits"]["batch_size"])
    return {"points": sweep.n_points, "realisations": section["fits"]["realisations"],
            "peak_rss_mib": rss.peak / 2**20, "fits_s": time.perf_counter() - start, "stand_in": stand_in}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=float, nargs="*", default=[1e4, 1e5, 1e6])
    ap.add_argument("--fits-points", type=float, nargs="*", default=[1e3, 1e4],
                    help="sweep sizes of the fits-memory runs (stand-in fit_point; the stage itself is real)")
    ap.add_argument("--real-fits-points", type=float, default=100,
                    help="points of a last fits run with real fits (0: skip)")
    args = ap.parse_args()
    lines = [f"## bench_planning {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{socket.gethostname()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start"]
    print(lines[-1], flush=True)
    from spinsweep.workflow.config import DEFAULT_CONFIG, load

    load(DEFAULT_CONFIG)  # imports and schema once, outside the timings
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.points:
            r = planning(int(n), Path(tmp))
            lines.append(f"planning {r['points']:>9d} points: validate {r['validate_s']:6.2f} s, snakemake -n "
                         f"{r['plan_s']:6.1f} s wall ({r['plan_cpu_s']:.1f} s CPU), {r['batches']} batches of "
                         f"{r['batch_size']} points, {r['jobs']} jobs (load {os.getloadavg()[0]:.1f})")
            print(lines[-1], flush=True)
    import logging

    logging.basicConfig(level=logging.WARNING)
    runs = [(int(n), True) for n in args.fits_points]
    if args.real_fits_points:
        runs.append((int(args.real_fits_points), False))
    peaks = {}
    for n, stand_in in runs:
        with tempfile.TemporaryDirectory() as sub:
            r = fits_memory(n, Path(sub), stand_in=stand_in)
        kind = "stand-in fit_point (stage only)" if stand_in else "real fits"
        if stand_in:
            peaks[r["points"]] = r["peak_rss_mib"]
        lines.append(f"magnon fits {r['points']:>6d} points x {r['realisations']} realisations, {kind}: peak "
                     f"RSS (process + 2 dask workers) {r['peak_rss_mib']:.0f} MiB, {r['fits_s']:.1f} s "
                     f"({r['fits_s'] / r['points'] * 1e3:.1f} ms per point; load {os.getloadavg()[0]:.1f})")
        print(lines[-1], flush=True)
    if len(peaks) > 1:
        (n0, m0), (n1, m1) = min(peaks.items()), max(peaks.items())
        lines.append(f"magnon fits peak RSS at {n1} / {n0} points (x{n1 / n0:.0f}): {m1 / m0:.2f}")
        print(lines[-1], flush=True)
    out = REPO / "benchmarks" / "results" / f"{socket.gethostname()}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a") as fh:
        fh.write("\n".join(lines) + "\n\n")
    print(f"appended to {out}")


if __name__ == "__main__":
    main()
