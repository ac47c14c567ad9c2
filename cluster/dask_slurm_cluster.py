"""Start a dask scheduler whose workers run as Slurm jobs (dask-jobqueue), for spinsweep's dask stages.

Run it on the login/submit host and leave it running while the workflow runs:

    python cluster/dask_slurm_cluster.py --jobs 4                 # 4 worker jobs, fixed
    python cluster/dask_slurm_cluster.py --adapt 1:20             # 1..20 worker jobs, grown on demand
    python cluster/dask_slurm_cluster.py --print-job-script       # show the sbatch script and exit

It prints the scheduler address and the matching spinsweep config lines
(``dask: {scheduler: "tcp://host:8786"}``), optionally writes the address to ``--address-file``,
and on Ctrl-C / SIGTERM closes the cluster, which cancels the worker jobs.
Settings come from cluster/dask-jobqueue.yaml (``--config``); see cluster/README.md.
Needs the ``dask-jobqueue`` package (pip install dask-jobqueue).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).with_name("dask-jobqueue.yaml")


def load_jobqueue_config(path: Path) -> dict:
    """Read a dask-jobqueue YAML file and check it has a ``jobqueue.slurm`` mapping."""
    import yaml

    if not path.is_file():
        raise ValueError(f"--config {path}: no such file; expected a YAML file like {DEFAULT_CONFIG}")
    data = yaml.safe_load(path.read_text())
    slurm = (data or {}).get("jobqueue", {}).get("slurm") if isinstance(data, dict) else None
    if not isinstance(slurm, dict):
        raise ValueError(f"--config {path}: needs a mapping at jobqueue.slurm (see {DEFAULT_CONFIG})")
    for key in ("cores", "memory"):
        if slurm.get(key) in (None, ""):
            raise ValueError(f"--config {path}: jobqueue.slurm.{key} = {slurm.get(key)!r}; it must be set")
    return data


def parse_adapt(text: str) -> tuple[int, int]:
    """``"MIN:MAX"`` worker-job bounds for adaptive scaling."""
    try:
        low, high = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--adapt {text!r}: expected MIN:MAX, e.g. 1:20") from None
    if not 0 <= low <= high or high < 1:
        raise argparse.ArgumentTypeError(f"--adapt {text!r}: need 0 <= MIN <= MAX and MAX >= 1")
    return low, high


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number >= 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="dask-jobqueue YAML (default: %(default)s)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--jobs", type=positive_int, default=1, help="fixed number of worker jobs (default: 1)")
    size.add_argument("--adapt", type=parse_adapt, metavar="MIN:MAX", help="adaptive number of worker jobs")
    parser.add_argument("--port", type=int, default=None, help="scheduler port (default: from --config, else 8786)")
    parser.add_argument("--address-file", type=Path, default=None, help="write the scheduler address here")
    parser.add_argument("--wait-workers", type=int, default=0,
                        help="block until this many workers have connected before announcing the address")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for --wait-workers")
    parser.add_argument("--print-job-script", action="store_true", help="print the worker job script and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_jobqueue_config(args.config)
    except ValueError as err:
        print(f"dask_slurm_cluster: {err}", file=sys.stderr)
        return 2
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        print("dask_slurm_cluster: dask-jobqueue is not installed (pip install dask-jobqueue)", file=sys.stderr)
        return 2
    import dask.config
    from distributed import Client

    dask.config.update(dask.config.config, settings, priority="new")
    if args.port is not None:
        dask.config.set({"jobqueue.slurm.scheduler-options.port": args.port})
    if dask.config.get("jobqueue.slurm.python", None) is None:
        dask.config.set({"jobqueue.slurm.python": sys.executable})

    cluster = SLURMCluster()
    if args.print_job_script:
        print(cluster.job_script())
        cluster.close()
        return 0

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        if args.adapt:
            cluster.adapt(minimum_jobs=args.adapt[0], maximum_jobs=args.adapt[1])
        else:
            cluster.scale(jobs=args.jobs)
        if args.wait_workers:
            with Client(cluster) as client:
                client.wait_for_workers(args.wait_workers, timeout=args.timeout)
        address = cluster.scheduler_address
        if args.address_file:
            args.address_file.write_text(address + "\n")
        print(f"scheduler: {address}\ndashboard: {cluster.dashboard_link}")
        print(f'spinsweep config:\n  dask:\n    scheduler: "{address}"', flush=True)
        while not stop.is_set():
            time.sleep(0.5)
    finally:
        cluster.close()
        if args.address_file and args.address_file.exists():
            args.address_file.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
