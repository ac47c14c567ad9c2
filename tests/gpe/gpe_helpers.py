"""Small shared set-ups for the GPE tests (imported by the test modules of tests/gpe)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinsweep.solvers.gpe import GPEParams, Grid, Observer, SlabFFT, get_scheme, ground_state
from spinsweep.solvers.gpe.backends import make_propagator

REPO = Path(__file__).resolve().parents[2]


def small_trapped(shape=(256,), omega_R=1.0, Lambda0=3.0, mu=20.0, R=20.0, box=50.0, **kw) -> GPEParams:
    """A paper-like 1D cloud in small numbers: peak density 1, g n0 = mu, kappa n0 = Lambda0 Omega_R,
    Thomas-Fermi radius R (trap omega = sqrt(2 mu)/R), N = 4/3 n0 R; self-trapped centre for Lambda0 > 2."""
    g = mu
    return GPEParams(shape=shape, box=(box,), g11=g, g22=g, g12=g - Lambda0 * omega_R, omega_R=omega_R,
                     atom_number=4.0 / 3.0 * R, trap=(np.sqrt(2 * mu) / R,), **kw)


def machinery(params: GPEParams, scheme="strang", dt=0.01, imaginary=False, threads=1):
    """(grid, fft, back end, observer) of a serial run (``threads`` > 1: the threaded batch back end)."""
    grid = Grid(params.shape, params.box)
    fft = SlabFFT(grid, params.batch_size)
    prop = make_propagator(params, grid, fft, get_scheme(scheme), dt, imaginary=imaginary, threads=threads)
    obs = Observer(params, grid, fft, prop.V)
    return grid, fft, prop, obs


def quench_ground(params: GPEParams, dt=0.02):
    """Experiment's initial state: ground state polarised in |1,-1> with Omega_R off."""
    grid = Grid(params.shape, params.box)
    fft = SlabFFT(grid, params.batch_size)
    prep = params.replace(omega_R=np.zeros(params.batch_size) if params.batched else 0.0)
    psi, _ = ground_state(prep, grid, fft, spinor="minus", dt=dt, tol=1e-8)
    return psi


def require(condition: bool, reason: str) -> None:
    """tests/conftest.py's ``require`` (skip on a laptop, fail under CI=true), loaded by path: every test folder
    has a module called conftest."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("_spinsweep_tests_conftest", REPO / "tests" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.require(condition, reason)


def mpiexec_or_skip() -> str:
    """mpiexec, or skip (outside CI) / fail (CI=true) through tests/conftest.py's ``require``."""
    exe = shutil.which("mpiexec")
    require(exe is not None, "mpiexec is not on PATH (pip install mpich)")
    return exe


#: ``spinsweep gpe run`` with this interpreter (``mpiexec`` may put another python first on PATH)
GPE_RUN = [sys.executable, "-m", "spinsweep.workflow.gpe_cli", "run"]


def run_cli(args, *, ranks=None, timeout=300, check=True, **popen):
    """``spinsweep gpe run ARGS`` in a subprocess (under ``mpiexec -n ranks`` when given)."""
    cmd = [*GPE_RUN, *map(str, args)]
    if ranks is not None:
        cmd = [mpiexec_or_skip(), "-n", str(ranks), *cmd]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def cli_env():
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
