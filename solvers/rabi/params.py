"""Parameters of a Rabi-coupled two-component 23Na condensate (Farolfi et al. 2023, the "torque" seed).

One frozen dataclass, :class:`RabiParams`, holds the parameters in SI units (angular frequencies in rad/s,
lengths in m).  Two ways to build it:

* **paper route** -- :meth:`RabiParams.from_paper`: the numbers the paper quotes, Omega_R (Hz),
  Omega_R/(kappa n0), delta_g/g and the axial Thomas-Fermi radius R_x.  :data:`PRESETS` holds the two data
  sets of the paper (Fig. 3: Omega_R = 2pi x 118 Hz = 0.33 kappa n0; Fig. 4b: 2pi x 62 Hz = 0.28 kappa n0).
* **SI route** -- :meth:`RabiParams.from_si`: atom number, trap frequencies and scattering lengths; the 3D
  Thomas-Fermi profile is reduced to one dimension as described below.

Conventions
-----------
Spin density ``s = Tr(sigma Psi* x Psi)``, ``|s| = n`` (seed, main text).  The spin obeys Eqs. (1)-(2),

    ds/dt + d_x j_s = H(s) x s,      j_s = v s + hbar/(2 m n) d_x s x s,

and we fix the sign of the Rabi term so that ``s = (n, 0, 0)`` is the ground state, as stated in the Methods
("far from the equilibrium point s = (n,0,0)", plasma frequency omega_p = sqrt(Omega_R(Omega_R + kappa n))):

    H(s) = -Omega_R x_hat + kappa s_z z_hat,

i.e. the GPE coupling term is ``-(hbar Omega_R/2) sigma_x`` (energy ``-hbar Omega_R s_x/2``).  Eq. (1) as printed
(``+Omega_R x_hat``) is the same dynamics after a rotation by pi about z (s_x, s_y -> -s_x, -s_y), under which
the quantum-torque term is invariant; with the printed sign the stable state would be (-n, 0, 0).
Only the sign of phi = arg(s_x + i s_y) differs between the two; Z(t), frequencies and |s| do not.

One-dimensional reduction (Methods, Eqs. 8-9)
---------------------------------------------
For a 3D Thomas-Fermi cigar with radial radius R_r, the spin equation integrated over the transverse plane
gives a 1D LLE with ``hbar kappa = delta_g * w`` where ``w`` is a transverse weight.  Three choices are offered
(``kappa_reduction`` in :meth:`from_si`), all of which keep the paper's parabolic profile
``kappa n(x) = kappa n0 (1 - x^2/R_x^2)`` when evaluated with the local radial radius
R_r(x) = R_r sqrt(1 - x^2/R_x^2):

* ``"axis"`` (default): ``hbar kappa n(x) = delta_g n_3D(x, r_perp = 0)``, i.e.
  ``kappa n0 = (delta_g/g) mu/hbar``.  This is the choice that reproduces the paper's own numbers
  (Omega_R = 2pi x 118 Hz = 0.33 kappa n0 for N = 5e5, c ~ 9.2 mm/s, c_s ~ 1.7 mm/s; see tests).
* ``"projected"``: Galerkin projection onto the TF radial profile f (normalised, int f = 1):
  ``hbar kappa = delta_g int f^2 = (4/3) delta_g/(pi R_r^2)``, giving ``kappa n0 = (2/3)(delta_g/g) mu/hbar``.
* ``"eq9"``: Eq. (9) exactly as printed, ``hbar kappa = (2/3) delta_g/(pi R_r^2)``, giving
  ``kappa n0 = (1/3)(delta_g/g) mu/hbar``: three times below the value the paper uses (its f is not
  normalised), kept for comparison.

The 1D model density is ``n(x) = n0 (1 - x^2/R_x^2)`` with ``n0 = 3N/(4 R_x)`` (so that it integrates to N) and
the 1D couplings are fixed by keeping the 3D ratio g12/g: ``g_1d = hbar kappa / (delta_g/g)``,
``g12_1d = g_1d (1 - delta_g/g)``.  Then ``g_1d n0 = mu`` for the "axis" reduction, the 1D Thomas-Fermi radius of
a 1D GPE in the axial trap omega_x is R_x, and ``m c^2 = hbar kappa n g/(g - g12)`` as in the paper.  The LLE
itself depends only on kappa n(x), Omega_R and hbar/m; n0 only sets normalisation.

Dimensionless units (:meth:`RabiParams.units`, the one place where they are defined)
------------------------------------------------------------------------------------
time ``1/Omega_R``, length ``xi_R = sqrt(hbar/(m Omega_R))`` (Rabi healing length), density ``n0``.  In these units
``hbar/(2m) = 1/2``, ``eps_k = k^2/2``, ``Omega_R = 1`` and ``kappa n0 = Lambda0 = kappa n0/Omega_R``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import constants as _c

HBAR = _c.hbar
#: mass of 23Na (22.9897692820 u, AME2020)
M_NA23 = 22.9897692820 * _c.physical_constants["atomic mass constant"][0]
A0 = _c.physical_constants["Bohr radius"][0]
#: |1,+-1> intra- and inter-component scattering lengths of 23Na (Knoop et al. PRA 83, 042704 (2011), ref. [31];
#: as used in Bienaime et al. PRA 94, 063652 (2016)); delta_g/g = 0.069 ~ 0.07.
A_NA_11 = 54.54 * A0
A_NA_12 = 50.78 * A0

KAPPA_REDUCTIONS = {"axis": 1.0, "projected": 2.0 / 3.0, "eq9": 1.0 / 3.0}


def _check_positive(name: str, value: Any, *, allow_inf: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} = {value!r}: must be a real number > 0") from None
    if math.isnan(v) or v <= 0 or (math.isinf(v) and not allow_inf):
        allowed = "(0, inf]" if allow_inf else "(0, inf) (finite)"
        raise ValueError(f"{name} = {value!r}: must be in {allowed}")
    return v


@dataclass(frozen=True)
class Units:
    """Scales of the dimensionless units: a quantity q in SI is q / scale in solver units."""

    time: float      # s        (1/Omega_R)
    length: float    # m        (xi_R)
    density: float   # 1/m      (n0; 1.0 if n0 is unknown, LLE/Josephson do not depend on it)
    frequency: float  # rad/s   (Omega_R)

    @property
    def velocity(self) -> float:
        """m/s per unit velocity (xi_R Omega_R = sqrt(hbar Omega_R/m))."""
        return self.length / self.time


@dataclass(frozen=True)
class RabiParams:
    """Rabi-coupled two-component BEC in an elongated trap, SI units (seed Eqs. 1-2, 6, 9; Methods).

    Fields
    ------
    omega_R : Rabi coupling Omega_R [rad/s].
    kappa_n0 : kappa n0, the spin nonlinearity at the trap centre [rad/s] (kappa = (g - g12) * reduction / hbar).
    R_x : axial Thomas-Fermi radius [m]; ``math.inf`` for a homogeneous gas.
    dg_over_g : (g - g12)/g, 0.07 for 23Na |1,+-1> (Methods, ref. [31]).
    m : atomic mass [kg].
    n0 : peak 1D density [1/m] (normalisation only; None if unknown).
    R_r : radial Thomas-Fermi radius [m] (record only; None if unknown).
    label : free text (which preset, which route).
    """

    omega_R: float
    kappa_n0: float
    R_x: float
    dg_over_g: float = 0.07
    m: float = M_NA23
    n0: float | None = None
    R_r: float | None = None
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "omega_R", _check_positive("omega_R", self.omega_R))
        object.__setattr__(self, "kappa_n0", _check_positive("kappa_n0", self.kappa_n0))
        object.__setattr__(self, "R_x", _check_positive("R_x", self.R_x, allow_inf=True))
        object.__setattr__(self, "m", _check_positive("m", self.m))
        dg = float(self.dg_over_g)
        if not (0.0 < dg < 1.0):
            raise ValueError(f"dg_over_g = {self.dg_over_g!r}: must be in (0, 1) (miscible mixture, g12 < g)")
        object.__setattr__(self, "dg_over_g", dg)
        if self.n0 is not None:
            object.__setattr__(self, "n0", _check_positive("n0", self.n0))
        if self.R_r is not None:
            object.__setattr__(self, "R_r", _check_positive("R_r", self.R_r))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_paper(cls, *, omega_R_hz: float, omega_R_over_kappa_n0: float, R_x_um: float = 210.0,
                   dg_over_g: float = 0.07, N: float | None = None, m: float = M_NA23,
                   label: str = "") -> "RabiParams":
        """Paper route: Omega_R/2pi in Hz, the ratio Omega_R/(kappa n0), R_x in micrometres.

        ``N`` (atom number), if given, sets ``n0 = 3N/(4 R_x)`` (the 1D profile n0(1 - x^2/R_x^2) holds N atoms).
        """
        omega_R = 2 * math.pi * _check_positive("omega_R_hz", omega_R_hz)
        ratio = _check_positive("omega_R_over_kappa_n0", omega_R_over_kappa_n0)
        R_x = _check_positive("R_x_um", R_x_um, allow_inf=True) * 1e-6
        n0 = None
        if N is not None:
            if math.isinf(R_x):
                raise ValueError("N: cannot set n0 from N for a homogeneous gas (R_x_um = inf); pass n0 instead")
            n0 = 3.0 * _check_positive("N", N) / (4.0 * R_x)
        return cls(omega_R=omega_R, kappa_n0=omega_R / ratio, R_x=R_x, dg_over_g=dg_over_g, m=m, n0=n0,
                   label=label or f"paper route: Omega_R = 2pi x {omega_R_hz:g} Hz = {ratio:g} kappa n0")

    @classmethod
    def from_si(cls, *, N: float, omega_x: float, omega_r: float, omega_R: float, a: float = A_NA_11,
                a12: float = A_NA_12, m: float = M_NA23, kappa_reduction: str = "axis",
                label: str = "") -> "RabiParams":
        """SI route: atom number N, axial/radial trap frequencies [rad/s], Rabi frequency [rad/s], scattering
        lengths a (intra, equal for both components) and a12 (inter) [m].

        3D Thomas-Fermi: ``mu = (hbar omega_ho/2)(15 N a/a_ho)^(2/5)``, ``omega_ho = (omega_x omega_r^2)^(1/3)``,
        ``R_x = sqrt(2 mu/(m omega_x^2))``, ``R_r = sqrt(2 mu/(m omega_r^2))``.  kappa n0 from the reduction
        chosen by ``kappa_reduction`` (module docstring): ``kappa n0 = w (delta_g/g) mu/hbar`` with
        w = 1 ("axis"), 2/3 ("projected"), 1/3 ("eq9", Eq. 9 as printed).
        """
        N = _check_positive("N", N)
        omega_x = _check_positive("omega_x", omega_x)
        omega_r = _check_positive("omega_r", omega_r)
        a = _check_positive("a", a)
        a12 = float(a12)
        if not (a12 < a) or math.isnan(a12):
            raise ValueError(f"a12 = {a12!r}: must be < a = {a!r} (miscible, delta_g = g - g12 > 0)")
        if kappa_reduction not in KAPPA_REDUCTIONS:
            raise ValueError(f"kappa_reduction = {kappa_reduction!r}: allowed {sorted(KAPPA_REDUCTIONS)}")
        m = _check_positive("m", m)
        omega_ho = (omega_x * omega_r ** 2) ** (1.0 / 3.0)
        a_ho = math.sqrt(HBAR / (m * omega_ho))
        mu = 0.5 * HBAR * omega_ho * (15.0 * N * a / a_ho) ** 0.4
        R_x = math.sqrt(2 * mu / (m * omega_x ** 2))
        R_r = math.sqrt(2 * mu / (m * omega_r ** 2))
        dg_over_g = (a - a12) / a
        kappa_n0 = KAPPA_REDUCTIONS[kappa_reduction] * dg_over_g * mu / HBAR
        return cls(omega_R=omega_R, kappa_n0=kappa_n0, R_x=R_x, dg_over_g=dg_over_g, m=m,
                   n0=3.0 * N / (4.0 * R_x), R_r=R_r,
                   label=label or f"SI route: N = {N:g}, kappa reduction '{kappa_reduction}'")

    def replace(self, **changes: Any) -> "RabiParams":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able parameter set (for store provenance), SI units, plus key derived numbers."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["R_x"] = self.R_x if math.isfinite(self.R_x) else "inf"
        x_c = self.x_c
        d.update(Lambda0=self.Lambda0, x_c=x_c if x_c is None or math.isfinite(x_c) else "inf",
                 units="SI (rad/s, m, kg, 1/m)")
        return d

    # ------------------------------------------------------------------ derived: homogeneous numbers
    @property
    def Lambda0(self) -> float:
        """Lambda at the centre, kappa n0 / Omega_R (self-trapping for Lambda > 2)."""
        return self.kappa_n0 / self.omega_R

    @property
    def mu(self) -> float:
        """Chemical potential of the 1D model, g_1d n0 = hbar kappa n0 / (delta_g/g) [J].

        Equals the 3D Thomas-Fermi mu for the "axis" reduction (and for the paper presets); for "projected" /
        "eq9" the reduction factor also scales g_1d, so this is 2/3 or 1/3 of the 3D mu."""
        return HBAR * self.kappa_n0 / self.dg_over_g

    @property
    def omega_x(self) -> float:
        """Axial trap frequency [rad/s] for which a 1D TF profile with chemical potential mu has radius R_x
        (the real trap frequency for the "axis" reduction)."""
        return math.sqrt(2 * self.mu / self.m) / self.R_x

    @property
    def kappa(self) -> float:
        """kappa [rad m/s]; needs n0."""
        return self.kappa_n0 / self._need_n0("kappa")

    @property
    def g_1d(self) -> float:
        """1D intra-component coupling [J m]: hbar kappa / (delta_g/g); needs n0."""
        return HBAR * self.kappa / self.dg_over_g

    @property
    def g12_1d(self) -> float:
        """1D inter-component coupling [J m]: g_1d (1 - delta_g/g); needs n0."""
        return self.g_1d * (1.0 - self.dg_over_g)

    @property
    def xi_R(self) -> float:
        """Rabi healing length sqrt(hbar/(m Omega_R)) [m] (seed, Fig. 4 discussion)."""
        return math.sqrt(HBAR / (self.m * self.omega_R))

    def _need_n0(self, what: str) -> float:
        if self.n0 is None:
            raise ValueError(f"n0 = None: {what} needs the peak 1D density n0 (pass n0 or N)")
        return self.n0

    # ------------------------------------------------------------------ derived: profiles
    def density_profile(self, x) -> np.ndarray:
        """n(x)/n0 = max(1 - x^2/R_x^2, 0) (Thomas-Fermi, seed text before Fig. 2); x in m."""
        x = np.asarray(x, dtype=float)
        if math.isinf(self.R_x):
            return np.ones_like(x)
        return np.clip(1.0 - (x / self.R_x) ** 2, 0.0, None)

    def n(self, x) -> np.ndarray:
        """Thomas-Fermi 1D density n(x) [1/m]; needs n0."""
        return self._need_n0("n(x)") * self.density_profile(x)

    def kappa_n(self, x) -> np.ndarray:
        """kappa n(x) [rad/s]."""
        return self.kappa_n0 * self.density_profile(x)

    def Lambda(self, x) -> np.ndarray:
        """Local Lambda(x) = kappa n(x)/Omega_R."""
        return self.Lambda0 * self.density_profile(x)

    @property
    def x_c(self) -> float | None:
        """Critical position where Omega_R = kappa n(x_c)/2 [m] (x >= 0); None if Lambda0 <= 2 (no interface)."""
        if self.Lambda0 <= 2.0:
            return None
        if math.isinf(self.R_x):
            return math.inf
        return self.R_x * math.sqrt(1.0 - 2.0 / self.Lambda0)

    def c_s(self, x=0.0) -> np.ndarray:
        """Spin sound velocity from 2 m c_s^2 = hbar kappa n(x) [m/s] (seed, Fig. 3 discussion)."""
        return np.sqrt(HBAR * self.kappa_n(x) / (2 * self.m))

    def c(self, x=0.0) -> np.ndarray:
        """Density sound velocity from m c^2 = hbar kappa n g/(g - g12) [m/s]."""
        return np.sqrt(HBAR * self.kappa_n(x) / (self.dg_over_g * self.m))

    def xi_s(self, x=0.0) -> np.ndarray:
        """Spin healing length hbar/sqrt(2 m hbar kappa n(x)) = hbar/(2 m c_s) [m] (inf where n = 0)."""
        with np.errstate(divide="ignore"):
            return HBAR / np.sqrt(2 * self.m * HBAR * self.kappa_n(x))

    def omega_p(self, x=0.0) -> np.ndarray:
        """Plasma frequency sqrt(Omega_R (Omega_R + kappa n(x))) [rad/s] (Methods, ref. [34])."""
        return np.sqrt(self.omega_R * (self.omega_R + self.kappa_n(x)))

    def eps_k(self, k) -> np.ndarray:
        """Free-particle dispersion hbar k^2/(2m) [rad/s]; k in 1/m."""
        return HBAR * np.asarray(k, dtype=float) ** 2 / (2 * self.m)

    def spin_wave_omega(self, k, x=0.0) -> np.ndarray:
        """Linear spin waves on s = (n,0,0): omega^2 = (eps_k + Omega_R)(eps_k + Omega_R + kappa n) [rad/s]."""
        e = self.eps_k(k)
        return np.sqrt((e + self.omega_R) * (e + self.omega_R + self.kappa_n(x)))

    # ------------------------------------------------------------------ units
    def units(self) -> Units:
        """The dimensionless units of the solvers: time 1/Omega_R, length xi_R, density n0 (module docstring)."""
        return Units(time=1.0 / self.omega_R, length=self.xi_R,
                     density=self.n0 if self.n0 is not None else 1.0, frequency=self.omega_R)

    def dimensionless(self) -> dict[str, float]:
        """Parameters in solver units: Omega_R = 1, hbar/(2m) = 1/2, Lambda0, R_x/xi_R, delta_g/g, g n0/(hbar Omega_R)."""
        u = self.units()
        return {"omega_R": 1.0, "hbar_over_2m": 0.5, "Lambda0": self.Lambda0,
                "R_x": self.R_x / u.length, "dg_over_g": self.dg_over_g,
                "g_n0": self.Lambda0 / self.dg_over_g,
                "g12_n0": self.Lambda0 * (1.0 - self.dg_over_g) / self.dg_over_g}


#: The paper's two data sets (paper route).  Fig. 3 / Methods: N = 5e5, R_x ~ 210 um.  The Fig. 4b data set
#: quotes only Omega_R and the ratio; the same N and R_x are assumed (n0 is normalisation only).
PRESETS: dict[str, RabiParams] = {
    "fig3_118Hz": RabiParams.from_paper(omega_R_hz=118.0, omega_R_over_kappa_n0=0.33, R_x_um=210.0, N=5e5,
                                        label="Farolfi 2023 Fig. 3: Omega_R = 2pi x 118 Hz = 0.33 kappa n0"),
    "fig4b_62Hz": RabiParams.from_paper(omega_R_hz=62.0, omega_R_over_kappa_n0=0.28, R_x_um=210.0, N=5e5,
                                        label="Farolfi 2023 Fig. 4b: Omega_R = 2pi x 62 Hz = 0.28 kappa n0"),
}


def preset(name: str) -> RabiParams:
    """One of :data:`PRESETS` by name."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"preset = {name!r}: allowed {sorted(PRESETS)}") from None
