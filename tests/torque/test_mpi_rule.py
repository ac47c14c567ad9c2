"""The torque study's MPI rule: `snakemake --cores 2` runs torque.mpi_runs.<name> as a 2-rank mpiexec job
(rule torque_gpe_mpi) and its x_c check (torque_mpi_check).  Skips without mpiexec, except under CI=true.
The Slurm route (srun --mpi=pmi2 through --profile slurm) is tests/cluster/test_slurm.py."""

from __future__ import annotations

import copy
import shutil
import subprocess

import numpy as np
import pytest
import yaml

from spinsweep_testing import REPO, require
from spinsweep.solvers import store
from spinsweep.workflow.config import ConfigError, load, validate
from spinsweep.workflow.studies import torque as T

pytestmark = pytest.mark.mpi

#: a tiny elongated 2D cloud (kappa n0 = 3 Omega_R on the axis), a few steps: what the rule machinery needs
TINY_2D = {"ranks": 2,
           "gpe": {"model": {"shape": [64, 16], "box": [40.0, 4.0], "g11": 1.0, "g22": 1.0, "g12": 0.85,
                             "omega_R": 1.0, "atom_number": 503.0, "trap": [0.395, 6.32]},
                   "time": {"t_final": 0.3, "output_every": 10},
                   "initial": {"ground_dt": 0.01, "ground_tol": 1.0e-3},
                   "checks": {"points_per_xi_s": 0.5, "max_phase": 3.0}}}


def tiny_config(results) -> dict:
    config = load()
    config["results"] = str(results)
    config["studies"] = ["torque"]
    config["torque"]["mpi_runs"] = {"tiny2d": copy.deepcopy(TINY_2D)}
    return config


def test_default_config_has_no_mpi_runs():
    config = load()
    assert T.mpi_runs(config) == {}
    assert not any("/mpi/" in t for t in T.STUDY.extra_targets(config))


def test_mpi_runs_are_validated(tmp_path):
    config = tiny_config(tmp_path)
    validate(copy.deepcopy(config))
    cfg = T.mpi_run_config(config, "tiny2d")
    assert cfg["threads"] == 1 and cfg["model"]["shape"] == [64, 16]
    assert T.mpi_ranks(config, "tiny2d") == 2
    assert any(t.endswith("/torque/mpi/checks/tiny2d.zarr") for t in T.STUDY.extra_targets(config))
    bad = copy.deepcopy(config)
    bad["torque"]["mpi_runs"]["tiny2d"]["ranks"] = 3  # 64 is not divisible by 3
    with pytest.raises(ConfigError, match="ranks"):
        T.mpi_run_config(bad, "tiny2d")
    bad["torque"]["mpi_runs"]["tiny2d"].update(ranks=2, gpe={"model": {"shape": [64]}})
    with pytest.raises(ConfigError, match="mpi_runs"):
        T.mpi_run_config(bad, "tiny2d")
    bad["torque"]["mpi_runs"]["tiny2d"] = {"gpe": TINY_2D["gpe"]}  # ranks missing: the torque schema
    with pytest.raises(ConfigError):
        validate(bad)


def test_the_3d_study_config_validates():
    with open(REPO / "config" / "studies" / "torque-3d.yaml") as fh:
        overlay = yaml.safe_load(fh)
    config = {**load(), **overlay}
    validate(copy.deepcopy(config))
    runs = T.mpi_runs(config)
    assert {"cigar3d", "cigar3d-reduced", "cigar2d-reduced"} <= set(runs)
    for name in runs:
        cfg = T.mpi_run_config(config, name)
        assert len(cfg["model"]["shape"]) == (2 if name.startswith("cigar2d") else 3)
    assert runs["cigar3d-reduced"]["ranks"] == 2


def test_mpi_rule_runs_two_ranks_through_snakemake(tmp_path):
    require(shutil.which("mpiexec") is not None, "mpiexec is not on PATH (pip install mpich)")
    results = tmp_path / "results"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(tiny_config(results)))
    target = results / "torque" / "mpi" / "checks" / "tiny2d.zarr"
    cmd = ["snakemake", "--cores", "2", "--configfile", str(cfg), "--", str(target)]
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    gpe = results / "torque" / "mpi" / "tiny2d.zarr"
    assert store.is_complete(gpe)
    ds = store.open_dataset(gpe)
    assert ds.attrs["params"]["ranks"] == 2  # one MPI world of 2 ranks wrote the store
    assert {"Z", "n", "n_full"} <= set(ds.data_vars) and ds.sizes["t"] >= 2
    table = store.open_dataset(target).load()
    assert int(table.ranks.item()) == 2
    # the axis reduction recovers the set-up's kappa n0 = delta_g n(0) = 3 Omega_R (rough ground state)
    assert table.Lambda0_axis.item() == pytest.approx(3.0, rel=0.1)
    assert np.isfinite(table.x_c_axis_tf.item()) and np.isfinite(table.x_c_axis_grid.item())
