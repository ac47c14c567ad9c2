"""Helpers shared by the tests (imported as ``from spinsweep_testing import ...``; a module name that no
nested conftest.py can shadow)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


#: torque.mpi_runs entry shared by tests/torque/test_mpi_rule.py and tests/cluster/test_slurm.py: a tiny elongated
#: 2D cloud (kappa n0 = 3 Omega_R on the axis), a few steps on 2 ranks -- what the MPI rule machinery needs
TINY_2D = {"ranks": 2,
           "gpe": {"model": {"shape": [64, 16], "box": [40.0, 4.0], "g11": 1.0, "g22": 1.0, "g12": 0.85,
                             "omega_R": 1.0, "atom_number": 503.0, "trap": [0.395, 6.32]},
                   "time": {"t_final": 0.3, "output_every": 10},
                   "initial": {"ground_dt": 0.01, "ground_tol": 1.0e-3},
                   "checks": {"points_per_xi_s": 0.5, "max_phase": 3.0}}}


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, except under CI=true, where a missing prerequisite fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def damage_file(path: Path, how: str) -> None:
    """Damage one stored file as a fault would: ``delete`` it, ``zero`` its bytes, ``truncate`` it to half, or
    ``flip`` the last bit (the fault tests of stores, workflow results and GPE checkpoints)."""
    data = path.read_bytes()
    if how == "delete":
        path.unlink()
    elif how == "zero":
        path.write_bytes(b"\0" * len(data))
    elif how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flip":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    else:
        raise ValueError(f"damage_file: how={how!r}")
