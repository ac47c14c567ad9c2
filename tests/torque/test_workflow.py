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


def test_rule_file_names_every_kappa_reduction_of_the_solver():
    from spinsweep.solvers.rabi import KAPPA_REDUCTIONS

    assert T.PAPER_REDUCTIONS == tuple(KAPPA_REDUCTIONS)


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


def test_kappa_n0_axis_is_a_density_sweep_of_the_same_gas(section):
    """kappa_n0_hz (the n0 sweep axis): kappa n0 as given, kappa per atom kept, so n0 and N scale with it;
    c_s = sqrt(hbar kappa n0/2m) follows (seed, text after Fig. 3: 2 m c_s^2 = hbar kappa n)."""
    p = dict(section["panels"]["fig3"])
    base, doubled = T.rabi_params(p), T.rabi_params({**p, "kappa_n0_hz": 2 * 357.6})
    assert doubled.kappa_n0 == pytest.approx(2 * math.pi * 2 * 357.6, rel=1e-12)
    assert doubled.kappa_n0 / doubled.n0 == pytest.approx(base.kappa_n0 / base.n0, rel=1e-12)
    assert doubled.omega_R == pytest.approx(0.33 * doubled.kappa_n0, rel=1e-12)
    assert doubled.c_s() == pytest.approx(base.c_s() * math.sqrt(doubled.kappa_n0 / base.kappa_n0), rel=1e-9)
    assert T.rabi_params({**p, "kappa_n0_hz": None}).kappa_n0 == base.kappa_n0


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


def _small_noisy(section, batch_size):
    sec = copy.deepcopy(section)
    small = {"R_x_um": 60.0, "periods": 0.3, "output_rabi": 0.1}
    for name in sec["panels"]:
        sec["panels"][name].update(small, shots=1)
    sec["fixed"].update(small)
    sec["noise"] = {"kind": "wigner", "seed": 7}
    sec["sweep"] = {"axes": {"omega_R_over_kappa_n0": {"values": [0.33, 0.4]}, "shot": {"values": [0, 1]}},
                    "batch_size": batch_size}
    return sec


def _realisation_of(sec):
    out = {}
    r0 = T.realisations(sec)
    for name, entries in T.plan(sec).items():
        for b, e in enumerate(entries):
            out[(e["point"], e["shot"])] = r0[name] + b
    return out


def test_noisy_shots_do_not_depend_on_batching_or_threads(section, tmp_path):
    """Every (point, shot) draws the same noise realisation whatever sweep.batch_size (the plan numbers runs,
    not batches); a batch is bitwise the same on 1 or 2 threads; a shot run alone equals the same shot inside a
    batch to 1e-9 (the batched FFT groups SIMD lanes differently, ~1e-13 per step; the noise itself is bitwise
    equal, tests/gpe/test_noise.py)."""
    big, one = _small_noisy(section, 4), _small_noisy(section, 1)
    assert _realisation_of(big) == _realisation_of(one)
    assert len({v for v in _realisation_of(big).values()}) == len(_realisation_of(big))  # all distinct
    T.run_gpe(big, "sweep-0", tmp_path / "b1.zarr", threads=1)
    T.run_gpe(big, "sweep-0", tmp_path / "b2.zarr", threads=2)
    a, b = store.open_dataset(tmp_path / "b1.zarr").load(), store.open_dataset(tmp_path / "b2.zarr").load()
    assert np.array_equal(a.Z.values, b.Z.values)
    # sweep-1/shot 1 (ratio 0.4, shot 1) is the last member of the batch of 4 and batch sweep-3 of batches of one
    member = [i for i, e in enumerate(T.plan(big)["sweep-0"]) if (e["point"], e["shot"]) == ("sweep-1", 1)][0]
    alone = [k for k, v in T.plan(one).items() if (v[0]["point"], v[0]["shot"]) == ("sweep-1", 1)][0]
    T.run_gpe(one, alone, tmp_path / "alone.zarr", threads=1)
    ds_big, _ = T.lab_dataset(big, "sweep-1", {"sweep-0": tmp_path / "b1.zarr"})
    ds_one, _ = T.lab_dataset(one, "sweep-1", {alone: tmp_path / "alone.zarr"})
    z_big = ds_big.Z.sel(shot=1).values
    z_one = ds_one.Z.sel(shot=1).values
    assert member == 3 and np.max(np.abs(z_big - z_one)) < 1e-9
    assert np.max(np.abs(ds_big.Z.sel(shot=0).values - z_big)) > 1e-3  # two shots differ
