"""Magnon study analysis: conductance fits to relaxation traces and figures (seed slides 16, 23-26).

Public API (called by the workflow): ``fit_point``, ``make_figures``, ``FIGURES``; helpers
``relative_deviation`` and ``deviation_bias`` (bias where the fit leaves linear response).
Fits and figures import numba/matplotlib: they load only when asked, so reading ``FIGURES`` is cheap.
"""

from spinsweep.solvers.lazy import lazy_package

#: the figures drawn, in report order; their captions are workflow/report/magnon_<name>.rst
FIGURES = ("conductances", "relaxation_times", "traces", "fits")

__all__ = ["fit_point", "make_figures", "FIGURES", "deviation_bias", "relative_deviation"]


_WHERE = {**{name: ("figures", name) for name in ("make_figures", "deviation_bias", "relative_deviation")},
          "fit_point": ("fit", "fit_point")}

lazy_package(__name__, _WHERE)
