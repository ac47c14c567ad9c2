"""MPI plumbing: the launcher the workflow uses starts P ranks as one world (runs, not skips, under CI)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spinsweep_testing import REPO
from spinsweep.workflow.engines import mpi_command, mpi_env


def test_launcher_choice():
    assert mpi_command(3, environ={}) == ["env", "HYDRA_IFACE=lo", "mpiexec", "-n", "3"]  # loopback only
    assert mpi_command(3, environ={"HYDRA_IFACE": "eth0"}) == ["mpiexec", "-n", "3"]  # the user's choice wins
    assert mpi_env({})["HYDRA_IFACE"] == "lo" and "HYDRA_IFACE" not in mpi_env({"SLURM_JOB_ID": "7"})
    assert mpi_command(2, environ={"SLURM_JOB_ID": "7"}) == ["srun", "--mpi=pmi2", "-n", "2"]
    with pytest.raises(ValueError, match="n_ranks = 0"):
        mpi_command(0)


@pytest.mark.mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_ranks_form_one_world(mpiexec, tmp_path, ranks):
    out = tmp_path / "mpi.json"
    cmd = mpi_command(ranks, environ={}) + [sys.executable, "-m", "spinsweep.workflow.mpi_check", str(out)]
    subprocess.run(cmd, check=True, timeout=120, cwd=REPO)
    report = json.loads(out.read_text())
    assert report["ranks"] == ranks and report["allreduce_ok"] and len(report["hosts"]) == ranks


@pytest.mark.mpi
def test_mpi_rule_through_snakemake(mpiexec, tmp_path):
    out = tmp_path / "results" / "selftest" / "mpi-2.json"
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(REPO),
                    "--cores", "2", "--config", f"results={tmp_path / 'results'}", "--", str(out)],
                   check=True, timeout=300, capture_output=True)
    assert json.loads(out.read_text())["ranks"] == 2
