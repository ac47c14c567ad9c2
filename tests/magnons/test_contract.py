"""Contract functions called by the workflow: spinsweep.solvers.magnons.point, spinsweep.analysis.magnons.fit_point / make_figures."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from spinsweep.analysis.magnons import FIGURES, deviation_bias, fit_point, make_figures, relative_deviation
from spinsweep.solvers.magnons import max_bias, onsager, point

SCALARS = ("L11", "L12", "L21", "L22", "K", "kappa", "tau_M", "tau_T")
TRACES = ("dM", "dT", "dM_lin", "dT_lin")


@pytest.fixture(scope="module")
def pt():
    return point(0.3, 0.01, t_max=12.0, n_t=121)


def test_point_shapes_attrs_and_exact_values(pt):
    assert list(pt["protocol"].values) == ["spin", "thermal"]
    assert pt.sizes["t"] == 121 and pt["t"].values[-1] == pytest.approx(12.0)
    for k in SCALARS:
        assert pt[k].dims == ()
    for k in TRACES:
        assert pt[k].dims == ("protocol", "t")
        assert np.all(np.isfinite(pt[k].values))
    for k, v in pt.data_vars.items():  # store convention: every variable carries units and long_name
        assert v.attrs.get("units") and v.attrs.get("long_name"), k
    assert pt["t"].attrs["units"] == "tau_tilde"
    o = onsager(0.3)
    for k in ("L11", "L12", "L21", "L22", "K"):
        assert float(pt[k]) == pytest.approx(float(o[k]), rel=1e-14)  # T = A = 1
    spin, thermal = pt.sel(protocol="spin"), pt.sel(protocol="thermal")
    assert float(spin["dM"][0]) > 0 and float(spin["dT"][0]) == pytest.approx(0, abs=1e-15)
    assert float(thermal["dT"][0]) == pytest.approx(0.01) and abs(float(thermal["dM"][0])) < 1e-14
    # linear and non-linear traces start together and agree to O(bias^2) (bias = 0.01 -> < 1e-3 relative)
    scale = abs(float(spin["dM"][0]))
    assert np.max(np.abs(pt["dM"] - pt["dM_lin"])) < 1e-3 * scale
    assert np.max(np.abs(pt["dT"] - pt["dT_lin"])) < 1e-3 * 0.01


def test_point_units_scale_with_T_J_A():
    # the dimensionless dynamics depends on (x, bias) only: with T, J, A changed, conductances scale as
    # A T (A T^2), Delta M as Nscr = (T / 2 pi J)^{3/2}, Delta T as T, while t stays in tau_tilde units
    a = point(1.0, 0.05, t_max=5.0, n_t=11)
    T, J, A = 2.0, 3.0, 0.5
    b = point(1.0, 0.05, T=T, J=J, A=A, t_max=5.0, n_t=11)
    assert float(b["L11"]) == pytest.approx(A * T * float(a["L11"]), rel=1e-14)
    assert float(b["K"]) == pytest.approx(A * T**2 * float(a["K"]), rel=1e-14)
    nratio = float(b["N_scale"] / a["N_scale"])
    assert nratio == pytest.approx((T / J) ** 1.5, rel=1e-14)
    np.testing.assert_allclose(b["dM"].values, nratio * a["dM"].values, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(b["dT"].values, T * a["dT"].values, rtol=1e-9, atol=1e-14)
    assert float(b["tau_M"]) == pytest.approx(float(a["tau_M"]), rel=1e-14)


def test_point_infeasible_protocol_is_flagged_not_faked():
    # spin protocol needs h_R(0) = h - bias T / 2 > 0; beyond max_bias the traces are NaN and valid is False
    x = 1e-3
    assert max_bias(x, "spin") == pytest.approx(2e-3)
    p = point(x, 0.01, t_max=1.0, n_t=5)
    assert p["valid"].values.tolist() == [False, 0.01 < max_bias(x, "thermal")]
    assert np.all(np.isnan(p["dM"].sel(protocol="spin")))
    assert np.all(np.isfinite(p["dM"].sel(protocol="thermal")))
    assert np.isfinite(float(p["L11"]))


@pytest.mark.parametrize("kw,match", [({"h_over_T": 0.0}, "h_over_T"), ({"bias": -0.1}, "bias"),
                                      ({"t_max": 0.0}, "t_max"), ({"n_t": 1}, "n_t"), ({"J": -1.0}, "J")])
def test_point_bad_parameters(kw, match):
    args = {"h_over_T": 1.0, "bias": 0.1, "t_max": 1.0, "n_t": 5} | kw
    with pytest.raises(ValueError, match=match):
        point(args.pop("h_over_T"), args.pop("bias"), **args)


def test_fit_recovers_exact_conductances_without_noise(pt):
    # noise-free traces at small bias: the only error is the O(bias^2) non-linearity -> 1e-3 relative
    f = fit_point(pt, 0.0, [0])
    for k in ("L11", "L12", "L22"):
        assert float(f[k + "_fit"][0]) == pytest.approx(float(pt[k]), rel=1e-3)
        assert f[k + "_fit"].attrs["units"] == pt[k].attrs["units"]


def test_fit_with_noise_is_unbiased_with_honest_errors(pt):
    # 1 % noise, 12 realisations: the mean is within 4 standard errors of the exact value, and the scatter
    # over realisations agrees with the reported one-sigma fit error within a factor 2 (12 samples)
    seeds = list(range(12))
    f = fit_point(pt, 0.01, seeds)
    assert f.sizes["realisation"] == 12 and list(f["seed"].values) == seeds
    assert bool(f["success"].all())
    for k in ("L11", "L12", "L22"):
        v = f[k + "_fit"].values
        sem = v.std(ddof=1) / np.sqrt(len(v))
        assert abs(v.mean() - float(pt[k])) < 4 * sem + 1e-3 * float(pt[k])
        assert 0.5 < v.std(ddof=1) / f[k + "_err"].values.mean() < 2.0
    assert 0.7 < float(f["chi2_red"].mean()) < 1.3  # noise model is the one the fit assumes
    # pure function of its inputs (dask batching): same seeds -> identical output
    xr.testing.assert_identical(fit_point(pt, 0.01, seeds[:3]), f.isel(realisation=slice(0, 3)))


def test_fit_fails_beyond_linear_response_near_criticality():
    # near the critical point the EOS is non-analytic at h = 0: a spin bias comparable to h is far from linear
    # response, and the fit must report it (here > 5 % deviation); far from criticality the same bias is fine
    bad = point(1e-3, 1.5e-3, t_max=30.0, n_t=151)
    good = point(1.0, 1.5e-3, t_max=8.0, n_t=81)
    fb, fg = fit_point(bad, 0.0, [0]), fit_point(good, 0.0, [0])
    dev_bad = max(abs(float(fb[k + "_fit"][0]) / float(bad[k]) - 1) for k in ("L11", "L12", "L22"))
    dev_good = max(abs(float(fg[k + "_fit"][0]) / float(good[k]) - 1) for k in ("L11", "L12", "L22"))
    assert dev_bad > 0.05 and dev_good < 1e-4


def test_make_figures_and_deviation_bias(tmp_path):
    xs, bs = [0.01, 0.3, 3.0], [1e-3, 0.1]
    sweep = xr.concat([xr.concat([point(x, b, t_max=15.0, n_t=61) for b in bs], "bias") for x in xs], "h_over_T")
    fits = xr.concat([xr.concat([fit_point(sweep.sel(h_over_T=x, bias=b), 0.01, [1, 2])
                                 for b in bs], "bias") for x in xs], "h_over_T")
    assert fits.sizes == {"h_over_T": 3, "bias": 2, "realisation": 2}
    dev = relative_deviation(sweep, fits)
    assert dev["L11"].dims == ("h_over_T", "bias")
    db = deviation_bias(sweep, fits)
    assert db.sel(h_over_T=0.01) == pytest.approx(0.1)  # spin protocol infeasible at bias 0.1 > 2 h/T -> failure
    # a figure whose need (spinsweep.analysis.magnons.needs, the configuration's check) the store misses is refused
    one_h = {"h_over_T": [1]}
    with pytest.raises(ValueError, match="h_over_T: conductances is a curve against h/T"):
        make_figures(sweep.isel(one_h), fits.isel(one_h), tmp_path / "one", names=["conductances"])
    assert set(make_figures(sweep.isel(one_h), fits.isel(one_h), tmp_path / "one", names=["fits"])) == {"fits"}
    paths = make_figures(sweep, fits, tmp_path / "figs")
    assert set(paths) == set(FIGURES)
    for name, p in paths.items():
        assert p.exists() and p.suffix == ".png" and p.stat().st_size > 10_000, name
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_quick_traces_feasibility_is_a_sufficient_condition_and_not_a_vacuous_one():
    """The configuration check's math-only bound (needs._surely_feasible) never admits a point that the exact
    protocol set-up (initial_state, which sets the stored `valid` flag) refuses, and it admits the usual
    small-bias points, so the exact check (numba, scipy imports) is rarely needed at validation."""
    from spinsweep.analysis.magnons.needs import _example_point, _surely_feasible
    from spinsweep.solvers.magnons import PROTOCOLS, initial_state

    xs, bs = np.geomspace(1e-3, 10, 41), np.concatenate([[0.0], np.geomspace(1e-4, 1.99, 40)])
    admitted = 0
    for x in xs:
        for b in bs:
            if _surely_feasible(x, b):
                admitted += 1
                assert all(initial_state(p, x, b) is not None for p in PROTOCOLS), (x, b)
    assert admitted > 0.4 * xs.size * bs.size
    # beyond the bound the exact check decides: at x = 0.1 bias 0.15 is feasible (spin < 0.2, thermal < 0.41)
    assert not _surely_feasible(0.1, 0.15) and max_bias(0.1, "thermal") > 0.15
    assert _example_point([0.1], [0.15]) == 0.1 and _example_point([0.1], [0.25]) is None
