"""Parameters of the stochastic collision model (Katz et al., Supplementary section 1) and their checks.

Time is in units of the mean time between collisions of one alkali atom, tau (t = n, the step index), so
rates (J, gamma, the detuning Delta) are in units of 1/tau.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..modes.params import coupling_rate

SUBSPACES = ("single", "double")
COMPENSATIONS = ("exact", "paper")
NAMED_INITIAL = {
    "single": ("collective", "localized", "noble"),
    "double": ("pair", "collective", "noble"),
}


@dataclass(frozen=True)
class CollisionParams:
    """One parameter point of the collision simulator.

    n_alkali, n_noble : N_a electron spins (S = 1/2, I = 0) and N_b noble-gas spins (K = 1/2), N_a <= N_b.
    phi_mean, phi_std : <phi> and delta_phi of the Gaussian collision angle phi ~ N(<phi>, delta_phi), rad.
    detuning          : Delta in 1/tau, the residual detuning of the alkali from the compensation point;
                        the alkali excitation picks up exp(-i Delta) per step on top of the compensation.
    compensation      : "exact": the Zeeman phase per step cancels both mean collisional shifts,
                        theta = <phi>/2 (1 - N_a/N_b) + Delta (Delta = 0 is the two-mode resonance);
                        "paper": gamma_a B_z tau = <phi>/2 as written in the SI, theta = <phi>/2 + Delta,
                        which leaves a residual detuning -(N_a/N_b)<phi>/2 from the noble-gas shift.
    subspace          : "single" (N_a + N_b amplitudes) or "double" (two excitations, all pairs).
    """

    n_alkali: int
    n_noble: int
    phi_mean: float
    phi_std: float
    detuning: float = 0.0
    compensation: str = "exact"
    subspace: str = "single"

    def __post_init__(self):
        for name in ("n_alkali", "n_noble"):
            value = getattr(self, name)
            if isinstance(value, bool) or not hasattr(value, "__index__"):
                raise ValueError(f"{name}={value!r} is not allowed: must be an integer >= 1")
            object.__setattr__(self, name, int(value))
        if self.n_alkali < 1:
            raise ValueError(f"n_alkali={self.n_alkali} is not allowed: must be >= 1")
        min_noble = 2 if self.subspace == "double" else 1
        if self.n_noble < max(self.n_alkali, min_noble):
            raise ValueError(
                f"n_noble={self.n_noble} is not allowed with n_alkali={self.n_alkali}: every alkali spin "
                f"collides with a different noble-gas spin each step, so n_noble >= n_alkali is required")
        for name in ("phi_mean", "phi_std", "detuning"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"{name}={value!r} is not allowed: must be a finite real number")
            object.__setattr__(self, name, float(value))
        if self.phi_std < 0:
            raise ValueError(f"phi_std={self.phi_std} is not allowed: the standard deviation must be >= 0")
        if self.subspace not in SUBSPACES:
            raise ValueError(f"subspace={self.subspace!r} is not allowed: choose one of {SUBSPACES}")
        if self.compensation not in COMPENSATIONS:
            raise ValueError(
                f"compensation={self.compensation!r} is not allowed: choose one of {COMPENSATIONS}")

    @property
    def n_spins(self) -> int:
        return self.n_alkali + self.n_noble

    @property
    def theta(self) -> float:
        """Zeeman phase of one alkali excitation per step (module doc of :mod:`.kernels`)."""
        shift = 0.5 * self.phi_mean
        if self.compensation == "exact":
            shift *= 1.0 - self.n_alkali / self.n_noble
        return shift + self.detuning

    def as_dict(self) -> dict:
        return asdict(self)


def exchange_rate(n_alkali: int, n_noble: int, phi_mean: float) -> float:
    """Collective exchange rate J in 1/tau: 2J = sqrt(N_a/N_b) <phi>/tau (SI section 1; main text Eq. 3).

    This is :func:`spinsweep.solvers.modes.coupling_rate` (J = (zeta/2) sqrt(q p_a p_b n_a n_b)) for the toy
    model's I = 0 (q = 1), p_a = p_b = 1, and v sigma <phi> = <phi>/N_b (one collision per tau per alkali).
    """
    return float(coupling_rate(n_alkali, n_noble, 1.0, 1.0, 0, phi_mean / n_noble))


def record_grid(n_alkali: int, n_noble: int, phi_mean: float, periods: float, n_records: int) -> dict[str, int]:
    """The time grid covering ``periods`` exchange half-periods pi/J in ``n_records`` records.

    Returns {"n_steps", "record_every"} for :func:`spinsweep.solvers.collisions.ensemble`: record_every =
    max(1, floor(periods pi / (J n_records))) steps of tau, n_steps = record_every n_records (2J from
    :func:`exchange_rate`).  Used by the Fig. 3 presets and by the sweep points alike.
    """
    J = exchange_rate(int(n_alkali), int(n_noble), float(phi_mean))
    record_every = max(1, int(periods * math.pi / J / n_records))
    return {"n_steps": record_every * int(n_records), "record_every": record_every}


def check_steps(n_steps, record_every) -> None:
    for name, value in (("n_steps", n_steps), ("record_every", record_every)):
        if isinstance(value, bool) or not hasattr(value, "__index__") or int(value) < 1:
            raise ValueError(f"{name}={value!r} is not allowed: must be an integer >= 1")
    if int(n_steps) % int(record_every):
        raise ValueError(f"n_steps={n_steps} is not allowed with record_every={record_every}: "
                         "n_steps must be a multiple of record_every")
