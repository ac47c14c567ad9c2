"""Closed-form predictions for the collisional exchange (Katz et al. 2022, main text Eq. 3, SI section 1).

All rates in units of 1/tau (tau: mean time between collisions of one alkali atom).
"""

from __future__ import annotations

import math

import numpy as np

from spinsweep.solvers.modes.params import coupling_rate


def J_formula(n_alkali, n_noble, phi_mean):
    """Collective exchange rate J: 2J = sqrt(N_a/N_b) <phi>/tau (SI section 1; Jt of main-text Eq. 3).

    Vectorised; the definition is :func:`spinsweep.solvers.modes.coupling_rate` at I = 0, p_a = p_b = 1,
    v sigma <phi> = <phi>/N_b (time in units of tau).
    """
    n_noble = np.asarray(n_noble, float)
    return np.asarray(coupling_rate(n_alkali, n_noble, 1.0, 1.0, 0, np.asarray(phi_mean, float) / n_noble))


def phi2_mean(phi_mean, phi_std):
    """<phi^2> = <phi>^2 + delta_phi^2 of the Gaussian collision angle."""
    return np.asarray(phi_mean, float) ** 2 + np.asarray(phi_std, float) ** 2


def alpha_interpolated(phi_mean, phi_std):
    """alpha = (1 + delta_phi^2/<phi^2>)/2: 1/2 and 1 in the SI's two limits, 3/4 at delta_phi = <phi>.

    The seed (SI section 1, after Eq. S1) states only the limits, alpha = 1/2 for delta_phi << <phi> and 1 for
    delta_phi >> <phi>; at its own delta_phi = <phi> it gives no value (reading either limit there is wrong:
    the ensembles measure alpha ~ 0.74).  This interpolation is what the data support: the fits store holds
    the measured alpha per run and ``alpha_weight``, the c of 1/2 + c r^2/(1 + r^2) fitted to them
    (:func:`.fit.fit_alpha_weight`; this formula is c = 1/2).  Default sweep and panels (8-32 trajectories):
    alpha = 0.49-0.51 at delta_phi = 0, 0.73 at delta_phi = <phi> (<phi> = 1e-3 and 2e-2), 0.95 at
    delta_phi = 3<phi> for <phi> = 5e-4 (formula: 0.5, 0.75, 0.95); strong collisions (<phi> = 1e-2,
    delta_phi = 3<phi>, J/gamma ~ 3) give 0.83-0.85, and all together c = 0.46 +- 0.01.

    Not from the seed: a one-step estimate (ours) of the population that leaves the two symmetric states
    from |1_a 0_b>: Var[exp(i dphi/2) cos(phi/2)] + <sin^2(phi/2)> ~ (delta_phi^2 + <phi^2>)/4 per step;
    under strong coupling the excitation spends half the time in the (nearly loss-free) noble gas, so the
    envelope of F10 + F01 decays at half that, (delta_phi^2 + <phi^2>)/(8 tau); corrections O(N_a/N_b, phi^2).
    """
    p2 = phi2_mean(phi_mean, phi_std)
    return 0.5 * (1.0 + np.asarray(phi_std, float) ** 2 / p2)


def gamma_formula(phi_mean, phi_std, alpha=None):
    """Fidelity decay rate gamma_a = alpha <phi^2>/(4 tau) (SI section 1); alpha defaults to the
    interpolation :func:`alpha_interpolated`."""
    if alpha is None:
        alpha = alpha_interpolated(phi_mean, phi_std)
    return alpha * phi2_mean(phi_mean, phi_std) / 4.0


def contrast_formula(J, detuning):
    """Maximum transfer max_t F01 of the lossless two-mode exchange: (2J)^2 / ((2J)^2 + Delta^2)."""
    J = np.asarray(J, float)
    return 4 * J ** 2 / (4 * J ** 2 + np.asarray(detuning, float) ** 2)


def bunching_times(J, m_max=4):
    """Times of Hong-Ou-Mandel bunching (P(1_a 1_b) = 0) for |1_a 1_b>: J t = pi/4 + m pi/2.

    The SI writes t = pi m/(2J); with its own 2J = sqrt(N_a/N_b)<phi>/tau and the two-mode beam splitter
    (|1_a 0_b> -> cos(Jt)|1_a 0_b> - i sin(Jt)|0_a 1_b>), P(1_a 1_b) = cos^2(2Jt), which vanishes at
    t = (2m + 1) pi/(4J), the odd multiples of pi/(4J); at t = m pi/(2J) P(1_a 1_b) = 1.
    """
    return (2 * np.arange(m_max) + 1) * math.pi / (4 * float(J))
