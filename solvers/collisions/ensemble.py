"""Ensembles of collision trajectories, serial or on dask.distributed, reduced to mean and standard error.

Trajectory i is seeded by ``SeedSequence(root_seed).spawn(n_traj)[i]`` (built directly as
``SeedSequence(root_seed, spawn_key=(i,))``, the same object).  Trajectories are grouped in batches (one dask
task each, >= ~0.1 s of work); every batch returns its per-trajectory observables and the client folds them in
trajectory-index order (Welford's update), so the result is bitwise the same for any worker count, batch
size and completion order, and a task rerun after a worker died recomputes exactly the same numbers.
"""

from __future__ import annotations

import math
import sys
import time
import uuid
from collections.abc import Mapping

import numpy as np

from .params import CollisionParams, check_steps
from .trajectory import LONG_NAMES, OBSERVABLES, evolve
from .states import initial_double, initial_single

#: keys of the ``params`` mapping of :func:`ensemble` and their defaults (None: required)
PARAM_KEYS = {
    "n_alkali": None, "n_noble": None, "phi_mean": None, "phi_std": None, "n_steps": None,
    "record_every": None, "initial": "collective", "detuning": 0.0, "subspace": "single",
    "compensation": "exact",
}

#: optimistic cost model (faster than measured on the 2-core CI machine), so that a batch sized to
#: TARGET_BATCH_S by it runs at least that long: seconds per collision (single subspace, draws included)
#: and per amplitude update (two-excitation subspace, 4 N_a N updates per step)
_SECONDS_PER_COLLISION = 10e-9
_SECONDS_PER_UPDATE = 0.5e-9
TARGET_BATCH_S = 0.1


def ensemble_params(params: Mapping) -> tuple[CollisionParams, dict]:
    """Split and check an ensemble parameter mapping: (CollisionParams, run settings)."""
    unknown = sorted(set(params) - set(PARAM_KEYS))
    if unknown:
        raise ValueError(f"parameter {unknown[0]!r} is not allowed: the collision ensemble takes "
                         f"{sorted(PARAM_KEYS)}")
    missing = [k for k, v in PARAM_KEYS.items() if v is None and k not in params]
    if missing:
        raise ValueError(f"parameter {missing[0]!r} is missing: required are "
                         f"{[k for k, v in PARAM_KEYS.items() if v is None]}")
    full = {k: params.get(k, v) for k, v in PARAM_KEYS.items()}
    model = CollisionParams(full["n_alkali"], full["n_noble"], full["phi_mean"], full["phi_std"],
                            detuning=full["detuning"], compensation=full["compensation"],
                            subspace=full["subspace"])
    check_steps(full["n_steps"], full["record_every"])
    run = {"n_steps": int(full["n_steps"]), "record_every": int(full["record_every"]),
           "initial": full["initial"]}
    # build the initial state once here so that a bad 'initial' fails before any task is submitted
    (initial_single if model.subspace == "single" else initial_double)(model, run["initial"])
    return model, run


def trajectory_seed(root_seed: int, i: int) -> np.random.SeedSequence:
    """The seed of trajectory i: SeedSequence(root_seed).spawn(n)[i] for any n > i."""
    return np.random.SeedSequence(root_seed, spawn_key=(int(i),))


def run_batch(params: Mapping, root_seed: int, start: int, stop: int) -> np.ndarray:
    """Observables of trajectories start..stop-1: array (stop - start, n_observables, n_times)."""
    model, run = ensemble_params(params)
    make = initial_single if model.subspace == "single" else initial_double
    n_rec = run["n_steps"] // run["record_every"] + 1
    out = np.empty((stop - start, len(OBSERVABLES[model.subspace]), n_rec))
    for k, i in enumerate(range(start, stop)):
        state = make(model, run["initial"])
        rng = np.random.default_rng(trajectory_seed(root_seed, i))
        out[k] = evolve(model, state, run["n_steps"], run["record_every"], rng).T
    return out


def default_batch_size(params: Mapping, n_traj: int) -> int:
    """Trajectories per task so that a task runs >= TARGET_BATCH_S by an optimistic cost model."""
    model, run = ensemble_params(params)
    if model.subspace == "single":
        seconds = run["n_steps"] * model.n_alkali * _SECONDS_PER_COLLISION
    else:
        seconds = run["n_steps"] * 4 * model.n_alkali * model.n_spins * _SECONDS_PER_UPDATE
    return int(min(max(1, math.ceil(TARGET_BATCH_S / seconds)), max(1, n_traj)))


def batch_bounds(n_traj: int, batch_size: int, slots: int = 1) -> list[tuple[int, int]]:
    """Trajectory ranges [a, b) of the batches: at most ``batch_size`` each, sizes differing by at most one.

    The number of batches is rounded up to a multiple of ``slots`` (the worker threads) so that no worker is
    left idle while another runs a last, lone batch.
    """
    n_batches = math.ceil(n_traj / batch_size)
    n_batches = min(n_traj, math.ceil(n_batches / slots) * slots)
    edges = [(n_traj * k) // n_batches for k in range(n_batches + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _worker_slots(client) -> int:
    """Total worker threads of a dask client (1 when it has none yet)."""
    return max(1, sum(client.nthreads().values()))


class _OrderedWelford:
    """Mean and sum of squared deviations, folded strictly in trajectory-index order."""

    def __init__(self, shape, keep: int):
        self.n = 0
        self.mean = np.zeros(shape)
        self.m2 = np.zeros(shape)
        self.kept = []
        self.keep = keep
        self._pending: dict[int, np.ndarray] = {}
        self._next = 0

    def add(self, batch_index: int, values: np.ndarray) -> None:
        self._pending[batch_index] = values
        while self._next in self._pending:
            for x in self._pending.pop(self._next):
                self.n += 1
                delta = x - self.mean
                self.mean += delta / self.n
                self.m2 += delta * (x - self.mean)
                if len(self.kept) < self.keep:
                    self.kept.append(x.copy())
            self._next += 1

    def sem(self) -> np.ndarray:
        if self.n < 2:
            return np.full_like(self.mean, np.nan)
        return np.sqrt(np.maximum(self.m2, 0.0) / (self.n - 1) / self.n)


def _report(progress, done: int, total: int, started: float) -> None:
    if not progress:
        return
    if callable(progress):
        progress(done, total)
    else:
        print(f"[collisions] batch {done}/{total} done after {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)


def ensemble(params: Mapping, n_traj: int, root_seed: int, *, client=None, batch_size: int | None = None,
             progress=False, keep_trajectories: int = 0):
    """Mean and standard error of the collision observables over ``n_traj`` trajectories.

    ``params``: n_alkali, n_noble, phi_mean, phi_std, n_steps, record_every and optionally initial,
    detuning (1/tau), subspace ("single"/"double"), compensation (see :class:`CollisionParams`).
    ``client``: a ``distributed.Client`` (None: run serially in this process).  ``batch_size``:
    at most this many trajectories per task (default: enough for >= 0.1 s per task, with the number of
    tasks rounded up to a multiple of the client's worker threads; see :func:`batch_bounds`).  ``progress``: True prints one line per
    finished batch to stderr; a callable gets (done, total).  ``keep_trajectories``: also return the first k
    trajectories (dims ``traj``, ``t``) e.g. for the inset of Fig. 3a.

    Returns an ``xarray.Dataset`` with coordinate ``t`` (units of tau) and ``<obs>_mean``, ``<obs>_sem`` for
    obs in ``OBSERVABLES[subspace]``; attributes hold the parameters, ``n_traj`` and ``root_seed``.
    """
    import xarray as xr

    model, run = ensemble_params(params)
    if isinstance(n_traj, bool) or not hasattr(n_traj, "__index__") or int(n_traj) < 1:
        raise ValueError(f"n_traj={n_traj!r} is not allowed: must be an integer >= 1")
    if isinstance(root_seed, bool) or not hasattr(root_seed, "__index__") or int(root_seed) < 0:
        raise ValueError(f"root_seed={root_seed!r} is not allowed: must be an integer >= 0")
    n_traj, root_seed = int(n_traj), int(root_seed)
    auto_size = batch_size is None and client is not None
    if batch_size is None:
        batch_size = default_batch_size(params, n_traj)
    if isinstance(batch_size, bool) or not hasattr(batch_size, "__index__") or int(batch_size) < 1:
        raise ValueError(f"batch_size={batch_size!r} is not allowed: must be an integer >= 1 or None")
    batch_size = int(batch_size)
    bounds = batch_bounds(n_traj, batch_size, _worker_slots(client) if auto_size else 1)
    batch_size = max(b - a for a, b in bounds)
    plain = {k: params.get(k, v) for k, v in PARAM_KEYS.items()}
    names = OBSERVABLES[model.subspace]
    n_rec = run["n_steps"] // run["record_every"] + 1
    acc = _OrderedWelford((len(names), n_rec), keep=int(keep_trajectories))
    started = time.perf_counter()
    if client is None:
        for k, (a, b) in enumerate(bounds):
            acc.add(k, run_batch(plain, root_seed, a, b))
            _report(progress, k + 1, len(bounds), started)
    else:
        from distributed import as_completed

        tag = uuid.uuid4().hex[:10]
        futures = {client.submit(run_batch, plain, root_seed, a, b, key=f"collisions-{tag}-{k}",
                                 pure=False): k
                   for k, (a, b) in enumerate(bounds)}
        for done, fut in enumerate(as_completed(futures), start=1):
            acc.add(futures[fut], fut.result())
            fut.release()
            _report(progress, done, len(bounds), started)
    assert acc.n == n_traj
    t = np.arange(n_rec, dtype=float) * run["record_every"]
    data_vars = {}
    sem = acc.sem()
    for j, name in enumerate(names):
        data_vars[f"{name}_mean"] = ("t", acc.mean[j].copy(),
                                     {"units": "1", "long_name": f"ensemble mean of {LONG_NAMES[name]}"})
        data_vars[f"{name}_sem"] = ("t", sem[j].copy(),
                                    {"units": "1", "long_name": f"standard error of the mean of "
                                                                f"{LONG_NAMES[name]}"})
    if acc.kept:
        kept = np.stack(acc.kept)
        for j, name in enumerate(names):
            data_vars[f"{name}_traj"] = (("traj", "t"), kept[:, j, :].copy(),
                                         {"units": "1", "long_name": f"single trajectories: {LONG_NAMES[name]}"})
    attrs = {k: (v if isinstance(v, (str, int, float)) else "user-given") for k, v in plain.items()}
    attrs.update({"n_traj": n_traj, "root_seed": root_seed, "batch_size": batch_size,
                  "model": "stochastic spin-exchange collisions, Katz et al. 2022 SI Eq. S1",
                  "time_unit": "tau (mean time between collisions of one alkali atom)"})
    coords = {"t": ("t", t, {"units": "tau", "long_name": "time in units of the mean collision time tau"})}
    if acc.kept:
        coords["traj"] = ("traj", np.arange(len(acc.kept)), {"units": "1", "long_name": "trajectory index"})
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
