"""Magnon study: tunnelling spin and heat transport between two ferromagnetic insulators near the magnonic
critical point (seed: sekino2024-magnon-tunneling-slides, Sekino et al. PRL 133, 163402 (2024)).

Modules: ``polylog`` (Bose functions), ``onsager`` (conductances), ``thermo`` (equation of state),
``relaxation`` (linear quasi-stationary and non-linear two-reservoir dynamics), ``point`` (one sweep point).
"""
from .onsager import onsager
from .point import PROTOCOLS, initial_state, max_bias, point
from .polylog import bose
from .relaxation import (conductance_matrix, lambda_matrix, linear_relaxation, nonlinear_relaxation,
                         relaxation_modes, time_constants)
from .thermo import (compressibility, dimensionless_matrix, energy, entropy, magnetization, magnon_density,
                     response_matrix, state_from_MS)

__all__ = ["onsager", "point", "PROTOCOLS", "initial_state", "max_bias", "bose", "conductance_matrix",
           "lambda_matrix", "linear_relaxation", "nonlinear_relaxation", "relaxation_modes", "time_constants",
           "compressibility", "dimensionless_matrix", "energy", "entropy", "magnetization", "magnon_density",
           "response_matrix", "state_from_MS"]
