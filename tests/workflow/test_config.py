"""Configuration validation: every bad configuration ends in one clean message, never a traceback."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinsweep.workflow.config import DEFAULT_CONFIG, ROOT as REPO, ConfigError, coerce_text, load, validate


@pytest.fixture(scope="module")
def default() -> dict:
    with open(DEFAULT_CONFIG) as fh:
        return yaml.safe_load(fh)


def test_default_and_study_configs_are_valid():
    load(DEFAULT_CONFIG)
    for path in sorted((REPO / "config" / "studies").glob("*.yaml")):
        load(path)


def test_schema_files_read_the_same_with_the_fast_and_the_guarded_loader():
    """The schema is read with libyaml's loader (every Snakemake start); the guarded loader of user configs
    would refuse duplicate keys and read YAML 1.2 floats: each schema file must give the same document."""
    from spinsweep.workflow.config import SCHEMA_PATH, read_schema_yaml, read_yaml

    files = sorted(SCHEMA_PATH.parent.glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        assert read_schema_yaml(path) == read_yaml(path), path.name


def test_read_yaml_parses_once_per_content_and_hands_out_copies(tmp_path):
    from spinsweep.workflow.config import read_yaml

    path = tmp_path / "c.yaml"
    path.write_text("a: {b: [1, 2]}\n")
    first = read_yaml(path)
    first["a"]["b"].append(3)  # a caller's change reaches no later reader
    assert read_yaml(path) == {"a": {"b": [1, 2]}}
    path.write_text("a: {b: [1, 2]}\na: 2\n")  # new content is parsed (and refused) afresh
    with pytest.raises(ConfigError, match="duplicate key"):
        read_yaml(path)


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
    smk = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", str(path),
                          "--dry-run"], capture_output=True, text=True, cwd=REPO)
    assert smk.returncode != 0
    assert "magnon.fixed.T" in smk.stdout + smk.stderr
    assert not results.exists()


def test_schema_is_valid_json_schema():
    import jsonschema

    from spinsweep.workflow.config import schema

    jsonschema.Draft202012Validator.check_schema(schema())


# -- issue 9: fixed values, cross-constraints, duplicates, malicious YAML, paths --------------------------

from hypothesis import assume  # noqa: E402

from spinsweep.workflow.config import coerce, read_yaml, schema  # noqa: E402

bad_numbers = st.one_of(st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 10**400]),
                        st.floats(min_value=2e9, max_value=1e308), st.floats(min_value=-1e308, max_value=-2e9),
                        st.integers(min_value=2 * 10**9, max_value=10**30))  # beyond every parameter's range
NUMERIC = {study: [k for k, p in schema()["$defs"][f"{study}_point"]["properties"].items()
                   if p.get("type") in ("number", "integer")] for study in ("magnon", "noble")}


def _expect_one_line(config, *fragments):
    with pytest.raises(ConfigError) as info:
        validate(config)
    message = str(info.value)
    assert "\n" not in message and len(message) < 600, message
    assert message.startswith("config key '"), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fixed_values_out_of_range_or_not_finite_are_refused(default, data):
    study = data.draw(st.sampled_from(["magnon", "noble"]))
    key = data.draw(st.sampled_from(NUMERIC[study]))
    value = data.draw(bad_numbers)
    config = copy.deepcopy(default)
    section = config[study]
    section["sweep"]["axes"].pop(key, None)
    section["sweep"]["zip"] = [g for g in section["sweep"].get("zip", []) if key not in g]
    if not section["sweep"]["zip"]:
        section["sweep"].pop("zip")
    assume(section["sweep"]["axes"])
    section["fixed"][key] = value
    message = _expect_one_line(config, f"{study}.fixed.{key}", "is not allowed")
    assert "value" in message


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=bad_numbers, index=st.integers(0, 3))
def test_axis_values_out_of_range_or_not_finite_are_refused(default, value, index):
    config = copy.deepcopy(default)
    values = [0.001, 0.01, 0.1, 0.5]
    values[index] = value
    config["magnon"]["sweep"]["axes"]["bias"] = {"values": values}
    _expect_one_line(config, f"magnon.sweep.axes.bias.", "is not allowed")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_alkali=st.lists(st.integers(1, 50), min_size=1, max_size=4, unique=True),
       n_noble=st.lists(st.integers(1, 50), min_size=1, max_size=4), fixed_noble=st.booleans())
def test_noble_needs_at_least_as_many_noble_as_alkali_spins(default, n_alkali, n_noble, fixed_noble):
    config = copy.deepcopy(default)
    sweep = config["noble"]["sweep"]
    if fixed_noble:
        sweep["axes"].pop("n_noble")
        sweep.pop("zip")
        config["noble"]["fixed"]["n_noble"] = n_noble[0]
        pairs = [(a, n_noble[0]) for a in n_alkali]
    else:
        n_noble = (n_noble * len(n_alkali))[: len(n_alkali)]  # zipped: equal lengths
        sweep["axes"]["n_noble"] = {"values": n_noble}
        pairs = list(zip(n_alkali, n_noble))
    sweep["axes"]["n_alkali"] = {"values": n_alkali}
    if all(b >= a for a, b in pairs):
        validate(config)
    else:
        _expect_one_line(config, "n_noble", "must be >= n_alkali")


@pytest.mark.parametrize("axes, zip_, where", [
    ({"bias": {"values": [0.1, 0.2, 0.1]}}, None, "magnon.sweep.axes.bias.2"),
    ({"bias": {"linspace": {"start": 0.1, "stop": 0.1, "num": 3}}}, None, "magnon.sweep.axes.bias.1"),
    # (the magnon figures need h_over_T and bias unzipped: the zipped case is noble's (n_alkali, n_noble))
    ({"n_alkali": {"values": [10, 30]}, "n_noble": {"values": [1000, 1000]}}, [["n_alkali", "n_noble"]], None),
])
def test_duplicate_axis_values_are_refused(default, axes, zip_, where):
    config = copy.deepcopy(default)
    study = "noble" if zip_ else "magnon"
    config[study]["sweep"]["axes"].update(axes)
    if zip_:
        config[study]["sweep"]["zip"] = zip_
        validate(config)  # zipped: the pairs (10, 1000), (30, 1000) differ
        config[study]["sweep"]["axes"]["n_alkali"] = {"values": [10, 10]}
        where = "noble.sweep.axes.n_alkali.1"
    _expect_one_line(config, where, "repeats the value")


MALICIOUS = {
    "alias bomb": "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)),
    "recursive alias": "a: &a [*a]\n",
    "deep flow nesting": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep block nesting": "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "x: 1\n",
    "python tag": "results: !!python/object/apply:os.system [echo pwned]\n",
    "unknown tag": "results: !include other.yaml\n",
    "duplicate key": "results: a\nstudies: [magnon]\nresults: b\n",
    "nested duplicate key": "magnon:\n  fixed: {T: 1.0, T: 2.0}\n",
    "yte": "__use_yte__: true\nresults: ?if True: results\n",
    "binary": "\x00\x01\x02 results: x\n",
}


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_malicious_yaml_is_refused_in_one_line_quickly(tmp_path, name):
    import resource

    path = tmp_path / "evil.yaml"
    path.write_text(MALICIOUS[name])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load(path)
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message
    assert elapsed < 1.0 and grown_mb < 200, (elapsed, grown_mb)


def test_malicious_yaml_through_the_cli(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(MALICIOUS["alias bomb"])
    cli = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "check", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 1 and len(cli.stderr.strip().splitlines()) == 1, cli.stderr
    assert "alias bomb" in cli.stderr


@pytest.mark.parametrize("results, ok", [
    ("results", True), ("out/nested/dir", True), ("/tmp/spinsweep-results-test", True),
    ("/dev/null", False), ("a\nb", False), ("tab\there", False), ("../outside", False), ("a/../../b", False),
    ("/", False), ("/proc/self", False), ("", False),
])
def test_results_must_be_a_creatable_directory(default, results, ok):
    config = copy.deepcopy(default)
    config["results"] = results
    if ok:
        validate(config)
    else:
        _expect_one_line(config, "results")


def test_results_that_is_an_existing_file_is_refused(default, tmp_path):
    (tmp_path / "file").write_text("")
    config = copy.deepcopy(default)
    config["results"] = str(tmp_path / "file" / "sub")
    _expect_one_line(config, "results", "is not a directory")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(min_size=1, max_size=30))
def test_any_results_string_gives_a_clean_answer(default, path):
    config = copy.deepcopy(default)
    config["results"] = path
    try:
        validate(config)
    except ConfigError as err:
        assert "\n" not in str(err)


@pytest.mark.parametrize("section, key, value", [("dask", "n_workers", 1025), ("dask", "threads_per_worker", 10**6),
                                                 ("magnon", "fits", {"noise": 0.01, "realisations": 10**9})])
def test_resource_counts_are_bounded(default, section, key, value):
    config = copy.deepcopy(default)
    config[section][key] = value
    _expect_one_line(config, f"{section}.{key}")


NUM, INT, BOOL = {"type": "number"}, {"type": "integer"}, {"type": "boolean"}
BATCHABLE = {"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}}]}


@pytest.mark.parametrize("raw, node, expected", [
    ("0.02", NUM, 0.02), ("41", NUM, 41), ("1e3", NUM, 1000.0), (" -2.5 ", NUM, -2.5),
    ("inf", NUM, math.inf), (".inf", NUM, math.inf), ("-.inf", NUM, -math.inf),
    ("41", INT, 41), ("1e3", INT, 1000), ("1e11", INT, 10**11), ("1.5", INT, "1.5"), ("inf", INT, "inf"),
    ("abc", NUM, "abc"), ("abc", INT, "abc"),
    *[(t, BOOL, True) for t in ("true", "True", "yes", "on", "ON", "1")],
    *[(t, BOOL, False) for t in ("false", "No", "off", "0")],
    ("maybe", BOOL, "maybe"), ("1", {"type": ["integer", "boolean"]}, 1),
    ("null", {"type": ["number", "null"]}, None), ("None", {"type": ["integer", "null"]}, None),
    ("~", {"type": ["string", "null"]}, None), ("", {"type": ["number", "null"]}, None),
    ("null", NUM, "null"), ("null", {"enum": ["paper118", None]}, None),
    ("paper118", {"enum": ["paper118", None]}, "paper118"), ("1.0", {"type": "string"}, "1.0"),
    ("none", {"enum": ["none", "wigner", None]}, "none"), ("null", {"enum": ["none", "wigner", None]}, None),
    ("1.5", BATCHABLE, 1.5), ("[0.5, 0.6]", BATCHABLE, [0.5, 0.6]),
    ("[1, 2", {"type": "array"}, "[1, 2"), ("{a: 1}", {}, {"a": 1}), ("{a: 1, a: 2}", {}, "{a: 1, a: 2}"),
    ("0.5", {"$ref": "#/$defs/x"}, 0.5),
])
def test_one_coercer_reads_command_line_strings_by_schema_type(raw, node, expected):
    """The one rule for ``--config`` (Snakemake) and ``gpe run --set`` strings: null / integer (integral floats
    too) / number (ints stay ints, as YAML reads them; YAML's .inf) / boolean (true/yes/on, 1/0 only where no
    number is allowed) / arrays and unknown keys through the bounded YAML loader; anything else unchanged, for
    validation to name."""
    got = coerce_text(raw, node, {"x": NUM})
    assert got == expected and type(got) is type(expected), (raw, node, got)


def test_an_allowed_word_is_not_read_as_null(default):
    """``noise: none`` in a file is the enum word, not null (which would mean "follow torque.noise"): the
    default config's Fig. 3 panel is the deterministic GPE of the paper's Fig. 3b."""
    assert validate(coerce(copy.deepcopy(default)))["torque"]["panels"]["fig3"]["noise"] == "none"


def test_config_strings_are_coerced_by_schema_type(default):
    config = copy.deepcopy(default)
    config["magnon"]["fits"]["noise"] = "0.02"
    config["magnon"]["fixed"]["n_t"] = "41"
    config["dask"]["progress"] = "false"
    config["magnon"]["sweep"]["axes"]["bias"] = {"values": ["0.001", "0.1"]}
    out = validate(coerce(config))
    assert out["magnon"]["fits"]["noise"] == 0.02 and out["magnon"]["fixed"]["n_t"] == 41
    assert out["dask"]["progress"] is False and out["magnon"]["sweep"]["axes"]["bias"]["values"] == [0.001, 0.1]
    config["magnon"]["fits"]["noise"] = "nan"
    _expect_one_line(coerce(config), "magnon.fits.noise", "finite")


def test_snakemake_config_override_of_a_number(tmp_path):
    """`spinsweep run --config magnon.fits.noise=0.02` plans (Snakemake gets the value as a string); a bad one
    stops with one line."""
    base = [sys.executable, "-m", "spinsweep.workflow.cli", "run", "-n", "--directory", str(tmp_path), "--config"]
    ok = subprocess.run(base + ["magnon.fits.noise=0.02", "studies=[magnon]"], capture_output=True, text=True,
                        timeout=300)
    assert ok.returncode == 0, ok.stderr[-2000:]
    bad = subprocess.run(base + ["magnon.fits.noise=inf"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "magnon.fits.noise" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_large_sweep_validates_in_linear_time(default):
    config = copy.deepcopy(default)
    config["studies"] = ["magnon"]
    config["magnon"]["sweep"]["axes"] = {"h_over_T": {"logspace": {"start": -3, "stop": 1, "num": 1000}},
                                         "bias": {"linspace": {"start": 1e-4, "stop": 0.5, "num": 1000}}}
    start = time.perf_counter()
    validate(config)
    assert time.perf_counter() - start < 2.0
    from spinsweep.workflow.sweep import Sweep

    sweep = Sweep.from_section(config["magnon"])
    assert sweep.n_batches <= 2000 and sweep.batch_size == 500
    assert list(sweep.batch(1999))[-1] == 10**6 - 1


# --- figure needs: each requested figure can be drawn from the points of the sweep (issue 9) -----------------

def _noble(config, **axes):
    config["studies"] = ["noble"]
    config["noble"]["sweep"]["axes"].update({k: {"values": v} for k, v in axes.items()})
    return config


def _magnon(config, fixed=None, axes=None, zip_=None):
    config["studies"] = ["magnon"]
    magnon = config["magnon"]
    for key, value in (fixed or {}).items():
        magnon["sweep"]["axes"].pop(key, None)
        magnon["fixed"][key] = value
    for key, values in (axes or {}).items():
        magnon["fixed"].pop(key, None)
        magnon["sweep"]["axes"][key] = {"values": values}
    if zip_:
        magnon["sweep"]["zip"] = zip_
    return config


# (study, figure, how the sweep fails it, the key named, figures still drawable from that sweep)
NOBLE_PANELS_AND_MODES = ["fig3a", "fig3b", "fig3c", "fig3d", "fig3e", "fig2a", "fig2b", "fig2c", "fig4a", "fig4b",
                          "modes_convergence", "map_polarization", "map_field_density", "map_density_radius"]
FIGURE_GAPS = [
    # with the Fig. 3 panels left out (no_panels): the panels alone supply these three
    ("noble", "sweep_J", lambda c: _noble(c, initial=["localized"]), "noble.sweep.axes.initial",
     NOBLE_PANELS_AND_MODES),
    # <phi> >= 1, delta_phi = 3<phi>, N_a = N_b: J_f/gamma_f = 2/(alpha <phi> (1 + 9)) <= 0.21 < 3
    ("noble", "sweep_gamma", lambda c: _noble(c, phi_mean=[1.0, 2.0], phi_std_ratio=[3.0], n_alkali=[100],
                                              n_noble=[100]), "noble.sweep.axes.phi_mean",
     NOBLE_PANELS_AND_MODES + ["sweep_J"]),
    ("noble", "collective_vs_localized", lambda c: _noble(c, initial=["collective"]), "noble.sweep.axes.initial",
     NOBLE_PANELS_AND_MODES + ["sweep_J", "sweep_gamma", "contrast_vs_detuning"]),
    # the panels are all resonant: one detuning cannot make a contrast curve, panels or not
    ("noble", "contrast_vs_detuning", lambda c: _noble(c, detuning_over_2J=[0.0]),
     "noble.sweep.axes.detuning_over_2J",
     NOBLE_PANELS_AND_MODES + ["sweep_J", "sweep_gamma", "collective_vs_localized"]),
    ("magnon", "conductances", lambda c: _magnon(c, axes={"h_over_T": [0.5]}), "magnon.sweep.axes.h_over_T",
     ["traces", "fits"]),
    ("magnon", "relaxation_times", lambda c: _magnon(c, axes={"h_over_T": [0.5]}), "magnon.sweep.axes.h_over_T",
     ["traces", "fits"]),
    # spin needs bias < 2 h/T = 0.004: no point starts gapped in both protocols
    ("magnon", "traces", lambda c: _magnon(c, axes={"h_over_T": [0.001, 0.002], "bias": [0.1, 0.5]}),
     "magnon.sweep.axes.bias", ["conductances", "relaxation_times", "fits"]),
    ("magnon", "fits", lambda c: _magnon(c, fixed={"h_over_T": 0.5}), "magnon.fixed.h_over_T", []),
    ("magnon", "fits", lambda c: _magnon(c, axes={"T": [1.0, 2.0]}), "magnon.sweep.axes.T", []),
    ("magnon", "traces", lambda c: _magnon(c, axes={"h_over_T": [0.1, 1.0], "bias": [0.01, 0.001]},
                                           zip_=[["h_over_T", "bias"]]), "magnon.sweep.axes.bias", []),
]


@pytest.fixture
def no_panels(monkeypatch):
    """Fig. 3 presets without panels: the sweep alone must supply the sweep figures."""
    import spinsweep.solvers.collisions as collisions

    monkeypatch.setattr(collisions, "fig3_presets", lambda scale: {})


@pytest.mark.parametrize("study, figure, fail, key, drawable", FIGURE_GAPS,
                         ids=[f"{g[0]}-{g[1]}-{g[3].rsplit('.', 1)[-1]}" for g in FIGURE_GAPS])
def test_a_requested_figure_the_sweep_cannot_supply_stops_validation(default, no_panels, study, figure, fail, key,
                                                                      drawable):
    config = fail(copy.deepcopy(default))
    config[study]["figures"] = [figure]
    message = _expect_one_line(config, f"'{key}'", figure, f"leave {figure} out of {study}.figures")
    assert "value " in message.split("is not allowed")[0]
    if drawable:  # the check is per requested figure: the figures this sweep can supply validate
        config[study]["figures"] = drawable
        validate(config)
    del config[study]["figures"]  # default: every figure is requested
    _expect_one_line(config, f"'{key}'")


@pytest.mark.parametrize("figure", ["sweep_J", "sweep_gamma", "collective_vs_localized"])
def test_fig3_panels_supply_the_sweep_figures_they_belong_to(default, figure):
    """fits.zarr holds the Fig. 3 panels next to the sweep points (the captions say so): fig3a/c are collective
    and resonant, fig3c/d weakly decaying, so these figures never need more from the sweep."""
    fail = next(g[2] for g in FIGURE_GAPS if g[1] == figure)
    config = fail(copy.deepcopy(default))
    config["noble"]["figures"] = [figure]
    validate(config)


def test_the_sweep_parameter_that_leaves_a_figure_no_point_is_named(default):
    """Blame goes to the sweep (the panels are fixed): all-localized sweep points leave the contrast curve only
    the resonant panels, and the key named is the initial state, fixed here, not the weak-decay step after it."""
    config = copy.deepcopy(default)
    config["studies"] = ["noble"]
    config["noble"]["sweep"]["axes"].pop("initial")
    config["noble"]["fixed"]["initial"] = "localized"
    _expect_one_line(config, "'noble.fixed.initial': value 'localized'", "contrast_vs_detuning",
                     "no sweep point is collective")
    config["noble"]["figures"] = ["sweep_J", "sweep_gamma", "collective_vs_localized"]  # the panels supply these
    validate(config)


def test_figures_must_be_the_studys_own(default):
    config = copy.deepcopy(default)
    config["magnon"]["figures"] = ["conductances", "fig3a"]
    _expect_one_line(config, "magnon.figures.1", "fig3a")
    config["magnon"]["figures"] = []
    _expect_one_line(config, "magnon.figures")


def test_validation_and_fit_table_agree_on_the_detuning_axis():
    """The check reads Delta/(2J) as the configured detuning_over_2J; the figure reads detuning / (2 J_formula)
    from the fit table, where the solver set detuning = detuning_over_2J * 2J with its own exchange rate.  Both
    J are sqrt(N_a/N_b)<phi>/2 (SI section 1) through one function, so they agree to rounding (1e-12 relative,
    far below the 1e-6 at which the figure tells detunings apart)."""
    import numpy as np

    from spinsweep.analysis.noble.formulas import J_formula
    from spinsweep.solvers.collisions import exchange_rate

    rng = np.random.default_rng(9)
    for _ in range(200):
        na = int(rng.integers(1, 10**6))
        nb = na * int(rng.integers(1, 1000))
        phi, d = float(rng.uniform(1e-6, 3.0)), float(rng.uniform(-1000, 1000))
        stored = d * 2 * exchange_rate(na, nb, phi)
        assert stored / (2 * float(J_formula(na, nb, phi))) == pytest.approx(d, rel=1e-12, abs=1e-12)


def test_noble_needs_count_sweep_points_without_expanding_the_sweep():
    """Runs.count on masks broadcast over the sweep axes equals the count over the expanded points."""
    import itertools

    import numpy as np

    from spinsweep.analysis.noble.needs import NEEDS, Runs, select, sweep_runs, unmet

    axes = {"n_alkali": [10, 30, 100], "n_noble": [1000], "phi_mean": [5e-4, 1e-2, 0.5],
            "phi_std_ratio": [0.0, 3.0], "initial": ["collective", "localized"],
            "detuning_over_2J": [0.0, 0.5, 2.0]}
    shape = [len(v) for v in axes.values()]
    params = {k: np.asarray(v, dtype=object if k == "initial" else None).reshape(
        [len(v) if j == i else 1 for j in range(len(axes))]) for i, (k, v) in enumerate(axes.items())}
    runs = sweep_runs(params)
    rows = list(itertools.product(*axes.values()))
    flat = sweep_runs({k: np.asarray([r[i] for r in rows], dtype=object if k == "initial" else None)
                       for i, k in enumerate(axes)})
    assert runs.n == flat.n == int(np.prod(shape))
    for figure in NEEDS:
        for mask, flat_mask in zip(select(figure, runs.columns), select(figure, flat.columns)):
            assert runs.count(mask) == int(np.sum(flat_mask)) > 0, figure
        assert unmet(figure, [runs]) is None and unmet(figure, [flat]) is None
    one = Runs(flat.columns, flat.n)
    assert sorted(set(one.values(select("contrast_vs_detuning", flat.columns)[0], "detuning_over_2J"))) == [
        0.0, 0.5, 2.0]


def test_requested_figures_are_the_only_outputs(default, tmp_path):
    """A `figures:` subset builds only those figures: the dry run plans no sweep, panels or fits for noble
    modes figures, only the two modes parts they are drawn from, and magnon declares only traces."""
    import re

    config = copy.deepcopy(default)
    config.update(studies=["magnon", "noble"], results=str(tmp_path / "results"))
    config["noble"]["figures"] = ["map_polarization", "fig2a"]
    config["magnon"]["figures"] = ["traces"]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    run = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
                          str(tmp_path), "--configfile", str(path), "--dry-run"], capture_output=True, text=True,
                         timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out, flags=re.M))
    from spinsweep.workflow.sweep import Sweep

    batches = Sweep.from_section(config["magnon"]).n_batches  # magnon's sweep; none of noble's
    assert {k: int(v) for k, v in jobs.items() if k != "total"} == {
        "all": 1, "noble_modes_part": 2, "noble_modes_figures": 1,
        "sweep_batch": batches, "sweep_aggregate": 1, "magnon_fits": 1, "magnon_figures": 1}, jobs
    pngs = set(re.findall(r"(\w+)/figures/(\w+)\.png", out))
    assert pngs == {("noble", "map_polarization"), ("noble", "fig2a"), ("magnon", "traces")}, pngs
    assert "modes/fig2.zarr" in out and "modes/map_polarization.zarr" in out and "modes/fig4.zarr" not in out
    assert not (tmp_path / "results").exists()
