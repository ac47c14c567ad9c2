"""The torque study's workflow plug-in: config -> batches -> batched GPE -> lab-unit datasets per point."""

import copy
import math

import numpy as np
import pytest

from spinsweep.analysis import torque as tq
from spinsweep.solvers import store
from spinsweep.solvers.gpe.run import RunSettings, run
from spinsweep.workflow.config import load
from spinsweep.workflow.studies import torque as T


@pytest.fixture(scope="module")
def section():
    return load()["torque"]


def test_default_config_plans_batches_of_one_cloud(section):
    batches = T.plan(section)
    assert set(batches) >= {"panel-fig3", "panel-fig4b", "sweep-0"}
    pts = T.sweep_points(section)
    n_runs = sum(len(p["shots"]) for p in pts)
    assert sum(len(v) for k, v in batches.items() if k.startswith("sweep-")) == n_runs
    for entries in batches.values():
        cfg = T.gpe_config(entries)
        assert len(entries) <= section["sweep"]["batch_size"]
        omega = np.atleast_1d(cfg["model"]["omega_R"])
        assert omega.max() == pytest.approx(1.0)  # solver units of the fastest member
        # every member gets its periods, in its own Rabi periods
        for e, w in zip(entries, omega):
            assert cfg["time"]["t_final"] * w / (2 * math.pi) >= e["params"]["periods"] - 1e-9
    assert T.batches_of(section, "sweep-0") == ["sweep-0"]
    assert T.sweep_coords(section)["omega_R_over_kappa_n0"] == [0.25, 0.33, 0.4]


def test_trap_choice_of_the_62_hz_preset(section):
    p = dict(section["panels"]["fig4b"])
    rp = T.rabi_params(p)  # R_x = 210 um as printed
    assert rp.R_x == pytest.approx(210e-6) and rp.omega_x / (2 * math.pi) == pytest.approx(7.94, abs=0.01)
    assert rp.kappa_n0 / (2 * math.pi) == pytest.approx(62 / 0.28, rel=1e-6)
    rp10 = T.rabi_params({**p, "trap_hz": 10.0})  # the quoted 10 Hz trap instead
    assert rp10.omega_x / (2 * math.pi) == pytest.approx(10.0, rel=1e-6)
    assert rp10.R_x == pytest.approx(166.8e-6, rel=1e-3)
    rp118 = T.rabi_params(dict(section["panels"]["fig3"]))
    assert rp118.omega_x / (2 * math.pi) == pytest.approx(10.09, abs=0.01)  # 210 um and 10 Hz agree here
    # the cloud holds the preset's 5e5 atoms: n0 = 3N/(4 R_x) (the vacuum noise is half an atom per mode, so the
    # absolute atom number sets its relative size)
    from spinsweep.solvers.rabi import PRESETS
    assert rp118.n0 == pytest.approx(PRESETS["fig3_118Hz"].n0, rel=1e-12)
    assert 4 / 3 * rp118.n0 * rp118.R_x == pytest.approx(5e5, rel=1e-12)


def test_batched_run_equals_the_preset_run_in_lab_units(section, tmp_path):
    """A batch (two ratios) through lab_dataset gives the same Z(x, t) as a plain preset run of the point."""
    sec = copy.deepcopy(section)
    small = {"R_x_um": 60.0, "periods": 0.6, "output_rabi": 0.1}
    for name in sec["panels"]:
        sec["panels"][name].update(small)
    sec["fixed"].update(small)
    sec["noise"] = {"kind": "none", "seed": 0}  # deterministic: the batch must reproduce the preset run
    sec["sweep"] = {"axes": {"omega_R_over_kappa_n0": {"values": [0.33, 0.4]}, "shot": {"values": [0]}},
                    "batch_size": 2}
    batch = T.plan(sec)["sweep-0"]
    path = tmp_path / "batch.zarr"
    T.run_gpe(sec, "sweep-0", path, threads=2)
    ds, rp = T.lab_dataset(sec, "sweep-0", {"sweep-0": path})  # the 0.33 member (not the reference)
    assert rp.Lambda0 == pytest.approx(1 / 0.33) and ds.sizes["shot"] == 1
    assert ds.x.attrs["units"] == "um" and ds.n.attrs["units"] == "1/um"
    ref_path = tmp_path / "preset.zarr"
    cfg = {"preset": "paper118", "physical": {"R_x_um": 60.0}, "time": {"t_final": 0.6 * 2 * math.pi, "output_every": 4}}
    run(RunSettings.from_mapping(cfg), ref_path)
    ref = tq.lab(store.open_dataset(ref_path))
    T_ms = tq.rabi_period_ms(rp)
    for r in (0.3, 0.5):
        a = ds.Z.isel(shot=0).sel(t=r * T_ms, method="nearest")
        b = ref.Z.sel(t=float(a.t), method="nearest").interp(x=a.x)
        assert abs(float(a.t) - float(b.t)) < 0.02 * T_ms
        inside = np.abs(a.x) < 50
        assert float(np.abs(a - b).where(inside).max()) < 0.05, r
    assert len(batch) == 2
