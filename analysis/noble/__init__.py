"""Noble-gas study, part 1: exchange-rate and decay fits of collision ensembles, Fig. 3 and sweep maps.

* :func:`fit_exchange` -- J, gamma (+ stderr) of one ensemble Dataset with the formula values;
* :func:`fit_table` -- fit_exchange over many Datasets as one xarray Dataset (dim ``run``);
* :func:`make_figures` and :data:`FIGURES` -- Fig. 3a-e and the sweep maps as PNG files.
"""

#: the figures drawn, in report order; their captions are workflow/report/noble_<name>.rst
FIGURES = ('fig3a', 'fig3b', 'fig3c', 'fig3d', 'fig3e', 'sweep_J', 'sweep_gamma', 'contrast_vs_detuning', 'collective_vs_localized')

from .fit import fit_exchange, propagator, two_mode_pair, two_mode_single
from .formulas import (J_formula, alpha_interpolated, alpha_paper, bunching_times, contrast_formula,
                       gamma_formula)

__all__ = ["FIGURES", "J_formula", "alpha_interpolated", "alpha_paper", "bunching_times", "contrast_formula",
           "fit_exchange", "fit_table", "gamma_formula", "make_figures", "propagator", "two_mode_pair",
           "two_mode_single"]


def __getattr__(name):  # figures import matplotlib; load them only when asked
    if name in ("make_figures", "fit_table"):
        from . import figures
        return getattr(figures, name)
    raise AttributeError(name)
