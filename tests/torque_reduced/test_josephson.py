"""Josephson (homogeneous) reduction: exact frequency vs ODE, limits, softening at Lambda = 2, Fig. 2a map."""

import math

import numpy as np
import pytest

from spinsweep.solvers import josephson as J
from spinsweep.solvers.rabi import preset


@pytest.mark.parametrize("Lambda", [0.05, 0.7, 1.5, 1.95, 1.999, 2.001, 2.05, 2.5, 1 / 0.33, 8.0, -3.0])
def test_frequency_matches_direct_integration(Lambda):
    # Independent method: DOP853 (rtol 1e-12) integration of ds/dt = H x s, period from the zero crossings of
    # u_y over ~6 periods.  Observed agreement is 1e-11 .. 1e-15; tolerance 1e-8 as in the task.
    assert J.measured_frequency(Lambda) == pytest.approx(float(J.frequency(Lambda)), rel=1e-8)


def test_rabi_limit():
    # Lambda -> 0: Rabi oscillation at Omega_R; K(m) = pi/2 (1 + m/4 + 9m^2/64 + ...) gives
    # Omega = 1 - Lambda^2/16 + O(Lambda^4).
    assert float(J.frequency(0.0)) == 1.0
    for L in [1e-3, 1e-2, 0.1]:
        assert abs(float(J.frequency(L)) - (1 - L ** 2 / 16)) < L ** 4


def test_strong_nonlinearity_limit():
    # Lambda -> inf: precession around z at kappa n: Omega = Lambda (1 - 1/Lambda^2 + O(Lambda^-4)).
    for L in [30.0, 100.0]:
        assert abs(float(J.frequency(L)) - (L - 1 / L)) < 10 / L ** 3


def test_softening_at_lambda_two_is_logarithmic():
    assert float(J.frequency(2.0)) == 0.0
    # K(m) ~ (1/2) ln(16/(1-m)): Omega ln(16/(2-L))/pi -> 1 below, Omega ln(16/(L-2))/(2 pi) -> 1 above,
    # with corrections O(delta); observed 2e-7 at delta = 1e-6, 4e-9 at 1e-9 (at 1e-12 the rounding of 2 -+ delta
    # itself, 2e-4 relative in delta, dominates).  Tolerance 1e-6.
    for d in [1e-6, 1e-9]:
        below = float(J.frequency(2 - d)) * math.log(16 / d) / math.pi
        above = float(J.frequency(2 + d)) * math.log(16 / d) / (2 * math.pi)
        assert below == pytest.approx(1.0, abs=1e-6)
        assert above == pytest.approx(1.0, abs=1e-6)
    # monotone approach from both sides (the dip of Fig. 2a)
    L = np.array([1.0, 1.9, 1.99, 1.999, 2.0, 2.001, 2.01, 2.1, 3.0])
    f = J.frequency(L)
    assert np.all(np.diff(f[:5]) < 0) and np.all(np.diff(f[4:]) > 0)


def test_vectorised_and_symmetric():
    L = np.linspace(-5, 5, 41).reshape(41, 1)
    f = J.frequency(L)
    assert f.shape == (41, 1)
    np.testing.assert_array_equal(f, J.frequency(-L))
    assert J.frequency(1.0).shape == ()
    with pytest.raises(ValueError, match="Lambda"):
        J.frequency([1.0, float("nan")])


@pytest.mark.parametrize("Lambda", [1.0, 1.9, 2.2, 1 / 0.33])
def test_regimes_from_evolution(Lambda):
    t = np.linspace(0, 3 * float(J.period(Lambda)), 3001)
    ds = J.evolve(Lambda, t)
    Z = ds.Z.values
    # |u| = 1 and E = Lambda/2 conserved (DOP853 rtol 1e-11): 1e-9
    assert np.abs(np.linalg.norm(ds.u.values, axis=1) - 1).max() < 1e-9
    assert np.abs(ds.energy.values - Lambda / 2).max() < 1e-9
    if Lambda < 2:
        # Josephson oscillation: full swing -1 -> +1 (sampled maximum within (2 pi/3000)^2-ish of 1)
        assert Z.max() > 1 - 1e-4
    else:
        # self-trapped: Z never changes sign; its maximum is -sqrt(1 - 4/Lambda^2)
        assert Z.max() < 0
        assert Z.max() == pytest.approx(float(J.z_max(Lambda)), abs=1e-4)
        # the measured period of Z equals the exact one: Z(t + T) = Z(t) (sampling 1e-3 T, rel 1e-11 ODE)
        T = float(J.period(Lambda))
        late = J.evolve(Lambda, t + T).Z.values
        assert np.abs(late - Z).max() < 1e-7
    for var in ds.data_vars.values():
        assert "units" in var.attrs and "long_name" in var.attrs


def test_frequency_map_vanishes_at_x_c():
    p = preset("fig3_118Hz")
    x = np.linspace(-1.2 * p.R_x, 1.2 * p.R_x, 24001)
    Om = J.frequency_map(p, x)
    # minima of Omega(x) sit at +-x_c (grid spacing 21 nm)
    left, right = x < 0, x > 0
    dx = x[1] - x[0]
    assert abs(x[right][np.argmin(Om[right])] - p.x_c) <= dx
    assert abs(x[left][np.argmin(Om[left])] + p.x_c) <= dx
    # the local frequency vanishes there, logarithmically (Omega ~ 2 pi Omega_R/ln(16/(Lambda - 2)) inside x_c,
    # pi Omega_R/ln(16/(2 - Lambda)) outside): it keeps decreasing as x -> x_c from both sides, and 1e-9 x_c away
    # it follows the asymptote to 1e-6 (corrections O(|Lambda - 2|) ~ 1e-9, rounding of x_c ~ 1e-7 in ln).
    eps = np.array([1e-3, 1e-5, 1e-7, 1e-9])
    inside = J.frequency_map(p, p.x_c * (1 - eps))
    outside = J.frequency_map(p, p.x_c * (1 + eps))
    assert np.all(np.diff(inside) < 0) and np.all(np.diff(outside) < 0)
    dL_in = p.Lambda(p.x_c * (1 - 1e-9)) - 2
    dL_out = 2 - p.Lambda(p.x_c * (1 + 1e-9))
    assert inside[-1] == pytest.approx(2 * np.pi * p.omega_R / np.log(16 / dL_in), rel=1e-6)
    assert outside[-1] == pytest.approx(np.pi * p.omega_R / np.log(16 / dL_out), rel=1e-6)
    # centre: self-trapped precession; tails: Rabi oscillation at Omega_R; outside the cloud: Omega_R
    assert float(J.frequency_map(p, 0.0)) == pytest.approx(p.omega_R * float(J.frequency(p.Lambda0)))
    assert float(J.frequency_map(p, 0.99 * p.R_x)) == pytest.approx(p.omega_R, rel=1e-3)
    assert float(J.frequency_map(p, 1.1 * p.R_x)) == p.omega_R
    ds = J.frequency_map_dataset(p, x[::100])
    assert ds.Omega.attrs["units"] == "rad/s"
