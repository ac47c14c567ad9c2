"""Mixture parameters of the modes solver: q(I, p) (Eq. 12), J (Eq. 18), the K-39/He-3 preset, c_mn."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spinsweep.solvers.collisions import exchange_rate
from spinsweep.solvers.modes import SphereModes, coupling_rate, k39_he3, overlap_matrix, slowing_down_factor
from spinsweep.solvers.modes.params import GAMMA_E_RAD_S_G
from spinsweep.solvers.modes.spherical import overlap_quadrature, robin_roots


def _eq12(I, p):
    """Eq. (12) written as in the seed (loses digits for small p: used only for p >= 0.05)."""
    n = 2 * I + 1
    return n / p * ((1 + p) ** n + (1 - p) ** n) / ((1 + p) ** n - (1 - p) ** n) - 1 / p ** 2 + 1


@pytest.mark.parametrize("I", [0, 0.5, 1, 1.5, 2.5, 3.5])
def test_slowing_down_factor_limits_and_eq12(I):
    # the polynomial form equals Eq. (12) (to rounding, 1e-12) and reaches both limits exactly
    p = np.linspace(0.05, 1, 40)
    np.testing.assert_allclose(slowing_down_factor(I, p), _eq12(I, p), rtol=1e-11)
    assert slowing_down_factor(I, 1.0) == pytest.approx(2 * I + 1, rel=1e-14)
    assert slowing_down_factor(I, 0.0) == pytest.approx(1 + ((2 * I + 1) ** 2 - 1) / 3, rel=1e-14)
    # continuous at p -> 0 (no 1/p^2 cancellation): q(1e-6) within 1e-9 of q(0)
    assert abs(slowing_down_factor(I, 1e-6) - slowing_down_factor(I, 0.0)) < 1e-9
    # monotonic decrease from the low- to the high-polarization limit
    assert np.all(np.diff(slowing_down_factor(I, np.linspace(0, 1, 50))) <= 1e-12)


def test_slowing_down_factor_k39_and_errors():
    # the seed: p_a = 0.95 gives q = 4.1 for 39K; closed form (6 + 2p^2)/(1 + p^2) for I = 3/2
    assert slowing_down_factor(1.5, 0.95) == pytest.approx((6 + 2 * 0.95 ** 2) / (1 + 0.95 ** 2), rel=1e-14)
    assert round(slowing_down_factor(1.5, 0.95), 1) == 4.1
    with pytest.raises(ValueError, match="I="):
        slowing_down_factor(0.3, 0.5)
    with pytest.raises(ValueError, match="p="):
        slowing_down_factor(1.5, 1.2)


def test_k39_he3_preset():
    m = k39_he3()
    # the seed: J = 1000 1/s (we get 1021 from its rounded inputs: within 3%), J > 55 gamma, gamma = 17.5 1/s
    assert m.J_per_s == pytest.approx(1000, rel=0.03)
    assert m.gamma_per_s == pytest.approx(17.5, rel=1e-12)
    assert m.J_over_gamma > 55
    # zeta = <sigma v phi>/q = 4.9e-15 cm^3/s (Methods, K-3He at 220 C): 1% (rounding of q = 4.1)
    assert m.zeta_cm3_s == pytest.approx(4.9e-15, rel=0.01)
    # compensation field: Delta_c = zeta(p_a n_a q - p_b n_b)/2 with g_a = g_e/q: the q of g_a cancels the
    # 1/q of zeta, so B = v sigma <phi> p_b n_b/(2 g_e) = 85.2 mG up to the q p_a n_a/(p_b n_b) = 0.8% and
    # q g_b/g_e = 0.5% corrections (together +0.5%: 85.6 mG), whatever q is (1% tolerance: those corrections)
    B0 = m.v_sigma_phi_cm3_s * m.p_b * m.n_b_cm3 / (2 * GAMMA_E_RAD_S_G)
    assert m.B_compensation_G == pytest.approx(B0, rel=0.01)
    assert m.replace(I=0.5).B_compensation_G == pytest.approx(B0, rel=0.01)  # q = 2 instead of 4.1
    # the seed's 94 mG (k39_he3 docstring) needs v sigma <phi> p_b n_b 10% larger than its quoted inputs
    assert k39_he3(v_sigma_phi_cm3_s=2.2e-14).B_compensation_G == pytest.approx(0.094, rel=0.01)
    assert m.detuning_per_s(m.B_compensation_G) == pytest.approx(0.0, abs=1e-6)
    # at 180 mG the detuning is >> J (the storage switch of Fig. 4)
    assert abs(m.detuning_per_s(0.18)) > 100 * m.J_per_s
    # the noble-gas relaxation (Eq. 17) is hours; incoherent excitations (1-p)/(2p): 0.17 for p_b = 0.75
    assert 1 / m.gamma_b_per_s > 3600
    assert m.nbar_b == pytest.approx(1 / 6, rel=1e-12)
    # perfect polarization: no excess noise
    assert m.replace(p_a=1.0, p_b=1.0).excess_noise_a_per_s == 0.0


def test_one_definition_of_J():
    # the stochastic collision model's 2J = sqrt(N_a/N_b)<phi>/tau is coupling_rate at I = 0, p = 1
    for na, nb, phi in [(100, 10_000, 2e-2), (30, 300, 1e-5)]:
        assert exchange_rate(na, nb, phi) == pytest.approx(0.5 * math.sqrt(na / nb) * phi, rel=1e-14)
    # J ~ sqrt(p_a p_b / q(p_a)) at fixed densities, vectorised
    p = np.array([0.5, 0.75, 1.0])
    J = coupling_rate(3e14, 2e20, p, 0.75, 1.5, 2e-14)
    np.testing.assert_allclose(J / J[-1], np.sqrt(p * slowing_down_factor(1.5, 1.0) / slowing_down_factor(1.5, p)))


@pytest.mark.parametrize("biot", [math.inf, 3.0, 0.5, 0.0])
def test_overlaps_match_quadrature(biot):
    # closed-form c_mn vs 200-point Gauss-Legendre quadrature of the mode functions (kR < 40): 1e-10 absolute
    # (quadrature of smooth sin products is exact to rounding at this order)
    R = 2.54
    ka = robin_roots(12, biot) / R
    kb = robin_roots(12, 0.0) / R
    np.testing.assert_allclose(overlap_matrix(ka, kb, R), overlap_quadrature(ka, kb, R), atol=1e-10)
    # each basis is orthonormal
    np.testing.assert_allclose(overlap_quadrature(ka, ka, R), np.eye(12), atol=1e-10)


def test_overlap_matrix_unitary_in_the_limit():
    # c is unitary for complete bases; a truncated block is unitary up to the weight of the dropped modes.
    # Dirichlet alkali vs Neumann noble gas, radius 1 inch: the defect of the leading 5x5 block of c c^T
    # shrinks with the number of kept modes (5e-3 at 10, 3e-6 at 100, 5e-8 at 400)
    defects = []
    for n in (10, 100, 400):
        c = SphereModes(2.54, n).c
        defects.append(np.abs(c @ c.T - np.eye(n))[:5, :5].max())
    assert defects[0] > defects[1] > defects[2]
    assert defects[2] < 1e-7
    # same boundary condition (Neumann/Neumann): c is exactly the identity
    np.testing.assert_allclose(SphereModes(2.54, 20, alkali_biot=0.0).c, np.eye(20), atol=1e-12)
    # the lowest Dirichlet mode overlaps the uniform mode by 4/(pi sqrt(8/3)) (closed form)
    assert SphereModes(2.54, 3).c[0, 0] == pytest.approx(4 / (math.pi * math.sqrt(8 / 3)), rel=1e-12)
