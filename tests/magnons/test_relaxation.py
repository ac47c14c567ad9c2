"""Linear quasi-stationary and non-linear relaxation between two magnon reservoirs (slides 21, 23-26)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from spinsweep.solvers.magnons import (conductance_matrix, dimensionless_matrix, initial_state, lambda_matrix,
                             linear_relaxation, nonlinear_relaxation, onsager, time_constants)
from spinsweep.solvers.magnons.relaxation import reservoir_state


def _k_l(x):
    o = onsager(x)
    return dimensionless_matrix(x), conductance_matrix(o["L11"], o["L12"], o["L22"])


@pytest.mark.parametrize("x", [1e-3, 0.3, 4.0])
def test_lambda_matrix_solves_the_transport_equations(x):
    # independent method: integrate d(Delta M, Delta S)/dt = -2 l y with y = k^{-1} (Delta M, Delta S)
    # numerically (RK45, rtol 1e-11) and compare with the eigen-decomposition Lambda(t); tolerance 1e-8
    k, l = _k_l(x)
    t = np.linspace(0, 6, 13)
    lam = lambda_matrix(t, k, l)
    np.testing.assert_allclose(lam[0], np.eye(2), atol=1e-13)
    for w0 in ([1.0, 0.0], [0.0, 1.0]):
        # w = (Delta M, Delta T); Delta S = k21 y0 + k22 y1, y = (delta_h, Delta T)
        y0 = np.array([(w0[0] - k[0, 1] * w0[1]) / k[0, 0], w0[1]])
        sol = solve_ivp(lambda _t, u: -2 * l @ np.linalg.solve(k, u), (0, t[-1]), k @ y0, t_eval=t,
                        rtol=1e-11, atol=1e-14)
        y = np.linalg.solve(k, sol.y).T
        w = np.stack([sol.y[0], y[:, 1]], axis=-1)
        np.testing.assert_allclose(lam @ np.array(w0), w, atol=1e-8)
    # semigroup: Lambda(t + s) = Lambda(t) Lambda(s)
    np.testing.assert_allclose(lambda_matrix(np.array(2.5), k, l), lambda_matrix(np.array(1.0), k, l)
                               @ lambda_matrix(np.array(1.5), k, l), atol=1e-13)


def test_time_constants_classical_limit():
    # Boltzmann gas (x >> 1): k, l are e^-x times x-dependent matrices whose generalised eigenvalues satisfy
    # lam+ lam- = det l / det k = 2 / (3/2) and lam+ + lam- = 5/2 (derived by hand), so with rates 1/tau = 2 lam:
    # 1/(tau_M tau_T) = 16/3 and 1/tau_M + 1/tau_T = 5. Corrections are O(e^-x) -> 1e-9 at x = 30
    tm, tt = time_constants(np.array([30.0]))
    assert 1 / (tm[0] * tt[0]) == pytest.approx(16 / 3, rel=1e-9)
    assert 1 / tm[0] + 1 / tt[0] == pytest.approx(5.0, rel=1e-9)


def test_critical_slowing_down_of_tau_M():
    # slide 24: tau_M ~ kappa / L11 ~ 1 / (sqrt(h) (-ln h)). In tau_tilde units kappa/(2 L11) -> sqrt(pi/x) /
    # (2 |ln x|); the approach is logarithmic (the L12 coupling gives relative corrections O(1/|ln x|)), so we
    # require |ratio - 1| < 3/|ln x| and monotone improvement towards the critical point
    x = np.array([1e-8, 1e-7, 1e-6, 1e-5, 1e-4])
    tm, tt = time_constants(x)
    ratio = tm / (np.sqrt(np.pi / x) / (2 * np.abs(np.log(x))))
    err = np.abs(ratio - 1)
    assert np.all(err < 3 / np.abs(np.log(x)))
    assert np.all(np.diff(err) > 0)
    # exact statement of the leading behaviour: tau_M / (kappa / 2 L11) -> 1 (kappa, L11 from their formulas)
    k, l = _k_l(x)
    assert np.all(np.abs(tm / (k[:, 0, 0] / (2 * l[:, 0, 0])) - 1) < 2 / np.abs(np.log(x)))
    # tau_M diverges, tau_T stays finite (temperature relaxation is not critical)
    assert tm[0] > 30 * tm[-1] and np.all(tt < 0.36) and np.all(tt > 0.3)
    assert np.all(tm > tt)


@pytest.mark.parametrize("protocol,x,bias", [("spin", 0.2, 0.06), ("thermal", 0.2, 0.3), ("spin", 3.0, 0.9),
                                             ("thermal", 1e-2, 0.05)])
def test_nonlinear_conservation_and_second_law(protocol, x, bias):
    # spin conservation is exact by construction (n_L + n_R fixed); energy E_L + E_R is conserved by the
    # currents up to the ODE tolerance (rtol 1e-10 -> 1e-8 relative); entropy never decreases
    st = initial_state(protocol, x, bias)  # far from linear response: h_R(0) = 0.7 h in the spin cases
    assert st is not None
    t = np.linspace(0, 40, 201)
    nl = nonlinear_relaxation(t, *st)
    E = nl["E"]
    np.testing.assert_allclose(E, E[0], rtol=1e-8)
    dS = np.diff(nl["S"])
    assert np.all(dS >= -1e-12 * nl["S"][0])
    assert nl["S"][-1] > nl["S"][0]
    # final state: one common equilibrium (Delta M = Delta T = 0, equal h) after >> tau_M
    assert abs(nl["dT"][-1]) < 1e-7 and abs(nl["dM"][-1]) < 1e-7 * np.max(np.abs(nl["dM"]))
    assert nl["xL"][-1] * nl["thL"][-1] == pytest.approx(nl["xR"][-1] * nl["thR"][-1], rel=1e-6)


@pytest.mark.parametrize("x", [0.1, 1.0, 5.0])
def test_linear_model_is_the_small_bias_limit_of_the_nonlinear_one(x):
    # with symmetric biases the first non-linear correction is O(bias^2) relative: a 10x smaller bias must
    # shrink the relative deviation ~100x (accept 50-200), and at bias = 0.01 it is below 1e-3
    t = np.linspace(0, 10, 101)
    devs = []
    for bias in (1e-2, 1e-3):
        dev = 0.0
        for protocol in ("spin", "thermal"):
            st = initial_state(protocol, x, bias)
            nl = nonlinear_relaxation(t, *st)
            w0 = np.array([nl["dM"][0], nl["dT"][0]])
            lin = linear_relaxation(t, x, w0)
            scale = np.array([np.max(np.abs(nl["dM"])), np.max(np.abs(nl["dT"]))])
            dev = max(dev, np.max(np.abs(lin - np.stack([nl["dM"], nl["dT"]], -1)) / scale))
        devs.append(dev)
    assert devs[0] < 1e-3
    assert 50 < devs[0] / devs[1] < 200


def test_protocol_initial_states():
    x, bias = 0.5, 0.2
    xL, thL, xR, thR = initial_state("spin", x, bias)
    assert thL == thR == 1.0 and (xL - xR) == pytest.approx(bias) and (xL + xR) / 2 == pytest.approx(x)
    assert reservoir_state(xL, thL)[0] < reservoir_state(xR, thR)[0]  # fewer magnons left: Delta M(0) > 0
    xL, thL, xR, thR = initial_state("thermal", x, bias)
    assert thL - thR == pytest.approx(bias) and (thL + thR) / 2 == pytest.approx(1.0)
    assert (xL * thL + xR * thR) / 2 == pytest.approx(x, rel=1e-12)  # mean Zeeman field h = x T
    nL, nR = reservoir_state(xL, thL)[0], reservoir_state(xR, thR)[0]
    assert nL == pytest.approx(nR, rel=1e-12)  # Delta M(0) = 0
    # near the critical point a large spin bias would need h_R < 0 (condensate): infeasible, not an error
    assert initial_state("spin", 1e-3, 3e-3) is None
    with pytest.raises(ValueError, match="protocol"):
        initial_state("charge", 1.0, 0.1)
