"""Dimensionless parameters of the two coupled Gross-Pitaevskii equations (hbar = m = 1).

The model (seed farolfi2023, Methods, "spinor hydrodynamics"; the GPE form of Eqs. 3-7) for
Psi = (psi_{+1}, psi_{-1}) is

    i d_t psi_{+1} = [-1/2 nabla^2 + V + g11 n_{+1} + g12 n_{-1} + delta/2] psi_{+1} - Omega_R/2 psi_{-1}
    i d_t psi_{-1} = [-1/2 nabla^2 + V + g22 n_{-1} + g12 n_{+1} - delta/2] psi_{-1} - Omega_R/2 psi_{+1}

so that the ground state of the coupled gas is s = (n, 0, 0) and, for g11 = g22 = g, the spin equation of
motion is Eq. (1)/(5) with kappa = (g - g12) (hbar kappa = delta g in the paper's notation, the 1D couplings
already holding the dimensional reduction of Eq. 9).  Small spin waves around s = (n, 0, 0) obey
omega(k)^2 = (eps_k + Omega_R)(eps_k + Omega_R + kappa n) and omega_p = sqrt(Omega_R (Omega_R + kappa n)).

Everything here is dimensionless; the conversion from SI / paper units lives in :mod:`spinsweep.solvers.gpe.units`.
Any of ``g11, g22, g12, omega_R, detuning, atom_number`` may be a 1D sequence of length B: that is the
batched mode (B parameter points advanced in one array of shape (B, 2, Nx)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

BATCHABLE = ("g11", "g22", "g12", "omega_R", "detuning", "atom_number")

#: volume factor c_d of the Thomas-Fermi integral  N = (mu/g) c_d prod_i R_i   (d trapped axes)
_TF_FACTOR = {0: 1.0, 1: 4.0 / 3.0, 2: math.pi / 2.0, 3: 8.0 * math.pi / 15.0}


def _as_batch(name: str, value: Any) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}={value!r}: expected a number or a 1D sequence of numbers (batch axis)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}={value!r}: all values must be finite")
    return arr


@dataclass(frozen=True)
class GPEParams:
    """Grid and physical constants of one run (or of B batched runs), dimensionless, hbar = m = 1.

    shape:  grid points per axis, x (the long axis, decomposed under MPI) first; 1, 2 or 3 axes.
    box:    box length per axis (periodic box centred on 0).
    trap:   harmonic trap frequency per axis (0 = untrapped axis); ``None`` means no trap at all.
    potential: optional external potential array of the global grid shape; replaces the harmonic one.
    """

    shape: tuple[int, ...]
    box: tuple[float, ...]
    g11: Any
    g22: Any
    g12: Any
    omega_R: Any
    atom_number: Any
    detuning: Any = 0.0
    trap: tuple[float, ...] | None = None
    potential: np.ndarray | None = field(default=None, compare=False, repr=False)
    batched: bool = False

    def __post_init__(self) -> None:
        shape = tuple(int(n) for n in np.atleast_1d(self.shape))
        box = tuple(float(b) for b in np.atleast_1d(self.box))
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "box", box)
        if len(shape) not in (1, 2, 3):
            raise ValueError(f"shape={shape}: the GPE solver supports 1, 2 or 3 axes")
        if len(box) != len(shape):
            raise ValueError(f"box={box}: needs one length per axis of shape={shape}")
        for n in shape:
            if n < 8 or n % 2:
                raise ValueError(f"shape={shape}: every axis needs an even number of points >= 8")
        for b in box:
            if not b > 0:
                raise ValueError(f"box={box}: box lengths must be > 0")
        if self.trap is not None:
            trap = tuple(float(w) for w in np.atleast_1d(self.trap))
            if len(trap) != len(shape) or any(w < 0 for w in trap):
                raise ValueError(f"trap={self.trap}: needs one frequency >= 0 per axis of shape={shape}")
            object.__setattr__(self, "trap", trap)
        if self.potential is not None:
            pot = np.asarray(self.potential, dtype=float)
            if pot.shape != shape:
                raise ValueError(f"potential: shape {pot.shape} does not match the grid shape {shape}")
            object.__setattr__(self, "potential", pot)
        sizes = {name: _as_batch(name, getattr(self, name)).size for name in BATCHABLE}
        batch = {s for s in sizes.values() if s > 1}
        if len(batch) > 1:
            raise ValueError(f"batched parameters must share one length B, got {sizes}")
        if batch and len(shape) != 1:
            raise ValueError(f"batched mode is 1D only; shape={shape} has {len(shape)} axes")
        if batch:
            object.__setattr__(self, "batched", True)
        if np.any(_as_batch("atom_number", self.atom_number) <= 0):
            raise ValueError(f"atom_number={self.atom_number}: must be > 0")
        if np.any(_as_batch("omega_R", self.omega_R) < 0):
            raise ValueError(f"omega_R={self.omega_R}: must be >= 0")

    # -- batch helpers -------------------------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def batch_size(self) -> int:
        return max(_as_batch(n, getattr(self, n)).size for n in BATCHABLE)

    def batch_array(self, name: str) -> np.ndarray:
        """Parameter ``name`` broadcast to shape (B,)."""
        arr = _as_batch(name, getattr(self, name))
        return np.broadcast_to(arr, (self.batch_size,)).astype(float).copy()

    def subset(self, start: int, stop: int) -> "GPEParams":
        """Batch points start..stop-1 as a parameter set of their own (unbatched when it holds one point)."""
        if not 0 <= start < stop <= self.batch_size:
            raise ValueError(f"batch points {start}..{stop - 1}: outside 0..{self.batch_size - 1}")
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in BATCHABLE:
            vals = self.batch_array(name)[start:stop]
            kw[name] = float(vals[0]) if vals.size == 1 else vals.tolist()
        kw["batched"] = False  # set again by __post_init__ when more than one point remains
        return GPEParams(**kw)

    def point(self, b: int) -> "GPEParams":
        """The b-th parameter point of a batch as an unbatched parameter set."""
        return self.subset(b, b + 1)

    def replace(self, **changes) -> "GPEParams":
        kw = {f.name: getattr(self, f.name) for f in fields(self)}
        kw.update(changes)
        return GPEParams(**kw)

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "potential"}
        d["potential"] = None if self.potential is None else "array"
        for name in BATCHABLE:
            arr = _as_batch(name, getattr(self, name))
            d[name] = arr.tolist() if arr.size > 1 else float(arr[0])
        return d

    # -- derived quantities --------------------------------------------------------------------------------
    @property
    def dx(self) -> tuple[float, ...]:
        return tuple(b / n for b, n in zip(self.box, self.shape))

    @property
    def kappa(self) -> np.ndarray:
        """kappa = (g11 + g22)/2 - g12 (hbar kappa = delta g, Eq. 9 after dimensional reduction), shape (B,)."""
        return 0.5 * (self.batch_array("g11") + self.batch_array("g22")) - self.batch_array("g12")

    def g_effective(self) -> np.ndarray:
        """Smallest effective coupling of the polarised or the mixed gas (largest, most dilute cloud)."""
        g11, g22, g12 = (self.batch_array(n) for n in ("g11", "g22", "g12"))
        return np.minimum(np.minimum(g11, g22), 0.25 * (g11 + g22 + 2.0 * g12))

    def thomas_fermi(self) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Thomas-Fermi estimate (mu, n_peak, radii per axis) with the coupling :meth:`g_effective`.

        Uses N = (mu/g) c_d prod R_i prod L_j over trapped axes i (R_i = sqrt(2 mu)/omega_i) and untrapped
        axes j (box length L_j); with no trap mu = g N / volume.  Radii are inf on untrapped axes.
        """
        g = self.g_effective()
        N = self.batch_array("atom_number")
        trap = self.trap if self.trap is not None else (0.0,) * self.ndim
        trapped = [w for w in trap if w > 0]
        free_volume = float(np.prod([L for L, w in zip(self.box, trap) if w == 0])) if len(trapped) < self.ndim else 1.0
        d = len(trapped)
        if d == 0:
            mu = g * N / free_volume
        else:
            # mu^(1 + d/2) = N g prod(omega) / (c_d 2^(d/2) L_free)
            mu = (N * g * float(np.prod(trapped)) / (_TF_FACTOR[d] * 2 ** (d / 2) * free_volume)) ** (1.0 / (1 + d / 2))
        n_peak = mu / g
        radii = [np.sqrt(2 * mu) / w if w > 0 else np.full_like(mu, np.inf) for w in trap]
        return mu, n_peak, radii

    def xi_s(self) -> np.ndarray:
        """Spin healing length xi_s = hbar / sqrt(2 m n delta g) at the peak density (inf if kappa <= 0)."""
        _, n_peak, _ = self.thomas_fermi()
        k = self.kappa
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(k > 0, 1.0 / np.sqrt(2.0 * n_peak * np.where(k > 0, k, 1.0)), np.inf)

    def dt_kinetic_max(self) -> float:
        """pi / sum_i (pi/dx_i)^2: the split-step resonance limit (dx^2/pi in 1D)."""
        return math.pi / sum((math.pi / dx) ** 2 for dx in self.dx)

    def check_preconditions(self, dt: float, *, points_per_xi_s: float = 2.0, max_phase: float = 0.5,
                            cloud_fraction: float = 0.9) -> None:
        """Stop with a ValueError unless the grid resolves xi_s, the box holds the cloud and dt is small.

        * dx <= xi_s / points_per_xi_s on every axis (xi_s at the Thomas-Fermi peak density);
        * every Thomas-Fermi radius <= cloud_fraction * box/2 (harmonic traps; periodic otherwise);
        * dt * max(mu, Omega_R, |delta|, ...) <= max_phase: the largest local phase per step stays small;
        * dt <= pi / sum_i (pi/dx_i)^2 (= dx^2/pi in 1D): beyond it the split-step scheme has the resonance
          instability of the nonlinear Schroedinger equation (Weideman & Herbst, SIAM J. Numer. Anal. 23, 485
          (1986)) -- seen here as an energy blow-up at twice that dt.
        """
        if not (dt > 0 and math.isfinite(dt)):
            raise ValueError(f"dt={dt}: must be a finite number > 0")
        xi = float(np.min(self.xi_s()))
        for axis, dx in enumerate(self.dx):
            if dx > xi / points_per_xi_s:
                need = int(math.ceil(self.box[axis] * points_per_xi_s / xi))
                raise ValueError(
                    f"shape[{axis}]={self.shape[axis]}: grid spacing dx={dx:.4g} does not resolve the spin healing "
                    f"length xi_s={xi:.4g} (need dx <= xi_s/{points_per_xi_s:g}, i.e. >= {need} points on box "
                    f"{self.box[axis]:.4g})")
        mu, n_peak, radii = self.thomas_fermi()
        if self.potential is None and self.trap is not None:
            for axis, R in enumerate(radii):
                Rmax = float(np.max(R))
                if np.isfinite(Rmax) and Rmax > cloud_fraction * self.box[axis] / 2:
                    raise ValueError(
                        f"box[{axis}]={self.box[axis]:.4g}: the Thomas-Fermi radius {Rmax:.4g} does not fit; the box "
                        f"must be >= {2 * Rmax / cloud_fraction:.4g} so the cloud stays within {cloud_fraction:g} "
                        f"of the half-box")
        g_max = np.max(np.abs([self.batch_array(n) for n in ("g11", "g22", "g12")]), axis=0)
        rate = float(np.max(np.maximum.reduce([
            g_max * n_peak, self.batch_array("omega_R"), np.abs(self.batch_array("detuning")), mu])))
        dt_kin = self.dt_kinetic_max()
        if dt > dt_kin:
            raise ValueError(
                f"dt={dt:.4g}: too large for the grid; split-step stability needs dt <= pi/sum(pi/dx_i)^2 = "
                f"{dt_kin:.4g} (refine dt or coarsen the grid)")
        if dt * rate > max_phase:
            raise ValueError(
                f"dt={dt:.4g}: too large; the fastest local rate max(g n_peak, mu, Omega_R, |delta|)={rate:.4g} "
                f"needs dt <= {max_phase / rate:.4g} (phase per step <= {max_phase} rad)")
