"""analysis.torque.reduction (the 3D check of the 1D reduction, seed Methods Eqs. 8-9): synthetic fields with
known answers, and the plasma-frequency route against the analytic omega_p = sqrt(Omega_R (Omega_R + kappa n)) of a
homogeneous 2D GPE run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from spinsweep.analysis.torque import reduction as R
from spinsweep.solvers.rabi import KAPPA_REDUCTIONS


def _series(omega, t, *, z0=-0.01, amp=0.02, phase=0.3, noise=0.0, extra=None, seed=0):
    rng = np.random.default_rng(seed)
    z = z0 + amp * np.cos(omega * t + phase) + noise * rng.standard_normal(t.size)
    if extra is not None:
        z = z + extra[1] * np.cos(extra[0] * t)
    return xr.DataArray(z, dims="t", coords={"t": t})


def test_plasma_frequency_recovers_a_set_frequency():
    t = np.arange(0, 12.8, 0.08)  # the reduced run's sampling: 3.5 periods of omega ~ 1.7
    f = R.plasma_frequency(_series(1.7055, t, noise=2e-4))
    # noise 1% of the amplitude over ~3.5 periods: sigma(omega) ~ 1e-3; 5 sigma bound
    assert f["omega"] == pytest.approx(1.7055, abs=5 * max(f["omega_err"], 1e-4))
    assert f["omega_err"] < 2e-3 and f["rel_residual"] < 0.03 and f["periods"] == pytest.approx(3.47, abs=0.05)
    # a weaker second (radial) mode shifts the fit little but shows in the residual
    g = R.plasma_frequency(_series(1.7055, t, extra=(3.1, 0.002)))
    assert g["omega"] == pytest.approx(1.7055, rel=0.01) and g["rel_residual"] > 0.03


def test_kappa_n_inverts_the_plasma_formula_and_weights_pick_the_reduction():
    om, kn_axis = 0.75, 3.07
    for name, w in KAPPA_REDUCTIONS.items():
        omega_p = math.sqrt(om * (om + w * kn_axis))  # Methods: omega_p = sqrt(Omega_R (Omega_R + kappa n))
        kn, err = R.kappa_n_from_plasma(omega_p, om, 1e-3)
        assert kn == pytest.approx(w * kn_axis, rel=1e-12)
        assert err == pytest.approx(2 * omega_p / om * 1e-3)
        wts = R.reduction_weights(kn, err, kn_axis)
        assert wts["closest"] == name and abs(wts[f"sigma_{name}"]) < 1e-9


def _cloud(Lambda0=3.0, R_x=15.0, R_r=1.1, kappa=1.4e-3, omega_R=1.0, nx=160, ny=12):
    """A 3D Thomas-Fermi density n(x, y, z) = n0 (1 - x^2/R_x^2 - r^2/R_r^2) with kappa n0 = Lambda0 Omega_R."""
    x = np.linspace(-1.25 * R_x, 1.25 * R_x, nx, endpoint=False)
    y = np.linspace(-1.5 * R_r, 1.5 * R_r, ny, endpoint=False)
    n0 = Lambda0 * omega_R / kappa
    X, Y, Zc = np.meshgrid(x, y, y, indexing="ij")
    n = n0 * np.clip(1 - X ** 2 / R_x ** 2 - (Y ** 2 + Zc ** 2) / R_r ** 2, 0, None)
    params = {"gpe_params": {"g11": 0.02, "g22": 0.02, "g12": 0.02 - kappa, "omega_R": omega_R}, "ranks": 2}
    return x, y, n, params


def test_axis_reduction_and_quench_check_on_a_synthetic_interface():
    """x_c from a synthetic radially integrated Z(x, t): oscillating (Z reaches +1) for |x| > x_set, self-trapped
    (Z < 0 at all times) inside; Lambda0 and R_x from the axis density of a TF cloud."""
    Lambda0, R_x, x_set = 4.0, 15.0, 6.3
    x, y, n, params = _cloud(Lambda0, R_x)
    t = np.linspace(0, 2 * 2 * math.pi, 81)
    # outside: Josephson-like full oscillation from Z = -1; inside: small oscillation around Z = -0.8
    T, X = np.meshgrid(t, x, indexing="ij")
    Z = np.where(np.abs(X) > x_set, -np.cos(T * (1 + 0.1 * np.abs(X))), -0.8 + 0.1 * np.sin(T))
    ds = xr.Dataset({"Z": (("t", "x"), Z), "n_full": (("t", "x", "y", "z"), np.broadcast_to(n, (t.size,) + n.shape))},
                    coords={"t": t, "x": x, "y": y, "z": y})
    ds.attrs["params"] = params
    ax = R.axis_reduction(ds)
    assert ax["Lambda0"] == pytest.approx(Lambda0, rel=1e-6)  # the axis line y = z = 0 is on the grid
    assert ax["R_x"] == pytest.approx(R_x, rel=1e-6)
    row, meta = R.quench_check(ds, window_rabi=0.8)
    dx = x[1] - x[0]
    # the crossing lies between the last self-trapped and the first oscillating grid point: within one step
    assert row["x_c_3d"] == pytest.approx(x_set, abs=dx)
    assert row["x_c_tf_axis"] == pytest.approx(R_x * math.sqrt(1 - 2 / Lambda0), rel=1e-6)
    assert row["x_c_tf_projected"] == pytest.approx(R_x * math.sqrt(1 - 2 / (2 * Lambda0 / 3)), rel=1e-6)
    assert math.isnan(row["x_c_tf_eq9"])  # Lambda0/3 = 1.33 < 2: no self-trapped centre
    assert row["Z_max_centre"] < 0 and set(row) <= set(meta)


def test_central_slice_Z_weights_by_density():
    """Z of the slice is int s_z / int n, not the mean of Z: two points with n = 1, 3 and Z = 1, -1 give -1/2."""
    t = np.array([0.0, 1.0])
    x = np.array([-0.1, 0.1, 5.0])
    n = np.array([[1.0, 3.0, 10.0]] * 2)
    sz = np.array([[1.0, -3.0, 10.0]] * 2)
    s = np.stack([np.zeros_like(sz), np.zeros_like(sz), sz], axis=1)
    ds = xr.Dataset({"n": (("t", "x"), n), "s": (("t", "component", "x"), s)},
                    coords={"t": t, "x": x, "component": ["x", "y", "z"]})
    assert R.central_slice_Z(ds, 0.5).values.tolist() == [-0.5, -0.5]
    with pytest.raises(ValueError, match="half_width"):
        R.central_slice_Z(ds, 0.01)


def test_plasma_check_recovers_the_homogeneous_omega_p(tmp_path):
    """A homogeneous 2D gas (no trap) tilted slightly from s = (n, 0, 0) oscillates at exactly
    omega_p = sqrt(Omega_R (Omega_R + kappa n)) (Methods); the GPE run read through central_slice_Z and
    plasma_frequency must give kappa n = (g - g12) N / area to the fit's precision (tolerance 1e-3: the Z
    amplitude 0.02 shifts omega_p by O(Z^2) ~ 4e-4, the Strang step by O(dt^2) ~ 1e-5)."""
    from spinsweep.solvers import store
    from spinsweep.solvers.gpe.run import RunSettings, run

    g, g12, N, box, om = 1.0, 0.85, 400.0, 10.0, 1.0
    kn = (g - g12) * N / box ** 2  # = 0.6
    cfg = {"model": {"shape": [24, 24], "box": [box, box], "g11": g, "g22": g, "g12": g12, "omega_R": om,
                     "atom_number": N},
           "time": {"t_final": 25.0, "dt": 0.01, "output_every": 10},
           "initial": {"protocol": "uniform", "Z": 0.02, "phi": 0.0}, "output": {"fields": False}, "threads": 1}
    path = run(RunSettings.from_mapping(cfg), tmp_path / "uniform.zarr")
    ds = store.open_dataset(path)
    fit = R.plasma_frequency(R.central_slice_Z(ds, 1.0).load())
    assert fit["omega"] == pytest.approx(math.sqrt(om * (om + kn)), rel=1e-3)
    k, _ = R.kappa_n_from_plasma(fit["omega"], om, fit["omega_err"])
    assert k == pytest.approx(kn, rel=5e-3)


def test_axial_trap_does_not_shift_the_central_plasma_frequency(tmp_path):
    """Control for the 3D check: a 1D cloud with the reduced 3D run's axial profile (R_x = 16 xi_R, kappa n0 ~ 3
    Omega_R), dressed ground state tilted by a detuning, oscillates in its central slice at the homogeneous
    omega_p = sqrt(Omega_R (Omega_R + kappa n(0))) of its centre density to 2e-3 (measured: 2e-5).  So an
    omega_p below the axis value in the 3D run is a transverse effect, not a finite-R_x one."""
    from spinsweep.solvers import store
    from spinsweep.solvers.gpe.run import RunSettings, run

    g, mu, omega_x = 1.0, 43.3, 0.5816
    R_x = math.sqrt(2 * mu) / omega_x
    cfg = {"model": {"shape": [384], "box": [38.4], "g11": g, "g22": g, "g12": 0.93 * g, "omega_R": 1.0,
                     "detuning": 0.05, "atom_number": 4 / 3 * mu / g * R_x, "trap": [omega_x]},
           "time": {"t_final": 12.8, "dt": 0.0016, "output_every": 25},
           "initial": {"protocol": "quench", "spinor": "x", "ground_tol": 1e-6}, "threads": 1}
    ds = store.open_dataset(run(RunSettings.from_mapping(cfg), tmp_path / "plasma1d.zarr"))
    kn0 = 0.07 * g * float(ds["n"].isel(t=0).max())
    fit = R.plasma_frequency(R.central_slice_Z(ds, 0.5).load())
    assert fit["omega"] == pytest.approx(math.sqrt(1.0 + kn0), rel=2e-3)
