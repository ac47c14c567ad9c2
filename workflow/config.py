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
import re
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


#: bounds on what a configuration document may be (checked while parsing, before anything is built)
MAX_DEPTH = 100          # nesting levels of mappings and sequences
MAX_NODES = 1_000_000    # YAML nodes with every alias expanded (an alias bomb is caught while counting)
MAX_ALIASES = 1000
MAX_POINTS = 10**8       # sweep points of one study


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader that also refuses duplicate keys, nesting deeper than :data:`MAX_DEPTH`, more than
    :data:`MAX_ALIASES` aliases and documents that expand to more than :data:`MAX_NODES` nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _LoadError(f"more than {MAX_ALIASES} aliases", self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LoadError(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node):
        _count_nodes(node)
        return super().construct_document(node)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _LoadError("a mapping key must be a plain value", key_node.start_mark) from None
            if key in seen:
                raise _LoadError(f"duplicate key {_short(key)} (first at line {seen[key].line + 1})",
                                 key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


# YAML 1.2 floats: PyYAML (YAML 1.1) reads 1e-3 and 1e308 as strings
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+"
               r"(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."))


class _LoadError(yaml.YAMLError):
    def __init__(self, problem, mark):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


def _count_nodes(root) -> None:
    """Nodes of a composed document with aliases expanded (memoised: an alias bomb costs its size in nodes,
    not its expansion); refuse recursive aliases and documents over :data:`MAX_NODES`."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            active.discard(key)
            sizes[key] = total
            if total > MAX_NODES:
                raise _LoadError(f"expands to more than {MAX_NODES} values (an alias bomb?)", node.start_mark)
            continue
        if key in sizes:
            continue
        if key in active:
            raise _LoadError("an alias refers to itself (recursive structure)", node.start_mark)
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_yaml(path: str | Path) -> Any:
    """Read one YAML document with :class:`_SafeLoader`; :class:`ConfigError` (one line) if it is not a
    configuration spinsweep accepts (bad YAML, duplicate keys, unknown tags, alias bombs, deep nesting, YTE).

    The guarded loader is pure Python (0.15 s for config/config.yaml), and one process reads the same file more
    than once (a config file that is the default, then the defaults it is filled from): documents are parsed
    once per content and handed out as copies."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as err:
        raise ConfigError(f"config file {path} cannot be read: {err.strerror or err}") from None
    if len(text) > 64 * 2**20:
        raise ConfigError(f"config file {path} is not allowed: larger than 64 MiB")
    return copy.deepcopy(_parse_yaml(text, str(path)))


@functools.lru_cache(maxsize=4)
def _parse_yaml(text: bytes, path: str) -> Any:
    """The document of ``text`` (the file ``path``, named in errors), for :func:`read_yaml`."""
    if _flow_depth(text) > MAX_DEPTH:  # PyYAML's scanner is slow on deep [[[...: refuse before parsing
        raise ConfigError(f"config file {path} is not valid YAML: nested deeper than {MAX_DEPTH} levels")
    try:
        loader = _SafeLoader(text)
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:
        raise ConfigError(f"config file {path} is not valid YAML: nested too deeply") from None
    if isinstance(document, Mapping) and "__use_yte__" in document:
        raise ConfigError(f"config key '__use_yte__': value {_short(document['__use_yte__'])} is not allowed: "
                          f"configuration files are data, YTE templates are not evaluated")
    return document


def _flow_depth(text: bytes) -> int:
    """Deepest nesting of flow brackets ``[ {`` (an upper bound: brackets in quoted strings count too)."""
    import numpy as np

    raw = np.frombuffer(text, dtype=np.uint8)
    steps = np.zeros(raw.shape, dtype=np.int32)
    steps[(raw == ord("[")) | (raw == ord("{"))] = 1
    steps[(raw == ord("]")) | (raw == ord("}"))] = -1
    return int(np.cumsum(steps).max(initial=0))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return " ".join(str(problem).split())[:200] + where


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """The configuration schema: config.schema.yaml plus one section per Study record (its own schema file)."""
    from spinsweep.workflow.study import studies

    root = read_schema_yaml(SCHEMA_PATH)
    names = list(studies())
    root["properties"]["studies"]["items"] = {"enum": names}
    for name in names:
        root["properties"][name] = {"$ref": f"#/$defs/{name}"}
        root["$defs"].update(copy.deepcopy(schema_file(name)["$defs"]))
        requested = root["$defs"][name].get("properties", {}).get("figures")
        if requested is not None:  # the allowed names come from the Study record (one owner: the analysis)
            requested["items"] = {"enum": list(studies()[name].figures)}
    return root


@functools.lru_cache(maxsize=None)
def schema_file(name: str) -> dict:
    """The JSON Schema ``config/schema/<name>.schema.yaml`` (e.g. ``gpe`` for the GPE run configuration)."""
    return read_schema_yaml(SCHEMA_PATH.parent / f"{name}.schema.yaml")


def read_schema_yaml(path: Path) -> dict:
    """A schema file of this package, read with libyaml's C loader: 15x faster than :func:`read_yaml`'s guarded
    pure-Python loader (0.01 vs 0.15 s for the schema, paid by every Snakemake start).  The schema files are
    ours, not user input; a test reads each with both loaders and requires the same document."""
    return yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def validate_with(instance: Any, name: str, prefix=()) -> None:
    """Validate ``instance`` against ``config/schema/<name>.schema.yaml``; :class:`ConfigError` (one line naming
    key, value and what is allowed) on the most relevant violation.  Non-finite numbers, too deep or too large
    documents are refused first, as in :func:`validate`."""
    _walk_plain(instance, tuple(prefix))
    validator = jsonschema.Draft202012Validator(schema_file(name))
    errors = list(validator.iter_errors(instance))
    if errors:
        raise ConfigError(_error_message(jsonschema.exceptions.best_match(errors), prefix))


def _key(path) -> str:
    text = ".".join(str(p) for p in path) or "<root>"
    text = text.encode("unicode_escape").decode("ascii")  # keys with control characters stay on one line
    return text if len(text) <= 200 else text[:197] + "..."


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
        return (f"config key '{_key(path + [extra[0]] if extra else path)}'"[:300] + ": unknown key; "
                f"allowed keys here: {', '.join(allowed) or '(none)'}")
    if error.validator == "required":
        return f"config key '{_key(path)}': {_short_text(error.message)}"
    allowed = error.schema.get("description")
    hint = f" ({allowed})" if allowed else ""
    return (f"config key '{_key(path)}': value {_short(error.instance)} is not allowed: "
            f"{_short_text(error.message)}{hint}")


def _short_text(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def _walk_plain(config: Any, prefix: tuple = ()) -> None:
    """Refuse what JSON Schema would let through or choke on: non-finite numbers anywhere (NaN compares false
    with every bound), nesting deeper than :data:`MAX_DEPTH`, recursive or huge documents."""
    count = 0
    stack = [(config, tuple(prefix), frozenset())]
    while stack:
        node, path, above = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ConfigError(f"config key '<root>': value ... is not allowed: more than {MAX_NODES} values")
        if isinstance(node, float) and not math.isfinite(node):
            raise ConfigError(f"config key '{_key(path)}': value {node!r} is not allowed: must be a finite number")
        if isinstance(node, (Mapping, list, tuple)):
            if len(path) >= MAX_DEPTH:
                raise ConfigError(f"config key '{_key(path[:3])}...': value ... is not allowed: "
                                  f"nested deeper than {MAX_DEPTH} levels")
            if id(node) in above:
                raise ConfigError(f"config key '{_key(path)}': value ... is not allowed: refers to itself")
            inner = above | {id(node)}
            items = node.items() if isinstance(node, Mapping) else enumerate(node)
            stack.extend((v, path + (k,), inner) for k, v in items)


def _check_results(value: Any) -> None:
    """``results``: a directory path that can be created (relative to the working directory, or absolute)."""
    import os
    import unicodedata

    def bad(what):
        raise ConfigError(f"config key 'results': value {_short(value)} is not allowed: {what}")

    if not isinstance(value, str) or not value.strip():
        return  # the schema reports it
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        bad("a directory path without newlines or control characters")
    if len(value) > 1024:
        bad("a directory path of at most 1024 characters")
    norm = os.path.normpath(value)
    if not os.path.isabs(value) and norm.split(os.sep)[0] == "..":
        bad("a directory inside the working directory (a relative path must not climb out with '..'), "
            "or an absolute path")
    if norm in ("/", "/dev", "/proc", "/sys") or norm.startswith(("/dev/", "/proc/", "/sys/")):
        bad("a directory for results, not a system path")
    probe = Path(value)
    while True:
        if probe.exists() or probe.is_symlink():
            if not probe.is_dir():
                bad(f"a directory path; {probe} exists and is not a directory")
            break
        if probe.parent == probe:
            break
        probe = probe.parent


#: messages in the words of jsonschema, so fixed values and axis values read alike
_BOUNDS = (("minimum", lambda a, m: a >= m, "is less than the minimum of"),
           ("exclusiveMinimum", lambda a, m: a > m, "is less than or equal to the minimum of"),
           ("maximum", lambda a, m: a <= m, "is greater than the maximum of"),
           ("exclusiveMaximum", lambda a, m: a < m, "is greater than or equal to the maximum of"))


@functools.lru_cache(maxsize=None)
def _point_validator(study: str, key: str):
    """One jsonschema validator per parameter (for what the vectorised check does not cover)."""
    prop = schema()["$defs"][f"{study}_point"]["properties"][key]
    return jsonschema.Draft202012Validator({**prop, "$defs": schema()["$defs"]})


def _check_values(study: str, key: str, values: list, prefix: tuple, indexed: bool):
    """Check one parameter's values against its point schema: numbers vectorised with numpy (type, finite,
    bounds), anything else with a validator cached per parameter.  Returns the values as a numpy array."""
    import numpy as np

    prop = schema()["$defs"][f"{study}_point"]["properties"][key]
    types = prop.get("type")
    types = set(types) if isinstance(types, list) else {types}
    where = (lambda i: prefix + (i,)) if indexed else (lambda i: prefix)
    hint = f" ({prop['description']})" if prop.get("description") else ""

    def fail(i, what):
        raise ConfigError(f"config key '{_key(where(i))}': value {_short(values[i])} is not allowed: {what}{hint}")

    if "null" in types and any(v is None for v in values):
        if all(v is None for v in values):  # a nullable number left unset ("use the other parameter")
            out = np.empty(len(values), dtype=object)
            return out
        fail(next(i for i, v in enumerate(values) if v is None), "an axis mixes null with numbers")
    if types & {"number", "integer"} and "enum" not in prop:
        kind = "number" if "number" in types else "integer"
        for i, v in enumerate(values):  # bools and strings are not numbers
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                fail(i, f"{_short(v)} is not of type '{kind}'")
        try:
            arr = np.asarray(values, dtype=float)
        except OverflowError:  # an integer beyond any float
            arr = np.asarray([v if abs(v) < 2**1000 else (math.inf if v > 0 else -math.inf) for v in values],
                             dtype=float)
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            fail(int(bad[0]), "must be a finite number")
        if kind == "integer":
            bad = np.flatnonzero(arr != np.round(arr))
            if bad.size:
                fail(int(bad[0]), f"{values[int(bad[0])]!r} is not of type 'integer'")
        for bound, ok, words in _BOUNDS:
            if bound in prop:
                bad = np.flatnonzero(~ok(arr, prop[bound]))
                if bad.size:
                    fail(int(bad[0]), f"{values[int(bad[0])]!r} {words} {prop[bound]!r}")
        if kind == "integer" and (arr.size == 0 or np.abs(arr).max() < 2.0**62):
            arr = arr.astype(np.int64)
        return arr
    validator = _point_validator(study, key)
    for i, v in enumerate(values):
        errors = list(validator.iter_errors(v))
        if errors:
            raise ConfigError(_error_message(jsonschema.exceptions.best_match(errors), where(i)))
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _duplicates(columns: list) -> tuple[int, int] | None:
    """First pair of equal rows ``(first, again)`` among equally long value arrays, or ``None``."""
    import numpy as np

    n = len(columns[0])
    if all(c.dtype.kind in "fi" for c in columns):
        rows = np.stack(columns, axis=1)
        _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        if len(first) == n:
            return None
        inverse = inverse.ravel()
        again = np.flatnonzero(first[inverse] != np.arange(n))[0]
        return int(first[inverse[again]]), int(again)
    keys = {}
    for i in range(n):
        row = tuple(c[i] for c in columns)
        if row in keys:
            return keys[row], i
        keys[row] = i
    return None


def _check_study(name: str, section: Mapping[str, Any]) -> None:
    import numpy as np

    from spinsweep.workflow.study import get as get_study

    point_schema = schema()["$defs"][f"{name}_point"]
    props = point_schema["properties"]
    allowed = ", ".join(sorted(props))
    fixed = section["fixed"]
    axes = section["sweep"]["axes"]
    for where, names in (("fixed", fixed), ("sweep.axes", axes)):
        for key in names:
            if key not in props:
                raise ConfigError(f"config key '{_key((name, *where.split('.'), key))}': unknown parameter of "
                                  f"the {name} study; allowed: {allowed}")
    both = sorted(set(fixed) & set(axes))
    if both:
        raise ConfigError(f"config key '{name}.fixed.{both[0]}': given both as fixed and as a sweep axis; "
                          f"give each parameter once")
    missing = [k for k in point_schema.get("required", []) if k not in fixed and k not in axes]
    if missing:
        raise ConfigError(f"config key '{name}.fixed': required parameter '{missing[0]}' is neither fixed nor swept")
    arrays = {}
    for key, value in fixed.items():
        arrays[key] = _check_values(name, key, [value], (name, "fixed", key), indexed=False)[0]
    for key, spec in axes.items():
        arrays[key] = _check_values(name, key, expand_axis(spec), (name, "sweep", "axes", key), indexed=True)
    seen = set()
    groups = []
    for g, group in enumerate(section["sweep"].get("zip", [])):
        for key in group:
            if key not in axes:
                raise ConfigError(f"config key '{name}.sweep.zip.{g}': value {_short(key)} is not allowed: "
                                  f"zipped names must be sweep axes ({', '.join(axes)})")
            if key in seen:
                raise ConfigError(f"config key '{name}.sweep.zip.{g}': axis {key!r} is in more than one zip group")
            seen.add(key)
        if len({len(arrays[k]) for k in group}) != 1:
            sizes = ", ".join(f"{k}={len(arrays[k])}" for k in group)
            raise ConfigError(f"config key '{name}.sweep.zip.{g}': zipped axes need equal lengths, got {sizes}")
        groups.append(list(group))
    dims = groups + [[k] for k in axes if k not in seen]
    for group in dims:  # every sweep point once: no axis (or zip group) repeats a value
        dup = _duplicates([arrays[k] for k in group])
        if dup:
            i, j = dup
            label = group[0] if len(group) == 1 else "(" + ", ".join(group) + ")"
            value = _plain(arrays[group[0]][j]) if len(group) == 1 else tuple(_plain(arrays[k][j]) for k in group)
            raise ConfigError(f"config key '{name}.sweep.axes.{group[0]}.{j}': value {_short(value)} is not "
                              f"allowed: {label} repeats the value at index {i}; each sweep point once")
    n_points = math.prod(len(arrays[g[0]]) for g in dims)
    if n_points > MAX_POINTS:
        raise ConfigError(f"config key '{name}.sweep.axes': value {n_points} is not allowed: "
                          f"at most {MAX_POINTS} sweep points")
    study = get_study(name)
    # each parameter as an array broadcasting over the sweep dimensions (fixed values 0-d): a constraint or a
    # figure need costs the size of the dimensions it involves, not the number of points
    params = {k: np.asarray(arrays[k]) for k in fixed}
    for d, group in enumerate(dims):
        for key in group:
            shape = [1] * len(dims)
            shape[d] = len(arrays[key])
            params[key] = arrays[key].reshape(shape)
    if study.constraints is not None:
        problem = study.constraints(params)
        if problem:
            key, value, what = problem
            where = "fixed" if key in fixed else "sweep.axes"
            raise ConfigError(f"config key '{name}.{where}.{key}': value {_short(_plain(value))} is not allowed: "
                              f"{what}")
    if study.figure_needs is not None:
        _check_figure_needs(name, study, section, params)


def _check_figure_needs(name: str, study, section: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """Every requested figure (``<study>.figures``, default all) can be drawn from the points of the sweep:
    :attr:`Study.figure_needs` names the key, the value and what the figure needs otherwise."""
    problems = study.figure_needs(section, params)
    for figure in study.requested_figures(section):
        problem = problems.get(figure)
        if problem:
            key, value, what = problem
            raise ConfigError(f"config key '{_key((name, *key.split('.')))}': value {_short(_plain(value))} is not "
                              f"allowed: {what}, or leave {figure} out of {name}.figures")


def _plain(value):
    import numpy as np

    return value.item() if isinstance(value, np.generic) else value


def coerce(config: Any) -> Any:
    """Snakemake's ``--config key=value`` gives nested values as strings (``"0.02"``, ``"true"``): turn strings
    into numbers, booleans or null where the schema wants those types (anything else is left for validation).
    Fixed parameters and axis values follow the study's point schema."""
    root = schema()
    out = _coerce(config, root, root["$defs"])
    if not isinstance(out, dict):
        return out
    for name in set(out) & set(root["properties"]) - {"results", "studies", "dask", "mpi"}:
        section = out[name]
        props = root["$defs"].get(f"{name}_point", {}).get("properties", {})
        if not isinstance(section, dict):
            continue
        if isinstance(section.get("fixed"), dict):
            section["fixed"] = {k: _coerce(v, props[k], root["$defs"]) if k in props else v
                                for k, v in section["fixed"].items()}
        axes = section.get("sweep", {}).get("axes") if isinstance(section.get("sweep"), dict) else None
        for key, spec in (axes.items() if isinstance(axes, dict) else ()):
            if key in props and isinstance(spec, dict) and isinstance(spec.get("values"), list):
                spec["values"] = [_coerce(v, props[key], root["$defs"]) for v in spec["values"]]
    return out


def _coerce(config: Any, node: Mapping, defs: Mapping) -> Any:
    """``config`` with every string read as the type its schema node wants (:func:`coerce_text`), recursively."""
    node = _resolve(node, defs)
    for choice in node.get("oneOf", ()):  # an axis spec: the alternative whose required keys are given
        if isinstance(config, Mapping) and set(choice.get("required", ())) <= set(config):
            node = _resolve(choice, defs)
            break
    if isinstance(config, Mapping):
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        out = {}
        for key, value in config.items():
            sub = props.get(key, extra if isinstance(extra, Mapping) else None)
            out[key] = _coerce(value, sub, defs) if isinstance(sub, Mapping) else value
        return out
    if isinstance(config, list):
        items = node.get("items")
        return [_coerce(v, items, defs) for v in config] if isinstance(items, Mapping) else config
    if isinstance(config, str):
        return coerce_text(config, node, defs)
    return config


def _resolve(node: Mapping, defs: Mapping) -> Mapping:
    while isinstance(node, Mapping) and "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _types(node: Mapping, defs: Mapping) -> set[str]:
    """The JSON types a schema node allows: its ``type``, those of its ``oneOf``/``anyOf`` alternatives, and those
    of its ``enum`` values."""
    node = _resolve(node, defs)
    kind = node.get("type")
    types = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    for choice in (*node.get("oneOf", ()), *node.get("anyOf", ())):
        types |= _types(choice, defs)
    for value in node.get("enum", ()):
        types.add({type(None): "null", bool: "boolean", int: "integer", float: "number"}.get(type(value), "string"))
    return types


def _enum_strings(node: Mapping, defs: Mapping) -> set[str]:
    """The string values a schema node's ``enum`` (or those of its ``oneOf``/``anyOf`` alternatives) allows."""
    node = _resolve(node, defs)
    words = {v for v in node.get("enum", ()) if isinstance(v, str)}
    for choice in (*node.get("oneOf", ()), *node.get("anyOf", ())):
        words |= _enum_strings(choice, defs)
    return words


_NULL = {"null", "none", "~", ""}
_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}
_YAML_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def coerce_text(raw: str, node: Mapping | None, defs: Mapping | None = None) -> Any:
    """One string from a command line read as the type the schema node allows -- the one rule for Snakemake's
    ``--config key=value`` (:func:`coerce`) and ``spinsweep gpe run --set key=value``:

    * null: ``null``, ``none``, ``~`` or empty (where null is allowed);
    * integer: ``41``, or a float literal with an integral value (``1e3`` -> 1000);
    * number: ``41`` (an int, as YAML reads it), ``0.02``, ``1e-3``, ``inf``/``.inf``, ``nan``/``.nan``
      (non-finite values are then refused by validation, naming the key);
    * boolean: ``true/false``, ``yes/no``, ``on/off`` (any case), and ``1/0`` where no number is allowed;
    * array or object, or a key the schema does not know: the text parsed as YAML by the bounded loader of
      configuration files (duplicate keys, aliases and depth refused as there);
    * otherwise the string itself.  Validation follows and names the key of anything that is still wrong.
    """
    defs = defs if defs is not None else {}
    types = _types(node or {}, defs)
    text = raw.strip()
    low = text.lower()
    if text in _enum_strings(node or {}, defs):  # an allowed word is itself (``noise: none``), not null
        return text
    if "null" in types and low in _NULL:
        return None
    numeric = {"integer", "number"} & types
    if numeric:
        try:
            return int(text)
        except ValueError:
            pass
        try:
            value = _YAML_FLOATS[low] if low in _YAML_FLOATS else float(text)
        except ValueError:
            value = None
        if value is not None:
            if "number" in types:
                return value
            if math.isfinite(value) and value == int(value):
                return int(value)
    if "boolean" in types:
        if low in _TRUE or (low == "1" and not numeric):
            return True
        if low in _FALSE or (low == "0" and not numeric):
            return False
    if not types or {"array", "object"} & types:
        try:
            loader = _SafeLoader(text)
            try:
                return loader.get_single_data()
            finally:
                loader.dispose()
        except (yaml.YAMLError, RecursionError):
            return raw
    return raw


def validate(config: Any) -> dict:
    """Validate a configuration mapping; return a deep copy or raise :class:`ConfigError`."""
    if not isinstance(config, Mapping):
        raise ConfigError(f"config key '<root>': value {_short(config)} is not allowed: expected a mapping")
    _walk_plain(config)
    config = copy.deepcopy(dict(config))
    _validate_schema(config, schema())
    _check_results(config["results"])
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
    for key, value in read_yaml(DEFAULT_CONFIG).items():
        config.setdefault(key, copy.deepcopy(value))
    return config


def load(path: str | Path = DEFAULT_CONFIG, overrides: Mapping[str, Any] | None = None) -> dict:
    """Read a YAML configuration (plus optional top-level overrides), fill in defaults, validate."""
    config = read_yaml(path)
    if overrides:
        config = {**(config or {}), **overrides}
    if isinstance(config, dict):
        fill_defaults(config)
    return validate(config)
