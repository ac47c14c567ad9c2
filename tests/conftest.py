"""Shared test helpers.

Tests that need MPI ranks or a Slurm cluster may skip on a laptop without them, but must run when
CI=true (the CI machine installs and starts what they need).
"""

from __future__ import annotations

import shutil

import pytest

from spinsweep_testing import IN_CI, REPO, require  # noqa: F401  (re-exported for fixtures)


@pytest.fixture
def mpiexec() -> str:
    path = shutil.which("mpiexec")
    require(path is not None, "mpiexec is not on PATH (pip install mpich)")
    return path
