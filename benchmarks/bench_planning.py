"""Planning cost of large sweeps, and the memory of the magnon fits stage.

    python benchmarks/bench_planning.py [--points 1e4 1e5 1e6] [--fits-points 1e4] [--no-fits]

Prints, for magnon sweeps of 10^4, 10^5 and 10^6 cheap points: the time to validate the configuration
(spinsweep.workflow.config.load) and the wall time of `snakemake -n` (a complete plan: batch jobs, aggregate,
fits, figures; batches grow with sweep.max_jobs, default 2000), and the number of planned jobs.  Then the
peak resident memory of the magnon fits stage (this process and its dask workers, sampled every 50 ms) on a
10^4-point sweep store.  The results are appended as one section to benchmarks/results/<host>.txt.
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
    start = time.perf_counter()
    plan = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "workflow" / "Snakefile"),
                           "--directory", str(workdir), "--configfile", str(path), "-n", "--cores", "2"],
                          capture_output=True, text=True)
    plan_s = time.perf_counter() - start
    if plan.returncode != 0:
        raise RuntimeError(plan.stderr[-2000:])
    jobs = re.search(r"^total\s+(\d+)", plan.stdout + plan.stderr, re.M)
    return {"points": sweep.n_points, "batch_size": sweep.batch_size, "batches": sweep.n_batches,
            "jobs": int(jobs.group(1)) if jobs else None, "validate_s": validate_s, "plan_s": plan_s}


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


def fits_memory(n_points: int, workdir: Path) -> dict:
    """Peak RSS of the magnon fits stage on an n_points sweep store (one computed point tiled over the grid:
    the shapes and the work per task are those of a real sweep)."""
    import numpy as np
    import xarray as xr

    from spinsweep.solvers import store
    from spinsweep.workflow.config import validate
    from spinsweep.workflow.stages import run_batch
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
    sweep_store = store.write_dataset(swept, workdir / "sweep.zarr", params={"study": "magnon"})
    engines = {"dask": {"n_workers": 2, "threads_per_worker": 1, "dashboard": None, "progress": False}}
    start = time.perf_counter()
    with PeakRSS() as rss:
        fits(fit_physics(section), sweep_store, workdir / "fits.zarr", engines=engines,
             per_task=section["fits"]["batch_size"])
    return {"points": sweep.n_points, "realisations": section["fits"]["realisations"],
            "peak_rss_mib": rss.peak / 2**20, "fits_s": time.perf_counter() - start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=float, nargs="*", default=[1e4, 1e5, 1e6])
    ap.add_argument("--fits-points", type=float, default=1e4)
    ap.add_argument("--no-fits", action="store_true")
    args = ap.parse_args()
    lines = [f"## bench_planning {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{socket.gethostname()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.points:
            r = planning(int(n), Path(tmp))
            lines.append(f"planning {r['points']:>9d} points: validate {r['validate_s']:6.2f} s, snakemake -n "
                         f"{r['plan_s']:6.1f} s, {r['batches']} batches of {r['batch_size']} points, "
                         f"{r['jobs']} jobs")
            print(lines[-1], flush=True)
        if not args.no_fits:
            import logging

            logging.basicConfig(level=logging.WARNING)
            r = fits_memory(int(args.fits_points), Path(tmp))
            lines.append(f"magnon fits {r['points']} points x {r['realisations']} realisations: peak RSS "
                         f"(process + dask workers) {r['peak_rss_mib']:.0f} MiB, {r['fits_s']:.1f} s")
            print(lines[-1], flush=True)
    out = REPO / "benchmarks" / "results" / f"{socket.gethostname()}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a") as fh:
        fh.write("\n".join(lines) + "\n\n")
    print(f"appended to {out}")


if __name__ == "__main__":
    main()
