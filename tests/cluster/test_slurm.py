"""Slurm integration: `snakemake --profile slurm` from the repository root runs a tiny sweep, the 2-rank MPI
self-test and a real 2-rank GPE rule (torque_gpe_mpi: a tiny 2D run, a few steps) as Slurm jobs (srun --mpi=pmi2).  Skips on a laptop without Slurm; under CI=true the
fixture installs and starts a single-node cluster (cluster/local-slurm/start.sh) and the test must run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from spinsweep_testing import IN_CI, REPO, TINY_2D, require
from spinsweep.solvers import store

pytestmark = pytest.mark.slurm


def _slurm_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    probe = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30)
    return probe.returncode == 0 and any(s.strip() in ("idle", "mix", "alloc") for s in probe.stdout.split())


@pytest.fixture(scope="module")
def slurm():
    if not _slurm_up() and IN_CI:
        subprocess.run(["bash", str(REPO / "cluster" / "local-slurm" / "start.sh")], check=True, timeout=1200)
    require(_slurm_up(), "no responding Slurm cluster (sinfo)")


@pytest.fixture(scope="module")
def slurm_env(tmp_path_factory):
    """`--profile slurm` resolves through $XDG_CONFIG_HOME/snakemake/slurm, linked by `spinsweep profiles`
    (a private config home, so the user's own ~/.config is left alone)."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path_factory.mktemp("xdg"))}
    subprocess.run(["spinsweep", "profiles"], check=True, env=env)
    link = os.path.join(env["XDG_CONFIG_HOME"], "snakemake", "slurm")
    assert os.path.realpath(link) == str((REPO / "cluster" / "slurm").resolve())
    return env


def test_profile_runs_sweep_and_mpi_rule_on_slurm(slurm, slurm_env, tmp_path):
    results = tmp_path / "results"  # on this single-node cluster /tmp is shared by submit host and jobs
    with open(REPO / "config" / "config.yaml") as fh:
        config = yaml.safe_load(fh)
    config["results"] = str(results)
    config["studies"] = ["magnon"]
    config["dask"].update(n_workers=1, dashboard=None, progress=False)
    config["magnon"]["fixed"].update(n_t=41)
    config["magnon"]["sweep"] = {"axes": {"h_over_T": {"values": [0.05, 1.0]}, "bias": {"values": [0.01]}},
                                 "batch_size": 1}
    config["magnon"]["fits"].update(realisations=2, batch_size=1)
    config["torque"]["mpi_runs"] = {"tiny2d": TINY_2D}  # targeted below; the torque study itself is not built
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    mpi_out = results / "selftest" / "mpi-2.json"
    gpe_check = results / "torque" / "mpi" / "checks" / "tiny2d.zarr"
    cmd = ["snakemake", "--profile", "slurm", "--configfile", str(cfg),
           "--", str(results / "magnon" / "sweep.zarr"), str(mpi_out), str(gpe_check)]
    run = subprocess.run(cmd, cwd=REPO, env=slurm_env, capture_output=True, text=True, timeout=1200)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-4000:]
    assert "slurm" in log.lower() and "jobid" in log.lower(), "jobs did not go through sbatch"
    sweep = store.open_dataset(results / "magnon" / "sweep.zarr")
    assert dict(sweep.sizes)["h_over_T"] == 2
    # ranks started by srun --mpi=pmi2 inside the Slurm job form one world
    report = json.loads(mpi_out.read_text())
    assert report["ranks"] == 2 and report["allreduce_ok"]
    # the GPE rule: 2 ranks under srun --mpi=pmi2 wrote one complete store (ranks recorded in its attrs)
    gpe = results / "torque" / "mpi" / "tiny2d.zarr"
    assert store.is_complete(gpe)
    assert store.open_dataset(gpe).attrs["params"]["ranks"] == 2
    assert store.open_dataset(gpe_check)["ranks"].values.tolist() == [2]
    assert "torque_gpe_mpi" in log
    again = subprocess.run(cmd, cwd=REPO, env=slurm_env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
