"""Torque study (Farolfi et al. 2023, seed farolfi2023-quantum-torque.md): analysis of Z(x, t) and spin currents.

All functions take xarray objects in lab units (x in um, t in ms; :func:`lab` converts) and work on
dask-backed data from ``xarray.open_zarr`` without loading whole fields.

* interfaces: :func:`x_c_predicted`, :func:`x_c_measured`, :func:`probe_points`, :func:`breaking_time`;
* Fig. 2a: :func:`local_frequency`, :func:`frequency_map`, :func:`required_output_interval`;
* Fig. 3a,b: :func:`window_std`, :func:`front_positions`, :func:`fit_front`, :func:`front_speed`;
* Fig. 4: :class:`Region`, :func:`default_regions`, :func:`blur`, :func:`c_zz`, :func:`fit_correlation`,
  :func:`correlations`;
* Fig. 2c-g, 3f-h, Extended Data Fig. 1: :func:`interface_profiles`, :func:`component_profiles`,
  :func:`lle_comparison`, :func:`gpe_vs_lle`;
* noisy shots: :func:`imaged_Z` (camera model), :func:`floquet_growth`, :func:`centre_instability` (the bulk
  instability of the self-trapped orbit);
* sweep tables: :func:`run_summary`, :func:`sweep_table`;
* figures: :data:`FIGURES`, :func:`make_figures` (imported lazily: matplotlib).
"""

from .correlations import (Region, blur, c_zz, correlation_model, correlations, default_regions,
                           fit_correlation)
from .data import lab, rabi_params, rabi_period_ms, speeds_mm_s
from .frequency import frequency_map, local_frequency, required_output_interval
from .fronts import DEFAULTS as FRONT_DEFAULTS, SYSTEMATIC_CHOICES, fit_front, front_positions, front_speed, window_std
from .profiles import component_profiles, gpe_vs_lle, interface_profiles, lle_comparison
from .products import run_products, zmap
from .table import COLUMNS, run_summary, sweep_table
from .imaging import imaged_Z
from .stability import centre_instability, floquet_growth
from .interface import breaking_time, breaking_time_torque, probe_points, x_c_measured, x_c_predicted

__all__ = ["COLUMNS", "FIGURES", "component_profiles", "gpe_vs_lle", "interface_profiles", "lle_comparison",
           "run_products", "run_summary", "sweep_table", "zmap", "FRONT_DEFAULTS", "Region", "SYSTEMATIC_CHOICES", "blur", "breaking_time", "breaking_time_torque", "c_zz",
           "centre_instability", "correlation_model", "correlations", "floquet_growth", "default_regions", "fit_correlation", "fit_front",
           "frequency_map", "front_positions", "front_speed", "imaged_Z", "lab", "local_frequency", "make_figures",
           "probe_points", "rabi_params", "rabi_period_ms", "required_output_interval", "speeds_mm_s",
           "window_std", "x_c_measured", "x_c_predicted"]


def __getattr__(name):  # figures import matplotlib; load them only when asked
    if name in ("make_figures", "FIGURES"):
        from . import figures
        return getattr(figures, name)
    raise AttributeError(name)
