"""Profiles and maps around the interfaces: seed Fig. 2c-g, Fig. 3f-h and Extended Data Fig. 1.

* :func:`interface_profiles` -- Z, |j_s|/(n c_s) with 2 m c_s^2 = hbar kappa n, and |d_x j_s|/|H x s|_max at
  Omega_R t/2pi = 0.7, 0.8, 0.9, 1, 1.5 (Fig. 2e-g; j_s of Eq. 2 = advection + spin twist, Eq. 7).
* :func:`component_profiles` -- n_{+1}, n_{-1} and n, each divided by the local total density before the
  quench n(x, 0), at Omega_R t = 2 pi, 3 pi, 5 pi (Fig. 3f-h).
* :func:`lle_comparison` -- Z(x, t) of the LLE without (Fig. 2c) and with (Fig. 2d) quantum torque, and Z(t)
  at the probe points A-D (Fig. 2a insets).
* :func:`gpe_vs_lle` -- Extended Data Fig. 1 around the interface: density modulation n/n(x,0) - 1 (a), |j| (b),
  Z (c), |j_s| (d), Z of the LLE (e), the quantum-torque (spin-twist) part of the spin current (f), and
  scalar summaries: max |dn/n|, rms(Z_GPE - Z_LLE), the twist share sum|twist| / (sum|advection| + sum|twist|).

Inputs in lab units (:func:`spinsweep.analysis.torque.data.lab`); only the selected times or windows are
read from lazy stores.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .data import speeds_mm_s
from .interface import probe_points

FIG2EG_TIMES = (0.7, 0.8, 0.9, 1.0, 1.5)
FIG3FH_OMEGA_T = (2 * math.pi, 3 * math.pi, 5 * math.pi)


def _at_rabi(ds, rabi_times) -> xr.Dataset:
    idx = [int(np.argmin(np.abs(ds.rabi_t.values - r))) for r in rabi_times]
    out = ds.isel(t=idx)
    return out.assign_coords(rabi_target=("t", np.asarray(rabi_times, dtype=float)))


def _norm(v: xr.DataArray) -> xr.DataArray:
    return np.sqrt((v.astype("float64") ** 2).sum("component"))


def interface_profiles(ds: xr.Dataset, params, rabi_times=FIG2EG_TIMES, *, x_window_um: float = 40.0,
                       side: int = 1) -> xr.Dataset:
    """Fig. 2e-g profiles from a GPE store: Z, |j_s|/(n c_s(n)) and |d_x j_s|/max_x|H x s| (max over the
    whole cloud at the same time), on x_c +- x_window_um on the ``side`` (+1/-1) of the cloud."""
    from .interface import x_c_predicted

    xc = side * x_c_predicted(params)["x_c_um"]
    sel = _at_rabi(ds[["Z", "n", "spin_current_advection", "spin_current_twist", "H_cross_s"]], rabi_times).load()
    js = sel.spin_current_advection.astype("float64") + sel.spin_current_twist.astype("float64")
    n0 = params.n0 * 1e-6  # 1/um
    c_s = speeds_mm_s(params)["c_s"] * np.sqrt(np.clip(sel.n / n0, 0, None))  # mm/s = um/ms
    with np.errstate(divide="ignore", invalid="ignore"):
        js_ratio = _norm(js) / (sel.n * c_s)
    dx = float(sel.x[1] - sel.x[0])
    djs = xr.apply_ufunc(np.gradient, js, dx, input_core_dims=[["x"], []], output_core_dims=[["x"]],
                         kwargs={"axis": -1})
    dj_ratio = _norm(djs) / sel.H_cross_s.max("x")
    lo, hi = sorted((xc - x_window_um, xc + x_window_um))
    out = xr.Dataset({
        "Z": sel.Z.astype("float64").assign_attrs(units="1", long_name="Z"),
        "js_over_n_cs": js_ratio.assign_attrs(units="1", long_name="|j_s| / (n c_s)"),
        "djs_over_Hs_max": dj_ratio.assign_attrs(units="1", long_name="|d_x j_s| / |H x s|_max"),
    }).sel(x=slice(lo, hi))
    return out.swap_dims(t="rabi_target").assign_attrs(x_c_um=xc)


def component_profiles(ds: xr.Dataset, params, omega_t=FIG3FH_OMEGA_T, *, x_max_um: float | None = None) -> xr.Dataset:
    """Fig. 3f-h: n_{+1}/n(x,0), n_{-1}/n(x,0) (n_{+-1} = n (1 +- Z)/2) and n/n(x,0) at Omega_R t in omega_t,
    for |x| < x_max_um (default 0.95 R_x, where n(x, 0) is not tiny)."""
    if x_max_um is None:
        x_max_um = 0.95 * params.R_x * 1e6
    sub = ds[["Z", "n"]].sel(x=slice(-x_max_um, x_max_um))
    n_ref = sub.n.isel(t=0).astype("float64").load()
    sel = _at_rabi(sub, [w / (2 * math.pi) for w in omega_t]).load()
    n = sel.n.astype("float64")
    Z = sel.Z.astype("float64")
    out = xr.Dataset({
        "n_plus": (0.5 * n * (1 + Z) / n_ref).assign_attrs(units="1", long_name="n_{+1} / n(x, 0)"),
        "n_minus": (0.5 * n * (1 - Z) / n_ref).assign_attrs(units="1", long_name="n_{-1} / n(x, 0)"),
        "n_total": (n / n_ref).assign_attrs(units="1", long_name="n / n(x, 0)"),
    })
    out = out.assign_coords(omega_t=("t", np.asarray(omega_t, dtype=float))).swap_dims(t="omega_t")
    return out


def lle_comparison(lle_free: xr.Dataset, lle_torque: xr.Dataset, params, *, max_t: int = 600) -> xr.Dataset:
    """Fig. 2c,d: Z(x, t) without and with quantum torque (lab units, at most ``max_t`` times kept for the maps)
    and Z(t) at the probe points A-D (:func:`spinsweep.analysis.torque.interface.probe_points`) at full cadence."""
    from .data import lab

    drop = ["Omega_R_t", "component", "s", "n", "j_s"]
    a = lab(lle_free, params).drop_vars(drop, errors="ignore")
    b = lab(lle_torque, params).drop_vars(drop, errors="ignore")
    step = max(1, a.sizes["t"] // max_t)
    pts = probe_points(params)
    xs = np.array(list(pts.values()))
    out = xr.Dataset({
        "Z_no_torque": a.Z.isel(t=slice(None, None, step)).assign_attrs(units="1", long_name="Z, LLE without quantum torque"),
        "Z_torque": b.Z.isel(t=slice(None, None, step)).assign_attrs(units="1", long_name="Z, LLE with quantum torque"),
    })
    za = a.Z.sel(x=xs, method="nearest").transpose("t", "x").values
    zb = b.Z.sel(x=xs, method="nearest").transpose("t", "x").values
    out = out.assign_coords(probe=list(pts), x_probe=("probe", xs, {"units": "um", "long_name": "probe position"}),
                            t_probe=("t_probe", a.t.values, {"units": "ms", "long_name": "time"}),
                            rabi_t_probe=("t_probe", a.rabi_t.values, {"units": "1", "long_name": "Omega_R t/2pi"}))
    out["Z_probe_no_torque"] = (("t_probe", "probe"), za, {"units": "1", "long_name": "Z at A-D, no torque"})
    out["Z_probe_torque"] = (("t_probe", "probe"), zb, {"units": "1", "long_name": "Z at A-D, with torque"})
    return out.assign_attrs(x_c_um=params.x_c * 1e6)


def gpe_vs_lle(gpe: xr.Dataset, lle: xr.Dataset, params, *, x_window_um: float = 50.0,
               t_max_rabi: float = 3.0, side: int = 1) -> xr.Dataset:
    """Extended Data Fig. 1 maps on x in x_c +- x_window_um (``side`` of the cloud; cut at 0.95 R_x) and
    Omega_R t/2pi <= t_max_rabi.

    The LLE's Z is interpolated linearly onto the GPE's (x, t) grid.  Currents in 1/ms (atoms per ms, as in
    the seed's colour scales)."""
    from .data import lab

    xc = side * params.x_c * 1e6
    lo, hi = sorted((xc - x_window_um, xc + x_window_um))
    edge = 0.95 * params.R_x * 1e6  # n(x, 0) -> 0 at the Thomas-Fermi edge: keep dn/n meaningful
    lo, hi = max(lo, -edge), min(hi, edge)
    T = 2e3 * math.pi / params.omega_R
    g = gpe[["Z", "n", "j", "spin_current_advection", "spin_current_twist"]].sel(
        x=slice(lo, hi), t=slice(None, t_max_rabi * T)).load()
    n_ref = gpe.n.isel(t=0).sel(x=slice(lo, hi)).astype("float64").load()
    L = lab(lle, params)
    Zl = L.Z.drop_vars(["rabi_t", "Omega_R_t"], errors="ignore").interp(x=g.x, t=g.t)
    js = g.spin_current_advection.astype("float64") + g.spin_current_twist.astype("float64")
    abs_js = _norm(js)
    twist = _norm(g.spin_current_twist)
    out = xr.Dataset({
        "dn_rel": (g.n / n_ref - 1).assign_attrs(units="1", long_name="n / n(x, 0) - 1"),
        "abs_j": np.abs(g.j).astype("float64").assign_attrs(units="1/ms", long_name="|j|"),
        "Z": g.Z.astype("float64").assign_attrs(units="1", long_name="Z (GPE)"),
        "abs_js": abs_js.assign_attrs(units="1/ms", long_name="|j_s|"),
        "Z_lle": Zl.assign_attrs(units="1", long_name="Z (LLE with quantum torque)"),
        "abs_js_twist": twist.assign_attrs(units="1/ms", long_name="|spin-twist (quantum-torque) part of j_s|"),
    })
    adv = _norm(g.spin_current_advection).values
    share = float(np.nansum(twist.values) / np.nansum(adv + twist.values))
    out.attrs.update(
        x_c_um=xc, max_abs_dn_rel=float(np.nanmax(np.abs(out.dn_rel.values))),
        rms_Z_gpe_minus_lle=float(np.sqrt(np.nanmean((out.Z.values - Zl.values) ** 2))),
        twist_share=share)
    return out
