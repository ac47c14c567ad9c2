"""Benchmarks of spinsweep.solvers.gpe; prints RATIOS measured within one run (the machine is shared and noisy).

    python benchmarks/bench_gpe.py            # all sections
    python benchmarks/bench_gpe.py --no-3d    # skip the 3D MPI section
    python benchmarks/bench_gpe.py --quick    # a smoke run of a few lines, small sizes (no results file)

Targets (issue 13): 1D Strang step <= 1.3x the fastest FFT pair on the machine (ducc0 or FFTW, whichever is
faster for the layout), 2D / 3D steps on one rank <= 1.5x; 32 batched 1D points >= 2x faster than one at a time at
Nx 1728 on one thread and >= 3x at Nx <= 512; Propagator.advance() per-call overhead in 3D < 5% of a step;
3D 256x64x64 on 2 ranks >= 1.6x faster than 1 rank; observables at the default cadence <= 10% of the run.
The batched comparison is printed per grid size, with one thread and with the batch split over all the cores
this process may use (a batched job's natural set-up; a single point cannot use a second core for its tiny
FFTs), per step and end to end (ground state, outputs and store writes included).
Each timing is the minimum over repeats (least disturbed by other processes) of the thread's CPU time (wall
time where several threads work), and the two sides of every ratio are measured interleaved (A, B, A, B, ...) so that both see the same machine load; the load average is printed.
The output is also written to benchmarks/results/<machine kind>.txt (one file per kind of machine).

Why the 1D target is out of reach (roofline of the step's own work): each step line also prints the two
element-wise kernels timed alone.  A real-time step needs, per point and component, at least one sin/cos pair
(the contact phase exp(-i tau (V + g n)): ~25 floating-point operations with the range reduction to [-pi/4, pi/4]
and the degree-11/12 polynomials that 1-ulp accuracy needs) and the kinetic x Rabi product in k-space (12 FMAs):
~37 operations per element, 3456 elements at Nx 1728.  FFT pair + kernels alone, with no call overhead at all,
are already above 1.3x the pair: on the AVX-512 Xeon (512-bit vectors, which ``spinsweep.solvers`` lets numba
use) 3.6 + 1.4 us of kernels against an FFTW pair of ~13.6 us, 1.36x (the step 1.40-1.43x); on the AVX2 EPYC
11.4 + 4.4 us against 20.4 us, 1.78x (the step 1.83x: ~1 us of Python-level calls per step).  The local kernel
runs at ~1.9 ns per sin/cos pair on AVX2 (within ~1.6x of its FMA throughput; rewrites over a float view or in
two passes measured slower), so no call-free loop could bring the step under 1.3x on either machine.
The batched 1D lines print the same account per point: together a point costs its share of the batched FFT pair
plus the kernels (which batching cannot shrink: the same elements, the same operations), alone it adds only the
~1 us of per-step calls, so one-at-a-time / together is capped near (alone) / (batched pair + kernels): measured
1.99 at Nx 128, 1.32 at 512, 1.09 at 1728 on this machine, below the 3x / 2x targets, and the batched step runs
within 6% of that cap.  The 2D/3D steps meet their 1.5x target because their FFTs cost more per point (larger
log N, strided passes) while the kernels cost the same.

Why the advance() per-call overhead stays near one local sub-step: a call returns psi at a whole step, so it
ends with the half local sub-step N(b_s dt) and the next call starts with N(b_0 dt), two sin/cos passes where an
uninterrupted loop merges them into one.  The line prints that sub-step's cost next to the overhead: it is the
whole overhead (7-12% of a 3D step, the rest is below the noise).  Carrying the open half-step from one call to
the next (the call returns N(b_s dt) psi_mid and keeps N(2 b_s dt) psi_mid to go on from) would make the
trajectory depend on where calls end unless every merged sub-step were computed as the square of the half-step
phase, and it needs checkpoints of the carried state: measured on the AVX2 EPYC, that squared merged kernel is
11% slower than the direct one (7.59 vs 6.83 ms at 256x64x64), i.e. +1.3% on every step to save ~10% of one
step per call, while a run calls advance() once per output (every 50-83 steps in config/studies/torque-3d.yaml:
the boundary costs 0.1-0.2% of the run, next to observables that cost far more).  So the boundary stays.
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

from spinsweep.solvers.gpe import GPEParams, Grid, Propagator, SlabFFT, STRANG  # noqa: E402
from spinsweep.solvers.gpe import fft_backends, kernels  # noqa: E402
from spinsweep.solvers.gpe.backends import ThreadedBatch, make_propagator  # noqa: E402


def best_time(fn, repeats=5):
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def interleaved(fns: dict, repeats=7, clock=time.thread_time) -> dict:
    """Best time of each callable, the callables taking turns (so a burst of load hits all of them).

    One-thread work is timed by the thread's CPU time (time.thread_time): on a shared machine the wall time
    also counts the slices the scheduler gives to other processes; work on several threads by the wall clock.
    """
    best = dict.fromkeys(fns, np.inf)
    for _ in range(repeats):
        for k, fn in fns.items():
            t = clock()
            fn()
            best[k] = min(best[k], clock() - t)
    return best


def fft_pairs(shape, axes):
    """One unnormalised forward + backward FFT pair per available back end on the layout ``shape``.

    On zeros: a repeated unnormalised pair multiplies the data by N and overflows any other data to inf/NaN,
    whose arithmetic is slower; FFT codes do not branch on values, and zeros time as fresh random data do
    (checked: 27.3 vs 29.5 us FFTW, 44.0 vs 44.2 us ducc0 at Nx 1728).
    """
    kbuf = fft_backends.aligned_empty(shape)
    kbuf[...] = 0
    real = fft_backends.aligned_empty(shape)
    real[...] = 0.0
    pairs = {}
    for name in fft_backends.BACKENDS:
        if name == "fftw" and not fft_backends.fftw_available():
            continue
        plan = fft_backends.PLANS[name](shape, axes, kbuf)

        def pair(plan=plan):
            plan.forward(real, kbuf)
            plan.backward(kbuf, real)
        pairs[name] = pair
    return pairs


def step_vs_fastest_fft(p, psi, steps, repeats=7):
    """Per step of the auto-chosen propagator, per FFT pair of each back end; measured interleaved."""
    grid = Grid(p.shape, p.box)
    fft = SlabFFT(grid, p.batch_size)
    prop = Propagator(p, grid, fft, STRANG, 0.002)
    holder = {"psi": prop.advance(psi, 2)}

    def run_steps():
        holder["psi"] = prop.advance(holder["psi"], steps)

    # the two element-wise kernels of a step on their own (what the step adds to its FFT pair, overhead aside)
    flat = holder["psi"].reshape(p.batch_size, 2, -1)
    kflat = fft.kbuf.reshape(p.batch_size, 2, -1)
    local, (kin, U) = prop._local(), prop._linear[STRANG.a[0]]
    kin = kin / np.abs(kin)  # the stepper's factor carries 1/N: repeated alone, it would run into subnormals
    fns = {"step": run_steps,
           KERNELS[0]: lambda: [local(flat, 1e-3) for _ in range(steps)],
           KERNELS[1]: lambda: [kernels.linear(kflat, kin, U) for _ in range(steps)]}
    for name, pair in fft_pairs((p.batch_size, 2) + grid.local_shape, tuple(range(2, 2 + grid.ndim))).items():
        fns[name] = (lambda pair=pair: [pair() for _ in range(steps)])
    t = {k: v / steps for k, v in interleaved(fns, repeats).items()}
    return t, fft.backend


#: the element-wise kernels timed next to the step: the local sub-step (contact + potential phases, 2 sin/cos per
#: point) and the linear one (kinetic phase times the 2x2 Rabi rotation)
KERNELS = ("local kernel", "linear kernel")


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


def step_1d(nx, steps=400):
    p = params_1d(nx)
    return step_vs_fastest_fft(p, initial(p, Grid(p.shape, p.box)), steps, repeats=9)


def params_nd(shape):
    box = tuple(64.0 * n / shape[0] for n in shape)
    return GPEParams(shape=shape, box=box, g11=1.0, g22=1.0, g12=0.93, omega_R=1.0, atom_number=1e4,
                     trap=tuple([0.1] + [0.4] * (len(shape) - 1)))


def state_nd(p):
    grid = Grid(p.shape, p.box)
    coords = grid.local_coords()
    r2 = sum((x / (0.35 * b)) ** 2 for x, b in zip(coords, p.box))
    psi = np.zeros((1, 2) + grid.local_shape, complex)
    psi[0, 1] = np.sqrt(np.maximum(1 - r2, 0))
    return psi


def step_nd(shape, steps):
    p = params_nd(shape)
    return step_vs_fastest_fft(p, state_nd(p), steps, repeats=7)


def advance_overhead_3d(shape=(256, 64, 64), k=4, repeats=9):
    """Per-call overhead of Propagator.advance(): k calls of one step vs one call of k steps.

    Each repeat times the two back to back (and the extra local sub-step alone); the overhead is the median over
    repeats of the per-repeat difference, which a burst of load on the shared machine skews less than the
    difference of two separate minima.  Returns (overhead, step, local sub-step) in seconds.
    """
    p = params_nd(shape)
    grid = Grid(p.shape, p.box)
    prop = Propagator(p, grid, SlabFFT(grid, 1), STRANG, 0.002)
    holder = {"psi": prop.advance(state_nd(p), 1)}

    def one_call():
        holder["psi"] = prop.advance(holder["psi"], k)

    def k_calls():
        for _ in range(k):
            holder["psi"] = prop.advance(holder["psi"], 1)

    flat = holder["psi"].reshape(1, 2, -1)

    def local():  # the one local sub-step a call adds: what is left of the overhead after this change
        for _ in range(k):
            kernels.local_real(flat, prop.V, prop.g11, prop.g22, prop.g12, 0.0)

    rows = []
    for _ in range(repeats):
        row = {}
        for name, fn in (("one", one_call), ("many", k_calls), ("local", local)):
            t = time.thread_time()
            fn()
            row[name] = (time.thread_time() - t) / k
        rows.append(row)
    over = float(np.median([r["many"] - r["one"] for r in rows]))
    return over, min(r["one"] for r in rows), min(r["local"] for r in rows)


def batched(nx, B=32, steps=200, threads=1):
    """Per step: B points advanced together (split over ``threads``) vs B single-point propagators in turn."""
    pB = params_1d(nx, B)
    grid = Grid(pB.shape, pB.box)
    propB = make_propagator(pB, grid, SlabFFT(grid, B), STRANG, 0.004, threads=threads)
    psiB = initial(pB, grid)
    singles = [Propagator(pB.point(b), grid, SlabFFT(grid, 1), STRANG, 0.004) for b in range(B)]
    psis = [s.advance(psiB[b:b + 1].copy(), 2) for b, s in enumerate(singles)]
    psiB = propB.advance(psiB, 2)
    held = {"B": psiB}

    def together():
        held["B"] = propB.advance(held["B"], steps)

    def one_at_a_time():
        for b, s in enumerate(singles):
            psis[b] = s.advance(psis[b], steps)

    fns = {"batch": together, "single": one_at_a_time}
    if threads == 1:
        # roofline: the FFT pair alone, per point, in the layout of one (cache-sized) part of the batch -- a
        # lower bound of the batched step per point, whatever the kernels cost
        part = propB.parts[0][2] if isinstance(propB, ThreadedBatch) else propB
        pb = part.B
        pairs = fft_pairs((pb, 2, nx), (2,))
        for name, pair in pairs.items():
            fns[name] = (lambda pair=pair: [pair() for _ in range(B * steps // pb)])
        # ... and the two element-wise kernels on that part: per point they cost the same batched or not
        flat = np.ascontiguousarray(held["B"][:pb]).reshape(pb, 2, nx)
        kflat = flat.copy()
        local, (kin, U) = part._local(), part._linear[STRANG.a[0]]
        kin = kin / np.abs(kin)
        fns[KERNELS[0]] = lambda: [local(flat, 1e-3) for _ in range(B * steps // pb)]
        fns[KERNELS[1]] = lambda: [kernels.linear(kflat, kin, U) for _ in range(B * steps // pb)]
    t = interleaved(fns, 5, time.thread_time if threads == 1 else time.perf_counter)
    t_batch, t_single = t["batch"], t["single"]
    fft_times = [t[n] for n in fft_backends.BACKENDS if n in t]
    t_floor = min(fft_times) / (B * steps) if fft_times else None
    t_kern = sum(t[k] for k in KERNELS) / (B * steps) if threads == 1 else None
    return t_single / t_batch, t_batch / steps, t_single / steps, t_floor, t_kern


def batched_runs(B=32, threads=1):
    """End-to-end: one batched run() of B points vs B single run() calls (ground state, outputs, store)."""
    from spinsweep.solvers.gpe.run import run
    from spinsweep.solvers.gpe.settings import RunSettings
    tmp = Path(tempfile.mkdtemp())
    om = [float(v) for v in np.linspace(0.8, 1.2, B)]
    model = {"shape": [512], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": om,
             "atom_number": 26.67, "trap": [0.316]}
    cfg = {"model": model, "time": {"dt": 0.003, "t_final": 15.0}, "threads": threads}
    t = time.perf_counter()
    run(RunSettings.from_mapping(cfg), tmp / "batch.zarr")
    t_batch = time.perf_counter() - t
    t = time.perf_counter()
    for b in range(B):
        run(RunSettings.from_mapping(dict(cfg, model=dict(model, omega_R=om[b]))), tmp / f"single{b}.zarr")
    t_single = time.perf_counter() - t
    shutil.rmtree(tmp)
    return t_single / t_batch, t_batch, t_single


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
    for _ in range(7):
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


def observables_fraction(repeats=3):
    """Share of a paper-preset run() spent on observables + store writes, at the default output cadence.

    Measured inside each run (wrapping profiles() and the chunk writes), so both parts see the same machine
    load; the first run only warms the numba caches.  Returns the smallest share of the later runs.
    """
    import spinsweep.solvers.gpe.simulation as R
    from spinsweep.solvers.gpe.output import StoreLayout
    from spinsweep.solvers.gpe.run import run
    from spinsweep.solvers.gpe.settings import RunSettings
    spent = {"obs": 0.0}
    orig_profiles, orig_write = R.profiles, StoreLayout.write_chunk

    def profiles(*a, **k):
        t = time.perf_counter()
        out = orig_profiles(*a, **k)
        spent["obs"] += time.perf_counter() - t
        return out

    def write_chunk(self, *a, **k):
        t = time.perf_counter()
        orig_write(self, *a, **k)
        spent["obs"] += time.perf_counter() - t

    R.profiles, StoreLayout.write_chunk = profiles, write_chunk
    tmp = Path(tempfile.mkdtemp())
    shares = []
    try:
        for rep in range(repeats + 1):
            spent["obs"] = 0.0
            t = time.perf_counter()
            run(RunSettings.from_mapping({"preset": "paper118"}), tmp / f"run{rep}.zarr")
            total = time.perf_counter() - t
            if rep:
                shares.append((spent["obs"] / total, total))
    finally:
        R.profiles, StoreLayout.write_chunk = orig_profiles, orig_write
        shutil.rmtree(tmp)
    return min(shares)


def fmt_step(label, t, backend, target):
    """The step / fastest-FFT-pair ratio, and the floor the two element-wise kernels alone put under it."""
    pairs = {k: v for k, v in t.items() if k not in ("step",) + KERNELS}
    fastest = min(pairs, key=pairs.get)
    detail = ", ".join(f"{k} pair {v * 1e6:.1f} us" for k, v in pairs.items())
    kern = sum(t[k] for k in KERNELS)
    floor = (pairs[fastest] + kern) / pairs[fastest]
    return (f"{label} / fastest FFT pair ({fastest}): {t['step'] / pairs[fastest]:.2f}   "
            f"(step {t['step'] * 1e6:.1f} us on {backend}; {detail}; target <= {target}; the kernels alone: "
            f"local {t[KERNELS[0]] * 1e6:.1f} us + linear {t[KERNELS[1]] * 1e6:.1f} us, so FFT pair + kernels = "
            f"{floor:.2f} x the pair, leaving {max(t['step'] - pairs[fastest] - kern, 0.0) * 1e6:.1f} us of call "
            f"overhead per step)")


def results_path(suffix: str = "") -> Path:
    """benchmarks/results/<machine kind><suffix>.txt: one file per kind of machine (CPU model, ISA, core count)."""
    kind = f"{fft_backends.machine_kind()} {os.cpu_count()}cpu"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in kind).strip("_")
    return REPO / "benchmarks" / "results" / f"{name}{suffix}.txt"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "?"
    except OSError:
        return "?"


class Tee:
    """Copies stdout into the machine's results file (written when the run ends)."""

    def __init__(self, path: Path) -> None:
        self.path, self.lines, self._stdout = path, [], sys.stdout
        sys.stdout = self

    def write(self, text):
        self.lines.append(text)
        return self._stdout.write(text)

    def flush(self):
        self._stdout.flush()

    def close(self):
        sys.stdout = self._stdout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("".join(self.lines))
        print(f"# written to {self.path.relative_to(REPO)}")


def quick():
    """A few lines at small sizes: checks the benchmark still runs against the API (numbers only indicative)."""
    print(f"# bench_gpe --quick on {os.uname().nodename} ({fft_backends.machine_kind()}), {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()}")
    t, backend = step_1d(1728, steps=50)
    print(fmt_step("1D Strang step, Nx=1728", t, backend, 1.3))
    for threads in sorted({1, min(2, len(os.sched_getaffinity(0)))}):
        ratio, tb, ts, floor, _ = batched(128, B=32, steps=20, threads=threads)
        print(f"batched 1D, 32 points, Nx=128, {threads} thread(s): one-at-a-time / together = {ratio:.2f}   "
              f"(per step: {tb * 1e3:.3f} ms together, {ts * 1e3:.3f} ms one at a time)")


def main():
    ap = argparse.ArgumentParser(description="Benchmarks of spinsweep.solvers.gpe (ratios measured in one run).")
    ap.add_argument("--no-3d", action="store_true", help="skip the 3D MPI section")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1D step at Nx 1728 and the batched 1D line at Nx 128 with few steps; "
                         "writes no results file")
    ap.add_argument("--worker-3d", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker_3d is not None:
        worker_3d(args.worker_3d)
        return
    if args.quick:
        quick()
        return
    out = Tee(results_path())
    print(f"# python benchmarks/bench_gpe.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"commit {git_commit()}")
    print(f"# bench_gpe on {os.uname().nodename} ({fft_backends.machine_kind()}), {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()}")
    for nx in (1728, 4096):
        t, backend = step_1d(nx)
        print(fmt_step(f"1D Strang step, Nx={nx}", t, backend, 1.3))
    for shape, steps in (((512, 128), 20), ((256, 64, 64), 2)):
        t, backend = step_nd(shape, steps)
        print(fmt_step(f"{len(shape)}D Strang step, {'x'.join(map(str, shape))}, 1 rank", t, backend, 1.5))
    over, step, local = advance_overhead_3d()
    print(f"Propagator.advance() per-call overhead, 3D 256x64x64: {100 * over / step:.1f}% of a step   "
          f"({over * 1e3:.2f} ms per call vs {step * 1e3:.1f} ms per step; target < 5%; of it the extra local "
          f"sub-step a call needs to end on a whole step: {local * 1e3:.2f} ms = {100 * local / step:.1f}%)")
    print(f"# load average {os.getloadavg()}")
    cores = len(os.sched_getaffinity(0))
    for nx in (128, 256, 512, 1728):
        for threads in sorted({1, cores}):
            ratio, tb, ts, floor, kern = batched(nx, threads=threads)
            target = 3 if nx <= 512 else 2
            bound = ("" if floor is None else
                     f"; per point: {tb / 32 * 1e6:.1f} us together, {ts / 32 * 1e6:.1f} us alone, of which the FFT "
                     f"pair alone (batched plan) is {floor * 1e6:.1f} us, so even free kernels would cap the ratio at "
                     f"{ts / 32 / floor:.2f}; with the kernels ({kern * 1e6:.1f} us per point, the same batched or "
                     f"not) the cap is {ts / 32 / (floor + kern):.2f}")
            print(f"batched 1D, 32 points, Nx={nx}, {threads} thread(s): one-at-a-time / together = {ratio:.2f}   "
                  f"(per step: {tb * 1e3:.3f} ms together, {ts * 1e3:.3f} ms one at a time; target >= {target}"
                  f"{'' if threads == 1 else ' on one thread'}{bound})")
    for threads in sorted({1, cores}):
        ratio, tb, ts = batched_runs(threads=threads)
        print(f"batched 1D end to end (run(): ground state + 5000 steps + outputs + store), 32 points, Nx=512, "
              f"{threads} thread(s): {ratio:.2f}   ({tb:.2f} s one batched run vs {ts:.2f} s for 32 single runs, "
              f"in-process; target >= 3)")
    frac, total = observables_fraction()
    print(f"observables + store writes at the default cadence (0.1 Rabi period), paper118 run(): {100 * frac:.1f}% "
          f"of run time   (run {total:.2f} s incl. ground state; target <= 10%)")
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
    out.close()


if __name__ == "__main__":
    main()
