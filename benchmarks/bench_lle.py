"""LLE solver cost, as ratios measured in one run (the machine is noisy; absolute times are printed for context).

    python benchmarks/bench_lle.py

Paper preset fig3_118Hz (R_x = 210 um), grid over |x| < 1.15 R_x, integrated over Omega_R t in [0, 4] (interfaces form; no breaking yet).
Prints: cost vs grid size N (explicit integrators: steps ~ k_max^2 ~ N^2 at fixed box once stability-limited,
times N per step), FD4 vs spectral, DOP853 vs RK4, with/without quantum torque, and the edge floor n_floor.
"""

from __future__ import annotations

import math
import time

import numpy as np

from spinsweep.solvers.lle import build, initial_spin
from spinsweep.solvers.rabi import preset


def run(N: int, quantum_torque: bool = True, n_floor: float = 0.02, t_end: float = 4.0, scheme: str = "fd4",
        method: str = "DOP853"):
    p = preset("fig3_118Hz")
    half = 1.15 * p.R_x
    x = -half + 2 * half * np.arange(N) / N
    model, _ = build(p, x, quantum_torque=quantum_torque, n_floor=n_floor, scheme=scheme, check_resolution=False)
    s0 = initial_spin(model)
    t0 = time.perf_counter()
    if method == "RK4":
        model.integrate_rk4(s0, [0.0, t_end])
        nfev = 4 * int(np.ceil(t_end / (0.5 * model.rk4_dt_max())))
    else:
        nfev = model.integrate(s0, [0.0, t_end], rtol=1e-8, atol=1e-10).nfev
    wall = time.perf_counter() - t0
    return wall, nfev, (x[1] - x[0]) / p.xi_s(0.0)


def best_of(repeats: int = 2, **kw):
    """Smallest wall time of a few repeats (the machine is shared)."""
    runs = [run(**kw) for _ in range(repeats)]
    return min(r[0] for r in runs), runs[0][1], runs[0][2]


def main() -> None:
    base_wall, base_nfev, _ = best_of(N=1024)
    print(f"reference: N = 1024, wall {base_wall:.2f} s, {base_nfev} rhs evaluations per Omega_R t = 4")
    print("N      dx/xi_s   wall ratio   rhs-eval ratio   (vs N = 1024)")
    for N in (1024, 2048, 4096):
        w, nf, dx = best_of(N=N)
        print(f"{N:<6d} {dx:8.3f} {w / base_wall:11.2f} {nf / base_nfev:15.2f}")
    w_q, nf_q, _ = best_of(N=2048, quantum_torque=True)
    w_n, nf_n, _ = best_of(N=2048, quantum_torque=False)
    print(f"N = 2048: with/without quantum torque: wall ratio {w_q / w_n:.1f}, rhs-eval ratio {nf_q / nf_n:.1f}")
    w_f, nf_f, _ = best_of(N=2048, n_floor=0.05)
    print(f"N = 2048: n_floor 0.02 / 0.05: wall ratio {w_q / w_f:.2f}, rhs-eval ratio {nf_q / nf_f:.2f}")
    w_s, nf_s, _ = best_of(1, N=2048, scheme="spectral")
    print(f"N = 2048: spectral / fd4: wall ratio {w_s / w_q:.1f}, rhs-eval ratio {nf_s / nf_q:.1f}")
    w_r, nf_r, _ = best_of(N=2048, method="RK4")
    print(f"N = 2048, fd4: RK4 (dt = half stability bound) / DOP853: wall ratio {w_r / w_q:.2f}, "
          f"rhs-eval ratio {nf_r / nf_q:.2f}")


if __name__ == "__main__":
    main()
