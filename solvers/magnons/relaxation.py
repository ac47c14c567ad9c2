"""Relaxation of magnetization and temperature imbalances between two magnon reservoirs (slides 21, 23-26).

Units (one place for the whole model).  Energies in units of the mean temperature T (k_B = hbar = 1);
extensive quantities per lattice site of one reservoir in units of Nscr = (T/(2 pi J))^{3/2}; time in the
natural unit
    tau_tilde = Nscr / (A T^2),
with A the tunnelling prefactor per site (T(w) = A w, slide 21; A = A_total / V for reservoirs of V sites).
In these units the dynamics depends only on x = h/T and the initial imbalance.

(a) Quasi-stationary linear model (slides 23-26, Brantut et al. Science 2013 scheme).  With
delta_h = h_L - h_R (= -Delta h of slide 22) and y = (delta_h/T, Delta T/T):
    (Delta M, Delta S)/Nscr = k y,     k = [[kappa, dM/dT], [dS/dh, dS/dT]] T / Nscr      (slide 26, thermo.py)
    d/dt (Delta M, Delta S)/Nscr = -2 l y,   l = [[L11/(AT), -L12/(AT)], [-L12/(AT), L22/(AT^2)]]
because dM_L/dt = -dM_R/dt = I_S = L11 Delta h + L12 Delta T and dS_L/dt = -dS_R/dt = -I_H / T.  Hence
dy/dt = -2 k^{-1} l y, whose two rates 2 lambda_+- (generalised eigenvalues of l v = lambda k v) give
tau_T = 1/(2 lambda_+) (fast, temperature) and tau_M = 1/(2 lambda_-) (slow, magnetization; slide 24).
As h -> 0+, tau_M -> kappa / (2 L11) ~ 1/(sqrt(x) |ln x|) (critical slowing down).
Lambda(t) maps (Delta M(0)/Nscr, Delta T(0)/T) to (Delta M(t)/Nscr, Delta T(t)/T) (slides 25-26).

(b) Non-linear evolution.  Currents of slide 21 without linearisation (F_2, F_3 integrals in closed form):
    I_S   = A [T_L^2 Li2(z_L) - T_R^2 Li2(z_R)]                             (= dM_L/dt = -dM_R/dt)
    I_E   = 2A [T_L^3 Li3(z_L) - T_R^3 Li3(z_R)]                            (kinetic energy, L -> R)
    I_H^a = I_E + h_a I_S                                                   (heat leaving L / entering R)
with z_a = exp(-h_a/T_a); dS_L/dt = -I_H^L/T_L, dS_R/dt = +I_H^R/T_R.  The state (n_L - n_R, S_L - S_R,
S_L + S_R) is integrated (n_L + n_R fixed exactly) and each reservoir's (h, T) is recovered from (n, S) by
inverting the equations of state (thermo._state_from_ns).  Total energy is conserved by construction of the
currents (checked in tests) and the entropy production
    dS/dt = sum_w A w Delta n_B(w) [(w + h_R)/T_R - (w + h_L)/T_L] >= 0.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.linalg
from scipy.integrate import solve_ivp

from .onsager import onsager
from .polylog import _li_exp
from .thermo import _state_from_ns, dimensionless_matrix

_J2, _J3, _J32, _J52 = 4, 6, 3, 5  # indices of s = 2, 3, 3/2, 5/2 in polylog.ORDERS


# ----------------------------------------------------------------------------------------------------------
# (a) linear quasi-stationary model
# ----------------------------------------------------------------------------------------------------------
def conductance_matrix(L11, L12, L22):
    """Dimensionless symmetric conductance matrix l = [[L11, -L12], [-L12, L22]] (units A T, A T, A T^2)."""
    L11, L12, L22 = np.broadcast_arrays(*(np.asarray(v, float) for v in (L11, L12, L22)))
    out = np.empty(L11.shape + (2, 2))
    out[..., 0, 0] = L11
    out[..., 0, 1] = -L12
    out[..., 1, 0] = -L12
    out[..., 1, 1] = L22
    return out


def relaxation_modes(kmat, lmat):
    """Rates and modes of dy/dt = -2 k^{-1} l y.  Returns (tau_M, tau_T, V, lam) with V^T k V = 1."""
    kmat = np.asarray(kmat, float)
    lmat = np.asarray(lmat, float)
    if not np.all(np.linalg.eigvalsh(kmat) > 0):
        raise ValueError(f"thermodynamic matrix k={kmat.tolist()} must be positive definite (stable reservoir)")
    if not np.all(np.linalg.eigvalsh(lmat) > 0):
        raise ValueError(f"conductance matrix l={lmat.tolist()} must be positive definite (K > 0, L11 > 0)")
    lam, V = scipy.linalg.eigh(lmat, kmat)  # ascending: lam[0] slow (magnetization), lam[1] fast (temperature)
    return 1.0 / (2.0 * lam[0]), 1.0 / (2.0 * lam[1]), V, lam


def time_constants(x):
    """(tau_M, tau_T) in units of tau_tilde at x = h/T from the exact Onsager coefficients (slide 24)."""
    x = np.atleast_1d(np.asarray(x, float))
    o = onsager(x)
    km = dimensionless_matrix(x)
    lm = conductance_matrix(o["L11"], o["L12"], o["L22"])
    tm = np.empty(x.shape)
    tt = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        tm[i], tt[i], _, _ = relaxation_modes(km[i], lm[i])
    return tm, tt


def lambda_matrix(t, kmat, lmat):
    """Lambda(t; L, K) of slides 25-26: (Delta M(t)/Nscr, Delta T(t)/T) = Lambda(t) (Delta M(0)/Nscr, Delta T(0)/T).

    ``t`` in units of tau_tilde (array); ``kmat`` = T/Nscr x thermodynamic matrix, ``lmat`` = conductance_matrix.
    Returns an array of shape t.shape + (2, 2).
    """
    t = np.asarray(t, float)
    kmat = np.asarray(kmat, float)
    _, _, V, lam = relaxation_modes(kmat, lmat)
    # y(t) = V exp(-2 lam t) V^T k y(0);  w = P y with P = [[k11, k12], [0, 1]]
    P = np.array([[kmat[0, 0], kmat[0, 1]], [0.0, 1.0]])
    Pinv = np.linalg.inv(P)
    left = P @ V  # (2, 2)
    right = V.T @ kmat @ Pinv
    decay = np.exp(-2.0 * lam * t[..., None])  # t.shape + (2,)
    return np.einsum("ij,...j,jk->...ik", left, decay, right)


def linear_relaxation(t, x, w0):
    """Linear-model traces (Delta M/Nscr, Delta T/T) at times t (tau_tilde) for initial w0, at x = h/T.

    Uses the exact Onsager coefficients and the equilibrium thermodynamic matrix at the mean point.
    Returns an array of shape t.shape + (2,).
    """
    o = onsager(float(x))
    lam_t = lambda_matrix(t, dimensionless_matrix(float(x)), conductance_matrix(o["L11"], o["L12"], o["L22"]))
    return lam_t @ np.asarray(w0, float)


# ----------------------------------------------------------------------------------------------------------
# (b) non-linear evolution (dimensionless: energies / T, extensive / Nscr, time / tau_tilde)
# ----------------------------------------------------------------------------------------------------------
@numba.njit(cache=True)
def currents(xL, thL, xR, thR):
    """Non-linear currents (slide 21) for reservoirs with h_a/T_a = x_a and T_a/T = th_a.

    Returns (i_S, i_E, i_HL, i_HR) in units A T^2, A T^3, A T^3, A T^3: spin current dM_L/dt, kinetic-energy
    current L -> R, heat current leaving L (w + h_L weighting) and heat current entering R (w + h_R).
    """
    zl2 = _li_exp(_J2, xL)
    zr2 = _li_exp(_J2, xR)
    i_s = thL * thL * zl2 - thR * thR * zr2
    i_e = 2.0 * (thL**3 * _li_exp(_J3, xL) - thR**3 * _li_exp(_J3, xR))
    return i_s, i_e, i_e + xL * thL * i_s, i_e + xR * thR * i_s


@numba.njit(cache=True)
def _reservoirs(y, n_sum):
    """(x_L, th_L, x_R, th_R) from the state y = (n_L - n_R, S_L - S_R, S_L + S_R)."""
    nL = 0.5 * (n_sum + y[0])
    nR = 0.5 * (n_sum - y[0])
    sL = 0.5 * (y[2] + y[1])
    sR = 0.5 * (y[2] - y[1])
    xL, thL = _state_from_ns(nL, sL)
    xR, thR = _state_from_ns(nR, sR)
    return xL, thL, xR, thR


@numba.njit(cache=True)
def _rhs(y, n_sum):
    xL, thL, xR, thR = _reservoirs(y, n_sum)
    i_s, i_e, i_hl, i_hr = currents(xL, thL, xR, thR)
    dsl = -i_hl / thL
    dsr = i_hr / thR
    out = np.empty(3)
    out[0] = -2.0 * i_s  # dn_L/dt = -dM_L/dt = -I_S, dn_R/dt = +I_S
    out[1] = dsl - dsr
    out[2] = dsl + dsr
    return out


def reservoir_state(x, theta):
    """(n, S, E) of one reservoir with h/T_a = x (own temperature) and T_a/T = theta, in Nscr, Nscr, Nscr T."""
    g32 = _li_exp(_J32, x)
    g52 = _li_exp(_J52, x)
    pref = theta**1.5
    return pref * g32, pref * (2.5 * g52 + x * g32), 1.5 * theta * pref * g52


def nonlinear_relaxation(t, xL0, thL0, xR0, thR0, *, rtol: float = 1e-10):
    """Integrate the non-linear two-reservoir dynamics from (h_a/T_a, T_a/T) = (x_a0, th_a0) at t = 0.

    ``t``: increasing output times in tau_tilde, t[0] = 0.  Returns a dict of arrays over t:
    ``dM`` (= M_L - M_R = -(n_L - n_R), in Nscr), ``dT`` (T_L - T_R in T), ``xL``, ``thL``, ``xR``, ``thR``,
    ``S`` (total entropy, Nscr) and ``E`` (total energy, Nscr T).
    """
    t = np.asarray(t, float)
    if t.ndim != 1 or t.size < 1 or t[0] != 0.0 or np.any(np.diff(t) <= 0):
        raise ValueError(f"t must be a strictly increasing 1-D array starting at 0; got {t[:3]}...")
    for name, v in (("xL0", xL0), ("xR0", xR0), ("thL0", thL0), ("thR0", thR0)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name}={v!r} must be finite and > 0 (gapped magnon gas at positive temperature)")
    nL, sL, _ = reservoir_state(xL0, thL0)
    nR, sR, _ = reservoir_state(xR0, thR0)
    n_sum = nL + nR
    y0 = np.array([nL - nR, sL - sR, sL + sR])
    scale = np.array([max(abs(y0[0]), 1e-3 * n_sum), max(abs(y0[1]), 1e-3 * y0[2]), y0[2]])
    if t.size > 1:
        sol = solve_ivp(lambda _t, y: _rhs(y, n_sum), (0.0, t[-1]), y0, method="DOP853", t_eval=t,
                        rtol=rtol, atol=rtol * 1e-2 * scale)
        if not sol.success:
            raise RuntimeError(f"non-linear magnon relaxation failed: {sol.message}")
        Y = sol.y.T
    else:
        Y = y0[None, :]
    out = {k: np.empty(t.size) for k in ("dM", "dT", "xL", "thL", "xR", "thR", "S", "E")}
    for i, y in enumerate(Y):
        xL, thL, xR, thR = _reservoirs(y, n_sum)
        out["xL"][i], out["thL"][i], out["xR"][i], out["thR"][i] = xL, thL, xR, thR
        out["dM"][i] = -y[0]
        out["dT"][i] = thL - thR
        out["S"][i] = y[2]
        out["E"][i] = reservoir_state(xL, thL)[2] + reservoir_state(xR, thR)[2]
    return out
