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
* figures: :data:`FIGURES`, :func:`make_figures`.

Every name is imported from its submodule on first use.
"""

from spinsweep.solvers.lazy import lazy_package


#: where each public name lives (submodule, name there); loaded on first use (PEP 562), so that the workflow's
#: study discovery (FIGURES) imports no xarray, scipy or matplotlib
_WHERE = {
    **{name: ("correlations", name) for name in ("Region", "blur", "c_zz", "correlation_model", "correlations",
                                                 "default_regions", "fit_correlation")},
    **{name: ("data", name) for name in ("lab", "rabi_params", "rabi_period_ms", "speeds_mm_s")},
    **{name: ("frequency", name) for name in ("frequency_map", "local_frequency", "required_output_interval")},
    "FRONT_DEFAULTS": ("fronts", "DEFAULTS"),
    **{name: ("fronts", name) for name in ("SYSTEMATIC_CHOICES", "fit_front", "front_positions", "front_speed",
                                           "window_std")},
    **{name: ("profiles", name) for name in ("component_profiles", "gpe_vs_lle", "interface_profiles",
                                             "lle_comparison")},
    **{name: ("products", name) for name in ("run_products", "zmap")},
    **{name: ("table", name) for name in ("COLUMNS", "run_summary", "sweep_table")},
    "imaged_Z": ("imaging", "imaged_Z"),
    **{name: ("stability", name) for name in ("centre_instability", "floquet_growth")},
    **{name: ("interface", name) for name in ("breaking_time", "breaking_time_torque", "probe_points",
                                              "x_c_measured", "x_c_predicted")},
    **{name: ("figures", name) for name in ("FIGURES", "make_figures")},
}

__all__ = sorted(_WHERE)


lazy_package(__name__, _WHERE)
