"""Noble-gas study analysis.

Part 1 (collision ensembles, Fig. 3):

* :func:`fit_exchange` -- J, gamma (+ stderr) of one ensemble Dataset with the formula values;
* :func:`fit_table` -- fit_exchange over many Datasets as one xarray Dataset (dim ``run``): the content of
  ``results/noble/fits.zarr``;
* :func:`make_figures` and :data:`COLLISION_FIGURES` -- Fig. 3a-e and the sweep maps as PNG files, drawn from
  the panel ensembles and the fit table (no fitting in figure code).

Part 2 (mixture modes, Figs. 2 and 4):

* :func:`make_modes_figures` and :data:`MODES_FIGURES` -- Fig. 2a-c, Fig. 4a-b, mode convergence, sweep maps
  over (p_a, p_b) and (B, n_a), from the Datasets of :mod:`spinsweep.solvers.modes.runs`.

:data:`FIGURES` lists every figure of the noble study (report order).
"""

from spinsweep.solvers.lazy import lazy_package

#: the figures drawn, in report order; their captions are workflow/report/noble_<name>.rst
#: part 1 (make_figures) and part 2 (make_modes_figures); constants here so that the workflow needs no matplotlib
COLLISION_FIGURES = ("fig3a", "fig3b", "fig3c", "fig3d", "fig3e", "sweep_J", "sweep_gamma", "contrast_vs_detuning",
                     "collective_vs_localized")
MODES_FIGURES = ("fig2a", "fig2b", "fig2c", "fig4a", "fig4b", "modes_convergence", "map_polarization",
                 "map_field_density", "map_density_radius")
FIGURES = COLLISION_FIGURES + MODES_FIGURES


__all__ = ["COLLISION_FIGURES", "FIGURES", "J_formula", "MODES_FIGURES", "alpha_interpolated",
           "bunching_times", "contrast_formula", "fit_exchange", "fit_table", "gamma_formula", "make_figures",
           "make_modes_figures", "propagator", "two_mode_pair", "two_mode_single"]


#: fits import scipy, figures matplotlib: loaded on first use (spinsweep.solvers.lazy), FIGURES stays cheap
_WHERE = {
    **{name: ("fit", name) for name in ("fit_exchange", "fit_table", "propagator", "two_mode_pair",
                                        "two_mode_single")},
    **{name: ("formulas", name) for name in ("J_formula", "alpha_interpolated", "bunching_times", "contrast_formula",
                                             "gamma_formula")},
    "make_figures": ("figures", "make_figures"),
    "make_modes_figures": ("modes_figures", "make_modes_figures"),
}

lazy_package(__name__, _WHERE)
