"""Physics checks of spinsweep.analysis.torque on synthetic fields with known answers (seed Figs. 2-4)."""

import math

import numpy as np
import pytest

from spinsweep.analysis import torque as tq
from spinsweep.solvers.josephson import frequency_map as josephson_map
from spinsweep.solvers.rabi import preset

from .synthetic import correlated_noise, field, front_field

P118 = preset("fig3_118Hz")


def test_x_c_predicted_is_the_thomas_fermi_condition():
    out = tq.x_c_predicted(P118, rel_err_n0=0.1, rel_err_R_x=0.02)
    assert out["x_c_um"] == pytest.approx(P118.x_c * 1e6, rel=1e-12)
    # Omega_R = kappa n(x_c)/2
    assert P118.kappa_n(out["x_c_um"] * 1e-6) == pytest.approx(2 * P118.omega_R, rel=1e-10)
    assert 0 < out["x_c_err_um"] < 0.2 * out["x_c_um"]


def test_x_c_measured_from_a_synthetic_map():
    # self-trapped inside |x| < x_c (Z stays negative), Rabi-like oscillation outside (Z reaches +1)
    xc = 87.3
    x = np.arange(-150, 150, 0.25)
    T = tq.rabi_period_ms(P118)
    t = np.linspace(0, T, 200)
    w = 2 * np.pi / T
    inside = np.abs(x)[None] < xc
    Z = np.where(inside, -1 + 0.6 * (1 - np.cos(2.3 * w * t))[:, None] / 2, -np.cos(w * t)[:, None] + 0 * x)
    out = tq.x_c_measured(field(Z, x, t, P118), P118)
    assert abs(out["x_c_right_um"] - xc) < 0.25 and abs(out["x_c_left_um"] + xc) < 0.25
    assert out["x_c_um"] == pytest.approx(xc, abs=0.25)


def test_local_frequency_recovers_a_set_frequency_map():
    x = np.linspace(-200, 200, 161)
    Omega = josephson_map(P118, x * 1e-6)  # rad/s, softening at +-x_c
    T = tq.rabi_period_ms(P118)
    t = np.arange(0, 6 * T, 0.005 * T)
    Z = -np.cos(Omega[None] * t[:, None] * 1e-3)
    om = tq.local_frequency(field(Z, x, t, P118).chunk({"x": 40})).compute()
    resolved = Omega * (t[-1] - t[0]) * 1e-3 / (2 * np.pi) > 3  # at least 3 cycles in the window
    assert resolved.sum() > 120
    np.testing.assert_allclose(om.values[resolved], Omega[resolved], rtol=5e-3)
    # the cadence the workflow asks for: 0.005 Rabi periods for the paper presets
    assert tq.required_output_interval(P118) == pytest.approx(0.005)


def test_front_speed_recovered():
    rng = np.random.default_rng(1)
    v = 3.1  # um/ms = mm/s, the seed's measured speed
    xc = P118.x_c * 1e6
    Z = front_field(rng, P118, v, 0.97 * xc).chunk({"t": 100})
    summary, front = tq.front_speed(Z, P118, xc)
    # the recovered speed: within 2 % and within 3 statistical errors + 1 %
    assert summary["v_mm_s"] == pytest.approx(v, rel=0.02)
    assert abs(summary["v_mm_s"] - v) < 3 * summary["v_stat"] + 0.01 * v
    assert summary["v_syst"] < 0.05 * v
    assert summary["v_over_c_s"] == pytest.approx(v / (P118.c_s(0.0) * 1e3), rel=0.02)
    # the fit stops before the fronts meet: d(t_stop) >= 2 windows
    assert summary["t_stop_rabi"] * tq.rabi_period_ms(P118) <= (0.97 * xc - 2 * 5.0) / v + 0.2


def test_correlation_lengths_recovered():
    rng = np.random.default_rng(2)
    L1, L2, dx = 7.1, 4.0, 0.25  # the seed's Fig. 4b values
    x = np.arange(-300, 300, dx)
    T = tq.rabi_period_ms(P118)
    t = np.linspace(0, 2 * T, 200)
    Z = 0.5 * correlated_noise(rng, x.size, dx, L1, L2, t.size)
    C = tq.c_zz(field(Z, x, t, P118), tq.Region("E", (-250.0, 250.0), (0.0, 2.0)), P118, dx_max_um=15.0)
    fit = tq.fit_correlation(C)
    assert fit["L1_um"] == pytest.approx(L1, rel=0.05) and fit["L2_um"] == pytest.approx(L2, rel=0.05)
    assert 0 < fit["L1_err_um"] < 0.05 * L1
    # negative minimum of cos(pi d/L1) exp(-d^2/2L2^2)
    fine = np.linspace(0, 15, 3001)
    f = tq.correlation_model(fine, L1, L2)
    assert fit["min_dx_um"] == pytest.approx(fine[np.argmin(f)], abs=0.3)
    assert fit["min_C"] == pytest.approx(f.min(), abs=0.03)


def test_blur_widens_correlations_and_uniform_regions_stay_correlated():
    rng = np.random.default_rng(3)
    dx = 0.25
    x = np.arange(-100, 100, dx)
    T = tq.rabi_period_ms(P118)
    t = np.linspace(0, T, 50)
    Z = field(correlated_noise(rng, x.size, dx, 2.0, 1.0, t.size), x, t, P118)
    reg = tq.Region("E", (-80.0, 80.0), (0.0, 1.0))
    sharp = tq.c_zz(Z, reg, P118).C_mean.sel(dx=1.0, method="nearest")
    blurred = tq.c_zz(Z, reg, P118, sigma_um=1.5).C_mean.sel(dx=1.0, method="nearest")
    assert blurred > sharp + 0.2
    uniform = field(np.full((t.size, x.size), -0.7), x, t, P118)
    np.testing.assert_allclose(tq.c_zz(uniform, reg, P118).C_mean.values, 1.0, atol=1e-6)


def test_probe_points_are_ordered_around_x_c():
    pts = tq.probe_points(P118)
    xc = P118.x_c * 1e6
    assert pts["A"] < pts["B"] < xc < pts["C"] < pts["D"] < P118.R_x * 1e6
    assert math.isclose(P118.Lambda(pts["D"] * 1e-6), 1.0)


def test_front_speed_on_a_noisy_field_with_a_quiet_centre():
    """Grid-scale white noise (sd 0.04, like a truncated-Wigner shot at 2.5 points per xi_s) on top of the
    synthetic front: the detector measures the floor, lifts the thresholds to 3x it and recovers the set speed
    (3 %, as for the clean field plus the noise); without the floor rule the 0.05 threshold of the systematic
    set fires on the floor and the systematic error blows up."""
    rng = np.random.default_rng(4)
    v = 3.1
    xc = P118.x_c * 1e6
    Z = front_field(rng, P118, v, 0.97 * xc)
    floor_sd = 0.04
    Z = Z + floor_sd * rng.standard_normal(Z.shape).astype(np.float32)
    summary, _ = tq.front_speed(Z.chunk({"t": 100}), P118, xc)
    # the std of white noise in a window of n samples: sd sqrt((n-1)/n)
    assert summary["noise_floor"] == pytest.approx(floor_sd, rel=0.1)
    assert summary["threshold_used"] == pytest.approx(3 * summary["noise_floor"])
    assert summary["v_mm_s"] == pytest.approx(v, rel=0.03)
    assert summary["v_syst"] < 0.1 * v
    bare, _ = tq.front_speed(Z.chunk({"t": 100}), P118, xc, floor_factor=0.0)
    assert not bare["v_syst"] < 0.1 * v  # NaN or large: some choices see no quiet centre at all


def test_imaging_model_Z():
    """imaged_Z: the stored Z without blur or correction; the symmetric-ordering correction 1/dx of the total
    density for Wigner shots (s_z needs none); a blur that averages grid-scale noise down by the analytic factor
    (2 sqrt(pi) sigma/dx)^(-1/2) for white noise."""
    import xarray as xr
    rng = np.random.default_rng(5)
    dx, sigma = 0.25, 1.0
    x = np.arange(-100, 100, dx)
    t = np.array([0.0, 1.0])
    n = 50.0 + 0 * x
    sz = -30.0 + 2.0 * rng.standard_normal((t.size, x.size))
    ds = xr.Dataset({"n": (("t", "x"), np.broadcast_to(n, sz.shape).copy()),
                     "s": (("t", "component", "x"), np.stack([0 * sz, 0 * sz, sz], axis=1)),
                     "Z": (("t", "x"), sz / n)},
                    coords={"x": x, "t": t, "component": ["x", "y", "z"]})
    np.testing.assert_allclose(tq.imaged_Z(ds).values, ds.Z.values, rtol=1e-12)
    np.testing.assert_allclose(tq.imaged_Z(ds, wigner=True).values, sz / (n - 1 / dx), rtol=1e-12)
    blurred = tq.imaged_Z(ds, sigma)
    ratio = float(blurred.std("x").mean()) / float(ds.Z.std("x").mean())
    assert ratio == pytest.approx((2 * np.sqrt(np.pi) * sigma / dx) ** -0.5, rel=0.1)
    with pytest.raises(ValueError, match="sigma_um"):
        tq.imaged_Z(ds, -1.0)
