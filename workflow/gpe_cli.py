"""``spinsweep gpe run``: one GPE run from the command line (also ``python -m spinsweep.workflow.gpe_cli run``).

    spinsweep gpe run --preset paper118 --store runs/p118.zarr [--config run.yaml] [--set time.t_final=30 ...]
    mpiexec -n P spinsweep gpe run ...          srun --mpi=pmi2 -n P python -m spinsweep.workflow.gpe_cli run ...

The configuration (YAML/JSON file, then ``--preset``, then each ``--set KEY=VALUE``) is the ``gpe`` section
described by ``config/schema/gpe.schema.yaml``; ``--set`` values are read as the type the schema gives the key.
It is validated before anything runs: a bad value stops with one line (``spinsweep: invalid configuration:
config key 'gpe.time.dt': ...``) and exit status 1.  SIGTERM makes the run checkpoint at the next time-chunk
boundary and exit with status 143; running the same command again resumes it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from spinsweep.workflow.config import ConfigError, coerce_text, read_yaml, schema_file, validate_with

PREEMPTED_EXIT = 143  # 128 + SIGTERM, what a batch system expects of a job stopped by SIGTERM


def _subschema(path: list[str]) -> dict | None:
    """The schema of the dotted key ``path`` in the gpe schema (None when the key is unknown)."""
    root = schema_file("gpe")
    node = root
    for key in path:
        props = node.get("properties", {})
        if key not in props:
            return None
        node = props[key]
        if "$ref" in node and "type" not in node:
            node = {**root["$defs"][node["$ref"].rsplit("/", 1)[1]], **node}
    return node


def coerce(path: list[str], raw: str) -> Any:
    """A ``--set`` value read as the schema's type(s) for the key: the rule of Snakemake's ``--config`` values,
    :func:`spinsweep.workflow.config.coerce_text` (the schema check follows)."""
    return coerce_text(raw, _subschema(path), schema_file("gpe").get("$defs", {}))


def _read_json(path: Path) -> Any:
    """A JSON run configuration; duplicate keys and deep nesting refused in one line, as for YAML files."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {path} cannot be read: {getattr(e, 'strerror', None) or e}") from None

    def no_duplicates(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise ConfigError(f"config file {path} is not valid JSON: duplicate key {key!r}")
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except ValueError as e:
        if isinstance(e, ConfigError):
            raise
        raise ConfigError(f"config file {path} is not valid JSON: {str(e).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"config file {path} is not valid JSON: nested too deeply") from None


def build_config(config_file: str | None, preset: str | None, sets: list[str]) -> dict:
    """The run configuration from a file, ``--preset`` and ``--set`` items, validated (ConfigError if bad)."""
    cfg: dict = {}
    if config_file:
        path = Path(config_file)
        cfg = _read_json(path) if path.suffix == ".json" else read_yaml(path)
        cfg = {} if cfg is None else cfg
        if not isinstance(cfg, dict):
            raise ConfigError(f"config file {path}: expected a mapping of gpe keys, not {type(cfg).__name__}")
    if preset:
        cfg["preset"] = preset
    for item in sets:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. time.t_final=30")
        dotted, raw = item.split("=", 1)
        keys = [k for k in dotted.strip().split(".") if k]
        if keys and keys[0] == "gpe":
            keys = keys[1:]
        if not keys:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. time.t_final=30")
        node = cfg
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = coerce(keys, raw)
    validate_with(cfg, "gpe", prefix=("gpe",))
    return cfg


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``gpe run`` on the ``spinsweep`` command's subparsers."""
    gpe = subparsers.add_parser("gpe", help="GPE runs of the torque study (spinsweep gpe run --help)",
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run(gpe.add_subparsers(dest="gpe_command", required=True))
    return gpe


def _add_run(subparsers) -> None:
    run = subparsers.add_parser("run", help="run (or resume) one GPE run into a zarr store")
    run.add_argument("--config", help="YAML or JSON run configuration (keys: config/schema/gpe.schema.yaml)")
    run.add_argument("--preset", help="paper preset: paper118 or paper62")
    run.add_argument("--store", required=True, help="zarr store path of this run")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a config key, e.g. time.t_final=20 (repeatable)")


def _launcher_rank() -> int:
    """This process's rank as the MPI launcher tells it (0 outside MPI): only rank 0 reports errors."""
    for var in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 0


def _error(text: str) -> None:
    if _launcher_rank() == 0:
        print(text, file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    """Run ``args`` of ``spinsweep gpe run``; returns the exit status."""
    from spinsweep.solvers.gpe.run import Preempted, Schedule, run
    from spinsweep.solvers.gpe.settings import RunSettings

    try:
        settings = RunSettings.from_mapping(build_config(args.config, args.preset, args.set))
    except (ConfigError, ValueError, TypeError) as err:
        _error(f"spinsweep: invalid configuration: {err}")
        return 1
    schedule = Schedule.from_settings(settings)
    signal.signal(signal.SIGTERM, schedule.request_stop)
    try:
        run(settings, args.store, schedule=schedule, log=lambda *a: print(*a, flush=True),
            warn=lambda text: _error(f"spinsweep: warning: {text}"))
    except Preempted as stop:
        _error(f"spinsweep: {stop}; run the same command again to resume")
        return PREEMPTED_EXIT
    except ValueError as err:  # physics preconditions (name the config key), store path conflicts: every rank
        kind = "invalid configuration" if str(err).startswith("config key") else "error"
        _error(f"spinsweep: {kind}: {err}")
        return 1
    except (OSError, MemoryError) as err:  # full disk, permissions, a store path that vanished: one line
        what = f"[Errno {err.errno}] {err.strerror}" if isinstance(err, OSError) and err.strerror else \
            f"{type(err).__name__}: {err}"
        _error(f"spinsweep: error: store {args.store}: {what}")
        _abort_other_ranks()
        return 1
    except Exception:  # a failure on one rank would leave the others waiting in a collective: stop them all
        import traceback
        traceback.print_exc()
        _abort_other_ranks()
        return 1
    return 0


def _abort_other_ranks() -> None:
    MPI = sys.modules.get("mpi4py.MPI")
    if MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized() and MPI.COMM_WORLD.Get_size() > 1:
        MPI.COMM_WORLD.Abort(1)


def cli(argv: list[str] | None = None) -> int:
    """``python -m spinsweep.workflow.gpe_cli run ...`` (the same as ``spinsweep gpe run ...``)."""
    parser = argparse.ArgumentParser(prog="python -m spinsweep.workflow.gpe_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run(parser.add_subparsers(dest="gpe_command", required=True))
    return main(parser.parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(cli())
