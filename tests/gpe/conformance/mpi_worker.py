"""Runs under ``mpiexec -n P python mpi_worker.py SPEC.npz OUT.npz``: the jobs of SPEC on the MPI back end.

Each job: a GPEParams dict (any dimension), the global initial state psi0 (B, 2, *shape), scheme, dt, steps
between outputs and the number of outputs.  Every rank takes its x-slab of psi0; rank 0 gathers the global
state at every output and writes all trajectories (B, T, 2, *shape) to OUT.
"""

import json
import sys

import numpy as np
from mpi4py import MPI

from spinsweep.solvers.gpe import GPEParams, Grid, SlabFFT, get_scheme
from spinsweep.solvers.gpe.backends import make_propagator


def run_job(comm, job, psi0):
    rank, size = comm.Get_rank(), comm.Get_size()
    p = GPEParams(**job["params"])
    grid = Grid(p.shape, p.box, rank, size)
    fft = SlabFFT(grid, p.batch_size, comm)
    prop = make_propagator(p, grid, fft, get_scheme(job["scheme"]), job["dt"], comm=comm)
    psi = np.ascontiguousarray(psi0[:, :, grid.x_start:grid.x_start + grid.nx_local])
    frames = []
    for m in range(job["n_out"]):
        if m:
            psi = prop.advance(psi, job["every"])
        parts = comm.gather(psi, root=0)
        if rank == 0:
            frames.append(np.concatenate(parts, axis=2))
    return np.stack(frames, axis=1) if rank == 0 else None


def main(spec_path, out_path):
    comm = MPI.COMM_WORLD
    spec = np.load(spec_path)
    jobs = json.loads(str(spec["jobs"]))
    out = {f"traj{i}": run_job(comm, job, spec[f"psi{i}"]) for i, job in enumerate(jobs)}
    if comm.Get_rank() == 0:
        np.savez(out_path, **out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
