"""Magnon study analysis: conductance fits to relaxation traces and figures (seed slides 16, 23-26).

Public API (called by the workflow): ``fit_point``, ``make_figures``, ``FIGURES``; helpers
``relative_deviation`` and ``deviation_bias`` (bias where the fit leaves linear response).
"""
from .figures import FIGURES, deviation_bias, make_figures, relative_deviation
from .fit import fit_point

__all__ = ["fit_point", "make_figures", "FIGURES", "deviation_bias", "relative_deviation"]
