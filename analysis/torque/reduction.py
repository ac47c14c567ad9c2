"""Does the 1D reduction hold?  2D/3D GPE runs of the elongated cloud against the 1D model (seed
farolfi2023-quantum-torque.md, Methods Eqs. 8-9 and the kappa n0 calibration paragraph; issue 11, section 4).

The 1D LLE (Eq. 2) needs hbar kappa n(x).  Three reductions of the 3D Thomas-Fermi cigar are on offer
(:data:`spinsweep.solvers.rabi.KAPPA_REDUCTIONS`): ``axis`` (hbar kappa n(x) = delta_g n_3D(x, r_perp = 0), weight
1), ``projected`` (Galerkin projection of Eq. 5 onto the radial TF profile, weight 2/3 of the axis value) and
``eq9`` (Eq. 9 as printed, 1/3).  The paper calibrates kappa n0 by the plasma frequency of the central slice,
omega_p = sqrt(Omega_R (Omega_R + kappa n)) (Methods), and this module does the same with a 3D run:

* :func:`axis_density`, :func:`axis_reduction` -- n(x, r_perp = 0) of a 2D/3D store and the "axis" kappa n0
  (Lambda0 = delta_g n_axis(0)/Omega_R) with the axial TF radius of that profile;
* :func:`central_slice_Z` -- Z(t) of the central slice, s_z and n integrated over the transverse plane and over
  |x| <= half_width (what an image of the central slice measures);
* :func:`plasma_frequency` -- omega_p from a small oscillation Z(t) (sinusoid fit, FFT start);
* :func:`kappa_n_from_plasma` -- kappa n = omega_p^2/Omega_R - Omega_R (Methods) with its uncertainty;
* :func:`reduction_weights` -- the measured weight kappa n_eff/(delta_g n_axis(0)) next to each reduction's;
* :func:`x_c_reductions` -- x_c = R_x sqrt(1 - 2/(w Lambda0_axis)) of every reduction (text before Fig. 3),
  to set beside the x_c measured from the radially integrated Z(x, t)
  (:func:`spinsweep.analysis.torque.x_c_measured`).

Solver units throughout (hbar = m = Omega_R = 1 in the stores of torque.mpi_runs): lengths in xi_R, times in
1/Omega_R.  Reductions over t and x are lazy (dask chunks), so a 3D store is never loaded whole.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import xarray as xr

from spinsweep.solvers.rabi import KAPPA_REDUCTIONS

from .interface import x_c_predicted


def axis_density(ds: xr.Dataset) -> xr.DataArray:
    """n(x, r_perp = 0, t = 0) of a 2D/3D store: the full-grid density ``n_full`` at t = 0 on the grid line
    nearest the axis (the transverse maximum where a transverse axis has no coordinate).  Reads one time."""
    n = ds["n_full"].isel(t=0).astype("float64")
    for d in [d for d in n.dims if d != "x"]:
        n = n.isel({d: int(np.argmin(np.abs(n[d].values)))}) if d in n.coords else n.max(d)
    return n.load()


def _couplings(ds: xr.Dataset) -> tuple[float, float]:
    p = ds.attrs["params"]["gpe_params"]
    kappa = 0.5 * (float(np.ravel(p["g11"])[0]) + float(np.ravel(p["g22"])[0])) - float(np.ravel(p["g12"])[0])
    return kappa, float(np.ravel(p["omega_R"])[0])


def axis_reduction(ds: xr.Dataset) -> dict[str, float]:
    """The 1D "axis" reduction (hbar kappa n(x) = delta_g n_3D(x, r_perp = 0); solvers.rabi module docstring) of
    a 2D/3D run: Lambda0 = kappa n_axis(0)/Omega_R with kappa = (g11 + g22)/2 - g12 (solvers.gpe.params; for
    the |1,-1> quench and for the dressed state s = (n,0,0) with g11 = g22 this is delta_g), and R_x of the
    Thomas-Fermi parabola n_axis(x) = n0 (1 - x^2/R_x^2) (least squares on the points above half the peak)."""
    kappa, om = _couplings(ds)
    n = axis_density(ds)
    x, nx = n.x.values, n.values
    keep = nx > 0.5 * nx.max()
    A = np.stack([np.ones(keep.sum()), x[keep] ** 2], axis=1)
    (c0, c2), *_ = np.linalg.lstsq(A, nx[keep], rcond=None)
    return {"Lambda0": kappa * c0 / om, "R_x": math.sqrt(-c0 / c2) if c2 < 0 else math.nan, "n0_axis": float(c0),
            "delta_g": kappa, "omega_R": om}


def central_slice_Z(ds: xr.Dataset, half_width: float) -> xr.DataArray:
    """Z(t) of the central slice |x| <= half_width: int s_z / int n over the slice, from the radially integrated
    ``s`` (t, component, x) and ``n`` (t, x) of a GPE store (solvers.gpe.observables.profiles).  Lazy."""
    sl = np.abs(ds.x.values) <= half_width
    if not sl.any():
        raise ValueError(f"half_width={half_width}: no grid point with |x| <= half_width (dx = "
                         f"{float(np.diff(ds.x.values[:2])[0]):.3g})")
    sz = ds["s"].sel(component="z").isel(x=sl).astype("float64").sum("x")
    n = ds["n"].isel(x=sl).astype("float64").sum("x")
    Z = sz / n
    if "point" in Z.dims:
        Z = Z.isel(point=0)
    return Z.rename("Z_slice").assign_attrs(units="1", long_name=f"Z of the central slice |x| <= {half_width:g}")


def plasma_frequency(Z: xr.DataArray) -> dict[str, float]:
    """omega_p of a small oscillation Z(t) = A + B cos(omega t) + C sin(omega t) (seed Methods: "the frequency of
    the small magnetic fluctuations around the ground state s = (n, 0, 0)").

    Start value from the peak of the zero-padded spectrum of Z - mean(Z); then a nonlinear least-squares fit of
    the four parameters.  Returns omega, its 1-sigma error (the fit covariance scaled by the residual), the
    amplitude sqrt(B^2 + C^2), the rms residual relative to the amplitude (large: more than one mode) and the
    number of periods covered."""
    from scipy.optimize import curve_fit

    t = np.asarray(Z.t.values, dtype=float)
    z = np.asarray(Z.values, dtype=float)
    if z.ndim != 1 or t.size < 8:
        raise ValueError(f"plasma_frequency: needs a 1D series Z(t) of >= 8 samples, got shape {z.shape}")
    dt = float(np.median(np.diff(t)))
    zc = z - z.mean()
    nfft = 16 * int(2 ** math.ceil(math.log2(t.size)))
    spec = np.abs(np.fft.rfft(zc * np.hanning(t.size), nfft))
    w = 2 * math.pi * np.fft.rfftfreq(nfft, dt)
    w0 = float(w[1 + int(np.argmax(spec[1:]))])

    def model(tt, a, b, c, om):
        return a + b * np.cos(om * tt) + c * np.sin(om * tt)

    p0 = [z.mean(), zc[0], 0.0, w0]
    popt, pcov = curve_fit(model, t, z, p0=p0)
    resid = z - model(t, *popt)
    amp = float(math.hypot(popt[1], popt[2]))
    return {"omega": float(popt[3]), "omega_err": float(math.sqrt(pcov[3, 3])), "amplitude": amp,
            "rel_residual": float(np.sqrt(np.mean(resid ** 2)) / amp) if amp > 0 else math.inf,
            "periods": float(popt[3] * (t[-1] - t[0]) / (2 * math.pi)), "omega_fft": w0}


def kappa_n_from_plasma(omega_p: float, omega_R: float, omega_p_err: float = 0.0) -> tuple[float, float]:
    """kappa n = omega_p^2/Omega_R - Omega_R (Methods: omega_p = sqrt(Omega_R (Omega_R + kappa n))), and its error
    2 omega_p/Omega_R x err(omega_p)."""
    return omega_p ** 2 / omega_R - omega_R, 2 * omega_p / omega_R * omega_p_err


def reduction_weights(kappa_n_eff: float, kappa_n_eff_err: float, kappa_n_axis: float) -> dict[str, float]:
    """The measured transverse weight w = kappa n_eff / (delta_g n_axis(0)) with its error, and for each reduction
    of :data:`KAPPA_REDUCTIONS` (Eq. 9 and its variants) its distance from the measurement in standard errors
    (``sigma_<name>``) and in relative terms (``rel_<name>`` = w_measured / w_reduction - 1)."""
    w = kappa_n_eff / kappa_n_axis
    err = kappa_n_eff_err / kappa_n_axis
    out = {"w_measured": w, "w_measured_err": err}
    for name, wr in KAPPA_REDUCTIONS.items():
        out[f"rel_{name}"] = w / wr - 1.0
        out[f"sigma_{name}"] = (w - wr) / err if err > 0 else math.inf
    out["closest"] = min(KAPPA_REDUCTIONS, key=lambda k: abs(math.log(w / KAPPA_REDUCTIONS[k])) if w > 0 else 0)
    return out


def x_c_reductions(Lambda0_axis: float, R_x: float) -> dict[str, float]:
    """x_c = R_x sqrt(1 - 2/(w Lambda0_axis)) for every reduction weight w (text before Fig. 3: Omega_R =
    kappa n(x_c)/2 with n(x) = n0 (1 - x^2/R_x^2)); NaN where w Lambda0_axis <= 2 (no self-trapped centre).
    Same length unit as R_x."""
    # x_c_predicted reads R_x in metres and answers in um: passing R_x x 1e-6 keeps R_x's own unit
    return {name: x_c_predicted(SimpleNamespace(Lambda0=w * Lambda0_axis, R_x=R_x * 1e-6))["x_c_um"]
            for name, w in KAPPA_REDUCTIONS.items()}


def _rabi_t(Z: xr.DataArray, omega_R: float) -> xr.DataArray:
    return Z.assign_coords(rabi_t=("t", Z.t.values * omega_R / (2 * math.pi)))


def quench_check(ds: xr.Dataset, window_rabi: float = 0.8) -> tuple[dict[str, float], dict[str, tuple[str, str]]]:
    """x_c of the radially integrated Z(x, t) of a 2D/3D quench run (all atoms in |1,-1> at t = 0) beside every
    reduction's Thomas-Fermi x_c (text before Fig. 3: Omega_R = kappa n(x_c)/2) from the axis density.
    Returns (row, meta) with meta[key] = (units, long_name); lengths in the store's unit (xi_R)."""
    from .interface import x_c_measured

    ax = axis_reduction(ds)
    Z = ds["Z"].astype("float64")
    if "point" in Z.dims:
        Z = Z.isel(point=0)
    Z = _rabi_t(Z, ax["omega_R"])
    meas = x_c_measured(Z, t_window_rabi=window_rabi)
    t_end = window_rabi * 2 * math.pi / ax["omega_R"]
    i0 = int(np.argmin(np.abs(Z.x.values)))
    row = {"x_c_3d": meas["x_c_um"], "x_c_3d_err": meas["x_c_err_um"], "Lambda0_axis": ax["Lambda0"],
           "R_x": ax["R_x"], "window_rabi": window_rabi,
           "Z_max_centre": float(Z.sel(t=slice(None, t_end)).isel(x=i0).max()),
           "t_final_rabi": float(Z.rabi_t.values[-1])}
    meta = {"x_c_3d": ("xi_R", "x_c of the radially integrated Z(x, t) (analysis.torque.x_c_measured)"),
            "x_c_3d_err": ("xi_R", "uncertainty of x_c_3d (left/right asymmetry, half a grid step)"),
            "Lambda0_axis": ("1", "kappa n_axis(0)/Omega_R, the axis reduction's Lambda0"),
            "R_x": ("xi_R", "axial Thomas-Fermi radius of the axis density (parabola fit)"),
            "window_rabi": ("1", "time window of max_t Z, Rabi periods"),
            "Z_max_centre": ("1", "max_t Z(x = 0) in the window (~ +1: the centre is not self-trapped)"),
            "t_final_rabi": ("1", "run length, Rabi periods")}
    for name, xc in x_c_reductions(ax["Lambda0"], ax["R_x"]).items():
        row[f"x_c_tf_{name}"] = xc
        meta[f"x_c_tf_{name}"] = ("xi_R", f"Thomas-Fermi x_c of the {name} reduction (kappa x "
                                          f"{KAPPA_REDUCTIONS[name]:.3g} of the axis value)")
    return row, meta


def plasma_check(ds: xr.Dataset, half_width: float = 0.5) -> tuple[dict[str, float], dict[str, tuple[str, str]]]:
    """omega_p of the central slice of a 2D/3D run started in the dressed ground state s = (n, 0, 0) and driven
    by a small detuning (a small tilt: Z oscillates around Z_eq ~ -delta/(Omega_R + kappa n) at omega_p), the
    effective kappa n0 = omega_p^2/Omega_R - Omega_R (Methods) and its weight relative to the axis value
    delta_g n_axis(0) (:func:`reduction_weights`), with each reduction's omega_p, and (when the full-grid Z is
    stored) omega_p of the axis line alone: equal to the slice value when the radial spin mode is rigid (R_r ~ xi_R),
    sqrt(Omega_R (Omega_R + kappa n_axis)) if every radius oscillated on its own.  Returns (row, meta)."""
    ax = axis_reduction(ds)
    om = ax["omega_R"]
    fit = plasma_frequency(central_slice_Z(ds, half_width).load())
    kn, kn_err = kappa_n_from_plasma(fit["omega"], om, fit["omega_err"])
    kn_axis = ax["Lambda0"] * om
    wts = reduction_weights(kn, kn_err, kn_axis)
    row = {"omega_p": fit["omega"], "omega_p_err": fit["omega_err"], "amplitude": fit["amplitude"],
           "rel_residual": fit["rel_residual"], "periods": fit["periods"], "kappa_n0_eff": kn,
           "kappa_n0_eff_err": kn_err, "kappa_n0_axis": kn_axis, "w_measured": wts["w_measured"],
           "w_measured_err": wts["w_measured_err"], "slice_half_width": half_width, "R_x": ax["R_x"]}
    meta = {"omega_p": ("Omega_R", "plasma frequency of the central slice (sinusoid fit)"),
            "omega_p_err": ("Omega_R", "1-sigma fit error of omega_p"),
            "amplitude": ("1", "oscillation amplitude of Z in the central slice"),
            "rel_residual": ("1", "rms fit residual / amplitude (> 0: other modes present)"),
            "periods": ("1", "plasma periods covered by the fit"),
            "kappa_n0_eff": ("Omega_R", "kappa n0 from omega_p = sqrt(Omega_R (Omega_R + kappa n0)) (Methods)"),
            "kappa_n0_eff_err": ("Omega_R", "uncertainty of kappa_n0_eff (from omega_p_err)"),
            "kappa_n0_axis": ("Omega_R", "axis reduction: delta_g n_3D(0, r_perp = 0)"),
            "w_measured": ("1", "kappa_n0_eff / kappa_n0_axis (axis 1, projected 2/3, eq9 1/3)"),
            "w_measured_err": ("1", "uncertainty of w_measured"),
            "slice_half_width": ("xi_R", "central slice |x| <= this"),
            "R_x": ("xi_R", "axial Thomas-Fermi radius of the axis density")}
    if "Z_full" in ds:  # the axis line alone: a rigid radial mode oscillates there at the same omega_p
        Za = ds["Z_full"].sel(x=0.0, method="nearest")
        Za = Za.sel({d: 0.0 for d in Za.dims if d != "t" and d in Za.coords}, method="nearest")
        on_axis = plasma_frequency(Za.astype("float64").load())
        row["omega_p_on_axis"], row["omega_p_on_axis_err"] = on_axis["omega"], on_axis["omega_err"]
        meta["omega_p_on_axis"] = ("Omega_R", "omega_p of Z on the axis line r_perp = 0 at x = 0 (not integrated)")
        meta["omega_p_on_axis_err"] = ("Omega_R", "1-sigma fit error of omega_p_on_axis")
    for name, w in KAPPA_REDUCTIONS.items():
        row[f"omega_p_{name}"] = math.sqrt(om * (om + w * kn_axis))
        meta[f"omega_p_{name}"] = ("Omega_R", f"omega_p of the {name} reduction (kappa x {w:.3g} of the axis value)")
        row[f"sigma_{name}"] = wts[f"sigma_{name}"]
        meta[f"sigma_{name}"] = ("1", f"(w_measured - {w:.3g}) / w_measured_err")
    return row, meta


def front_speed_1d(ds: xr.Dataset) -> dict[str, float]:
    """v/c_s (Fig. 3b) of a 1D paper-route GPE store (lab units), with statistical and systematic errors
    (:func:`spinsweep.analysis.torque.front_speed`); NaN without a self-trapped centre (kappa n0 <= 2 Omega_R)."""
    from .data import lab, rabi_params
    from .fronts import front_speed

    rp = rabi_params(ds)
    if rp.Lambda0 <= 2.0:
        return {"v_over_c_s": math.nan, "v_over_c_s_stat": math.nan, "v_over_c_s_syst": math.nan,
                "Lambda0": rp.Lambda0}
    Z = lab(ds["Z"], rp)
    if "point" in Z.dims:
        Z = Z.isel(point=0)
    s, _ = front_speed(Z, rp)
    return {"v_over_c_s": s["v_over_c_s"], "v_over_c_s_stat": s["v_over_c_s_stat"],
            "v_over_c_s_syst": s["v_over_c_s_syst"], "Lambda0": rp.Lambda0}


def compare_reductions(quench: xr.Dataset, quench_row: xr.Dataset, plasma_row: xr.Dataset,
                       cloud: dict[str, xr.Dataset], paper: dict[str, xr.Dataset], *,
                       window_rabi: float = 0.8) -> xr.Dataset:
    """The 3D-vs-1D table, one entry per reduction (dimension ``reduction``: axis, projected, eq9 and ``omega_p``,
    the weight measured by the 3D plasma frequency) plus the 3D measurements as scalars:

    * x_c: measured from the radially integrated Z(x, t) of the 3D quench (``x_c_3d``) and from Z(x, t) of the 1D
      run of the same axial profile with each reduction (``x_c_1d``), beside the Thomas-Fermi value (``x_c_tf``);
      ``x_c_agrees``: both NaN (no self-trapped centre) or within two combined errors; ``x_c_rel_dev``;
    * kappa n0: each reduction's omega_p against the 3D plasma-frequency measurement (``sigma_plasma``);
    * v/c_s of the 1D 118 Hz set (Fig. 3b) rerun with each reduction's kappa n0 (``v_over_c_s`` with stat/syst;
      NaN where kappa n0 <= 2 Omega_R: no self-trapped centre, no front).
    ``cloud``: reduction name -> 1D GPE store (solver units), for every name; ``paper``: for the reductions of
    :data:`KAPPA_REDUCTIONS` (lab units)."""
    from spinsweep.solvers.rabi import PRESETS

    from .interface import x_c_measured

    names = list(cloud)
    q = {k: float(v.values[0]) for k, v in quench_row.data_vars.items()}
    p = {k: float(v.values[0]) for k, v in plasma_row.data_vars.items()}
    weights = {**KAPPA_REDUCTIONS, "omega_p": p["w_measured"]}
    lam118 = PRESETS["fig3_118Hz"].Lambda0
    rows: dict[str, list[float]] = {k: [] for k in ("x_c_1d", "x_c_1d_err", "x_c_tf", "omega_p", "sigma_plasma",
                                                    "Lambda0_118", "v", "v_stat", "v_syst")}
    for r in names:
        Z = cloud[r]["Z"].astype("float64")
        om = float(np.ravel(cloud[r].attrs["params"]["gpe_params"]["omega_R"])[0])
        m = x_c_measured(_rabi_t(Z.isel(point=0) if "point" in Z.dims else Z, om), t_window_rabi=window_rabi)
        rows["x_c_1d"].append(m["x_c_um"])
        rows["x_c_1d_err"].append(m["x_c_err_um"])
        rows["x_c_tf"].append(x_c_predicted(SimpleNamespace(Lambda0=weights[r] * q["Lambda0_axis"],
                                                             R_x=q["R_x"] * 1e-6))["x_c_um"])
        kn_axis = p["kappa_n0_axis"]
        om_p = 1.0  # omega_p rows are for the plasma run's own Omega_R (solver unit)
        rows["omega_p"].append(math.sqrt(om_p * (om_p + weights[r] * kn_axis)))
        rows["sigma_plasma"].append(p.get(f"sigma_{r}", 0.0))
        if r in paper:
            f = front_speed_1d(paper[r])
        else:  # not rerun: only its Lambda0 (no front when <= 2)
            f = {"v_over_c_s": math.nan, "v_over_c_s_stat": math.nan, "v_over_c_s_syst": math.nan,
                 "Lambda0": weights[r] * lam118}
        rows["Lambda0_118"].append(f["Lambda0"])
        rows["v"].append(f["v_over_c_s"])
        rows["v_stat"].append(f["v_over_c_s_stat"])
        rows["v_syst"].append(f["v_over_c_s_syst"])
    x1, x1e = np.asarray(rows["x_c_1d"]), np.asarray(rows["x_c_1d_err"])
    x3, x3e = q["x_c_3d"], q["x_c_3d_err"]
    agrees = [(not np.isfinite(x3) and not np.isfinite(a)) or
              (np.isfinite(x3) and np.isfinite(a) and abs(a - x3) <= 2 * math.hypot(e, x3e)) for a, e in zip(x1, x1e)]
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = x1 / x3 - 1.0 if np.isfinite(x3) else np.full(len(names), math.nan)

    def var(vals, units, long_name):
        return xr.Variable("reduction", np.asarray(vals, dtype=float), {"units": units, "long_name": long_name})

    def scalar(val, units, long_name):
        return xr.Variable((), float(val), {"units": units, "long_name": long_name})

    ds = xr.Dataset({
        "weight": var([weights[r] for r in names], "1", "kappa n0 / (delta_g n_axis(0)) of the reduction"),
        "x_c_tf": var(rows["x_c_tf"], "xi_R", "Thomas-Fermi x_c of the reduction (3D axis profile)"),
        "x_c_1d": var(x1, "xi_R", "x_c measured in the 1D GPE of the 3D cloud's axial profile"),
        "x_c_1d_err": var(x1e, "xi_R", "uncertainty of x_c_1d"),
        "x_c_agrees": var(agrees, "1", "1: x_c_1d agrees with x_c_3d (both NaN, or within 2 combined errors)"),
        "x_c_rel_dev": var(rel, "1", "x_c_1d / x_c_3d - 1"),
        "omega_p": var(rows["omega_p"], "Omega_R", "omega_p of the reduction, central slice of the plasma run"),
        "sigma_plasma": var(rows["sigma_plasma"], "1", "(w_measured - weight)/w_measured_err"),
        "Lambda0_118": var(rows["Lambda0_118"], "1", "kappa n0/Omega_R of the 118 Hz set with the reduction"),
        "v_over_c_s": var(rows["v"], "1", "front speed v/c_s of the 1D 118 Hz set with the reduction (Fig. 3b)"),
        "v_over_c_s_stat": var(rows["v_stat"], "1", "statistical error of v_over_c_s"),
        "v_over_c_s_syst": var(rows["v_syst"], "1", "systematic error of v_over_c_s (window, threshold, fit range)"),
        "x_c_3d": scalar(x3, "xi_R", "x_c of the radially integrated Z(x, t) of the 3D quench (NaN: none)"),
        "x_c_3d_err": scalar(x3e, "xi_R", "uncertainty of x_c_3d"),
        "Z_max_centre": scalar(q["Z_max_centre"], "1", "max_t Z(0) of the 3D quench in the window"),
        "Lambda0_axis": scalar(q["Lambda0_axis"], "1", "kappa n_axis(0)/Omega_R of the 3D quench cloud"),
        "R_x": scalar(q["R_x"], "xi_R", "axial TF radius of the 3D axis density"),
        "omega_p_3d": scalar(p["omega_p"], "Omega_R", "plasma frequency of the 3D central slice"),
        "omega_p_3d_err": scalar(p["omega_p_err"], "Omega_R", "uncertainty of omega_p_3d"),
        "w_measured": scalar(p["w_measured"], "1", "kappa n0 from omega_p / delta_g n_axis(0) (3D plasma run)"),
        "w_measured_err": scalar(p["w_measured_err"], "1", "uncertainty of w_measured"),
        "omega_p_on_axis": scalar(p.get("omega_p_on_axis", math.nan), "Omega_R",
                                  "omega_p of Z on the axis line alone (3D plasma run; NaN: not stored)"),
    }, coords={"reduction": ("reduction", names, {"units": "1", "long_name": "kappa reduction (solvers.rabi)"})})
    ds.attrs["supported_by_plasma"] = min(KAPPA_REDUCTIONS, key=lambda r: abs(math.log(max(p["w_measured"], 1e-12)
                                                                                        / KAPPA_REDUCTIONS[r])))
    # by x_c: the reductions that agree within errors; when none does (or x_c_3d is NaN and several are), the
    # reductions ordered by |x_c_1d - x_c_3d| (NaN last), closest first
    ds.attrs["x_c_agreeing"] = [r for r, a in zip(names, agrees) if a]
    order = np.argsort(np.where(np.isfinite(rel), np.abs(rel), np.inf), kind="stable")
    ds.attrs["x_c_closest_first"] = [names[i] for i in order] if np.isfinite(x3) else ds.attrs["x_c_agreeing"]
    return ds


def reduction_figure(quench: xr.Dataset, cloud: dict[str, xr.Dataset], plasma: xr.Dataset, table: xr.Dataset,
                     path, *, xi_R_um: float | None = None, half_width: float = 0.5) -> None:
    """The 3D-vs-1D figure: radially integrated Z(x, t) of the 3D quench next to the 1D runs of each reduction
    (x_c marks: measured white, Thomas-Fermi dashed), the central-slice plasma oscillation of the 3D run with each
    reduction's omega_p, and x_c / v/c_s per reduction.  x in um when ``xi_R_um`` is given (else xi_R)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fx = xi_R_um or 1.0
    xl = "x (um)" if xi_R_um else "x (xi_R)"
    names = [str(r) for r in table.reduction.values]
    fig = plt.figure(figsize=(18, 8.5), constrained_layout=True)
    gs = fig.add_gridspec(2, 5)
    maps = [("3D, radially integrated" + ("" if np.isfinite(float(table.x_c_3d)) else ": no x_c"), quench,
             float(table.x_c_3d), None)]
    for i, r in enumerate(names):
        maps.append((f"1D, {r} (w = {float(table.weight[i]):.2g})", cloud[r], float(table.x_c_1d[i]),
                     float(table.x_c_tf[i])))
    R_x = float(table.R_x)
    for k, (title, ds, xc, xtf) in enumerate(maps):
        ax = fig.add_subplot(gs[0, k])
        Z = ds["Z"]
        Z = Z.isel(point=0) if "point" in Z.dims else Z
        Z = Z.sel(x=slice(-1.3 * R_x, 1.3 * R_x)).astype("float64")
        om = float(np.ravel(ds.attrs["params"]["gpe_params"]["omega_R"])[0])
        im = ax.pcolormesh(Z.x.values * fx, Z.t.values * om / (2 * math.pi), Z.values, cmap="RdBu_r", vmin=-1,
                           vmax=1, shading="auto", rasterized=True)
        for s in (-1, 1):
            if np.isfinite(xc):
                ax.axvline(s * xc * fx, color="w", lw=1.2)
            if xtf is not None and np.isfinite(xtf):
                ax.axvline(s * xtf * fx, color="k", lw=1, ls="--")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xl)
        ax.set_ylabel("Omega_R t / 2 pi")
    fig.colorbar(im, ax=ax, label="Z")
    # plasma oscillation of the 3D central slice, with each reduction's frequency (same amplitude and phase)
    ax = fig.add_subplot(gs[1, :2])
    Zs = central_slice_Z(plasma, half_width).load()
    t = Zs.t.values
    ax.plot(t / (2 * math.pi), Zs.values, "k.", ms=3, label="3D central slice")
    fit = plasma_frequency(Zs)
    z0, amp = float(Zs.values.mean()), Zs.values[0] - float(Zs.values.mean())
    colors = {"axis": "C3", "projected": "C0", "eq9": "C2", "omega_p": "C1"}
    for i, r in enumerate(names):
        w = float(table.omega_p[i])
        ax.plot(t / (2 * math.pi), z0 + amp * np.cos(w * t), color=colors.get(r, f"C{i}"), lw=1,
                label=f"{r}: omega_p = {w:.3f} Omega_R")
    ax.set_title(f"plasma oscillation, 3D: omega_p = {fit['omega']:.4f}({1e4 * fit['omega_err']:.0f}) Omega_R -> "
                 f"kappa n0 = {float(table.w_measured):.3f}({1e3 * float(table.w_measured_err):.0f}) x axis value;\n"
                 f"axis line alone: {float(table.omega_p_on_axis):.4f}", fontsize=10)
    ax.set_xlabel("Omega_R t / 2 pi")
    ax.set_ylabel("Z (central slice)")
    ax.legend(fontsize=8, loc="lower right")
    ax = fig.add_subplot(gs[1, 2:4])
    xpos = np.arange(len(names))
    ax.bar(xpos - 0.2, table.x_c_tf.values * fx, 0.4, color="0.7", label="Thomas-Fermi x_c")
    ax.errorbar(xpos + 0.2, table.x_c_1d.values * fx, yerr=table.x_c_1d_err.values * fx, fmt="o", color="C0",
                label="1D GPE x_c")
    xc3, e3 = float(table.x_c_3d) * fx, float(table.x_c_3d_err) * fx
    if np.isfinite(xc3):
        ax.axhspan(xc3 - e3, xc3 + e3, color="C3", alpha=0.3)
        ax.axhline(xc3, color="C3", label="3D, radially integrated")
    ax.set_xticks(xpos, names)
    ax.set_ylabel(f"x_c ({'um' if xi_R_um else 'xi_R'})")
    ax.set_title("interface position", fontsize=10)
    ax.legend(fontsize=8)
    ax = fig.add_subplot(gs[1, 4])
    err = np.hypot(table.v_over_c_s_stat.values, np.nan_to_num(table.v_over_c_s_syst.values))
    ax.errorbar(xpos, table.v_over_c_s.values, yerr=err, fmt="s", color="k")
    for i in xpos:
        if not np.isfinite(float(table.v_over_c_s[i])):
            ax.text(i, 0.1 + 0.25 * (i % 2), f"no front\nLambda0\n= {float(table.Lambda0_118[i]):.2f}", ha="center",
                    fontsize=7)
    ax.set_xticks(xpos, names)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("v / c_s")
    ax.set_title("1D 118 Hz set: front speed", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
