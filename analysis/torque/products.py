"""Per-run analysis products: the small Datasets the figures read (written to stores by the workflow).

:func:`run_products` turns one run (GPE store in lab units) into named Datasets, each with units and long_name on
every variable, and the fit results as attributes: ``zmap`` (Z(x, t) thinned for display), ``front``
(front positions and the fitted line, Fig. 3b), ``frequency`` (Fig. 2a), ``correlations`` (Fig. 4),
``profiles`` (Fig. 2e-g), ``components`` (Fig. 3f-h) and ``summary`` (one table row,
:func:`spinsweep.analysis.torque.table.run_summary`).  Everything derived from one run goes through here, so a
figure never fits anything itself.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .correlations import correlations
from .frequency import frequency_map
from .fronts import front_speed
from .interface import breaking_time, breaking_time_torque, x_c_measured, x_c_predicted
from .profiles import component_profiles, interface_profiles
from .table import COLUMNS


def _clean_attrs(d: dict) -> dict:
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in d.items()}


def zmap(Z: xr.DataArray, params, *, max_t: int = 800, x_max_um: float | None = None) -> xr.Dataset:
    """Z(x, t) for display: at most ``max_t`` times (every k-th output), |x| < x_max_um (default R_x)."""
    x_max_um = params.R_x * 1e6 if x_max_um is None else x_max_um
    step = max(1, Z.sizes["t"] // max_t)
    sub = Z.isel(t=slice(None, None, step)).sel(x=slice(-x_max_um, x_max_um))
    if "shot" in sub.dims:
        sub = sub.isel(shot=0)
    return xr.Dataset({"Z": sub.astype("float32").load().assign_attrs(units="1", long_name="Z = s_z/n")})


def run_products(ds: xr.Dataset, params, *, sigma_um: float = 0.0, frequency_window_rabi: float = 3.0,
                 regions=None) -> dict[str, xr.Dataset]:
    """All per-run products (module docstring) of a GPE run in lab units (see :func:`..data.lab`)."""
    Z = ds["Z"]
    xp = x_c_predicted(params, 0.1, 0.02)  # Fig. 3b bars: 10 % on n0 (kappa n0), 2 % on R_x (documented choice)
    out: dict[str, xr.Dataset] = {}
    out["zmap"] = zmap(Z, params)
    summary, front = front_speed(Z, params, xp["x_c_um"])
    front = front.assign_coords(rabi_t=ds.rabi_t)
    front.attrs.update(_clean_attrs({f"summary_{k}": v for k, v in summary.items()}))
    front.attrs.update(x_c_err_um=xp["x_c_err_um"])
    out["front"] = front
    fm = frequency_map(Z.isel(shot=0) if "shot" in Z.dims else Z, params, frequency_window_rabi)
    out["frequency"] = fm.sel(x=slice(-params.R_x * 1e6, params.R_x * 1e6))
    C, fits = correlations(Z, params, regions, sigma_um=sigma_um)
    for name, f in fits.items():
        C.attrs.update(_clean_attrs({f"fit_{name}_{k}": v for k, v in f.items()}))
    out["correlations"] = C
    if "spin_current_twist" in ds:
        prof = interface_profiles(ds.isel(shot=0) if "shot" in ds.dims else ds, params)
        out["profiles"] = prof.drop_vars([c for c in ("t", "rabi_t") if c in prof.coords])
    out["components"] = component_profiles(ds.isel(shot=0) if "shot" in ds.dims else ds, params).drop_vars(
        ["t", "rabi_t", "rabi_target"], errors="ignore")
    xm = x_c_measured(Z, params)
    t_torque = breaking_time_torque(ds) if "quantum_torque" in ds else math.nan
    t_front = breaking_time(front, xp["x_c_um"])
    fe = fits.get("E", {})
    xi_s, xi_R = float(params.xi_s(0.0)) * 1e6, params.xi_R * 1e6
    L1 = fe.get("L1_um", math.nan)
    row = {"omega_R_hz": params.omega_R / (2 * math.pi), "omega_R_over_kappa_n0": 1 / params.Lambda0,
           "R_x_um": params.R_x * 1e6, "x_c_pred_um": xp["x_c_um"], "x_c_meas_um": xm["x_c_um"],
           "x_c_meas_err_um": xm["x_c_err_um"],
           "t_break_rabi": t_torque if math.isfinite(t_torque) else t_front, "t_break_front_rabi": t_front,
           "v_mm_s": summary["v_mm_s"], "v_over_c_s": summary["v_over_c_s"],
           "v_over_c_s_stat": summary["v_over_c_s_stat"], "v_over_c_s_syst": summary["v_over_c_s_syst"],
           "v_over_c": summary["v_over_c"], "c_s_mm_s": summary["c_s_mm_s"], "L1_um": L1,
           "L1_err_um": fe.get("L1_err_um", math.nan), "L2_um": fe.get("L2_um", math.nan),
           "L2_err_um": fe.get("L2_err_um", math.nan), "xi_s_um": xi_s, "L1_over_xi_s": L1 / xi_s, "L1_over_xi_R": L1 / xi_R,
           "C_min": fe.get("min_C", math.nan), "C_min_dx_um": fe.get("min_dx_um", math.nan)}
    out["summary"] = xr.Dataset({k: ((), float(v), {"units": COLUMNS[k][0], "long_name": COLUMNS[k][1]})
                                 for k, v in row.items()})
    return out
