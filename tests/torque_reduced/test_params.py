"""Derived numbers of the Rabi-coupled 23Na mixture vs the numbers the paper quotes (Farolfi 2023)."""

import json
import math

import pytest

from spinsweep.solvers.rabi import HBAR, KAPPA_REDUCTIONS, PRESETS, RabiParams, preset

TWO_PI = 2 * math.pi


def test_presets_reproduce_paper_ratios():
    p = preset("fig3_118Hz")
    assert p.omega_R == pytest.approx(TWO_PI * 118.0, rel=1e-12)
    assert p.omega_R / p.kappa_n0 == pytest.approx(0.33, rel=1e-12)
    q = preset("fig4b_62Hz")
    assert q.omega_R == pytest.approx(TWO_PI * 62.0, rel=1e-12)
    assert q.omega_R / q.kappa_n0 == pytest.approx(0.28, rel=1e-12)
    # both data sets are self-trapped in the centre (Lambda0 > 2): two interfaces exist
    assert p.Lambda0 > 2 and q.Lambda0 > 2


def test_sound_velocities_fig3():
    # Paper (Fig. 3 text): c_s ~ 1.7 mm/s, c ~ 9.2 mm/s, "local" values in the inner region, 2 digits.
    # Our centre values from 2 m c_s^2 = hbar kappa n0 and m c^2 = hbar kappa n0 g/dg are 1.76 and 9.42 mm/s;
    # at |x| ~ 0.2 R_x (inner region where the front is measured) they drop by 2%.  Tolerance 5%.
    p = preset("fig3_118Hz")
    assert p.c_s(0.0) == pytest.approx(1.7e-3, rel=0.05)
    assert p.c(0.0) == pytest.approx(9.2e-3, rel=0.05)
    assert p.c_s(0.2 * p.R_x) == pytest.approx(1.7e-3, rel=0.03)
    assert p.c(0.2 * p.R_x) == pytest.approx(9.2e-3, rel=0.03)
    # c_s/c = sqrt(dg/(2g)) holds identically
    assert p.c_s(0.0) / p.c(0.0) == pytest.approx(math.sqrt(0.07 / 2), rel=1e-12)


def test_healing_lengths():
    # Paper (Fig. 4 text): xi_s ~ 0.8 um and xi_R ~ 2.6 um.  xi_s matches the Fig. 3 data set (0.78 um),
    # xi_R = sqrt(hbar/(m Omega_R)) matches the Fig. 4b data set, Omega_R = 2pi x 62 Hz (2.66 um; 118 Hz gives
    # 1.93 um).  Tolerance 5% (the paper gives one digit after the point).
    assert preset("fig3_118Hz").xi_s(0.0) == pytest.approx(0.8e-6, rel=0.05)
    assert preset("fig4b_62Hz").xi_R == pytest.approx(2.6e-6, rel=0.05)


def test_trap_frequency_from_paper_route():
    # A 1D TF profile of chemical potential mu = g_1d n0 = hbar kappa n0/(dg/g) with radius 210 um needs
    # omega_x = sqrt(2 mu/m)/R_x; the paper's trap is 2pi x 10(1) Hz.  We get 10.09 Hz; tolerance 2%.
    assert preset("fig3_118Hz").omega_x == pytest.approx(TWO_PI * 10.0, rel=0.02)


def test_critical_position():
    p = preset("fig3_118Hz")
    # definition: Omega_R = kappa n(x_c)/2
    assert p.kappa_n(p.x_c) == pytest.approx(2 * p.omega_R, rel=1e-12)
    assert p.x_c / p.R_x == pytest.approx(math.sqrt(1 - 2 * 0.33), rel=1e-12)
    # no interface without self-trapping in the centre
    assert p.replace(kappa_n0=1.9 * p.omega_R).x_c is None


def test_si_route_reproduces_paper_cloud():
    # Methods: N = 5e5, {omega_x, omega_r}/2pi = {10, 1006} Hz, R_x ~ 210 um, R_r ~ 2.2 um.
    p = RabiParams.from_si(N=5e5, omega_x=TWO_PI * 10, omega_r=TWO_PI * 1006, omega_R=TWO_PI * 118)
    assert p.R_x == pytest.approx(210e-6, rel=0.02)          # 211.5 um
    assert p.R_r == pytest.approx(2.2e-6, rel=0.06)          # 2.10 um (the paper rounds R_r up)
    assert p.dg_over_g == pytest.approx(0.07, rel=0.02)      # (54.54 - 50.78)/54.54 = 0.0689
    # "axis" reduction: kappa n0 = (dg/g) mu/hbar gives Omega_R/kappa n0 = 0.336 ~ 0.33 (Fig. 3). 3% tolerance
    # covers the scattering-length and rounding uncertainties.
    assert p.omega_R / p.kappa_n0 == pytest.approx(0.33, rel=0.03)
    # consistency of the 1D reduction: the effective 1D GPE (g_1d n0 = mu) in the same axial trap has the
    # same TF radius, i.e. the derived omega_x returns the input trap frequency.
    assert p.omega_x == pytest.approx(TWO_PI * 10, rel=1e-12)
    assert p.g_1d * p.n0 == pytest.approx(p.mu, rel=1e-12)
    assert p.g12_1d / p.g_1d == pytest.approx(50.78 / 54.54, rel=1e-12)
    # total atom number in the 1D profile n0 (1 - x^2/R_x^2)
    assert 4 / 3 * p.n0 * p.R_x == pytest.approx(5e5, rel=1e-12)


def test_eq9_as_printed_is_three_times_smaller():
    # Documented discrepancy: Eq. (9) as printed (unnormalised f) gives kappa n0 = (1/3)(dg/g) mu/hbar, which
    # would put the Fig. 3 data set at Lambda0 ~ 1 (no self-trapping, contradicting the paper's Fig. 3).
    kw = dict(N=5e5, omega_x=TWO_PI * 10, omega_r=TWO_PI * 1006, omega_R=TWO_PI * 118)
    axis = RabiParams.from_si(**kw)
    eq9 = RabiParams.from_si(**kw, kappa_reduction="eq9")
    # direct Eq. (9): hbar kappa = (2/3) dg/(pi R_r^2), evaluated with the 3D TF peak density and R_r
    g = 4 * math.pi * HBAR ** 2 * 54.54 * 5.29177210544e-11 / eq9.m
    dg = g * eq9.dg_over_g
    mu3d = axis.mu                                        # = 3D TF chemical potential for "axis"
    assert mu3d == pytest.approx(0.5 * HBAR * TWO_PI * (10 * 1006 ** 2) ** (1 / 3) * (
        15 * 5e5 * 54.54 * 5.29177210544e-11 / math.sqrt(HBAR / (axis.m * TWO_PI * (10 * 1006 ** 2) ** (1 / 3)))
    ) ** 0.4, rel=1e-12)
    n3d0 = mu3d / g
    n1d0 = n3d0 * math.pi * eq9.R_r ** 2 / 2              # integral of the TF radial profile at x = 0
    kappa_eq9 = (2 / 3) * dg / (math.pi * eq9.R_r ** 2) / HBAR
    assert eq9.kappa_n0 == pytest.approx(kappa_eq9 * n1d0, rel=1e-9)
    assert eq9.Lambda0 < 2 < axis.Lambda0


def test_plasma_frequency_and_dispersion():
    p = preset("fig3_118Hz")
    assert p.omega_p(0.0) == pytest.approx(math.sqrt(p.omega_R * (p.omega_R + p.kappa_n0)), rel=1e-14)
    assert p.spin_wave_omega(0.0) == pytest.approx(p.omega_p(0.0), rel=1e-14)
    assert p.omega_p(p.R_x * 2) == pytest.approx(p.omega_R, rel=1e-14)   # no atoms: bare Rabi


def test_units_and_dimensionless():
    p = preset("fig3_118Hz")
    u = p.units()
    assert u.time * p.omega_R == pytest.approx(1.0)
    # in solver units hbar/(2m) = 1/2: eps_k at k = 1/xi_R is Omega_R/2
    assert p.eps_k(1 / u.length) == pytest.approx(0.5 * p.omega_R, rel=1e-12)
    d = p.dimensionless()
    assert d["Lambda0"] == pytest.approx(1 / 0.33)
    assert d["g_n0"] - d["g12_n0"] == pytest.approx(d["Lambda0"], rel=1e-12)
    json.dumps({k: v.to_dict() for k, v in PRESETS.items()}, allow_nan=False)
    json.dumps(p.replace(R_x=math.inf).to_dict(), allow_nan=False)


@pytest.mark.parametrize("field,value,match", [
    ("omega_R", -1.0, "omega_R"), ("kappa_n0", 0.0, "kappa_n0"), ("R_x", float("nan"), "R_x"),
    ("dg_over_g", 1.5, "dg_over_g"), ("m", "heavy", "m"),
])
def test_validation_names_parameter(field, value, match):
    p = preset("fig3_118Hz")
    with pytest.raises(ValueError, match=match):
        p.replace(**{field: value})


def test_validation_routes():
    with pytest.raises(ValueError, match="kappa_reduction"):
        RabiParams.from_si(N=1e5, omega_x=60, omega_r=6000, omega_R=700, kappa_reduction="bogus")
    with pytest.raises(ValueError, match="a12"):
        RabiParams.from_si(N=1e5, omega_x=60, omega_r=6000, omega_R=700, a12=60 * 5.29e-11)
    with pytest.raises(ValueError, match="preset"):
        preset("fig9")
    with pytest.raises(ValueError, match="n0"):
        RabiParams(omega_R=1.0, kappa_n0=3.0, R_x=1e-4).kappa
    assert set(KAPPA_REDUCTIONS) == {"axis", "projected", "eq9"}


def test_projected_reduction_is_the_transverse_overlap():
    # Independent check of the "projected" weight: hbar kappa = dg * int f^2 d^2r / (int f d^2r)^2 for the TF
    # radial profile f = 1 - r^2/R_r^2, by quadrature (scipy.integrate.quad, ~1e-14), and its relation to mu.
    from scipy.integrate import quad

    kw = dict(N=5e5, omega_x=TWO_PI * 10, omega_r=TWO_PI * 1006, omega_R=TWO_PI * 118)
    axis = RabiParams.from_si(**kw)
    proj = RabiParams.from_si(**kw, kappa_reduction="projected")
    R = proj.R_r
    f1 = quad(lambda r: 2 * math.pi * r * (1 - r ** 2 / R ** 2), 0, R)[0]
    f2 = quad(lambda r: 2 * math.pi * r * (1 - r ** 2 / R ** 2) ** 2, 0, R)[0]
    g = 4 * math.pi * HBAR ** 2 * 54.54 * 5.29177210544e-11 / proj.m
    n3d0 = axis.mu / g                                    # 3D TF peak density
    n1d0 = n3d0 * f1                                      # linear density at x = 0
    kappa = g * proj.dg_over_g * f2 / f1 ** 2 / HBAR
    assert proj.kappa_n0 == pytest.approx(kappa * n1d0, rel=1e-10)
