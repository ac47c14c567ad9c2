"""One sweep point of the magnon study: exact conductances, thermodynamics and both relaxation protocols.

Protocols (slide 25), at mean Zeeman field h = x T and mean temperature T (slide 23: means of the initial
values of the two reservoirs), with the sign convention Delta M(0) > 0 for bias > 0:
* ``spin``:    T_L = T_R = T,  h_L - h_R = bias T  (slide 22's Delta h(0) = -(h_L - h_R) = -bias T;
               the left reservoir has the larger gap, fewer magnons, Delta M(0) > 0, Delta T(0) = 0).
               Needs h_R(0) = h - bias T / 2 > 0, i.e. bias < 2 x: closer to the critical point the
               right reservoir would condense.
* ``thermal``: T_L - T_R = bias T, h_L, h_R chosen so that Delta M(0) = 0 and (h_L + h_R)/2 = h.
               Needs bias < 2 and h_R(0) > 0 (roughly bias < 0.9 sqrt(x) for x << 1).
An infeasible protocol is returned with ``valid = False`` and NaN traces (see ``max_bias``).
"""
from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from .onsager import onsager
from .relaxation import linear_relaxation, nonlinear_relaxation, reservoir_state, time_constants
from .thermo import ZETA32, dimensionless_matrix, n_scale

PROTOCOLS = ("spin", "thermal")


def _thermal_initial(x, bias):
    """(xL, thL, xR, thR) with T_L - T_R = bias T, n_L = n_R, h_L + h_R = 2 x T; None if infeasible."""
    thL, thR = 1.0 + 0.5 * bias, 1.0 - 0.5 * bias
    if not thR > 0:
        return None

    def f(d):  # n_L - n_R at h_L - h_R = d T (decreasing in d)
        return reservoir_state((x + 0.5 * d) / thL, thL)[0] - reservoir_state((x - 0.5 * d) / thR, thR)[0]

    d_max = 2.0 * x * (1.0 - 1e-12)
    if f(d_max) > 0:  # even h_R -> 0+ cannot hold as many magnons as the hotter left reservoir
        return None
    d = brentq(f, 0.0, d_max, xtol=1e-15 * max(x, 1e-300), rtol=1e-15, maxiter=500)
    return (x + 0.5 * d) / thL, thL, (x - 0.5 * d) / thR, thR


def initial_state(protocol: str, x: float, bias: float):
    """(h_L/T_L, T_L/T, h_R/T_R, T_R/T) at t = 0 for ``protocol`` at x = h/T; None when infeasible."""
    if protocol == "spin":
        if not x - 0.5 * bias > 0:
            return None
        return x + 0.5 * bias, 1.0, x - 0.5 * bias, 1.0
    if protocol == "thermal":
        return _thermal_initial(x, bias)
    raise ValueError(f"protocol={protocol!r} is not known; allowed: {PROTOCOLS}")


def max_bias(h_over_T: float, protocol: str) -> float:
    """Largest bias for which ``protocol`` has a gapped initial state at x = h/T (supremum, exclusive)."""
    x = float(h_over_T)
    if protocol == "spin":
        return 2.0 * x
    if protocol == "thermal":
        # n_L(h_L -> 2h, T_L) = n_R(0+, T_R) at the limit; solve for bias on (0, 2)
        def f(b):
            thL, thR = 1 + b / 2, 1 - b / 2
            return reservoir_state(2 * x / thL, thL)[0] - thR**1.5 * ZETA32

        return brentq(f, 1e-300, 2.0 - 1e-12, xtol=1e-14)
    raise ValueError(f"protocol={protocol!r} is not known; allowed: {PROTOCOLS}")


def _attrs(units, long_name, **kw):
    return {"units": units, "long_name": long_name, **kw}


def point(h_over_T: float, bias: float, *, T: float = 1.0, J: float = 1.0, A: float = 1.0,
          t_max: float, n_t: int) -> xr.Dataset:
    """Everything for one sweep point (x = h/T, bias): exact linear response and both relaxation protocols.

    Units: energies (h, T, J) in an energy unit E with k_B = hbar = 1; extensive quantities per lattice site
    of one reservoir; time ``t`` in tau_tilde = Nscr/(A T^2), Nscr = (T/(2 pi J))^{3/2} (so ``t_max`` is in
    tau_tilde); A is the tunnelling prefactor per site (1/E).  See solvers/magnons/relaxation.py.
    """
    x = float(h_over_T)
    bias = float(bias)
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"h_over_T={h_over_T!r} must be finite and > 0 (gapped magnons; 0+ is the critical point)")
    if not (math.isfinite(bias) and bias > 0):
        raise ValueError(f"bias={bias!r} must be finite and > 0 (relative initial imbalance)")
    for name, v in (("T", T), ("J", J), ("A", A), ("t_max", t_max)):
        if not (math.isfinite(float(v)) and float(v) > 0):
            raise ValueError(f"{name}={v!r} must be finite and > 0")
    if int(n_t) != n_t or n_t < 2:
        raise ValueError(f"n_t={n_t!r} must be an integer >= 2")
    n_t = int(n_t)
    T, J, A = float(T), float(J), float(A)
    nscr = float(n_scale(T, J))
    t = np.linspace(0.0, float(t_max), n_t)

    o = onsager(x)
    km = dimensionless_matrix(x)  # T/Nscr x thermodynamic matrix
    tau_M, tau_T = (float(v[0]) for v in time_constants(x))

    shape = (len(PROTOCOLS), n_t)
    tr = {k: np.full(shape, np.nan) for k in ("dM", "dT", "dM_lin", "dT_lin")}
    valid = np.zeros(len(PROTOCOLS), bool)
    init = np.full((len(PROTOCOLS), 4), np.nan)
    for p, name in enumerate(PROTOCOLS):
        st = initial_state(name, x, bias)
        if st is None:
            continue
        valid[p] = True
        init[p] = st
        nl = nonlinear_relaxation(t, *st)
        w0 = np.array([nl["dM"][0], nl["dT"][0]])
        lin = linear_relaxation(t, x, w0)
        tr["dM"][p] = nl["dM"] * nscr
        tr["dT"][p] = nl["dT"] * T
        tr["dM_lin"][p] = lin[:, 0] * nscr
        tr["dT_lin"][p] = lin[:, 1] * T

    coords = {
        "protocol": ("protocol", list(PROTOCOLS), {"long_name": "relaxation protocol (slide 25)"}),
        "t": ("t", t, _attrs("tau_tilde", "time (tau_tilde = Nscr/(A T^2), Nscr = (T/(2 pi J))^{3/2})")),
        "h_over_T": ((), x, _attrs("1", "mean Zeeman field over mean temperature h/T")),
        "bias": ((), bias, _attrs("1", "initial imbalance: (h_L-h_R)/T for spin, (T_L-T_R)/T for thermal")),
    }
    s = lambda v, u, ln: ((), float(v), _attrs(u, ln))  # noqa: E731
    pt = ("protocol", "t")
    data = {
        "L11": s(A * T * o["L11"], "1/(hbar*site)", "spin conductance L11 = A T F1(x)"),
        "L12": s(A * T * o["L12"], "1/(hbar*site)", "spin-heat cross conductance L12 = A T (2F2 + xF1)"),
        "L21": s(A * T**2 * o["L21"], "E/(hbar*site)", "heat-spin cross conductance L21 = A T^2 (2F2 + xF1)"),
        "L22": s(A * T**2 * o["L22"], "E/(hbar*site)", "heat conductance at Delta h = 0, L22"),
        "K": s(A * T**2 * o["K"], "E/(hbar*site)", "heat conductance K = L22 - L12 L21 / L11"),
        "kappa": s(km[0, 0] * nscr / T, "1/(E*site)", "magnon compressibility kappa = (dM/dh)_T"),
        "dM_dT": s(km[0, 1] * nscr / T, "1/(E*site)", "(dM/dT)_h = (dS/dh)_T"),
        "dS_dT": s(km[1, 1] * nscr / T, "1/(E*site)", "(dS/dT)_h (k_B = 1)"),
        "N_scale": s(nscr, "1/site", "thermal magnon number scale Nscr = (T/(2 pi J))^{3/2}"),
        "tau_M": s(tau_M, "tau_tilde", "slow (magnetization) relaxation time of the linear model"),
        "tau_T": s(tau_T, "tau_tilde", "fast (temperature) relaxation time of the linear model"),
        "valid": ("protocol", valid, _attrs("1", "initial state is a gapped magnon gas (else traces are NaN)")),
        "x_L0": ("protocol", init[:, 0], _attrs("1", "initial h_L/T_L")),
        "T_L0": ("protocol", init[:, 1] * T, _attrs("E", "initial T_L")),
        "x_R0": ("protocol", init[:, 2], _attrs("1", "initial h_R/T_R")),
        "T_R0": ("protocol", init[:, 3] * T, _attrs("E", "initial T_R")),
        "dM": (pt, tr["dM"], _attrs("1/site", "Delta M = M_L - M_R, non-linear evolution")),
        "dT": (pt, tr["dT"], _attrs("E", "Delta T = T_L - T_R, non-linear evolution")),
        "dM_lin": (pt, tr["dM_lin"], _attrs("1/site", "Delta M = M_L - M_R, linear quasi-stationary model")),
        "dT_lin": (pt, tr["dT_lin"], _attrs("E", "Delta T = T_L - T_R, linear quasi-stationary model")),
    }
    attrs = {
        "model": "two 3D ferromagnetic insulators, spin-wave magnons E_k = h + (J/2) k^2, tunnelling T(w) = A w "
                 "(Sekino et al., PRL 133, 163402 (2024); seed slides 21-26)",
        "T": T, "J": J, "A": A, "t_max": float(t_max), "n_t": n_t,
        "units_note": "k_B = hbar = 1; E = energy unit of T, h, J; per site of one reservoir; "
                      "tau_tilde = Nscr/(A T^2)",
        "sign_convention": "bias > 0 gives Delta M(0) > 0 (spin) or Delta T(0) > 0 (thermal); "
                           "slide 22's Delta h = -(h_L - h_R)",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
