"""Magnon study analysis: conductance fits to relaxation traces and figures (seed slides 16, 23-26).

Public API (called by the workflow): ``fit_point``, ``make_figures``, ``FIGURES``; helpers
``relative_deviation`` and ``deviation_bias`` (bias where the fit leaves linear response).
Fits and figures import numba/matplotlib: they load only when asked, so reading ``FIGURES`` is cheap.
"""

#: the figures drawn, in report order; their captions are workflow/report/magnon_<name>.rst
FIGURES = ("conductances", "relaxation_times", "traces", "fits")

__all__ = ["fit_point", "make_figures", "FIGURES", "deviation_bias", "relative_deviation"]


def __getattr__(name):
    if name in ("make_figures", "deviation_bias", "relative_deviation"):
        from . import figures
        return getattr(figures, name)
    if name == "fit_point":
        from .fit import fit_point
        return fit_point
    raise AttributeError(name)
