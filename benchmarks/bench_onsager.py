"""Throughput of spinsweep.solvers.magnons.onsager against mpmath's scalar polylog, measured in the same run.

Prints x-values per second for both (all five coefficients L11, L12, L21, L22, K per x), the speed ratio, and
the largest relative difference on the mpmath sample. The onsager rate must be >= 1e6 values/s.

    python benchmarks/bench_onsager.py [--n 2000000] [--n-mpmath 300]
"""
from __future__ import annotations

import argparse
import time

import mpmath
import numpy as np

from spinsweep.solvers.magnons import onsager


def mpmath_onsager(x: float) -> tuple[float, ...]:
    """Reference: the slide-22 formulas with mpmath.polylog at 30 digits."""
    with mpmath.workdps(30):
        xm = mpmath.mpf(x)
        z = mpmath.exp(-xm)
        F1, F2, F3 = (mpmath.polylog(d, z) for d in (1, 2, 3))
        L11, L12 = F1, 2 * F2 + xm * F1
        L22 = 6 * F3 + 4 * xm * F2 + xm**2 * F1
        return float(L11), float(L12), float(L12), float(L22), float(L22 - L12**2 / L11)


def best_rate(fn, n, repeat):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000_000, help="x-values per onsager call")
    ap.add_argument("--n-mpmath", type=int, default=300, help="x-values for the mpmath reference")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    x = 10.0 ** rng.uniform(-8, np.log10(50), args.n)  # log-uniform over the specified range
    onsager(x[:10])  # JIT warm-up (numba cache)
    rate = best_rate(lambda: onsager(x), args.n, args.repeat)

    xs = x[: args.n_mpmath]
    t0 = time.perf_counter()
    ref = np.array([mpmath_onsager(v) for v in xs])
    rate_mp = len(xs) / (time.perf_counter() - t0)
    got = onsager(xs)
    err = max(np.max(np.abs(got[k] / ref[:, j] - 1)) for j, k in enumerate(("L11", "L12", "L21", "L22", "K")))

    print(f"onsager: {rate:.3e} x-values/s (n={args.n}, best of {args.repeat}, 1 thread)")
    print(f"mpmath:  {rate_mp:.3e} x-values/s (n={len(xs)})")
    print(f"speed ratio onsager/mpmath: {rate / rate_mp:.3e}")
    print(f"max relative difference on the mpmath sample: {err:.2e}")
    print("PASS" if rate >= 1e6 else "FAIL", "(requirement: >= 1e6 x-values/s)")


if __name__ == "__main__":
    main()
