"""Parallel engines: dask.distributed clients and MPI launch commands.

* dask: a stage that fans work out calls :func:`dask_client`.  With ``dask.scheduler`` unset in the config
  it starts a LocalCluster (processes, dashboard on localhost only); with an address it attaches to an
  existing scheduler, e.g. one started by dask-jobqueue on Slurm (see cluster/README.md).
* MPI: :func:`mpi_command` gives the launcher for a P-rank run: ``srun --mpi=pmi2 -n P`` inside a Slurm
  allocation, ``mpiexec -n P`` otherwise (``mpi.launcher`` in the config overrides the local one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

#: dask LocalCluster defaults (the one place they are written; the schema documents the keys)
DASK_DEFAULTS = {"scheduler": None, "n_workers": 2, "threads_per_worker": 1, "dashboard": "127.0.0.1:0",
                 "progress": True}


def dask_settings(engines: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``dask`` engine settings of a configuration, defaults filled in."""
    return {**DASK_DEFAULTS, **((engines or {}).get("dask") or {})}


def n_workers(engines: Mapping[str, Any] | None) -> int:
    """Cores a dask stage uses locally (its Snakemake ``threads``)."""
    settings = dask_settings(engines)
    return int(settings["n_workers"]) * int(settings["threads_per_worker"])


def progress_enabled(engines: Mapping[str, Any] | None) -> bool:
    return bool(dask_settings(engines)["progress"])


@contextlib.contextmanager
def dask_client(config: Mapping[str, Any]) -> Iterator["distributed.Client"]:  # noqa: F821
    """A ``distributed.Client`` for the configured engine; the LocalCluster is closed on exit."""
    from distributed import Client, LocalCluster

    settings = dask_settings(config)
    address = settings["scheduler"]
    if address:
        log.info("attaching to dask scheduler %s", address)
        with Client(address) as client:
            yield client
        return
    dashboard = settings["dashboard"]
    with LocalCluster(
        n_workers=int(settings["n_workers"]),
        threads_per_worker=int(settings["threads_per_worker"]),
        processes=True,
        host="127.0.0.1",
        dashboard_address=dashboard if dashboard else None,
    ) as cluster, Client(cluster) as client:
        if dashboard:
            log.info("dask dashboard: %s", client.dashboard_link)
        yield client


def map_ordered(client, func: Callable, tasks: Sequence[tuple], *, progress: bool = False,
                label: str = "") -> list:
    """Run ``func(*args)`` for every tuple in ``tasks`` on the cluster; results in task order.

    Results are gathered in submission order, so the outcome does not depend on worker count or on the
    order in which tasks finish; a task lost with its worker is recomputed by the scheduler.
    """
    from distributed import progress as dask_progress

    futures = [client.submit(func, *args, pure=False) for args in tasks]
    if progress and futures:
        print(f"{label}: {len(futures)} dask tasks on {len(client.scheduler_info()['workers'])} workers",
              flush=True)
        dask_progress(futures, notebook=False)
        print(flush=True)
    return client.gather(futures)


def in_slurm_allocation(environ: Mapping[str, str] = os.environ) -> bool:
    return "SLURM_JOB_ID" in environ


#: local MPI launches talk over loopback only: mpich's hydra (the mpich wheel's mpiexec) otherwise listens on
#: every interface of the machine while the ranks start
LOCAL_MPI_ENV = {"HYDRA_IFACE": "lo"}


def mpi_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Environment for a local MPI launch: ``environ`` plus :data:`LOCAL_MPI_ENV` (a value the user set wins);
    under Slurm ``environ`` unchanged (srun starts the ranks)."""
    env = dict(environ)
    if not in_slurm_allocation(environ):
        for key, value in LOCAL_MPI_ENV.items():
            env.setdefault(key, value)
    return env


def mpi_command(n_ranks: int, config: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] = os.environ) -> list[str]:
    """Launcher prefix for an ``n_ranks`` MPI run (srun under Slurm, mpiexec locally).

    Local launches start through ``env HYDRA_IFACE=lo`` (unless ``HYDRA_IFACE`` is set), so that the launcher
    binds to loopback only, whoever runs the command (see :func:`mpi_env` to pass the environment instead)."""
    if n_ranks < 1:
        raise ValueError(f"n_ranks = {n_ranks} is not allowed: need at least 1 rank")
    if in_slurm_allocation(environ):
        return ["srun", "--mpi=pmi2", "-n", str(n_ranks)]
    launcher = ((config or {}).get("mpi") or {}).get("launcher", "mpiexec")
    env = [f"{k}={v}" for k, v in LOCAL_MPI_ENV.items() if k not in environ]
    return [*(["env", *env] if env else []), *shlex.split(launcher), "-n", str(n_ranks)]


def chunked(items: Sequence, size: int) -> Iterable[Sequence]:
    """Consecutive slices of ``items`` of length ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"batch size {size} is not allowed: need at least 1")
    for start in range(0, len(items), size):
        yield items[start:start + size]
