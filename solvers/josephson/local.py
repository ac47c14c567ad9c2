"""Local Josephson frequency map of a Thomas-Fermi cloud (seed Fig. 2a).

Each point x of the cloud is treated as a homogeneous junction with ``Lambda(x) = kappa n(x)/Omega_R``,
``n(x) = n0 (1 - x^2/R_x^2)``; the main local oscillation frequency of Z is
``Omega(x) = Omega_R * frequency(Lambda(x))`` (:func:`spinsweep.solvers.josephson.frequency.frequency`).  It vanishes at
the critical positions +-x_c where ``Omega_R = kappa n(x_c)/2`` (Lambda = 2), separating the self-trapped centre
from the Rabi-oscillating tails.  Outside the cloud (|x| >= R_x, n = 0) Omega(x) = Omega_R, the n -> 0 limit.
"""

from __future__ import annotations

import numpy as np

from .frequency import frequency


def frequency_map(params, x) -> np.ndarray:
    """Omega(x) [rad/s] for a :class:`spinsweep.solvers.rabi.RabiParams` and positions x [m] (any shape)."""
    x = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(x)):
        raise ValueError("x: positions must be finite (metres)")
    return params.omega_R * frequency(params.Lambda(x))


def frequency_map_dataset(params, x):
    """Omega(x) and Lambda(x) as an xarray Dataset (x in m) with units/long_name attrs."""
    import xarray as xr

    x = np.asarray(x, dtype=float)
    return xr.Dataset(
        {"Omega": ("x", frequency_map(params, x),
                   {"units": "rad/s", "long_name": "main local oscillation frequency of Z (Fig. 2a)"}),
         "Lambda": ("x", params.Lambda(x), {"units": "1", "long_name": "kappa n(x)/Omega_R"})},
        coords={"x": ("x", x, {"units": "m", "long_name": "axial position"})},
        attrs={"x_c": params.x_c if params.x_c is not None else "none", "omega_R": params.omega_R},
    )
