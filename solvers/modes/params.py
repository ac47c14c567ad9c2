"""Alkali / noble-gas mixture parameters as experimentalists give them (Katz et al. 2022).

Units are in the names: densities in cm^-3, rate coefficients in cm^3/s, rates in 1/s (angular: a rate
``x_per_s`` multiplies ``t_s`` in an exponent), fields in gauss, lengths in cm.

Formulas (seed equation numbers):

* slowing-down factor q(I, p) of a spin-temperature alkali ensemble, Eq. (12);
* zeta = <sigma v phi>/q, k_se = v sigma <phi^2>/4 (text after Eq. 1);
* coupling rate J = (zeta/2) sqrt(q p_a p_b n_a n_b) (Eq. 18 and main text) -- the ONE definition of J in
  spinsweep; the stochastic collision model's 2J = sqrt(N_a/N_b)<phi>/tau is its I = 0, p = 1 case
  (:func:`spinsweep.solvers.collisions.exchange_rate` calls :func:`coupling_rate`);
* collisional shift Delta_c = zeta (p_a n_a q - p_b n_b)/2 and Delta(B) = (g_a - g_b) B + Delta_c (Eq. 2);
* alkali relaxation gamma_a (Eq. 16), noble-gas relaxation gamma_b (Eq. 17), diffusion D pi^2/R^2 (Methods).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

#: electron gyromagnetic ratio g_s mu_B/hbar, rad s^-1 G^-1 (CODATA 2018)
GAMMA_E_RAD_S_G = 1.76085963e7
#: 3He nuclear gyromagnetic ratio magnitude, rad s^-1 G^-1 (2 pi x 3.2434 kHz/G)
GAMMA_HE3_RAD_S_G = 2 * math.pi * 3243.4


def slowing_down_factor(I, p):
    """Larmor slowing-down factor q(I, p) of Eq. (12), vectorised in p (0 <= p <= 1).

    Eq. (12), q = (2I+1)/p [(1+p)^{2I+1} + (1-p)^{2I+1}] / [(1+p)^{2I+1} - (1-p)^{2I+1}] - 1/p^2 + 1,
    is evaluated as the equivalent ratio of polynomials in p^2 (n = 2I+1, k odd),
    q = 1 + sum_{k>=3} [n C(n,k-1) - C(n,k)] p^{k-3} / sum_{k>=1} C(n,k) p^{k-1},
    which has no 1/p^2 cancellation: exact at p = 0, where q = 1 + ((2I+1)^2 - 1)/3, and q(p=1) = 2I+1.
    """
    n2 = 2 * float(I) + 1
    n = int(round(n2))
    if I < 0 or abs(n - n2) > 1e-12:
        raise ValueError(f"I={I!r} is not allowed: the nuclear spin must be >= 0 and a multiple of 1/2")
    p = np.asarray(p, float)
    if np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise ValueError(f"p={p!r} is not allowed: polarization must lie in [0, 1]")
    num = np.zeros_like(p)
    den = np.zeros_like(p)
    for k in range(1, n + 2, 2):
        den = den + _comb(n, k) * p ** (k - 1)
        if k >= 3:
            num = num + (n * _comb(n, k - 1) - _comb(n, k)) * p ** (k - 3)
    q = 1.0 + num / den
    return float(q) if q.ndim == 0 else q


def coupling_rate(n_a, n_b, p_a, p_b, I, v_sigma_phi):
    """Collective coupling rate J = (zeta/2) sqrt(q p_a p_b n_a n_b), zeta = v sigma <phi>/q (Eq. 18).

    n_a, n_b in cm^-3, v_sigma_phi = <v sigma phi> in cm^3/s -> J in 1/s; vectorised (numpy broadcasting).
    Any consistent units work: with n in "atoms" and v sigma phi = <phi>/N_b (time in the mean collision time
    tau of an alkali atom, I = 0, p = 1) it gives the stochastic model's J = sqrt(N_a/N_b)<phi>/2 per tau.
    """
    q = slowing_down_factor(I, p_a)
    zeta = np.asarray(v_sigma_phi, float) / q
    J = 0.5 * zeta * np.sqrt(q * np.asarray(p_a, float) * np.asarray(p_b, float)
                             * np.asarray(n_a, float) * np.asarray(n_b, float))
    return float(J) if np.ndim(J) == 0 else J


def alkali_relaxation_rate(n_a, n_b, sigma_sr_v, k_se, sigma_sd_v):
    """Eq. (16): electron-spin relaxation gamma_a = n_b (sigma_sr v + k_se) + n_a sigma_sd v_a / 2, in 1/s.

    The alkali spin f = q s relaxes at gamma_a/q under spin-temperature conditions (the seed's
    gamma_ex = n_b k_se/q); :class:`Mixture` applies that factor.
    """
    return n_b * (sigma_sr_v + k_se) + 0.5 * n_a * sigma_sd_v


def noble_relaxation_rate(n_a, k_se, T_b_s):
    """Eq. (17): gamma_b = k_se n_a + 1/T_b, in 1/s."""
    return k_se * n_a + 1.0 / T_b_s


def diffusion_rate(D_cm2_s, R_cm):
    """Leading diffusion relaxation D pi^2/R^2 of a sphere with relaxing walls, 1/s (Methods)."""
    return D_cm2_s * math.pi ** 2 / R_cm ** 2


@dataclass(frozen=True)
class Mixture:
    """An alkali / noble-gas mixture in a spherical cell.

    n_a_cm3, n_b_cm3   alkali and noble-gas densities;
    p_a, p_b           polarizations (spins point along -z);
    I                  alkali nuclear spin (3/2 for 39K);
    v_sigma_phi_cm3_s  <v sigma phi>, the mean collisional precession coefficient (zeta q);
    k_se_cm3_s         alkali--noble-gas spin-exchange rate coefficient v sigma <phi^2>/4;
    sigma_sr_v_cm3_s   spin-rotation coefficient (Eq. 16); sigma_sd_v_cm3_s alkali--alkali spin destruction;
    gamma_other_e_per_s electron relaxation not covered by Eq. (16) (buffer gas N2, ...);
    D_a_cm2_s, D_b_cm2_s  diffusion coefficients; R_cm cell radius;
    alkali_wall_biot   Robin number kappa R/D_a of the alkali wall relaxation (inf: fully relaxing wall);
    T_b_s              noble-gas coherence time without alkali (Eq. 17);
    g_a from the electron gyromagnetic ratio / q, g_b = 3He's.
    """

    n_a_cm3: float
    n_b_cm3: float
    p_a: float
    p_b: float
    I: float = 1.5
    v_sigma_phi_cm3_s: float = 2e-14
    k_se_cm3_s: float = 5.5e-20
    sigma_sr_v_cm3_s: float = 5.5e-20 / 0.34
    sigma_sd_v_cm3_s: float = 7.3e-14
    gamma_other_e_per_s: float = 0.0
    D_a_cm2_s: float = 0.11
    D_b_cm2_s: float = 0.5
    R_cm: float = 2.54
    alkali_wall_biot: float = math.inf
    T_b_s: float = 100 * 3600.0
    g_b_rad_s_G: float = GAMMA_HE3_RAD_S_G

    def __post_init__(self):
        for name in ("n_a_cm3", "n_b_cm3", "v_sigma_phi_cm3_s", "D_a_cm2_s", "D_b_cm2_s", "R_cm", "T_b_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name}={v!r} is not allowed: must be a finite number > 0")
        for name in ("p_a", "p_b"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 < v <= 1):
                raise ValueError(f"{name}={v!r} is not allowed: polarization must lie in (0, 1]")
        for name in ("k_se_cm3_s", "sigma_sr_v_cm3_s", "sigma_sd_v_cm3_s", "gamma_other_e_per_s",
                     "alkali_wall_biot"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0):
                raise ValueError(f"{name}={v!r} is not allowed: must be >= 0")
        slowing_down_factor(self.I, 1.0)  # validates I

    # --- couplings ------------------------------------------------------------------------------------
    @property
    def q(self) -> float:
        return slowing_down_factor(self.I, self.p_a)

    @property
    def zeta_cm3_s(self) -> float:
        return self.v_sigma_phi_cm3_s / self.q

    @property
    def J_per_s(self) -> float:
        return coupling_rate(self.n_a_cm3, self.n_b_cm3, self.p_a, self.p_b, self.I, self.v_sigma_phi_cm3_s)

    @property
    def Delta_c_per_s(self) -> float:
        """Collisional shift Delta_c = zeta (p_a n_a q - p_b n_b)/2 (text after Eq. 2)."""
        return 0.5 * self.zeta_cm3_s * (self.p_a * self.n_a_cm3 * self.q - self.p_b * self.n_b_cm3)

    @property
    def g_a_rad_s_G(self) -> float:
        """Alkali gyromagnetic ratio in spin temperature: g_s mu_B/(q hbar)."""
        return GAMMA_E_RAD_S_G / self.q

    def detuning_per_s(self, B_G):
        """Delta(B) = (g_a - g_b) B + Delta_c (Eq. 2), vectorised in B."""
        return (self.g_a_rad_s_G - self.g_b_rad_s_G) * np.asarray(B_G, float) + self.Delta_c_per_s

    @property
    def B_compensation_G(self) -> float:
        """Field of the compensation point Delta(B) = 0."""
        return -self.Delta_c_per_s / (self.g_a_rad_s_G - self.g_b_rad_s_G)

    @property
    def noble_larmor_hz(self) -> float:
        """g_b B / 2 pi at compensation."""
        return self.g_b_rad_s_G * self.B_compensation_G / (2 * math.pi)

    # --- relaxation -----------------------------------------------------------------------------------
    @property
    def gamma_a_electron_per_s(self) -> float:
        """Eq. (16) plus gamma_other_e: electron-spin relaxation rate."""
        return alkali_relaxation_rate(self.n_a_cm3, self.n_b_cm3, self.sigma_sr_v_cm3_s, self.k_se_cm3_s,
                                      self.sigma_sd_v_cm3_s) + self.gamma_other_e_per_s

    @property
    def gamma_a_per_s(self) -> float:
        """Bulk relaxation of the alkali spin f = q s (Eq. 16 / q), without diffusion."""
        return self.gamma_a_electron_per_s / self.q

    @property
    def gamma_diff_a_per_s(self) -> float:
        return diffusion_rate(self.D_a_cm2_s, self.R_cm)

    @property
    def gamma_per_s(self) -> float:
        """Main-text gamma = gamma_a + D_a pi^2/R^2 (relaxation of the lowest alkali mode, Methods)."""
        return self.gamma_a_per_s + self.gamma_diff_a_per_s

    @property
    def gamma_ex_per_s(self) -> float:
        """Spin-exchange part of the alkali relaxation, n_b k_se / q (Methods, noise section)."""
        return self.n_b_cm3 * self.k_se_cm3_s / self.q

    @property
    def gamma_b_per_s(self) -> float:
        return noble_relaxation_rate(self.n_a_cm3, self.k_se_cm3_s, self.T_b_s)

    @property
    def J_over_gamma(self) -> float:
        return self.J_per_s / self.gamma_per_s

    # --- imperfect polarization (Discussion, Methods) -------------------------------------------------
    @property
    def nbar_a(self) -> float:
        """Incoherent excitations per alkali mode, (1 - p_a)/(2 p_a)."""
        return (1 - self.p_a) / (2 * self.p_a)

    @property
    def nbar_b(self) -> float:
        return (1 - self.p_b) / (2 * self.p_b)

    @property
    def excess_noise_a_per_s(self) -> float:
        """<F_a^dag F_a> rate (2 - p_a - p_b)/(4 p_a) 2 gamma_ex: the normally ordered (excess) noise of the
        spin-exchange Langevin force (Methods); 0 for p_a = p_b = 1 (vacuum noise)."""
        return (2 - self.p_a - self.p_b) / (4 * self.p_a) * 2 * self.gamma_ex_per_s

    def replace(self, **changes) -> "Mixture":
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> dict:
        """Derived quantities (names carry units) for tables and store attrs."""
        return {"q": self.q, "zeta_cm3_s": self.zeta_cm3_s, "J_per_s": self.J_per_s,
                "Delta_c_per_s": self.Delta_c_per_s, "B_compensation_G": self.B_compensation_G,
                "noble_larmor_hz": self.noble_larmor_hz, "gamma_a_per_s": self.gamma_a_per_s,
                "gamma_diff_a_per_s": self.gamma_diff_a_per_s, "gamma_per_s": self.gamma_per_s,
                "gamma_b_per_s": self.gamma_b_per_s, "gamma_ex_per_s": self.gamma_ex_per_s,
                "J_over_gamma": self.J_over_gamma, "nbar_a": self.nbar_a, "nbar_b": self.nbar_b,
                "excess_noise_a_per_s": self.excess_noise_a_per_s}


def k39_he3(**changes) -> Mixture:
    """The seed's K-39 / He-3 proposal ("Outline for a non-classical demonstration"), 2-inch sphere.

    From the seed: n_a = 3e14 cm^-3 (215 C), n_b = 2e20 cm^-3 (7.5 amg), p_a = 0.95 (q = 4.1), p_b = 0.75,
    v sigma <phi> = 2e-14 cm^3/s, k_se = 5.5e-20 cm^3/s and eta = k_se/(sigma_sr v) = 0.34 (Methods),
    gamma = 17.5 1/s, R = 1 inch, T_b = 100 h.
    Not in the seed (our estimates): D_a = 0.11 cm^2/s (K in 7.5 amg He at 488 K), D_b = 0.5 cm^2/s
    (3He self-diffusion), K-K spin destruction sigma_sd v = 1e-18 cm^2 x 7.3e4 cm/s; the remaining electron
    relaxation (N2, ...) ``gamma_other_e_per_s`` is calibrated so that gamma = 17.5 1/s at the preset.
    The walls relax the alkali fully (Robin number inf), as the seed's D pi^2/R^2 assumes.
    ``changes`` override fields AFTER the calibration (so e.g. n_a changes gamma through spin destruction).

    Compensation field: this preset gives B = 85.6 mG (g_b B/2pi = 278 Hz), the seed states B = 94 mG and
    g_b B = 2pi x 300 Hz.  The seed's own inputs cannot give 94 mG.  Delta(B) = (g_a - g_b) B + Delta_c = 0
    with g_a = g_s mu_B/(hbar q) and Delta_c = zeta (p_a n_a q - p_b n_b)/2, zeta = v sigma <phi>/q (Eq. 2 and
    the text after it) gives
    B = v sigma <phi> (p_b n_b - q p_a n_a) / (2 g_s mu_B/hbar) / (1 - q g_b hbar/(g_s mu_B)), in which q
    cancels from the leading term: 2e-14 cm^3/s x 0.75 x 2e20 cm^-3 / (2 x 1.7609e7 rad/(s G)) = 85.2 mG,
    times 1.005 for q p_a n_a/(p_b n_b) = 0.8% and q g_b/g_e = 0.5%: 85.6 mG, whatever q is.  94 mG (and
    its 300 Hz, which alone would mean 92.5 mG) needs v sigma <phi> p_b n_b 10% larger, e.g.
    v sigma <phi> = 2.2e-14 cm^3/s, which would also give J = 1120 1/s instead of the seed's J ~ 1000 1/s;
    we keep the seed's inputs (J = 1021 1/s) and report the field they imply.
    """
    base = Mixture(n_a_cm3=3e14, n_b_cm3=2e20, p_a=0.95, p_b=0.75)
    gamma_target = 17.5
    other = (gamma_target - base.gamma_diff_a_per_s) * base.q - base.gamma_a_electron_per_s
    return replace(base, gamma_other_e_per_s=other, **changes)


def _comb(n: int, k: int) -> float:
    """The binomial coefficient C(n, k) as a float, from exact integer arithmetic (scipy.special.comb gives the
    same floats for n <= 30 and rounds above; importing scipy here would cost every configuration check)."""
    return float(math.comb(n, k))
