"""Typed settings of one GPE run, built from the validated ``gpe`` configuration section (one place for defaults).

The configuration language is the JSON Schema ``config/schema/gpe.schema.yaml``; the workflow layer validates a
mapping against it (``spinsweep.workflow.config.validate_with(cfg, "gpe", prefix=("gpe",))``) and hands it to
:meth:`RunSettings.from_mapping`.  The solver itself never imports the workflow: it only sees these frozen
dataclasses.  ``from_mapping`` also rejects unknown keys and bad choices with a ValueError naming the key, so a
library caller that skips the schema still gets a clear message; the schema's ``default`` entries and the
defaults below must agree (tests/gpe/test_settings.py checks it).

    RunSettings
      .preset / .physical / .grid        paper route (spinsweep.solvers.rabi presets), 1D
      .model                             dimensionless GPEParams keywords (the other route)
      .time .initial .output .checkpoint .checks .noise .threads
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .schemes import SCHEMES
from .units import PRESETS

PROTOCOLS = ("quench", "ground_state", "uniform", "spin_wave")
NOISE_KINDS = ("none", "wigner", "thermal")


@dataclass(frozen=True)
class TimeSettings:
    dt: float | None = None            # None: min(0.2/fastest local rate, dx^2/(2 pi)) (see Simulation)
    t_final: float | None = None       # solver time units; preset default: ten Rabi periods
    output_every: int | None = None    # steps; None: 0.1 Rabi period (preset) or 100 (model)
    scheme: str = "strang"


@dataclass(frozen=True)
class GridSettings:
    """Paper route only: box = box_factor R_x, n_x from dx <= xi_s(0)/points_per_xi_s unless given."""
    box_factor: float = 2.5
    points_per_xi_s: float = 2.5
    n_x: int | None = None


@dataclass(frozen=True)
class InitialSettings:
    protocol: str = "quench"
    spinor: str = "minus"
    ground_dt: float | None = None     # None: 2 dt
    ground_tol: float = 1e-7
    ground_max_steps: int = 500_000
    Z: float = 0.0                     # uniform
    phi: float = 0.0                   # uniform
    k_index: int = 1                   # spin_wave
    amplitude: float = 1e-3            # spin_wave


@dataclass(frozen=True)
class OutputSettings:
    outputs_per_chunk: int | None = None  # None: auto (see Simulation.outputs_per_chunk)
    psi: bool = False
    fields: bool = True
    dtype: str = "float32"


@dataclass(frozen=True)
class CheckpointSettings:
    every_steps: int | None = None
    every_wall_s: float | None = 600.0


@dataclass(frozen=True)
class CheckSettings:
    points_per_xi_s: float = 2.0
    max_phase: float = 0.5


@dataclass(frozen=True)
class NoiseSettings:
    """Seeded initial fluctuations (see :mod:`spinsweep.solvers.gpe.noise`), added after the ground state.

    kind: none | wigner (truncated-Wigner vacuum: 1/2 particle per mode) | thermal (vacuum + Bose occupation).
    seed: root of the SeedSequence; shot: index of the realisation (a batched 1D run draws shot + point).
    shots: > 1 turns an unbatched 1D run into a batch of that many shots (store dimension ``point``, coordinate
    ``param_shot``), realisations shot, shot + 1, ... of the same parameters.
    temperature: k_B T in units of the chemical potential of the initial state; temperature_nK: in nK
    (needs a paper preset, whose OutputUnits give the time unit).  Give at most one of them (thermal only).
    """
    kind: str = "none"
    seed: int = 0
    shot: int = 0
    shots: int = 1
    temperature: float | None = None
    temperature_nK: float | None = None


_SECTIONS = {"time": TimeSettings, "grid": GridSettings, "initial": InitialSettings, "output": OutputSettings,
             "checkpoint": CheckpointSettings, "checks": CheckSettings, "noise": NoiseSettings}


def _section(cls, name: str, value: Any):
    if value is None:
        return cls()
    if not isinstance(value, Mapping):
        raise ValueError(f"config key 'gpe.{name}': expected a mapping, got {value!r}")
    allowed = {f.name for f in fields(cls)}
    for key in value:
        if key not in allowed:
            raise ValueError(f"config key 'gpe.{name}.{key}': unknown key; allowed {sorted(allowed)}")
    return cls(**value)


@dataclass(frozen=True)
class RunSettings:
    """Everything one GPE run needs besides the store path and the communicator."""
    preset: str | None = None
    physical: Mapping[str, float] = field(default_factory=dict)  # RabiParams.from_paper keywords
    grid: GridSettings = GridSettings()
    model: Mapping[str, Any] | None = None                        # GPEParams keywords (dimensionless)
    time: TimeSettings = TimeSettings()
    initial: InitialSettings = InitialSettings()
    output: OutputSettings = OutputSettings()
    checkpoint: CheckpointSettings = CheckpointSettings()
    checks: CheckSettings = CheckSettings()
    noise: NoiseSettings = NoiseSettings()
    threads: int | None = None   # batched 1D: threads splitting the batch; None: the CPUs we may use

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any] | None) -> "RunSettings":
        """Settings from a (schema-validated) configuration mapping; missing keys take the defaults above."""
        config = dict(config or {})
        allowed = {f.name for f in fields(cls)}
        for key in config:
            if key not in allowed:
                raise ValueError(f"config key 'gpe.{key}': unknown key; allowed {sorted(allowed)}")
        kw = {name: _section(sec, name, config.get(name)) for name, sec in _SECTIONS.items()}
        physical = config.get("physical") or {}
        if not isinstance(physical, Mapping):
            raise ValueError(f"config key 'gpe.physical': expected a mapping, got {physical!r}")
        settings = cls(preset=config.get("preset"), physical=dict(physical), model=config.get("model"),
                       threads=config.get("threads"), **kw)
        settings.check()
        return settings

    def replace(self, **changes) -> "RunSettings":
        return dataclasses.replace(self, **changes)

    def check(self) -> None:
        """Choices the schema also states, repeated for library callers that skip it (ValueError naming the key)."""
        if self.preset is None and self.model is None:
            raise ValueError("config key 'gpe': give either 'preset' (allowed: %s) or 'model' (dimensionless "
                             "GPEParams)" % sorted(PRESETS))
        if self.preset is not None and self.model is not None:
            raise ValueError(f"config key 'gpe.model': given together with preset={self.preset!r}; give one of them")
        if self.preset is not None and self.preset not in PRESETS:
            raise ValueError(f"config key 'gpe.preset': value {self.preset!r} is not allowed: allowed {sorted(PRESETS)}")
        if self.initial.protocol not in PROTOCOLS:
            raise ValueError(f"config key 'gpe.initial.protocol': value {self.initial.protocol!r} is not allowed: allowed {PROTOCOLS}")
        if self.time.scheme not in SCHEMES:
            raise ValueError(f"config key 'gpe.time.scheme': value {self.time.scheme!r} is not allowed: allowed {sorted(SCHEMES)}")
        for key, v in (("time.output_every", self.time.output_every), ("threads", self.threads),
                       ("output.outputs_per_chunk", self.output.outputs_per_chunk)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"config key 'gpe.{key}': value {v!r} is not allowed: must be null (auto) or an integer >= 1")
        t = self.time.t_final
        if t is not None and not (isinstance(t, (int, float)) and math.isfinite(t) and t > 0):
            raise ValueError(f"config key 'gpe.time.t_final': value {t!r} is not allowed: must be > 0")
        if self.output.dtype not in ("float32", "float64"):
            raise ValueError(f"config key 'gpe.output.dtype': value {self.output.dtype!r} is not allowed: allowed 'float32' or 'float64'")
        nz = self.noise
        if nz.kind not in NOISE_KINDS:
            raise ValueError(f"config key 'gpe.noise.kind': value {nz.kind!r} is not allowed: allowed {NOISE_KINDS}")
        if isinstance(nz.shots, bool) or not isinstance(nz.shots, int) or nz.shots < 1:
            raise ValueError(f"config key 'gpe.noise.shots': value {nz.shots!r} is not allowed: integer >= 1")
        if nz.shots > 1 and nz.kind == "none":
            raise ValueError("config key 'gpe.noise.shots': several shots need noise (noise.kind wigner or thermal)")
        if nz.kind == "thermal" and (nz.temperature is None) == (nz.temperature_nK is None):
            raise ValueError("config key 'gpe.noise.temperature': thermal noise needs exactly one of noise.temperature "
                             "(units of mu) or noise.temperature_nK")
        if nz.temperature_nK is not None and self.preset is None:
            raise ValueError("config key 'gpe.noise.temperature_nK': needs a paper preset (lab units); give "
                             "noise.temperature in units of mu for a 'model' run")

    def to_dict(self) -> dict[str, Any]:
        """The full resolved configuration (JSON-friendly), as recorded in the store."""
        d = {"preset": self.preset, "physical": dict(self.physical)}
        for f in fields(self):
            v = getattr(self, f.name)
            if dataclasses.is_dataclass(v):
                d[f.name] = dataclasses.asdict(v)
        d["model"] = None if self.model is None else dict(self.model)
        d["threads"] = self.threads
        return {f.name: d[f.name] for f in fields(self)}
