"""The torque study's MPI rule: `snakemake --cores 2` runs torque.mpi_runs.<name> as a 2-rank mpiexec job
(rule torque_gpe_mpi) and its x_c check (torque_mpi_check).  Skips without mpiexec, except under CI=true.
The Slurm route (srun --mpi=pmi2 through --profile slurm) is tests/cluster/test_slurm.py."""

from __future__ import annotations

import copy
import math
import shutil
import subprocess

import numpy as np
import pytest
import yaml

from spinsweep_testing import REPO, TINY_2D, require
from spinsweep.solvers import store
from spinsweep.workflow.config import ConfigError, load, validate
from spinsweep.workflow.studies import torque as T

pytestmark = pytest.mark.mpi


def tiny_config(results) -> dict:
    config = load()
    config["results"] = str(results)
    config["studies"] = ["torque"]
    plasma = copy.deepcopy(TINY_2D)  # the same cloud in the dressed ground state, tilted by a small detuning
    plasma["kind"] = "plasma"
    plasma["gpe"]["model"]["detuning"] = 0.05
    plasma["gpe"]["initial"]["spinor"] = "x"
    plasma["gpe"]["time"].update(t_final=4.0, output_every=4)  # ~1.3 plasma periods
    config["torque"]["mpi_runs"] = {"tiny2d": copy.deepcopy(TINY_2D), "tiny2d-plasma": plasma}
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


def _study_3d() -> dict:
    with open(REPO / "config" / "studies" / "torque-3d.yaml") as fh:
        overlay = yaml.safe_load(fh)
    return {**load(), **overlay}


def test_the_3d_study_config_validates():
    config = _study_3d()
    validate(copy.deepcopy(config))
    runs = T.mpi_runs(config)
    assert {"cigar3d", "cigar3d-plasma", "cigar3d-reduced", "cigar3d-plasma-reduced"} <= set(runs)
    for name in runs:
        cfg = T.mpi_run_config(config, name)
        assert len(cfg["model"]["shape"]) == 3
    assert runs["cigar3d-reduced"]["ranks"] == 2
    pairs = T.reduction_runs(config)
    assert pairs["cigar3d"] == "cigar3d-plasma" and pairs["cigar3d-reduced"] == "cigar3d-plasma-reduced"
    for plasma in set(pairs.values()):  # the dressed ground state s = (n, 0, 0), tilted by a small detuning
        gpe = runs[plasma]["gpe"]
        assert T.mpi_kind(runs[plasma]) == "plasma" and gpe["initial"]["spinor"] == "x"
        assert 0 < abs(gpe["model"]["detuning"]) <= 0.1
    bad = copy.deepcopy(config)
    bad["torque"]["mpi_runs"]["cigar3d-reduced"]["plasma"] = "cigar3d"  # a quench run, not a plasma one
    with pytest.raises(ConfigError, match="plasma"):
        T.reduction_runs(bad)


@pytest.mark.parametrize("name", ["cigar3d", "cigar3d-reduced"])
def test_3d_clouds_keep_the_experiments_radial_numbers(name):
    """Seed Methods: N = 5e5, trap 10 x 1006 Hz, delta_g/g = 0.07, kappa n0 = 2pi x 357.6 Hz at Omega_R =
    2pi x 118 Hz (axis reduction: mu = hbar kappa n0/(delta_g/g)).  The 3D runs (solver units hbar = m =
    Omega_R = 1) must keep mu/(hbar omega_r) = 5.08, Omega_R/omega_r = 118/1006 and delta_g/g; only the axial
    length may shrink.  Thomas-Fermi mu of the polarised cloud, mu^(5/2) = 15 N g omega_x omega_r^2/(8 pi 2^(3/2));
    tolerance 3% (the cluster run keeps the seed's N = 5e5 and R_x ~ 210 um, which fix mu to that accuracy)."""
    model = T.mpi_runs(_study_3d())[name]["gpe"]["model"]
    g, g12, N = model["g11"], model["g12"], model["atom_number"]
    w_x, w_r, w_r2 = model["trap"]
    assert w_r == w_r2
    mu = (15 * N * g * w_x * w_r ** 2 / (8 * math.pi * 2 ** 1.5)) ** 0.4
    assert mu / w_r == pytest.approx(357.6 / 0.07 / 1006, rel=0.03)
    assert model["omega_R"] / w_r == pytest.approx(118 / 1006, rel=0.01)
    assert (g - g12) / g == pytest.approx(0.07, rel=0.01)
    # the grid: transverse spacing <= 1.2 density healing lengths 1/sqrt(2 mu), box >= 2.5 R_r
    R_r = math.sqrt(2 * mu) / w_r
    for axis in (1, 2):
        assert model["box"][axis] / model["shape"][axis] <= 1.2 / math.sqrt(2 * mu)
        assert model["box"][axis] >= 2.5 * R_r


def test_mpi_rule_runs_two_ranks_through_snakemake(tmp_path):
    require(shutil.which("mpiexec") is not None, "mpiexec is not on PATH (pip install mpich)")
    results = tmp_path / "results"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(tiny_config(results)))
    target = results / "torque" / "mpi" / "checks" / "tiny2d.zarr"
    plasma = results / "torque" / "mpi" / "checks" / "tiny2d-plasma.zarr"
    cmd = ["snakemake", "--cores", "2", "--configfile", str(cfg), "--", str(target), str(plasma)]
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
    assert np.isfinite(table.x_c_tf_axis.item())
    # the plasma check: the central slice, integrated over the transverse axis, oscillates below the axis
    # frequency (the axis is the densest line) and above the eq9 one: 1/3 < kappa n_eff/(delta_g n_axis(0)) < 1
    p = store.open_dataset(plasma).load()
    assert int(p.ranks.item()) == 2 and p.periods.item() > 1
    assert 1 / 3 < p.w_measured.item() < 1
    assert np.isfinite(p.omega_p_on_axis.item())
