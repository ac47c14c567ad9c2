"""Stochastic spin-exchange collision ensembles (Katz et al. 2022, noble-gas interface, Fig. 3, SI Eq. S1).

Public API:

* :func:`run_trajectory` -- one trajectory (single- or two-excitation subspace);
* :func:`ensemble` -- many trajectories per parameter point, serial or on a dask ``distributed.Client``,
  reduced to mean and standard error on the time grid as an ``xarray.Dataset``;
* :class:`CollisionParams`, :func:`exchange_rate` -- the parameter point and 2J = sqrt(N_a/N_b)<phi>/tau;
* :func:`fig3_presets` -- Fig. 3a-e parameter sets, default (minutes) and paper scale.
"""

from .ensemble import ensemble, ensemble_params
from .params import CollisionParams, exchange_rate
from .presets import fig3 as fig3_presets
from .trajectory import OBSERVABLES, Trajectory, run_trajectory

__all__ = ["CollisionParams", "OBSERVABLES", "Trajectory", "ensemble", "ensemble_params", "exchange_rate",
           "fig3_presets", "run_trajectory"]
