"""Helpers shared by the tests (imported as ``from spinsweep_testing import ...``; a module name that no
nested conftest.py can shadow)."""

from __future__ import annotations

import os
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
