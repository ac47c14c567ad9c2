"""Splitting schemes as coefficient tables on one loop (the Dedalus way: a scheme is data, not code).

The GPE right-hand side splits into a *linear* part L = kinetic + Rabi + detuning (uniform, so the two
commute and L is solved exactly in Fourier space: exp(-i a dt k^2/2) times the exact 2x2 rotation
exp(-i a dt M), M = [[delta/2, -Omega_R/2], [-Omega_R/2, -delta/2]]) and a *local* part N = V + contact
interactions (diagonal, it conserves n_{+1} and n_{-1}, so exp(-i b dt N) is exact and N(b1) N(b2) = N(b1 + b2)).

One step is   N(b_0) L(a_0) N(b_1) L(a_1) ... L(a_{s-1}) N(b_s)   with sum(a) = sum(b) = 1.
Consecutive steps merge N(b_s) N(b_0) (first-same-as-last), so one step costs s forward/backward FFT pairs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SplittingScheme:
    name: str
    order: int
    a: tuple[float, ...]  # linear (kinetic + Rabi) sub-step fractions
    b: tuple[float, ...]  # local (potential + interaction) sub-step fractions, len(a) + 1

    def __post_init__(self) -> None:
        if len(self.b) != len(self.a) + 1:
            raise ValueError(f"scheme {self.name}: needs len(b) == len(a) + 1")
        if abs(sum(self.a) - 1) > 1e-14 or abs(sum(self.b) - 1) > 1e-14:
            raise ValueError(f"scheme {self.name}: coefficients must sum to 1")


STRANG = SplittingScheme("strang", 2, a=(1.0,), b=(0.5, 0.5))

# Yoshida (1990) / Suzuki triple jump: S4(dt) = S2(w1 dt) S2(w0 dt) S2(w1 dt)
_w1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_w0 = 1.0 - 2.0 * _w1
YOSHIDA4 = SplittingScheme("yoshida4", 4, a=(_w1, _w0, _w1),
                           b=(_w1 / 2, (_w1 + _w0) / 2, (_w0 + _w1) / 2, _w1 / 2))

SCHEMES = {s.name: s for s in (STRANG, YOSHIDA4)}


def get_scheme(name: str) -> SplittingScheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"scheme={name!r}: unknown; allowed: {sorted(SCHEMES)}") from None
