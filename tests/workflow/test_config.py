"""Configuration validation: every bad configuration ends in one clean message, never a traceback."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinsweep.workflow.config import DEFAULT_CONFIG, ROOT as REPO, ConfigError, load, validate


@pytest.fixture(scope="module")
def default() -> dict:
    with open(DEFAULT_CONFIG) as fh:
        return yaml.safe_load(fh)


def test_default_and_study_configs_are_valid():
    load(DEFAULT_CONFIG)
    for path in sorted((REPO / "config" / "studies").glob("*.yaml")):
        load(path)


def _mutated(config, path, value):
    out = copy.deepcopy(config)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (("magnon", "fixed", "T"), -1.0, ["magnon.fixed.T", "-1.0", "less than or equal to the minimum of 0"]),
        (("magnon", "fixed", "T"), "hot", ["magnon.fixed.T", "'hot'", "is not of type 'number'"]),
        (("magnon", "fixed", "colour"), 1, ["magnon.fixed.colour", "unknown parameter", "h_over_T"]),
        (("magnon", "sweep", "axes", "h_over_T"), {"values": [0.1, -0.5]},
         ["magnon.sweep.axes.h_over_T.1", "-0.5", "minimum"]),
        (("magnon", "sweep", "axes", "bias"), {"values": []}, ["magnon.sweep.axes.bias", "[]"]),
        (("magnon", "sweep", "axes", "bias"), {"linspace": {"start": 0.1, "stop": 0.2, "num": 0}},
         ["magnon.sweep.axes.bias.linspace.num", "0"]),
        (("magnon", "sweep", "axes", "h_over_T"), {"logspace": {"start": -3, "stop": 3, "num": 4}},
         ["magnon.sweep.axes.h_over_T.3", "1000.0", "maximum of 50"]),
        (("magnon", "sweep", "zip"), [["h_over_T", "bias"]], ["magnon.sweep.zip.0", "equal lengths"]),
        (("magnon", "fixed", "J"), KeyError, ["magnon.fixed", "'J'"]),
        (("dask", "n_workers"), 0, ["dask.n_workers", "0"]),
        (("dask", "dashboard"), "0.0.0.0:8787", ["dask.dashboard", "0.0.0.0:8787"]),
        (("studies",), ["magnon", "nonsense"], ["studies.1", "'nonsense'"]),
        (("surprise",), 3, ["'surprise'", "unknown key"]),
    ],
)
def test_bad_values_name_key_value_and_rule(default, path, value, expected):
    with pytest.raises(ConfigError) as info:
        validate(_mutated(default, path, value))
    message = str(info.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_swept_and_fixed_twice_is_rejected(default):
    config = _mutated(default, ("magnon", "fixed", "bias"), 0.1)
    with pytest.raises(ConfigError, match="given both as fixed and as a sweep axis"):
        validate(config)


# -- property-based: random malformed configurations never escape as anything but ConfigError ----------

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_malformed_configs_give_clean_errors(default, data):
    paths = [p for p in _paths(default) if p]
    path = data.draw(st.sampled_from(paths))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    config = copy.deepcopy(default)
    node = config
    for key in path[:-1]:
        node = node[key]
    if action == "replace":
        node[path[-1]] = data.draw(json_value)
    elif action == "delete":
        del node[path[-1]]
    elif isinstance(node[path[-1]], dict):
        node[path[-1]][data.draw(st.text(max_size=6))] = data.draw(json_value)
    else:
        node[path[-1]] = data.draw(json_value)
    try:
        validate(config)
    except ConfigError as err:
        assert str(err) and "\n" not in str(err) and "Traceback" not in str(err)


@given(st.one_of(json_value, st.lists(json_value)))
@settings(max_examples=100, deadline=None)
def test_arbitrary_documents_give_clean_errors(document):
    try:
        validate(document)
    except ConfigError:
        pass


def _write(tmp_path: Path, config) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_cli_and_snakemake_reject_bad_config_before_writing(default, tmp_path):
    results = tmp_path / "results"
    config = _mutated(default, ("magnon", "fixed", "T"), -2.0)
    config["results"] = str(results)
    path = _write(tmp_path, config)
    cli = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "check", str(path)], capture_output=True,
                         text=True, cwd=REPO)
    assert cli.returncode == 1
    assert "magnon.fixed.T" in cli.stderr and "-2.0" in cli.stderr and "Traceback" not in cli.stderr
    smk = subprocess.run(["snakemake", "--cores", "1", "--configfile", str(path),
                          "--dry-run"], capture_output=True, text=True, cwd=REPO)
    assert smk.returncode != 0
    assert "magnon.fixed.T" in smk.stdout + smk.stderr
    assert not results.exists()


def test_schema_is_valid_json_schema():
    import jsonschema

    from spinsweep.workflow.config import schema

    jsonschema.Draft202012Validator.check_schema(schema())
