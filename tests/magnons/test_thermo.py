"""Spin-wave thermodynamics of one ferromagnetic insulator (slides 10, 14, 24, 26)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from spinsweep.solvers.magnons import (compressibility, energy, entropy, magnetization, magnon_density, response_matrix,
                             state_from_MS)
from spinsweep.solvers.magnons.thermo import R_CRIT, ZETA32, ZETA52, n_scale

POINTS = [(1e-4, 1.0, 1.0), (0.05, 0.7, 1.3), (0.8, 1.0, 0.5), (3.0, 2.0, 1.0), (12.0, 1.5, 2.0)]


def _fd(f, h, T, J, which, eps=1e-5):
    """Central difference with a relative step; error ~ eps^2 (truncation) + 1e-16/eps (rounding)."""
    if which == "h":
        d = eps * h
        return (f(h + d, T, J) - f(h - d, T, J)) / (2 * d)
    d = eps * T
    return (f(h, T + d, J) - f(h, T - d, J)) / (2 * d)


@pytest.mark.parametrize("h,T,J", POINTS)
def test_analytic_derivatives_match_finite_differences(h, T, J):
    # 1e-7 relative: central differences with eps = 1e-5 (truncation 1e-10, rounding 1e-11 amplified by
    # the cancellation in M = s - n, which is why M's derivatives are taken from n)
    r = response_matrix(h, T, J)
    assert -_fd(magnon_density, h, T, J, "h") == pytest.approx(float(r["dM_dh"]), rel=1e-7)
    assert -_fd(magnon_density, h, T, J, "T") == pytest.approx(float(r["dM_dT"]), rel=1e-7)
    assert _fd(entropy, h, T, J, "h") == pytest.approx(float(r["dS_dh"]), rel=1e-7)
    assert _fd(entropy, h, T, J, "T") == pytest.approx(float(r["dS_dT"]), rel=1e-7)


@pytest.mark.parametrize("h,T,J", POINTS)
def test_maxwell_relation_by_finite_differences(h, T, J):
    # (dM/dT)_h = (dS/dh)_T from G(h,T) = F - hM, checked purely numerically (no analytic formula involved)
    dM_dT = -_fd(magnon_density, h, T, J, "T")
    dS_dh = _fd(entropy, h, T, J, "h")
    assert dM_dT == pytest.approx(dS_dh, rel=1e-7)


@pytest.mark.parametrize("h,T,J", POINTS)
def test_first_law_dE_equals_T_dS_plus_h_dM(h, T, J):
    # E is the kinetic energy above the gap; the gap enters the heat through h dM (slide 21 heat current w + h)
    for which in ("h", "T"):
        dE = _fd(energy, h, T, J, which)
        dS = _fd(entropy, h, T, J, which)
        dM = -_fd(magnon_density, h, T, J, which)
        assert dE == pytest.approx(T * dS + h * dM, rel=1e-7, abs=1e-9 * abs(T * dS))


def test_thermodynamic_stability_matrix_positive_definite():
    # stable reservoir: kappa > 0, dS/dT > 0 and det > 0 for all gaps (needed by the relaxation model)
    h = np.logspace(-8, 2, 60)
    r = response_matrix(h, 1.0, 1.0)
    assert np.all(r["dM_dh"] > 0) and np.all(r["dS_dT"] > 0)
    assert np.all(r["dM_dh"] * r["dS_dT"] - r["dM_dT"] * r["dS_dh"] > 0)


def test_compressibility_diverges_as_inverse_sqrt_h():
    # kappa = Nscr g_{1/2}(e^-x) / T with g_{1/2} = sqrt(pi/x) + zeta(1/2) - zeta(-1/2) x + O(x^2): the
    # magnonic critical point is the magnon BEC point, kappa ~ 1/sqrt(h) (slide 24). Remainder relative to the
    # leading term is O(x^{5/2}) < 1e-10 here.
    T, J = 1.0, 1.0
    h = np.logspace(-10, -4, 7)
    kap = compressibility(h, T, J)
    lead = n_scale(T, J) * np.sqrt(np.pi / (h / T)) / T
    zeta_half, zeta_mhalf = -1.4603545088095868, -0.20788622497735457
    x = h / T
    expected = 1 + zeta_half * np.sqrt(x / np.pi) - zeta_mhalf * x**1.5 / np.sqrt(np.pi)
    np.testing.assert_allclose(kap / lead, expected, rtol=0, atol=1e-10)


def test_critical_and_classical_limits_of_the_equation_of_state():
    # h -> 0: n -> Nscr zeta(3/2) (critical density) and S/n -> 5 zeta(5/2) / (2 zeta(3/2)) = R_CRIT
    assert float(magnon_density(1e-12, 1.0, 1.0)) == pytest.approx(n_scale(1.0, 1.0) * ZETA32, rel=1e-5)
    assert float(entropy(1e-12, 1.0, 1.0) / magnon_density(1e-12, 1.0, 1.0)) == pytest.approx(R_CRIT, rel=1e-5)
    assert R_CRIT == pytest.approx(2.5 * ZETA52 / ZETA32, rel=1e-15)
    # h >> T: Boltzmann gas, n = Nscr e^-x and S/n = 5/2 + x (Sackur-Tetrode with mu = -h); slack e^-20
    x = 20.0
    n = float(magnon_density(x, 1.0, 1.0))
    assert n == pytest.approx(n_scale(1.0, 1.0) * math.exp(-x), rel=1e-8)
    assert float(entropy(x, 1.0, 1.0)) / n == pytest.approx(2.5 + x, rel=1e-8)


def test_state_from_MS_inverts_the_equations_of_state():
    # round trip (h,T) -> (M,S) -> (h,T); 1e-9 relative limited by forming M = s - n for small n
    h = np.array([1e-9, 1e-6, 1e-3, 0.1, 1.0, 5.0])
    T = np.array([0.3, 1.0, 2.0, 1.0, 0.5, 1.0])
    J = 0.7
    h2, T2 = state_from_MS(magnetization(h, T, J), entropy(h, T, J), J)
    np.testing.assert_allclose(h2, h, rtol=1e-9)
    np.testing.assert_allclose(T2, T, rtol=1e-12)
    with pytest.raises(ValueError, match="no gapped magnon state"):
        # entropy per magnon below the critical value would need a condensate
        n = float(magnon_density(0.1, 1.0, J))
        state_from_MS(0.5 - n, 0.9 * R_CRIT * n, J)


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="h must be > 0"):
        entropy(-0.1, 1.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        magnon_density(0.1, 0.0)
    with pytest.raises(ValueError, match="J"):
        energy(0.1, 1.0, J=-1.0)
