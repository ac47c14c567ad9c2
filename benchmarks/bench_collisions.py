"""Benchmark of the collision kernels and dask ensembles (noble study, Katz et al. 2022 Fig. 3).

Prints ratios measured in one run (the machine is shared and noisy):

1. single-excitation kernel (pairing + Eq. S1 update, random numbers pre-drawn) in collisions/s per core,
   and its ratio to the rate at which numpy draws in bulk the random numbers of one collision
   (one uniform for the partner, one standard normal for phi); target >= 0.7;
2. kernel vs the straightforward per-step vectorised numpy implementation (spinsweep.solvers.collisions.reference,
   given the same partners and angles, i.e. without its pairing cost); target >= 10x;
3. two-excitation subspace, N_a = 30, N_b = 300, <phi> = 1e-5: a fraction of one full exchange period
   (pi/J steps) is timed and extrapolated (stated as such); with --full-period the whole period is also run
   end to end and timed; target: minutes on one core;
4. ensemble on 2 dask workers vs 1 (LocalCluster, processes); target >= 1.7x; the load average is printed
   before and after because other jobs share the 2 cores.

Usage: python benchmarks/bench_collisions.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spinsweep.solvers.collisions import ensemble, exchange_rate, kernels, run_trajectory  # noqa: E402
from spinsweep.solvers.collisions.params import CollisionParams  # noqa: E402
from spinsweep.solvers.collisions.reference import evolve_single_numpy  # noqa: E402
from spinsweep.solvers.collisions.states import initial_double, initial_single  # noqa: E402


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_single(n_a=100, n_b=10_000, steps=4000):
    params = CollisionParams(n_a, n_b, 1e-3, 1e-3)
    rng = np.random.default_rng(0)
    u = rng.random((steps, n_a))
    z = rng.standard_normal((steps, n_a))
    obs = np.empty((2, 5))
    c = initial_single(params, "collective")
    perm = np.arange(n_b)
    kernels.evolve_single(c, perm, u[:2], z[:2], params.phi_mean, params.phi_std, params.theta, 0, 10 ** 9,
                          obs, 0)  # compile / load cache

    def kernel():
        kernels.evolve_single(c, perm, u, z, params.phi_mean, params.phi_std, params.theta, 0, 10 ** 9, obs, 0)

    def draw():
        rng.random((steps, n_a))
        rng.standard_normal((steps, n_a))

    # interleave the two measurements so that both see the same machine load
    tk, td = [], []
    for _ in range(5):
        tk.append(best_of(kernel, 1))
        td.append(best_of(draw, 1))
    n_coll = steps * n_a
    rate_k, rate_d = n_coll / min(tk), n_coll / min(td)
    print(f"[1] single-excitation kernel, N_a={n_a}, N_b={n_b}: {rate_k / 1e6:.1f} M collisions/s per core "
          f"({1e9 / rate_k:.1f} ns/collision); numpy bulk draws of one collision's random numbers: "
          f"{rate_d / 1e6:.1f} M/s ({1e9 / rate_d:.1f} ns)")
    print(f"    ratio kernel rate / draw rate = {rate_k / rate_d:.2f}  (target >= 0.7)")
    end2end = best_of(lambda: run_trajectory(n_a, n_b, 1e-3, 1e-3, steps, steps, seed=1), 3)
    print(f"    end to end (draws + kernel, run_trajectory): {n_coll / end2end / 1e6:.1f} M collisions/s; "
          f"ratio to draw rate {n_coll / end2end / rate_d:.2f}")

    # [2] numpy reference with the same partners and angles
    ns = max(50, steps // 20)
    perm2 = np.arange(n_b)
    partners = np.empty((ns, n_a), dtype=np.int64)
    for s in range(ns):
        kernels.draw_partners(u[s], perm2, n_a, partners[s])
    phi = params.phi_mean + params.phi_std * z[:ns]
    c0 = initial_single(params, "collective")
    t_np = best_of(lambda: evolve_single_numpy(c0, partners, phi, params.theta), 3) / (ns * n_a)
    t_k = min(tk) / n_coll
    print(f"[2] numpy per-step vectorised reference: {t_np * 1e9:.0f} ns/collision (pairing excluded) vs "
          f"kernel {t_k * 1e9:.1f} ns (pairing included): kernel is {t_np / t_k:.0f}x faster  (target >= 10x)")


def bench_double(n_a=30, n_b=300, phi=1e-5, steps=3000):
    params = CollisionParams(n_a, n_b, phi, phi, subspace="double")
    rng = np.random.default_rng(0)
    u = rng.random((steps, n_a))
    z = rng.standard_normal((steps, n_a))
    obs = np.empty((2, 5))
    C = initial_double(params, "pair")
    perm = np.arange(n_b)
    kernels.evolve_double(C, perm, u[:2], z[:2], phi, phi, params.theta, 0, 10 ** 9, obs, 0)
    t = best_of(lambda: kernels.evolve_double(C, perm, u, z, phi, phi, params.theta, 0, 10 ** 9, obs, 0), 3)
    J = exchange_rate(n_a, n_b, phi)
    period = math.pi / J
    per_step = t / steps
    print(f"[3] two-excitation N_a={n_a}, N_b={n_b}, <phi>={phi:g}: {per_step * 1e6:.0f} us/step "
          f"({n_a * (n_a + n_b) * 4 / per_step / 1e6:.0f} M equivalent amplitude updates/s, 4 N_a N per step); "
          f"one full exchange period "
          f"pi/J = {period:.3g} steps -> {per_step * period / 60:.1f} min on one core "
          f"(EXTRAPOLATED from {steps} timed steps; first bunching at pi/(4J): "
          f"{per_step * period / 4 / 60:.1f} min)")


def bench_double_full(n_a=30, n_b=300, phi=1e-5):
    """One full exchange period pi/J of the two-excitation run, end to end (draws + kernel), timed."""
    J = exchange_rate(n_a, n_b, phi)
    n_steps = math.ceil(math.pi / J)
    record_every = max(1, n_steps // 400)
    n_steps = math.ceil(n_steps / record_every) * record_every
    run_trajectory(n_a, n_b, phi, phi, 10, 10, seed=0, initial="pair", subspace="double")  # compile
    t0 = time.perf_counter()
    tr = run_trajectory(n_a, n_b, phi, phi, n_steps, record_every, seed=0, initial="pair", subspace="double")
    wall = time.perf_counter() - t0
    p11 = tr.observables["P11"]
    print(f"[3'] two-excitation N_a={n_a}, N_b={n_b}, <phi>={phi:g}, one full period pi/J = {n_steps} steps "
          f"RUN end to end: {wall / 60:.2f} min on one core; norm drift {abs(tr.observables['norm'][-1] - 1):.1e}, "
          f"min P11 = {p11.min():.3f} at t = {tr.t[p11.argmin()] * J / math.pi:.3f} pi/J")


def bench_dask(quick=False):
    import distributed

    params = dict(n_alkali=100, n_noble=10_000, phi_mean=1e-3, phi_std=1e-3, n_steps=20_000,
                  record_every=200)
    n_traj = 24 if quick else 192
    ensemble(params, 1, 0, batch_size=1)  # compile in this process (fills numba's on-disk cache)
    walls = {}
    for n in (1, 2):
        with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=40) as cluster, \
                distributed.Client(cluster) as client:
            client.wait_for_workers(n)
            ensemble(params, n, 0, client=client, batch_size=1)  # warm the workers (imports, cache load)
            load0 = os.getloadavg()[0]
            cpu0 = client.run(time.process_time)
            t0 = time.perf_counter()
            ds = ensemble(params, n_traj, 0, client=client)
            walls[n] = time.perf_counter() - t0
            cpu1 = client.run(time.process_time)
            load1 = os.getloadavg()[0]
        cpu = sum(cpu1[w] - cpu0[w] for w in cpu1 if w in cpu0)
        print(f"[4] ensemble of {n_traj} trajectories ({ds.attrs['batch_size']} per task) on {n} worker(s): "
              f"{walls[n]:.2f} s wall, workers' CPU time {cpu:.2f} s (= {cpu / walls[n]:.2f} cores busy); "
              f"1-min load average {load0:.2f} before, {load1:.2f} after")
    print(f"    speed-up 2 workers / 1 worker = {walls[1] / walls[2]:.2f}  (target >= 1.7; "
          f"{os.cpu_count()} cores, shared with other jobs)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller workloads")
    ap.add_argument("--dask-only", action="store_true", help="only the 2-vs-1 worker measurement")
    ap.add_argument("--full-period", action="store_true",
                    help="also run one full two-excitation exchange period end to end (~1.5 min)")
    args = ap.parse_args()
    print(f"host {os.uname().nodename}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    if args.dask_only:
        bench_dask(args.quick)
        return
    bench_single(steps=2000 if args.quick else 4000)
    bench_double(steps=1000 if args.quick else 3000)
    if args.full_period:
        bench_double_full()
    bench_dask(args.quick)


if __name__ == "__main__":
    main()
