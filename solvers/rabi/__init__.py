"""Parameters of the Rabi-coupled 23Na mixture of the torque study (Farolfi et al. 2023).

Public API (stable; additions only):

* :class:`RabiParams` -- frozen dataclass in SI units; constructors :meth:`RabiParams.from_paper` (paper route)
  and :meth:`RabiParams.from_si` (atom number, trap, scattering lengths; 1D reduction of Methods Eq. 9);
  derived quantities (x_c, c_s(x), c(x), xi_s(x), xi_R, omega_p(x), n(x), Lambda(x), g_1d, g12_1d, omega_x);
  :meth:`RabiParams.units` / :meth:`RabiParams.dimensionless` (the one place defining solver units).
* :data:`PRESETS`, :func:`preset` -- the paper's data sets ("fig3_118Hz", "fig4b_62Hz").
* constants :data:`HBAR`, :data:`M_NA23`, :data:`A_NA_11`, :data:`A_NA_12`.

Sign convention: H = -Omega_R x + kappa s_z z, ground state s = (n, 0, 0), GPE coupling -(hbar Omega_R/2) sigma_x
(see :mod:`spinsweep.solvers.rabi.params`).
"""

from .params import (A_NA_11, A_NA_12, HBAR, KAPPA_REDUCTIONS, M_NA23, PRESETS, RabiParams, Units,
                     preset)

__all__ = ["RabiParams", "Units", "PRESETS", "preset", "HBAR", "M_NA23", "A_NA_11", "A_NA_12",
           "KAPPA_REDUCTIONS"]
