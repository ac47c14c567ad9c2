"""Per-run analysis products: the small Datasets the figures read (written to stores by the workflow).

:func:`run_products` turns one run (GPE store in lab units) into named Datasets, each with units and long_name on
every variable, and the fit results as attributes: ``zmap`` (Z(x, t) thinned for display), ``front``
(front positions and the fitted line, Fig. 3b), ``frequency`` (Fig. 2a), ``correlations`` (Fig. 4, imaging
model) and ``correlations_raw`` (bare field),
``profiles`` (Fig. 2e-g), ``components`` (Fig. 3f-h) and ``summary`` (one table row,
:func:`spinsweep.analysis.torque.table.run_summary`).  Everything derived from one run goes through here, so a
figure never fits anything itself.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .correlations import blur, correlations
from .imaging import imaged_Z
from .stability import centre_instability
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


def _imaged(ds: xr.Dataset, sigma_um: float, wigner: bool) -> xr.DataArray:
    """Z of the imaging model (:func:`..imaging.imaged_Z`) where the densities are stored, else the blurred Z."""
    if "s" in ds and "n" in ds:
        return imaged_Z(ds, sigma_um, wigner=wigner)
    return blur(ds["Z"], sigma_um)


def run_products(ds: xr.Dataset, params, *, sigma_um: float = 0.0, frequency_window_rabi: float = 3.0,
                 regions=None, wigner: bool = False) -> dict[str, xr.Dataset]:
    """All per-run products (module docstring) of a GPE run in lab units (see :func:`..data.lab`).

    ``wigner``: the run is a truncated-Wigner shot (densities get the symmetric-ordering correction).  Fronts
    and the ``correlations`` product read the imaging-model Z (blur ``sigma_um``); ``correlations_raw`` the
    bare field (corrected, not blurred)."""
    Z = ds["Z"]
    Z_img = _imaged(ds, sigma_um, wigner)
    Z_raw = _imaged(ds, 0.0, wigner) if wigner else Z
    xp = x_c_predicted(params, 0.1, 0.02)  # Fig. 3b bars: 10 % on n0 (kappa n0), 2 % on R_x (documented choice)
    out: dict[str, xr.Dataset] = {}
    out["zmap"] = zmap(Z, params)
    summary, front = front_speed(Z_img, params, xp["x_c_um"])
    front = front.assign_coords(rabi_t=ds.rabi_t)
    front.attrs.update(_clean_attrs({f"summary_{k}": v for k, v in summary.items()}))
    front.attrs.update(x_c_err_um=xp["x_c_err_um"])
    out["front"] = front
    fm = frequency_map(Z.isel(shot=0) if "shot" in Z.dims else Z, params, frequency_window_rabi)
    out["frequency"] = fm.sel(x=slice(-params.R_x * 1e6, params.R_x * 1e6))
    C, fits = correlations(Z_img, params, regions)
    C.attrs["sigma_um"] = sigma_um
    C_raw, fits_raw = correlations(Z_raw, params, regions)
    for c, fs in ((C, fits), (C_raw, fits_raw)):
        for name, f in fs.items():
            c.attrs.update(_clean_attrs({f"fit_{name}_{k}": v for k, v in f.items()}))
    out["correlations"] = C
    out["correlations_raw"] = C_raw
    stab = centre_instability(params)
    if "spin_current_twist" in ds:
        prof = interface_profiles(ds.isel(shot=0) if "shot" in ds.dims else ds, params)
        out["profiles"] = prof.drop_vars([c for c in ("t", "rabi_t") if c in prof.coords])
    out["components"] = component_profiles(ds.isel(shot=0) if "shot" in ds.dims else ds, params).drop_vars(
        ["t", "rabi_t", "rabi_target"], errors="ignore")
    xm = x_c_measured(Z, params)
    # the torque criterion needs a smooth field: the grid-scale vacuum noise of a truncated-Wigner shot makes
    # -d_x of the spin-twist current exceed |H x s| from t = 0, so noisy shots take the front criterion
    t_torque = breaking_time_torque(ds) if "quantum_torque" in ds and not wigner else math.nan
    t_front = breaking_time(front, xp["x_c_um"])
    fe = fits.get("E", {})
    fr = fits_raw.get("E", {})
    xi_s, xi_R = float(params.xi_s(0.0)) * 1e6, params.xi_R * 1e6
    L1 = fe.get("L1_um", math.nan)
    nan = math.nan
    row = {"omega_R_hz": params.omega_R / (2 * math.pi), "omega_R_over_kappa_n0": 1 / params.Lambda0,
           "R_x_um": params.R_x * 1e6, "x_c_pred_um": xp["x_c_um"], "x_c_meas_um": xm["x_c_um"],
           "x_c_meas_err_um": xm["x_c_err_um"],
           "t_break_rabi": t_torque if math.isfinite(t_torque) else t_front, "t_break_front_rabi": t_front, "t_break_torque_rabi": t_torque,
           "v_mm_s": summary["v_mm_s"], "v_over_c_s": summary["v_over_c_s"],
           "v_over_c_s_stat": summary["v_over_c_s_stat"], "v_over_c_s_syst": summary["v_over_c_s_syst"],
           "v_over_c": summary["v_over_c"], "c_s_mm_s": summary["c_s_mm_s"], "L1_um": L1,
           "L1_err_um": fe.get("L1_err_um", math.nan), "L2_um": fe.get("L2_um", math.nan),
           "L2_err_um": fe.get("L2_err_um", math.nan), "xi_s_um": xi_s, "L1_over_xi_s": L1 / xi_s, "L1_over_xi_R": L1 / xi_R,
           "C_min": fe.get("min_C", math.nan), "C_min_dx_um": fe.get("min_dx_um", math.nan),
           "v_over_c_s_shot": summary["v_over_c_s_shot"], "n_shots": float(Z.sizes.get("shot", 1)),
           "L1_shot_err_um": fe.get("L1_um_shot_err", nan), "L2_shot_err_um": fe.get("L2_um_shot_err", nan),
           "C_min_dx_shot_err_um": fe.get("min_dx_um_shot_err", nan),
           "L1_raw_um": fr.get("L1_um", nan), "L1_raw_err_um": fr.get("L1_err_um", nan),
           "L2_raw_um": fr.get("L2_um", nan), "L2_raw_err_um": fr.get("L2_err_um", nan),
           "C_min_raw": fr.get("min_C", nan), "C_min_dx_raw_um": fr.get("min_dx_um", nan),
           "L1_raw_shot_err_um": fr.get("L1_um_shot_err", nan), "L2_raw_shot_err_um": fr.get("L2_um_shot_err", nan),
           "C_min_dx_raw_shot_err_um": fr.get("min_dx_um_shot_err", nan),
           "sigma_um": float(sigma_um), "noise_floor": summary["noise_floor"],
           "t_bulk_rabi": summary["t_bulk_rabi"], "floquet_rate_omega_R": stab["floquet_rate_omega_R"],
           "floquet_wavelength_um": stab["floquet_wavelength_um"]}
    out["summary"] = xr.Dataset({k: ((), float(v), {"units": COLUMNS[k][0], "long_name": COLUMNS[k][1]})
                                 for k, v in row.items()})
    return out
