"""The one place where the GPE solver converts between SI / paper units and its dimensionless units.

Solver units (hbar = m = 1) come from :meth:`spinsweep.solvers.rabi.RabiParams.units` for the paper route: time 1/Omega_R,
length xi_R = sqrt(hbar/(m Omega_R)), 1D density n0.  Stores are written in lab units (um, ms, 1/um) when a
scale is known, else in solver units (units attr "1").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spinsweep.solvers.rabi import HBAR, RabiParams, preset as rabi_preset

from .params import GPEParams

#: CLI / config shortcuts -> spinsweep.solvers.rabi presets
PRESETS = {"paper118": "fig3_118Hz", "paper62": "fig4b_62Hz"}


@dataclass(frozen=True)
class OutputUnits:
    """Scale factors from solver units to the stored units; ``None`` scales mean "store dimensionless"."""

    length_m: float | None = None
    time_s: float | None = None
    density_per_m: float | None = None  # 1D (line) density unit

    @property
    def physical(self) -> bool:
        return self.length_m is not None

    def factor(self, kind: str) -> tuple[float, str]:
        """(multiplier, units string) for a quantity kind."""
        if not self.physical:
            return 1.0, "1"
        L, T, D = self.length_m, self.time_s, self.density_per_m
        table = {
            "length": (L * 1e6, "um"),
            "time": (T * 1e3, "ms"),
            "line_density": (D * 1e-6, "1/um"),
            "velocity": (L / T * 1e3, "mm/s"),
            "current": (D * L / T * 1e-3, "1/ms"),
            "rate_density": (D / T * 1e-9, "1/(um ms)"),
            "energy": (HBAR / T * D * L, "J"),
            "number": (D * L, "1"),
            "one": (1.0, "1"),
            "angle": (1.0, "rad"),
        }
        return table[kind]

    def to_dict(self) -> dict:
        return {"length_m": self.length_m, "time_s": self.time_s, "density_per_m": self.density_per_m}


def n_points_for(length: float, dx_max: float) -> int:
    """Smallest FFT-friendly even N (2^a 3^b 5^c) with length/N <= dx_max."""
    need = max(8, int(math.ceil(length / dx_max)))
    best = None
    for a in range(1, 25):
        for b in range(0, 8):
            for c in range(0, 5):
                n = 2 ** a * 3 ** b * 5 ** c
                if n >= need and (best is None or n < best):
                    best = n
    return best


def from_rabi(rp: RabiParams, *, box_factor: float = 2.5, points_per_xi_s: float = 2.5,
              n_x: int | None = None, omega_R_on: bool = True) -> tuple[GPEParams, OutputUnits]:
    """1D GPE parameters of a :class:`RabiParams` (paper or SI route), in the units of ``rp.units()``.

    Box = box_factor * R_x (periodic, centred); trap omega_x from rp (1D TF radius R_x with g_1d n0 = mu);
    1D couplings g n0 = Lambda0/(delta_g/g), g12 = g (1 - delta_g/g) in units hbar Omega_R/n0;
    N = 4/3 R_x n0.  n_x defaults to the smallest FFT-friendly size with dx <= xi_s(0)/points_per_xi_s.
    """
    if not math.isfinite(rp.R_x):
        raise ValueError("R_x=inf: the trapped GPE route needs a finite axial Thomas-Fermi radius")
    u = rp.units()
    dl = rp.dimensionless()
    R_x = dl["R_x"]
    box = box_factor * R_x
    omega_x = rp.omega_x * u.time
    xi_s0 = float(rp.xi_s(0.0)) / u.length
    if n_x is None:
        n_x = n_points_for(box, xi_s0 / points_per_xi_s)
    params = GPEParams(shape=(n_x,), box=(box,), g11=dl["g_n0"], g22=dl["g_n0"], g12=dl["g12_n0"],
                       omega_R=1.0 if omega_R_on else 0.0, atom_number=4.0 / 3.0 * R_x, trap=(omega_x,))
    density = rp.n0 if rp.n0 is not None else None
    out = OutputUnits(length_m=u.length, time_s=u.time, density_per_m=density) if density else OutputUnits()
    return params, out


def preset(name: str, **kw) -> tuple[GPEParams, OutputUnits, RabiParams]:
    """GPE parameters of a named paper preset (``paper118``, ``paper62``)."""
    if name not in PRESETS:
        raise ValueError(f"preset={name!r}: allowed {sorted(PRESETS)}")
    rp = rabi_preset(PRESETS[name])
    p, u = from_rabi(rp, **kw)
    return p, u, rp
