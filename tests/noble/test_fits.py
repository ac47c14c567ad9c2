"""The noble fits stage (spinsweep.analysis.noble.fit_table, the content of fits.zarr) on synthetic traces.

Synthetic ensembles are the damped two-mode model (fit.py module docstring) with known J, gamma plus Gaussian
noise of the stated standard error: the fit must recover the inputs, whatever the layout of the traces.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from spinsweep.analysis.noble import fit_table, gamma_formula, two_mode_single
from spinsweep.analysis.noble.fit import fit_alpha_weight

NOISE = 0.004  # standard error of each synthetic mean, as an ensemble of ~60 trajectories would give


def _synthetic(J, gamma, *, seed, dim="t", n=400, periods=4.0, **attrs):
    t = np.linspace(0, periods * math.pi / J, n)
    f10, f01 = two_mode_single(t, J, gamma)
    rng = np.random.default_rng(seed)
    sem = np.full(n, NOISE)
    sem[0] = 0.0  # every trajectory starts in the same state: no spread at t = 0 (as in the ensembles)
    data = {}
    for name, y in (("F10", f10), ("F01", f01)):
        data[f"{name}_mean"] = (dim, y + sem * rng.standard_normal(n), {"units": "1", "long_name": name})
        data[f"{name}_sem"] = (dim, sem, {"units": "1", "long_name": f"{name} sem"})
    params = {"n_alkali": 100, "n_noble": 10_000, "phi_mean": 2e-2, "phi_std": 2e-2, "initial": "collective",
              "detuning": 0.0, "n_traj": 60, **attrs}
    if dim == "t":
        return xr.Dataset(data, coords={"t": ("t", t)}, attrs=params)
    # the sweep store's layout: t along record, parameters given next to the data (not as attrs)
    return xr.Dataset(data, coords={"record": np.arange(n), "t": ("record", t)}), params


@pytest.mark.parametrize("J, gamma", [(1e-3, 2e-5), (1e-3, 1e-4), (5e-2, 2e-3)])
def test_fit_table_recovers_known_J_and_gamma(J, gamma):
    # 2 x 400 points with noise 0.004 over 4 half-periods: the fit's standard errors are ~1e-4 J and ~1e-2
    # gamma; recovered values must lie within 4 standard errors of the truth, and J within 0.5%, gamma
    # within 10% (a loose absolute bound in case the stderr were too large to mean anything)
    panel = _synthetic(J, gamma, seed=1)
    point = _synthetic(J, gamma, seed=2, dim="record")
    tab = fit_table({"fig3a": panel, "sweep0": point})
    for run in ("fig3a", "sweep0"):
        row = tab.sel(run=run)
        assert abs(float(row.J) - J) < 4 * float(row.J_stderr) + 1e-9 * J, run
        assert abs(float(row.gamma) - gamma) < 4 * float(row.gamma_stderr), run
        assert abs(float(row.J) / J - 1) < 5e-3 and abs(float(row.gamma) / gamma - 1) < 0.1, run
        # the measured J/gamma next to the two-mode model's, with a consistent propagated error
        assert math.isclose(float(row.J_over_gamma), float(row.J) / float(row.gamma), rel_tol=1e-12)
        assert abs(float(row.J_over_gamma) - J / gamma) < 4 * float(row.J_over_gamma_stderr), run
        assert math.isclose(float(row.J_over_gamma_formula), float(row.J_formula) / float(row.gamma_formula),
                            rel_tol=1e-12)
    assert float(tab.gamma_formula.sel(run="fig3a")) == pytest.approx(float(gamma_formula(2e-2, 2e-2)))
    for name, var in tab.variables.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name


def test_fit_alpha_weight_recovers_the_interpolation_weight():
    # measured alpha = gamma/(<phi^2>/4) drawn from 1/2 + c r^2/(1 + r^2) with c = 0.3, noise 0.01: the weighted
    # least squares must return c within 3 standard errors (stderr ~ 0.01 for 5 ratios)
    rng = np.random.default_rng(4)
    r = np.array([0.0, 0.25, 0.5, 1.0, 2.0])
    c_true, err = 0.3, 0.01
    phi = 2e-3
    alpha = 0.5 + c_true * r ** 2 / (1 + r ** 2) + err * rng.standard_normal(r.size)
    n = r.size
    tab = xr.Dataset({
        "subspace": ("run", np.array(["single"] * n)), "initial": ("run", np.array(["collective"] * n)),
        "detuning": ("run", np.zeros(n)), "J": ("run", np.ones(n)), "gamma": ("run", np.full(n, 0.01)),
        "alpha": ("run", alpha), "alpha_stderr": ("run", np.full(n, err)),
        "phi_mean": ("run", np.full(n, phi)), "phi_std": ("run", r * phi)})
    c, c_err = fit_alpha_weight(tab)
    assert 0 < c_err < 0.05
    assert abs(c - c_true) < 3 * c_err, (c, c_err)
