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


@pytest.mark.parametrize("args, message", [
    (["--set", "time.dt=abc"], "config key 'gpe.time.dt': value 'abc' is not allowed"),
    (["--set", "time.dt=0.5"], "config key 'gpe.time.dt': dt=0.5: too large"),
])
def test_cli_bad_values_stop_with_one_line(tmp_path, args, message):
    res = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "gpe", "run", "--preset", "paper118",
                          "--store", str(tmp_path / "x.zarr"), *args], cwd=REPO, env=cli_env(),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinsweep: invalid configuration: "), res.stderr
    assert message in lines[0]
    assert not (tmp_path / "x.zarr").exists()
