"""1D Landau-Lifshitz reduction of the torque study (Farolfi 2023 Eqs. 1-2 with n fixed, v = 0).

Public API:

* ``evolve(params, x, t_out, quantum_torque=True, s0=None, *, n_floor=0.02, scheme='fd4'|'spectral',
  method='DOP853'|'RK4', rtol=1e-8, atol=1e-10, dt=None, store_current=False) -> xarray.Dataset``
  (dims t, x, component; x in m, t in s; see :mod:`spinsweep.solvers.lle.evolve`).
* ``build(params, x, ...)`` -> (:class:`LLE`, x/xi_R): the dimensionless model (rhs, energy, spin current).
* :class:`LLE`, :class:`StaggeredFD4Grid` (default ``scheme='fd4'``), :class:`SpectralGrid` (``'spectral'``),
  :func:`regularised_density` -- the dimensionless core
  (:mod:`spinsweep.solvers.lle.core`: effective-field form, discretisations, Thomas-Fermi edge handling).
"""

from .core import GRIDS, LLE, SpectralGrid, StaggeredFD4Grid, regularised_density
from .evolve import build, evolve, initial_spin

__all__ = ["evolve", "build", "initial_spin", "LLE", "GRIDS", "SpectralGrid", "StaggeredFD4Grid",
           "regularised_density"]
