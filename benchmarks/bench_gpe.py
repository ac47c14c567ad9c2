"""Benchmarks of solvers.gpe; prints RATIOS measured within one run (the machine is shared and noisy).

    python benchmarks/bench_gpe.py            # all sections
    python benchmarks/bench_gpe.py --no-3d    # skip the 3D MPI section

Targets (task spec): 1D Strang step <= 1.5x the FFTs it must do; 32 batched 1D points >= 3x faster than one at
a time; 3D 256x64x64 on 2 ranks >= 1.6x faster than 1 rank; observables at the default cadence <= 10% of the run.
Each timing is the minimum over repeats (least disturbed by other processes); the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from solvers.gpe import GPEParams, Grid, Propagator, SlabFFT, STRANG  # noqa: E402
from solvers.gpe.fft import c2c  # noqa: E402


def best_time(fn, repeats=5):
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def params_1d(nx, batch=1):
    vals = np.linspace(0.8, 1.2, batch) if batch > 1 else 1.0
    return GPEParams(shape=(nx,), box=(272.0,), g11=43.3, g22=43.3, g12=40.3, omega_R=vals,
                     atom_number=145.0, trap=(0.0855,))


def initial(p, grid):
    x = grid.axis(0)
    amp = np.sqrt(np.maximum(1 - (x / 109.0) ** 2, 1e-6)).astype(complex)
    psi = np.zeros((p.batch_size, 2, p.shape[0]), complex)
    psi[:, 1] = amp
    return psi


def step_vs_fft(nx, steps=400):
    p = params_1d(nx)
    grid = Grid(p.shape, p.box)
    prop = Propagator(p, grid, SlabFFT(grid, 1), STRANG, 0.004)
    psi = prop.advance(initial(p, grid), 5)
    holder = {"psi": psi}

    def run_steps():
        holder["psi"] = prop.advance(holder["psi"], steps)

    a = psi.copy()
    k = np.empty_like(a)

    def run_ffts():  # the very transforms a step does: forward into the spectral buffer, backward in place
        for _ in range(steps):
            c2c(a, (2,), True, k)
            c2c(k, (2,), False, a)

    t_fft = best_time(run_ffts) / steps
    t_step = best_time(run_steps) / steps
    return t_step, t_fft


def batched(nx, B=32, steps=200):
    pB = params_1d(nx, B)
    grid = Grid(pB.shape, pB.box)
    propB = Propagator(pB, grid, SlabFFT(grid, B), STRANG, 0.004)
    psiB = initial(pB, grid)
    singles = [Propagator(pB.point(b), grid, SlabFFT(grid, 1), STRANG, 0.004) for b in range(B)]
    psis = [psiB[b:b + 1].copy() for b in range(B)]
    propB.advance(psiB.copy(), 2)
    t_batch = best_time(lambda: propB.advance(psiB.copy(), steps), 3)
    t_single = best_time(lambda: [s.advance(q.copy(), steps) for s, q in zip(singles, psis)], 3)
    return t_single / t_batch, t_batch / steps, t_single / steps


def worker_3d(steps):
    """Runs under mpiexec -n P: time per 3D Strang step on 256x64x64 (prints one number on rank 0)."""
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    P = comm.Get_size()
    p = GPEParams(shape=(256, 64, 64), box=(64.0, 16.0, 16.0), g11=1.0, g22=1.0, g12=0.93, omega_R=1.0,
                  atom_number=1e4, trap=(0.1, 1.0, 1.0))
    grid = Grid(p.shape, p.box, comm.Get_rank(), P)
    fft = SlabFFT(grid, 1, comm if P > 1 else None)
    prop = Propagator(p, grid, fft, STRANG, 0.002, comm=comm if P > 1 else None)
    X, Y, Z = grid.local_coords()
    psi = np.zeros((1, 2) + grid.local_shape, complex)
    psi[0, 1] = np.sqrt(np.maximum(1 - (X / 25) ** 2 - (Y / 5) ** 2 - (Z / 5) ** 2, 0))
    psi = prop.advance(psi, 2)
    ts, cs = [], []
    for _ in range(3):
        comm.Barrier()
        t, c = time.perf_counter(), time.process_time()
        psi = prop.advance(psi, steps)
        c = time.process_time() - c
        comm.Barrier()
        ts.append((time.perf_counter() - t) / steps)
        cs.append(comm.allreduce(c, op=MPI.MAX) / steps)
    if comm.Get_rank() == 0:
        print(f"T_STEP {min(ts):.6f} {min(cs):.6f}")


def mpi_3d(steps=8):
    res = {}
    exe = shutil.which("mpiexec")
    if exe is None:
        return None
    for P in (1, 2):
        out = subprocess.run([exe, "-n", str(P), sys.executable, __file__, "--worker-3d", str(steps)],
                             capture_output=True, text=True, cwd=REPO, timeout=900)
        line = [ln for ln in out.stdout.splitlines() if ln.startswith("T_STEP")]
        if not line:
            raise RuntimeError(out.stdout + out.stderr)
        res[P] = tuple(float(v) for v in line[0].split()[1:3])
    return res


def observables_fraction():
    """End-to-end paper-preset CLI runs: default output cadence vs only the first and last output."""
    from solvers.gpe.run import run
    times = {}
    tmp = Path(tempfile.mkdtemp())
    for label, every in (("default", None), ("sparse", 13800)):
        cfg = {"preset": "paper118"}
        if every:
            cfg["time"] = {"output_every": every}
        t = time.perf_counter()
        run(cfg, tmp / f"{label}.zarr")
        times[label] = time.perf_counter() - t
    shutil.rmtree(tmp)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-3d", action="store_true")
    ap.add_argument("--worker-3d", type=int, default=None)
    args = ap.parse_args()
    if args.worker_3d is not None:
        worker_3d(args.worker_3d)
        return
    print(f"# bench_gpe on {os.uname().nodename}, {os.cpu_count()} cpus, load average {os.getloadavg()}")
    for nx in (1728, 4096):
        t_step, t_fft = step_vs_fft(nx)
        print(f"1D Strang step / (fft + ifft), Nx={nx}: {t_step / t_fft:.2f}   "
              f"(step {t_step * 1e6:.1f} us, FFT pair {t_fft * 1e6:.1f} us; target <= 1.5)")
    for nx in (128, 256, 512, 1728):
        ratio, tb, ts = batched(nx)
        print(f"batched 1D, 32 points, Nx={nx}: one-at-a-time / together = {ratio:.2f}   "
              f"(per step: {tb * 1e3:.3f} ms together, {ts * 1e3:.3f} ms one at a time; target >= 3)")
    times = observables_fraction()
    frac = (times["default"] - times["sparse"]) / times["default"]
    print(f"observables + store at the default cadence (every 100 steps), paper118 CLI run: {100 * frac:.1f}% of "
          f"run time   (run {times['default']:.2f} s vs {times['sparse']:.2f} s with 2 outputs; target <= 10%)")
    if not args.no_3d:
        res = mpi_3d()
        if res is None:
            print("3D MPI: mpiexec not found")
        else:
            print(f"3D 256x64x64 Strang step, 1 rank / 2 ranks = {res[1][0] / res[2][0]:.2f}   "
                  f"(wall {res[1][0] * 1e3:.0f} ms vs {res[2][0] * 1e3:.0f} ms per step; target >= 1.6)")
            print(f"   same, by CPU time of the busiest rank = {res[1][1] / res[2][1]:.2f}   "
                  f"({res[1][1] * 1e3:.0f} ms vs {res[2][1] * 1e3:.0f} ms; the wall-time speed-up two free cores "
                  f"would give, if MPI waiting does not burn CPU; only indicative on a loaded machine)")
    print(f"# load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
