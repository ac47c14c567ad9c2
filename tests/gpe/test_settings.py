"""One configuration language: config/schema/gpe.schema.yaml (validated in the workflow layer) -> typed
RunSettings (defaults filled in one place) -> the solver; and the ``spinsweep gpe run`` command line."""

import dataclasses
import subprocess
import sys

import pytest

from spinsweep.solvers.gpe.settings import RunSettings
from spinsweep.workflow import gpe_cli
from spinsweep.workflow.config import ConfigError, schema_file, validate_with
from gpe_helpers import REPO, cli_env


def _objects(node, path=()):
    """Every object schema with properties in the gpe schema, with its dotted path."""
    if isinstance(node, dict):
        if "properties" in node:
            yield path, node
            for key, sub in node["properties"].items():
                yield from _objects(sub, path + (key,))


def test_schema_is_closed_and_documented():
    schema = schema_file("gpe")
    for path, node in _objects(schema):
        assert node.get("additionalProperties") is False, path
        for key, sub in node["properties"].items():
            assert sub.get("description"), path + (key,)


def test_schema_defaults_are_the_settings_defaults():
    """The schema documents the defaults; RunSettings fills them in: both must say the same."""
    props = schema_file("gpe")["properties"]
    defaults = RunSettings().to_dict()
    for section, value in defaults.items():
        if isinstance(value, dict) and section in ("time", "grid", "initial", "output", "checkpoint", "checks",
                                                  "noise"):
            for key, v in value.items():
                assert props[section]["properties"][key]["default"] == v, (section, key)
        elif section not in ("physical", "model"):
            assert props[section]["default"] == value, section
    # and from_mapping of a minimal mapping gives exactly those defaults
    s = RunSettings.from_mapping({"preset": "paper118"})
    assert dataclasses.replace(s, preset=None) == RunSettings()


def test_schema_errors_name_key_value_and_allowed():
    with pytest.raises(ConfigError, match=r"config key 'gpe.time.dt': value -1 is not allowed"):
        validate_with({"preset": "paper118", "time": {"dt": -1}}, "gpe", prefix=("gpe",))
    with pytest.raises(ConfigError, match=r"config key 'gpe.noise.kindd': unknown key"):
        validate_with({"preset": "paper118", "noise": {"kindd": "wigner"}}, "gpe", prefix=("gpe",))
    with pytest.raises(ConfigError, match=r"gpe.model.omega_R"):
        validate_with({"model": {"shape": [64], "box": [1.0], "g11": 1, "g22": 1, "g12": 1, "omega_R": [1, -1],
                                 "atom_number": 1}}, "gpe", prefix=("gpe",))
    validate_with({"preset": "paper62", "time": {"scheme": "yoshida4"}, "noise": {"kind": "wigner", "seed": 7}},
                  "gpe", prefix=("gpe",))


def test_set_values_are_coerced_by_the_schema_type():
    cfg = gpe_cli.build_config(None, "paper118", ["time.dt=0.002", "time.output_every=5", "output.psi=true",
                                                  "time.t_final=null", "noise.kind=wigner", "noise.seed=12",
                                                  "gpe.checkpoint.every_wall_s=30"])
    assert cfg["time"] == {"dt": 0.002, "output_every": 5, "t_final": None}
    assert cfg["output"]["psi"] is True and cfg["noise"] == {"kind": "wigner", "seed": 12}
    assert cfg["checkpoint"]["every_wall_s"] == 30.0
    model = gpe_cli.build_config(None, None, ["model.shape=[64]", "model.box=[10]", "model.g11=1", "model.g22=1",
                                              "model.g12=[0.5, 0.6]", "model.omega_R=1", "model.atom_number=5"])
    assert model["model"]["g12"] == [0.5, 0.6] and model["model"]["shape"] == [64]
    with pytest.raises(ConfigError, match="gpe.time.dt"):
        gpe_cli.build_config(None, "paper118", ["time.dt=fast"])
    with pytest.raises(ConfigError, match="gpe.initial.protocol"):
        gpe_cli.build_config(None, "paper118", ["initial.protocol=magic"])


#: files the bad-input cases refer to as {name}
FILES = {
    "malformed.yaml": "time: {dt: [0.1,\n",
    "malformed.json": '{"time": {"dt": 0.1,',
    "duplicate.yaml": "preset: paper118\ntime:\n  dt: 0.001\n  dt: 0.002\n",
    "duplicate.json": '{"preset": "paper118", "preset": "paper62"}',
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n" for p, k in zip("abcdefgh", "bcdefghi")),
    "list.yaml": "- preset\n- paper118\n",
    "a_file": "not a directory\n",
}

CONFIG = "invalid configuration: "


@pytest.mark.parametrize("args, message", [
    (["--set", "time.t_final=abc"], CONFIG + "config key 'gpe.time.t_final': value 'abc' is not allowed"),
    (["--set", "time.t_final=.inf"], CONFIG + "config key 'gpe.time.t_final': value inf is not allowed: must be a finite"),
    (["--set", "time.t_final=nan"], CONFIG + "config key 'gpe.time.t_final': value nan is not allowed: must be a finite"),
    (["--set", "time.t_final=1e308"], CONFIG + "config key 'gpe.time.t_final': value 1e+308 is not allowed: inf time steps"),
    (["--set", "time.t_final=-1"], CONFIG + "config key 'gpe.time.t_final': value -1 is not allowed"),
    (["--set", "time.dt=0"], CONFIG + "config key 'gpe.time.dt': value 0 is not allowed"),
    (["--set", "time.dt=fast"], CONFIG + "config key 'gpe.time.dt': value 'fast' is not allowed"),
    (["--set", "time.dt=abc"], CONFIG + "config key 'gpe.time.dt': value 'abc' is not allowed"),
    (["--set", "time.dt=0.5"], CONFIG + "config key 'gpe.time.dt': dt=0.5: too large"),
    (["--set", "grid.n_x=1e11"], CONFIG + "config key 'gpe.grid.n_x': value 100000000000 is not allowed: the run needs"),
    (["--set", "grid.n_x=7"], CONFIG + "config key 'gpe.grid.n_x': value 7 is not allowed"),
    (["--set", "checkpoint.every_wall_s=soon"], CONFIG + "config key 'gpe.checkpoint.every_wall_s': value 'soon'"),
    (["--set", "output.psi=maybe"], CONFIG + "config key 'gpe.output.psi': value 'maybe' is not allowed"),
    (["--set", "no.such.key=1"], CONFIG + "config key 'gpe.no': unknown key"),
    (["--set", "time.dt"], CONFIG + "--set 'time.dt': expected KEY=VALUE"),
    (["--config", "{tmp}/missing.yaml"], CONFIG + "config file {tmp}/missing.yaml does not exist"),
    (["--config", "{tmp}/malformed.yaml"], CONFIG + "config file {tmp}/malformed.yaml is not valid YAML"),
    (["--config", "{tmp}/malformed.json"], CONFIG + "config file {tmp}/malformed.json is not valid JSON"),
    (["--config", "{tmp}/duplicate.yaml"], "is not valid YAML: duplicate key 'dt'"),
    (["--config", "{tmp}/duplicate.json"], "is not valid JSON: duplicate key 'preset'"),
    (["--config", "{tmp}/bomb.yaml"], "is not valid YAML: expands to more than"),
    (["--config", "{tmp}/list.yaml"], "expected a mapping of gpe keys"),
    (["--config", "{tmp}"], CONFIG + "config file {tmp} is a directory"),
    (["--store", "{tmp}/a_file/run.zarr"], "error: store {tmp}/a_file/run.zarr: cannot be created: {tmp}/a_file is a file"),
    (["--store", "{tmp}/a_file"], "error: store {tmp}/a_file: exists and is not a zarr store"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_cli_bad_input_stops_with_one_line(tmp_path, capfd, args, message):
    """Every bad input of ``spinsweep gpe run`` (issue 9's list and more) ends before any work with exit status 1
    and exactly one line on stderr naming the key or file, the value and what is allowed -- no traceback.  (A
    damaged checkpoint is not an input error: the run falls back and warns, tests/gpe/test_checkpoint_integrity.)"""
    import signal

    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    message = message.replace("{tmp}", str(tmp_path))
    store = tmp_path / "x.zarr"
    if "--store" not in args:
        args += ["--store", str(store)]
    if "--config" not in args:
        args += ["--preset", "paper118"]
    handler = signal.getsignal(signal.SIGTERM)
    try:
        code = gpe_cli.cli(["run", *args])
    finally:
        signal.signal(signal.SIGTERM, handler)
    out, err = capfd.readouterr()
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith("spinsweep: ") and message in lines[0], lines[0]
    assert not store.exists() and not (tmp_path / "a_file" / "run.zarr").exists()


def test_cli_bad_value_in_a_subprocess_stops_with_one_line(tmp_path):
    """The same through the installed entry point in its own process (nothing printed before the error)."""
    res = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "gpe", "run", "--preset", "paper118",
                          "--store", str(tmp_path / "x.zarr"), "--set", "time.dt=fast"], cwd=REPO, env=cli_env(),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinsweep: invalid configuration: "), res.stderr
    assert "config key 'gpe.time.dt': value 'fast' is not allowed" in lines[0]
    assert not (tmp_path / "x.zarr").exists()
