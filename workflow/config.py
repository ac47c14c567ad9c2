"""Load and validate a spinsweep configuration before anything runs.

Two layers, one message format (``config key '<path>': <value> is not allowed: <what is allowed>``):

1. the JSON Schema in ``config/schema/config.schema.yaml`` (types, unknown keys, ranges of engine settings);
2. the sweep of each study: axis names and fixed parameters must be parameters of the study, every expanded
   axis value and every fixed value is checked against the study's ``<study>_point`` definition in the
   same schema (so the allowed range of each physical parameter is written once), zipped axes must have equal
   lengths, and every required parameter is given exactly once (fixed or swept).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

#: Where the package's data sit: the checkout in an editable install, ``site-packages/spinsweep`` in a wheel
#: install (pyproject.toml maps config/ and cluster/ beside workflow/ either way).
ROOT = Path(__file__).resolve().parent.parent
SNAKEFILE = ROOT / "workflow" / "Snakefile"
SCHEMA_PATH = ROOT / "config" / "schema" / "config.schema.yaml"
DEFAULT_CONFIG = ROOT / "config" / "config.yaml"
PROFILES = ROOT / "cluster"


class ConfigError(ValueError):
    """A configuration that must not run; the message names the key, the value and what is allowed."""


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """The configuration schema: config.schema.yaml plus one section per Study record (its own schema file)."""
    from spinsweep.workflow.study import studies

    with open(SCHEMA_PATH) as fh:
        root = yaml.safe_load(fh)
    names = list(studies())
    root["properties"]["studies"]["items"] = {"enum": names}
    for name in names:
        root["properties"][name] = {"$ref": f"#/$defs/{name}"}
        root["$defs"].update(schema_file(name)["$defs"])
    return root


@functools.lru_cache(maxsize=None)
def schema_file(name: str) -> dict:
    """The JSON Schema ``config/schema/<name>.schema.yaml`` (e.g. ``gpe`` for the GPE run configuration)."""
    with open(SCHEMA_PATH.parent / f"{name}.schema.yaml") as fh:
        return yaml.safe_load(fh)


def validate_with(instance: Any, name: str, prefix=()) -> None:
    """Validate ``instance`` against ``config/schema/<name>.schema.yaml``; :class:`ConfigError` (one line naming
    key, value and what is allowed) on the most relevant violation."""
    validator = jsonschema.Draft202012Validator(schema_file(name))
    errors = list(validator.iter_errors(instance))
    if errors:
        raise ConfigError(_error_message(jsonschema.exceptions.best_match(errors), prefix))


def _key(path) -> str:
    text = ".".join(str(p) for p in path) or "<root>"
    return text.encode("unicode_escape").decode("ascii")  # keys with control characters stay on one line


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_message(error: jsonschema.ValidationError, prefix=()) -> str:
    """One line for the most relevant schema violation."""
    if error.validator == "oneOf" and error.context:
        # an axis spec: report the alternative that came closest, or list the choices
        best = jsonschema.exceptions.best_match(error.context)
        error = best
    path = list(prefix) + list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return (f"config key '{_key(path + [extra[0]] if extra else path)}': unknown key; "
                f"allowed keys here: {', '.join(allowed) or '(none)'}")
    if error.validator == "required":
        return f"config key '{_key(path)}': {error.message}"
    allowed = error.schema.get("description")
    hint = f" ({allowed})" if allowed else ""
    return f"config key '{_key(path)}': value {_short(error.instance)} is not allowed: {error.message}{hint}"


def _validate_schema(instance: Any, subschema: dict, prefix=()) -> None:
    root = schema()
    full = {**subschema, "$defs": root["$defs"]} if subschema is not root else root
    validator = jsonschema.Draft202012Validator(full)
    errors = sorted(validator.iter_errors(instance), key=lambda e: (len(list(e.absolute_path)), str(e.path)))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise ConfigError(_error_message(best, prefix))


def expand_axis(spec: Mapping[str, Any]) -> list[float]:
    """Values of one axis spec (``values``, ``linspace`` or ``logspace`` in decades)."""
    import numpy as np

    if "values" in spec:
        return list(spec["values"])
    kind, grid = next(iter(spec.items()))
    fn = np.linspace if kind == "linspace" else np.logspace
    with np.errstate(over="ignore"):  # an overflowing grid is reported as a non-finite value
        return [float(v) for v in fn(grid["start"], grid["stop"], grid["num"])]


def _check_study(name: str, section: Mapping[str, Any]) -> None:
    point_schema = schema()["$defs"][f"{name}_point"]
    props = point_schema["properties"]
    allowed = ", ".join(sorted(props))
    fixed = section["fixed"]
    axes = section["sweep"]["axes"]
    for where, names in (("fixed", fixed), ("sweep.axes", axes)):
        for key in names:
            if key not in props:
                raise ConfigError(f"config key '{name}.{where}.{key}': unknown parameter of the {name} study; "
                                  f"allowed: {allowed}")
    both = sorted(set(fixed) & set(axes))
    if both:
        raise ConfigError(f"config key '{name}.fixed.{both[0]}': given both as fixed and as a sweep axis; "
                          f"give each parameter once")
    missing = [k for k in point_schema.get("required", []) if k not in fixed and k not in axes]
    if missing:
        raise ConfigError(f"config key '{name}.fixed': required parameter '{missing[0]}' is neither fixed nor swept")
    for key, value in fixed.items():
        _validate_schema(value, props[key], prefix=(name, "fixed", key))
    lengths = {}
    for key, spec in axes.items():
        values = expand_axis(spec)
        lengths[key] = len(values)
        for i, value in enumerate(values):
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"config key '{name}.sweep.axes.{key}': value {value!r} is not allowed: "
                                  f"must be a finite number")
            _validate_schema(value, props[key], prefix=(name, "sweep", "axes", key, i))
    seen = set()
    for g, group in enumerate(section["sweep"].get("zip", [])):
        for key in group:
            if key not in axes:
                raise ConfigError(f"config key '{name}.sweep.zip.{g}': value {key!r} is not allowed: "
                                  f"zipped names must be sweep axes ({', '.join(axes)})")
            if key in seen:
                raise ConfigError(f"config key '{name}.sweep.zip.{g}': axis {key!r} is in more than one zip group")
            seen.add(key)
        if len({lengths[k] for k in group}) != 1:
            sizes = ", ".join(f"{k}={lengths[k]}" for k in group)
            raise ConfigError(f"config key '{name}.sweep.zip.{g}': zipped axes need equal lengths, got {sizes}")


def validate(config: Any) -> dict:
    """Validate a configuration mapping; return a deep copy or raise :class:`ConfigError`."""
    if not isinstance(config, Mapping):
        raise ConfigError(f"config key '<root>': value {_short(config)} is not allowed: expected a mapping")
    config = copy.deepcopy(dict(config))
    _validate_schema(config, schema())
    for study in config["studies"]:
        if study not in config:
            raise ConfigError(f"config key '{study}': study listed in 'studies' but has no section")
        _check_study(study, config[study])
    return config


def fill_defaults(config: dict) -> dict:
    """Fill in the top-level sections that ``config`` does not name from config/config.yaml, in place.

    Sections are replaced whole, never merged key by key, so a study's sweep never mixes with the
    default's axes.  The Snakefile applies the same rule to ``--configfile``/``--config`` input.
    """
    with open(DEFAULT_CONFIG) as fh:
        for key, value in yaml.safe_load(fh).items():
            config.setdefault(key, value)
    return config


def load(path: str | Path = DEFAULT_CONFIG, overrides: Mapping[str, Any] | None = None) -> dict:
    """Read a YAML configuration (plus optional top-level overrides), fill in defaults, validate."""
    path = Path(path)
    try:
        with open(path) as fh:
            config = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if overrides:
        config = {**(config or {}), **overrides}
    if isinstance(config, dict):
        fill_defaults(config)
    return validate(config)
