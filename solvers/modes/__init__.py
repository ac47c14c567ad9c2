"""Alkali / noble-gas spin modes: mixture parameters, mean-field and quantum mode models (Katz et al. 2022).

Stable API:

* :func:`slowing_down_factor` -- q(I, p), Eq. (12), vectorised in p;
* :func:`coupling_rate` -- J = (zeta/2) sqrt(q p_a p_b n_a n_b) in 1/s (the one definition of J in spinsweep);
* :class:`Mixture`, :func:`k39_he3` -- an alkali / noble-gas mixture with units in the names, and the
  seed's K-39 / He-3 proposal (J ~ 1000 1/s, J/gamma ~ 58);
* :func:`solve_bloch` -- mean-field Bloch equations (Eq. 1) with SEOP transfer;
* :func:`two_mode`, :func:`coupled_modes`, :class:`GaussianState`, :func:`evolve` -- exact Gaussian moments of
  linear Langevin equations (Eq. 2, SI Eq. S2);
* :func:`master_equation`, :func:`channel_fock_distribution` -- Fock states (two-mode master equation; exact
  passive Gaussian channel for any number of modes);
* :class:`SphereModes`, :func:`overlap_matrix` -- spherical diffusion modes (Robin / Neumann) and c_mn;
* :func:`fig2_regimes`, :func:`fig4`, :func:`interface_transfer`, :func:`mode_convergence`,
  :func:`sweep_point` -- the seed's protocols.
"""

from spinsweep.solvers.lazy import lazy_package

#: where each public name lives (submodule, name there): loaded on first use (spinsweep.solvers.lazy), so that
#: the configuration check and study discovery import no scipy.integrate
_WHERE = {
    "solve_bloch": ("bloch", "solve_bloch"),
    **{name: ("fock", name) for name in ("channel_fock_distribution", "fock2_probability", "master_equation")},
    **{name: ("gaussian", name) for name in ("GaussianState", "coupled_modes", "evolve", "two_mode")},
    **{name: ("params", name) for name in ("Mixture", "coupling_rate", "k39_he3", "slowing_down_factor")},
    **{name: ("protocols", name) for name in ("fig2_regimes", "fig4", "interface_transfer", "mode_convergence",
                                              "sweep_point")},
    **{name: ("spherical", name) for name in ("SphereModes", "overlap_matrix")},
}

__all__ = ["GaussianState", "Mixture", "SphereModes", "channel_fock_distribution", "coupled_modes", "coupling_rate",
           "evolve", "fig2_regimes", "fig4", "fock2_probability", "interface_transfer", "k39_he3",
           "master_equation", "mode_convergence", "overlap_matrix", "slowing_down_factor", "solve_bloch",
           "sweep_point", "two_mode"]


lazy_package(__name__, _WHERE)
