"""Homogeneous (two-mode) Josephson reduction of the torque study (Farolfi 2023 Eq. 1 without spin current).

Public API (stable; external checks call :func:`frequency`):

* ``frequency(Lambda)`` -- exact angular frequency of Z(t) in units of Omega_R for s(0) = (0, 0, -n), vectorised
  over Lambda = kappa n/Omega_R (complete elliptic integrals; 0 at Lambda = 2, -> 1 for Lambda -> 0).
* ``period(Lambda)``, ``self_trapped(Lambda)``, ``z_max(Lambda)``, ``plasma_frequency(Lambda)``.
* ``evolve(Lambda, t, Z0=-1, phi0=0) -> xarray.Dataset`` with Z(t), phi(t), u(t, component), energy(t);
  t in units of 1/Omega_R.
* ``measured_frequency(Lambda)`` -- the same frequency from direct ODE integration (for checks).
* ``frequency_map(params, x)`` -- local Omega(x) [rad/s] of a Thomas-Fermi cloud (Fig. 2a);
  ``frequency_map_dataset(params, x)`` the same as a Dataset.
"""

from .frequency import frequency, period, plasma_frequency, self_trapped, z_max
from .local import frequency_map, frequency_map_dataset
from .model import energy, evolve, initial_state, measured_frequency, rhs

__all__ = ["frequency", "period", "plasma_frequency", "self_trapped", "z_max", "frequency_map",
           "frequency_map_dataset", "evolve", "measured_frequency", "energy", "initial_state", "rhs"]
