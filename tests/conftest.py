"""Shared test helpers.

Tests that need MPI ranks or a Slurm cluster may skip on a laptop without them, but must run when
CI=true (the CI machine installs and starts what they need).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, except under CI=true, where a missing prerequisite fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def mpiexec() -> str:
    path = shutil.which("mpiexec")
    require(path is not None, "mpiexec is not on PATH (pip install mpich)")
    return path
