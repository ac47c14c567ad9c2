"""Sweep-level tables of the torque study: one row of scalars per run (point, shot set), then one Dataset.

:func:`run_summary` measures, on one run (GPE store or Z map in lab units): x_c predicted and measured, the
breaking time, the front speed v/c_s with statistical and systematic errors and v/c (Fig. 3b), and the
correlation fit L1, L2 and the negative minimum of C_ZZ in region E (Fig. 4b), with L1/xi_s, L1/xi_R.
:func:`sweep_table` stacks summaries along a ``point`` dimension with the swept parameters as coordinates
(the store ``results/torque/tables.zarr``); every variable carries units and long_name.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr


#: name -> (units, long_name) of every table column
COLUMNS = {
    "omega_R_hz": ("Hz", "Omega_R / 2 pi"),
    "omega_R_over_kappa_n0": ("1", "Omega_R / (kappa n0)"),
    "R_x_um": ("um", "axial Thomas-Fermi radius"),
    "x_c_pred_um": ("um", "x_c from Omega_R = kappa n(x_c)/2"),
    "x_c_meas_um": ("um", "x_c measured from Z(x, t)"),
    "x_c_meas_err_um": ("um", "uncertainty of measured x_c"),
    "t_break_rabi": ("1", "breaking time Omega_R t/2pi (quantum torque = |H x s|; from the front without it or in noisy shots)"),
    "t_break_front_rabi": ("1", "breaking time Omega_R t/2pi from the front leaving x_c"),
    "t_break_torque_rabi": ("1", "breaking time Omega_R t/2pi: quantum torque = |H x s| (NaN in noisy shots)"),
    "v_mm_s": ("mm/s", "front speed v"),
    "v_over_c_s": ("1", "v / c_s (centre)"),
    "v_over_c_s_stat": ("1", "statistical error of v / c_s"),
    "v_over_c_s_syst": ("1", "systematic error of v / c_s (window, threshold, fit range)"),
    "v_over_c": ("1", "v / c (centre)"),
    "c_s_mm_s": ("mm/s", "spin sound speed at the centre"),
    "L1_um": ("um", "L1 of the C_ZZ fit in region E"),
    "L1_err_um": ("um", "error of L1"),
    "L2_um": ("um", "L2 of the C_ZZ fit in region E"),
    "L2_err_um": ("um", "error of L2"),
    "xi_s_um": ("um", "spin healing length hbar/sqrt(2 m hbar kappa n0) at the centre"),
    "L1_over_xi_s": ("1", "L1 / xi_s (centre)"),
    "L1_over_xi_R": ("1", "L1 / xi_R"),
    "C_min": ("1", "depth of the negative minimum of C_ZZ in region E"),
    "C_min_dx_um": ("um", "position of the minimum of C_ZZ in region E"),
    "v_over_c_s_shot": ("1", "shot error of v / c_s (standard error of the per-shot fits)"),
    "n_shots": ("1", "shots of the point"),
    "L1_shot_err_um": ("um", "shot error of L1 (standard error of per-shot fits)"),
    "L2_shot_err_um": ("um", "shot error of L2 (standard error of per-shot fits)"),
    "C_min_dx_shot_err_um": ("um", "shot error of the C_ZZ minimum position"),
    "L1_raw_um": ("um", "L1 in region E without the imaging-resolution model"),
    "L1_raw_err_um": ("um", "error of L1_raw"),
    "L2_raw_um": ("um", "L2 in region E without the imaging-resolution model"),
    "L2_raw_err_um": ("um", "error of L2_raw"),
    "C_min_raw": ("1", "depth of the C_ZZ minimum in region E without the imaging model"),
    "C_min_dx_raw_um": ("um", "position of the C_ZZ minimum in region E without the imaging model"),
    "L1_raw_shot_err_um": ("um", "shot error of L1_raw"),
    "L2_raw_shot_err_um": ("um", "shot error of L2_raw"),
    "C_min_dx_raw_shot_err_um": ("um", "shot error of C_min_dx_raw_um"),
    "sigma_um": ("um", "imaging-resolution blur (rms) of the front detector and C_ZZ"),
    "noise_floor": ("1", "S (std of Z in 5 um windows) of the quiet centre at 0.1-0.5 Rabi periods"),
    "t_bulk_rabi": ("1", "Omega_R t/2pi when the centre's S exceeds the threshold (bulk breaking or fronts met)"),
    "floquet_rate_omega_R": ("1", "Floquet growth rate of the centre's self-trapped orbit, units Omega_R"),
    "floquet_wavelength_um": ("um", "wavelength of the fastest-growing mode of the centre's orbit"),
}


def run_summary(ds: xr.Dataset, params, *, sigma_um: float = 0.0, regions=None) -> dict[str, float]:
    """The table row of one run (lab units; ``ds`` holds Z and, for a GPE store, the torque fields): the
    ``summary`` product of :func:`spinsweep.analysis.torque.products.run_products` as a dict."""
    from .products import run_products

    summary = run_products(ds, params, sigma_um=sigma_um, regions=regions)["summary"]
    return {k: float(v) for k, v in summary.data_vars.items()}


def sweep_table(rows, coords: dict | None = None) -> xr.Dataset:
    """Stack run summaries (a list of :func:`run_summary` dicts) along ``point``; ``coords`` maps extra
    coordinate names to one value per row (e.g. the swept config values)."""
    rows = list(rows)
    data = {}
    for name, (units, long_name) in COLUMNS.items():
        data[name] = ("point", np.array([float(r.get(name, math.nan)) for r in rows]),
                      {"units": units, "long_name": long_name})
    ds = xr.Dataset(data, coords={"point": ("point", np.arange(len(rows)),
                                            {"units": "1", "long_name": "sweep point"})})
    for name, values in (coords or {}).items():
        ds = ds.assign_coords({name: ("point", np.asarray(values), {"units": "1", "long_name": name})})
    return ds
