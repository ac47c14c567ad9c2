"""Small shared set-ups for the GPE tests (imported by the test modules of tests/gpe)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinsweep.solvers.gpe import (GPEParams, Grid, Observer, Propagator, SlabFFT, get_scheme, ground_state)

REPO = Path(__file__).resolve().parents[2]


def small_trapped(shape=(256,), omega_R=1.0, Lambda0=3.0, mu=20.0, R=20.0, box=50.0, **kw) -> GPEParams:
    """A paper-like 1D cloud in small numbers: peak density 1, g n0 = mu, kappa n0 = Lambda0 Omega_R,
    Thomas-Fermi radius R (trap omega = sqrt(2 mu)/R), N = 4/3 n0 R; self-trapped centre for Lambda0 > 2."""
    g = mu
    return GPEParams(shape=shape, box=(box,), g11=g, g22=g, g12=g - Lambda0 * omega_R, omega_R=omega_R,
                     atom_number=4.0 / 3.0 * R, trap=(np.sqrt(2 * mu) / R,), **kw)


def machinery(params: GPEParams, scheme="strang", dt=0.01, imaginary=False):
    grid = Grid(params.shape, params.box)
    fft = SlabFFT(grid, params.batch_size)
    prop = Propagator(params, grid, fft, get_scheme(scheme), dt, imaginary=imaginary)
    obs = Observer(params, grid, fft, prop.V)
    return grid, fft, prop, obs


def quench_ground(params: GPEParams, dt=0.02):
    """Experiment's initial state: ground state polarised in |1,-1> with Omega_R off."""
    grid = Grid(params.shape, params.box)
    fft = SlabFFT(grid, params.batch_size)
    prep = params.replace(omega_R=np.zeros(params.batch_size) if params.batched else 0.0)
    psi, _ = ground_state(prep, grid, fft, spinor="minus", dt=dt, tol=1e-8)
    return psi


def mpiexec_or_skip() -> str:
    exe = shutil.which("mpiexec")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("mpiexec is missing but CI=true: MPI tests must run")
        pytest.skip("mpiexec not found (allowed only outside CI)")
    return exe


def run_cli(args, *, ranks=None, timeout=300, check=True, **popen):
    cmd = [sys.executable, "-m", "spinsweep.solvers.gpe.run", *map(str, args)]
    if ranks is not None:
        cmd = [mpiexec_or_skip(), "-n", str(ranks), *cmd]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def cli_env():
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
