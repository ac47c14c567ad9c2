"""spinsweep's GPE step against peers on the same problem; prints RATIOS measured within one run (issue 13, item 6).

    python benchmarks/bench_gpe_peers.py            # 1D, Nx in 512 1728 4096, and 3D 128x32x32
    python benchmarks/bench_gpe_peers.py --quick    # 1D only

The problem: the two Rabi-coupled GPEs of the torque study (1D trapped cloud, the bench_gpe.py parameters),
one Strang step = local(dt/2) [kinetic + exact Rabi rotation](dt) local(dt/2).  Peers:

* ``numpy``  -- the textbook split step in plain numpy (numpy.fft, complex exp), same splitting, same physics;
  its state after the timed steps is compared with spinsweep's (it must agree to ~1e-12: both are exact
  sub-steps of the same splitting);
* ``pygpe``  -- ``pygpe.spinhalf`` (pip install pygpe), if installed.  It has no Rabi coupling, so it runs the
  Omega_R = 0 problem, and its cross coupling reads ``g_pm |psi|`` where the GPE has ``|psi|^2`` (pygpe
  issue #26): a timing peer only, not compared in value.  Its step does one FFT pair per step, like ours.
* trotter-suzuki (``trottersuzuki``) has no wheel for this Python: not run (reported).

Each ratio is peer time / spinsweep time per step, both measured interleaved (A, B, A, B...) by thread CPU time; the
load average is printed next to the results, which are also written to benchmarks/results/<machine>-peers.txt.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from spinsweep.solvers.gpe import GPEParams, Grid, Propagator, SlabFFT, STRANG, kernels  # noqa: E402

G11, G22, G12, OMEGA_R, N_ATOMS, DT = 43.3, 43.3, 40.3, 1.0, 145.0, 0.004


def interleaved(fns: dict, repeats=7) -> dict:
    """Best thread CPU time of each callable, taking turns (all of them one-threaded: numpy.fft and pygpe too)."""
    best = dict.fromkeys(fns, np.inf)
    for _ in range(repeats):
        for k, fn in fns.items():
            t = time.thread_time()
            fn()
            best[k] = min(best[k], time.thread_time() - t)
    return best


def problem(shape):
    box = (272.0,) if len(shape) == 1 else tuple(272.0 * n / shape[0] for n in shape)
    trap = (0.0855,) + (0.4,) * (len(shape) - 1)
    p = GPEParams(shape=shape, box=box, g11=G11, g22=G22, g12=G12, omega_R=OMEGA_R, atom_number=N_ATOMS, trap=trap)
    grid = Grid(p.shape, p.box)
    coords = grid.local_coords()
    r2 = sum((x / (0.4 * b)) ** 2 for x, b in zip(coords, box))
    psi = np.zeros((1, 2) + grid.local_shape, complex)
    psi[0, 1] = np.sqrt(np.maximum(1 - r2, 1e-6))
    psi[0, 0] = 0.1 * psi[0, 1]
    return p, grid, psi


class NumpySplitStep:
    """The plain numpy split step of the same equations (what one writes first)."""

    def __init__(self, p: GPEParams, grid: Grid) -> None:
        V = sum(0.5 * w ** 2 * x ** 2 for w, x in zip(p.trap, grid.local_coords()))
        self.V = np.broadcast_to(V, grid.local_shape)
        self.axes = tuple(range(1, 1 + grid.ndim))
        self.kin = np.exp(-1j * DT * 0.5 * grid.k2())
        self.U = kernels.rabi_matrix(np.array([OMEGA_R]), np.array([0.0]), DT)[0]

    def local(self, psi, tau):
        n = np.abs(psi) ** 2
        psi[0] *= np.exp(-1j * tau * (self.V + G11 * n[0] + G12 * n[1]))
        psi[1] *= np.exp(-1j * tau * (self.V + G22 * n[1] + G12 * n[0]))

    def advance(self, psi, nsteps):
        U = self.U
        for _ in range(nsteps):
            self.local(psi, 0.5 * DT)
            pk = np.fft.fftn(psi, axes=self.axes)
            pk = self.kin * np.stack([U[0, 0] * pk[0] + U[0, 1] * pk[1], U[1, 0] * pk[0] + U[1, 1] * pk[1]])
            psi = np.fft.ifftn(pk, axes=self.axes)
            self.local(psi, 0.5 * DT)
        return psi


def pygpe_stepper(grid: Grid, psi):
    """pygpe.spinhalf on the same grid and trap (Omega_R = 0, see the module docstring), or None."""
    try:
        from pygpe.shared.grid import Grid as PGrid
        from pygpe.spinhalf import evolution, wavefunction
    except ImportError:
        return None
    shape = grid.shape[0] if grid.ndim == 1 else grid.shape
    dx = grid.dx[0] if grid.ndim == 1 else grid.dx
    pg = PGrid(shape, dx)
    wfn = wavefunction.SpinHalfWavefunction(pg)
    wfn.set_wavefunction(psi[0, 0].copy(), psi[0, 1].copy())
    mesh = [pg.x_mesh] if grid.ndim == 1 else [getattr(pg, f"{a}_mesh") for a in "xyz"[:grid.ndim]]
    trap = sum(0.5 * w ** 2 * x ** 2 for w, x in zip((0.0855, 0.4, 0.4), mesh))
    params = {"dt": DT, "trap": trap, "g_plus": G11, "g_minus": G22, "g_pm": G12}

    def advance(nsteps):
        for _ in range(nsteps):
            evolution.step_wavefunction(wfn, params)
    return advance


def compare(shape, steps):
    p, grid, psi0 = problem(shape)
    prop = Propagator(p, grid, SlabFFT(grid, 1), STRANG, DT)
    ref = NumpySplitStep(p, grid)
    held = {"ss": prop.advance(psi0.copy(), 1), "np": ref.advance(psi0[0].copy(), 1)}

    def ours():
        held["ss"] = prop.advance(held["ss"], steps)

    def plain():
        held["np"] = ref.advance(held["np"], steps)

    fns = {"spinsweep": ours, "numpy": plain}
    peer = pygpe_stepper(grid, psi0)
    if peer is not None:
        fns["pygpe"] = lambda: peer(steps)
    t = {k: v / steps for k, v in interleaved(fns, 5 if grid.ndim == 1 else 3).items()}
    # same physics check: equal step counts so far on both
    a, b = prop.advance(psi0.copy(), 20), ref.advance(psi0[0].copy(), 20)
    dev = float(np.max(np.abs(a[0] - b)) / np.max(np.abs(b)))
    return t, dev, prop.fft.backend


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from bench_gpe import Tee, git_commit, results_path
    out = Tee(results_path("-peers"))
    print(f"# python benchmarks/bench_gpe_peers.py{' --quick' if args.quick else ''}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {git_commit()}")
    print(f"# bench_gpe_peers on {os.uname().nodename}, {os.cpu_count()} cpus, load average {os.getloadavg()}")
    try:
        import pygpe  # noqa: F401
        have = "pygpe installed"
    except ImportError:
        have = "pygpe not installed (pip install pygpe)"
    print(f"# peers: plain numpy split step; {have}; trottersuzuki: no wheel for this Python, not run")
    cases = [((512,), 400), ((1728,), 200), ((4096,), 100)]
    if not args.quick:
        cases.append(((128, 32, 32), 3))
    for shape, steps in cases:
        t, dev, backend = compare(shape, steps)
        peers = ", ".join(f"{k} / spinsweep = {t[k] / t['spinsweep']:.2f}" for k in t if k != "spinsweep")
        detail = ", ".join(f"{k} {v * 1e6:.1f} us" for k, v in t.items())
        print(f"Strang step {'x'.join(map(str, shape))}: {peers}   (per step: {detail}; spinsweep FFT {backend}; "
              f"numpy vs spinsweep state after 20 steps: {dev:.1e} relative)")
    print(f"# load average at the end {os.getloadavg()}")
    out.close()


if __name__ == "__main__":
    main()
