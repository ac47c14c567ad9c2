"""Back ends of the conformance suite: one ``trajectories(jobs)`` interface over the serial solver, the threaded
batch and the MPI slab decomposition (P ranks under mpiexec).

A job is a 1D system (``Job``); every back end returns its state at the outputs as (T, 2, Nx) for that system,
so the physics checks are written once:

* ``serial``: the 1D propagator, one point;
* ``threaded``: a batch of three points on 3 threads, the system in the middle between two neighbours with
  other Rabi frequencies (so cross-talk between batch parts would show);
* ``mpi2`` / ``mpi3``: the system embedded in 2D -- uniform along y (Ny = 12 points, dy = dx, untrapped,
  g_2D = g L_y, psi_2D = psi / sqrt(L_y)), which is exactly the 1D dynamics -- decomposed into x-slabs over
  2 or 3 ranks (so Nx must be divisible by 6); the y = 0 column times sqrt(L_y) is handed back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from spinsweep.solvers.gpe import GPEParams, Grid, SlabFFT, get_scheme
from spinsweep.solvers.gpe.backends import make_propagator
from spinsweep.solvers.store import to_jsonable

WORKER = Path(__file__).with_name("mpi_worker.py")
NY = 12  # divisible by 2 and 3 ranks


@dataclass
class Job:
    params: GPEParams          # unbatched 1D system
    psi0: np.ndarray           # (1, 2, Nx)
    scheme: str
    dt: float
    every: int                 # steps between outputs
    n_out: int                 # outputs, the first at t = 0


def _evolve(p: GPEParams, psi0: np.ndarray, job: Job, threads: int = 1) -> np.ndarray:
    grid = Grid(p.shape, p.box)
    prop = make_propagator(p, grid, SlabFFT(grid, p.batch_size), get_scheme(job.scheme), job.dt, threads=threads)
    psi, out = psi0.copy(), [psi0.copy()]
    for _ in range(job.n_out - 1):
        psi = prop.advance(psi, job.every)
        out.append(psi.copy())
    return np.stack(out, axis=1)  # (B, T, 2, Nx)


class Serial:
    name, ranks, is_mpi = "serial", 1, False

    def trajectories(self, jobs: list[Job]) -> list[np.ndarray]:
        return [_evolve(j.params, j.psi0, j)[0] for j in jobs]


class ThreadedBatch:
    name, ranks, is_mpi = "threaded", 1, False

    def trajectories(self, jobs: list[Job]) -> list[np.ndarray]:
        out = []
        for j in jobs:
            om = float(j.params.omega_R)
            batch = j.params.replace(omega_R=[0.75 * om + 0.1, om, 1.25 * om + 0.1])
            out.append(_evolve(batch, np.repeat(j.psi0, 3, axis=0), j, threads=3)[1])
        return out


def embed_2d(p: GPEParams) -> tuple[GPEParams, float]:
    """The 1D system as a 2D one uniform along y (dy = dx): (params, L_y)."""
    Ly = NY * p.dx[0]
    g = {n: float(getattr(p, n)) * Ly for n in ("g11", "g22", "g12")}
    trap = None if p.trap is None else (p.trap[0], 0.0)
    return GPEParams(shape=(p.shape[0], NY), box=(p.box[0], Ly), omega_R=p.omega_R, detuning=p.detuning,
                     atom_number=p.atom_number, trap=trap, **g), Ly


class MPI:
    is_mpi = True

    def __init__(self, ranks: int, mpiexec: str) -> None:
        self.ranks, self.mpiexec, self.name = ranks, mpiexec, f"mpi{ranks}"

    def trajectories(self, jobs: list[Job]) -> list[np.ndarray]:
        specs, arrays, scales = [], {}, []
        for i, j in enumerate(jobs):
            if j.params.shape[0] % 6:
                raise ValueError(f"Nx={j.params.shape[0]}: conformance systems need Nx divisible by 6")
            p2, Ly = embed_2d(j.params)
            specs.append({"params": to_jsonable({**p2.to_dict(), "potential": None}), "scheme": j.scheme,
                          "dt": j.dt, "every": j.every, "n_out": j.n_out})
            arrays[f"psi{i}"] = np.repeat(j.psi0[..., None], NY, axis=-1) / np.sqrt(Ly)
            scales.append(np.sqrt(Ly))
        with tempfile.TemporaryDirectory() as tmp:
            spec, out = Path(tmp) / "spec.npz", Path(tmp) / "out.npz"
            np.savez(spec, jobs=json.dumps(specs), **arrays)
            res = subprocess.run([self.mpiexec, "-n", str(self.ranks), sys.executable, str(WORKER), str(spec),
                                  str(out)], capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                raise AssertionError(f"mpiexec -n {self.ranks} failed:\n{res.stdout}\n{res.stderr}")
            data = np.load(out)
            return [data[f"traj{i}"][0, ..., 0] * s for i, s in enumerate(scales)]


def mpi_subset(backend, representative: bool) -> None:
    """Skip a non-representative case on an MPI back end: 2-3 ranks on a 2-core machine wait for each other at
    every slab transpose, so the MPI back ends run each check on its representative case only."""
    if backend.is_mpi and not representative:
        pytest.skip("MPI back ends run the representative case of this check only (time budget)")
