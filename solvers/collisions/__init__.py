"""Stochastic spin-exchange collision ensembles (Katz et al. 2022, noble-gas interface, Fig. 3, SI Eq. S1).

Public API:

* :func:`run_trajectory` -- one trajectory (single- or two-excitation subspace);
* :func:`ensemble` -- many trajectories per parameter point, serial or on a dask ``distributed.Client``,
  reduced to mean and standard error on the time grid as an ``xarray.Dataset``;
* :class:`CollisionParams`, :func:`exchange_rate` -- the parameter point and 2J = sqrt(N_a/N_b)<phi>/tau;
* :func:`fig3_presets` -- Fig. 3a-e parameter sets, default (minutes) and paper scale.
"""

from spinsweep.solvers.lazy import lazy_package

#: where each public name lives (submodule, name there): loaded on first use (spinsweep.solvers.lazy), so that
#: the configuration check and study discovery import no scipy.integrate
_WHERE = {
    **{name: ("ensemble", name) for name in ("ensemble", "ensemble_params")},
    **{name: ("params", name) for name in ("CollisionParams", "exchange_rate")},
    **{name: ("trajectory", name) for name in ("OBSERVABLES", "Trajectory", "run_trajectory")},
    "fig3_presets": ("presets", "fig3"),
}

__all__ = ["CollisionParams", "OBSERVABLES", "Trajectory", "ensemble", "ensemble_params", "exchange_rate",
           "fig3_presets", "run_trajectory"]


lazy_package(__name__, _WHERE)
