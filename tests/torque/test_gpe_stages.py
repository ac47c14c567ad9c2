"""A short real GPE run (paper118 preset on a 60 um cloud, 3 Rabi periods) through every analysis stage and
figure of the torque study: the interface forms at the Thomas-Fermi x_c, breaks after about one Rabi period, and
the front runs inward faster than the spin sound (seed Figs. 2-3)."""

import math

import numpy as np
import pytest

from spinsweep.analysis import torque as tq
from spinsweep.solvers import lle, store
from spinsweep.solvers.gpe.run import RunSettings, run
from spinsweep.solvers.gpe.simulation import build_params, time_grid


@pytest.fixture(scope="module")
def gpe_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("torque") / "run.zarr"
    cfg = {"preset": "paper118", "physical": {"R_x_um": 60.0}, "time": {"t_final": 3 * 2 * math.pi}}
    settings = RunSettings.from_mapping(cfg)
    dt = time_grid(settings, build_params(settings)[0])[0]
    cfg["time"]["output_every"] = max(1, int(round(0.01 * 2 * math.pi / dt)))
    run(RunSettings.from_mapping(cfg), path)
    ds = tq.lab(store.open_dataset(path))
    return ds, tq.rabi_params(ds)


def test_stages_on_a_real_gpe_run(gpe_run, tmp_path):
    ds, p = gpe_run
    assert p.R_x == pytest.approx(60e-6) and ds.Z.chunks is not None  # lazy all the way
    prods = tq.run_products(ds, p)
    s = {k: float(v) for k, v in prods["summary"].data_vars.items()}
    assert s["x_c_meas_um"] == pytest.approx(s["x_c_pred_um"], abs=1.0)
    assert 0.8 < s["t_break_rabi"] < 1.5  # quantum torque reaches |H x s| around one Rabi period
    assert 1.0 < s["v_over_c_s"] < 2.5 and s["v_over_c_s_stat"] < 0.2  # seed: 1.4(1) (simulation), 1.8(2)
    assert s["v_over_c"] < 0.5  # well below the density sound
    # Fig. 2a: the centre oscillates at the Josephson frequency
    fm = prods["frequency"].sel(x=0.0, method="nearest")
    assert float(fm.Omega_measured) == pytest.approx(float(fm.Omega_josephson), rel=0.03)
    # Fig. 2e-g: the spin current grows at the interface, the torque term peaks
    prof = prods["profiles"]
    peak = prof.js_over_n_cs.max("x")
    assert float(peak.sel(rabi_target=1.0)) > 2 * float(peak.sel(rabi_target=0.7))
    # LLE with and without quantum torque, GPE vs LLE (Fig. 2c,d; Extended Data Fig. 1)
    T = tq.rabi_period_ms(p) * 1e-3
    t = np.arange(0, 1.2 + 1e-9, 0.01) * T
    x = ds.x.values * 1e-6
    free = lle.evolve(p, x, t, quantum_torque=False, method="RK4")
    torque = lle.evolve(p, x, t, quantum_torque=True, method="RK4")
    cmp = tq.lle_comparison(free, torque, p)
    ed = tq.gpe_vs_lle(ds, torque, p, t_max_rabi=1.2)
    assert ed.attrs["max_abs_dn_rel"] < 0.3 and ed.attrs["twist_share"] > 0.5
    early = ed.Z.rabi_t < 1.0
    assert float(np.sqrt(((ed.Z - ed.Z_lle) ** 2).where(early).mean())) < 0.05
    table = tq.sweep_table([s, s])
    # one figure per kind of product (each costs seconds of matplotlib text layout; the workflow run draws all)
    names = ["fig2cd", "fig3b", "fig4ab", "sweep_L1"]
    figs = tq.make_figures({"run118": prods, "lle": cmp, "extdata1": ed, "table": table}, tmp_path, names=names)
    assert set(figs) == set(names)
    assert all(f.stat().st_size > 10_000 for f in figs.values())
