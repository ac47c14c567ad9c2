"""The ``spinsweep`` command: validate a configuration, run the workflow with its report, single GPE runs.

    spinsweep check [CONFIG]              validate a configuration (one clear line and exit 1 if bad)
    spinsweep run [--cores N] [--configfile FILE] [--directory DIR] [-n] [--no-verify | --verify-all] [...]
                                          the workflow (default sweep) and its HTML report, in DIR (default:
                                          the current directory); anything else goes to Snakemake unchanged.
                                          Complete stores under the results directory are first checked
                                          against their checksums (those whose files are unchanged since
                                          their last check are skipped; --verify-all rehashes them too); a
                                          damaged one is moved aside and redone
    spinsweep profiles                    link the Snakemake profiles (slurm, local) into ~/.config/snakemake
    spinsweep --version
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from spinsweep.workflow import gpe_cli
from spinsweep.workflow.config import (
    DEFAULT_CONFIG,
    PROFILES,
    SNAKEFILE,
    ConfigError,
    coerce,
    fill_defaults,
    load,
    read_yaml,
    validate,
)
from spinsweep.workflow.launcher import REPORT_IF_STALE


class UserError(Exception):
    """A mistake the user can fix; printed as one line, no traceback."""


def _version() -> str:
    try:
        return version("spinsweep")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown"


def _load(path: Path, overrides: dict | None = None) -> dict:
    try:
        if not overrides:
            return load(path)
        config = read_yaml(path)
        if not isinstance(config, dict):
            return validate(config)
        fill_defaults(config)
        return validate(coerce(_merged(config, overrides)))
    except ConfigError as err:
        raise UserError(f"invalid configuration: {err}") from None


def _merged(base: dict, override: dict) -> dict:
    """``override`` merged into ``base`` key by key (Snakemake's rule for ``--config`` values)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


def config_overrides(extra: list[str]) -> tuple[list[str], dict]:
    """Snakemake arguments with ``--config a.b.c=v`` entries rewritten for Snakemake (which takes top-level
    keys only: ``a={"b": {"c": "v"}}``), and the overrides as a nested mapping of strings (coerced by schema
    type when validated, as in the Snakefile)."""
    if "--config" not in extra:
        return extra, {}
    import yaml

    start, stop = _config_span(extra)
    nested: dict = {}
    plain = []
    for entry in extra[start:stop]:
        key, sep, value = entry.partition("=")
        if not sep:
            raise UserError(f"--config {entry}: give key=value (e.g. magnon.fits.noise=0.02)")
        if "." in key:
            node = nested
            *parents, leaf = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise UserError(f"--config {entry}: {part} is given both as a value and as a section")
            node[leaf] = value
        else:
            plain.append(entry)
            try:
                parsed = yaml.load(value, Loader=yaml.BaseLoader) if value else None
            except yaml.YAMLError:
                parsed = value
            nested[key] = _merged(nested[key], parsed) if isinstance(nested.get(key), dict) and \
                isinstance(parsed, dict) else parsed
    rewritten = plain + [f"{top}={json.dumps(nested[top])}" for top in nested
                         if any(e.startswith(f"{top}.") for e in extra[start:stop])]
    return extra[:start] + rewritten + extra[stop:], nested


def _check(args) -> int:
    path = Path(args.config)
    if path.is_dir():
        raise UserError(f"{path} is a directory; give a configuration file (YAML)")
    config = _load(path)
    print(f"{path}: valid ({', '.join(config['studies'])})")
    return 0


LAUNCHER = "spinsweep.workflow.launcher"


def _snakemake() -> list[str]:
    """Snakemake in this interpreter (so its jobs import this spinsweep, wherever it is installed), through the
    launcher that leaves the Slurm executor plugins out of a run that cannot use them (workflow/launcher.py)."""
    import importlib.util

    if importlib.util.find_spec("snakemake") is None:
        raise UserError(f"snakemake is not installed for {sys.executable}; install spinsweep with pip "
                        f"(it brings snakemake)")
    return [sys.executable, "-m", LAUNCHER]


def _live_snakemake(directory: Path) -> bool:
    """Is a snakemake process working in ``directory`` now?"""
    import psutil

    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            cmd = proc.info["cmdline"] or []
            if proc.pid != os.getpid() and any(Path(c).name == "snakemake" or c == LAUNCHER for c in cmd[:3]) and \
                    Path(proc.info["cwd"] or "/").resolve() == directory.resolve():
                return True
        except (psutil.Error, OSError):
            continue
    return False


def _stale_locks(directory: Path) -> bool:
    """Snakemake locks left behind by a killed run: present, and no live snakemake process works in ``directory``."""
    locks = directory / ".snakemake" / "locks"
    if not locks.is_dir() or not any(locks.iterdir()):
        return False
    return not _live_snakemake(directory)


VERIFIED = Path(".snakemake") / "spinsweep" / "verified.json"  # in the run directory, beside Snakemake's metadata


def verify_results(results: Path, *, move: bool = True, cache: Path | None = None,
                   verify_all: bool = False) -> list[str]:
    """Check every complete store under ``results`` against its checksums; move damaged ones aside (so that
    Snakemake sees a missing output and reruns its producer).  Returns one line per damaged store.

    With ``cache`` (a JSON file), a store whose file listing (:func:`spinsweep.solvers.store.fingerprint`:
    names, sizes, mtimes, ctimes, inodes) is the one recorded there after its last full check is not hashed
    again, and the file is rewritten with the stores that passed now; ``verify_all`` ignores what it holds.
    Damage that changes none of those (below the file system) is then left to the jobs that read the store,
    which verify it in full (see the fingerprint's docstring)."""
    from spinsweep.solvers import store

    lines: list[str] = []
    if not results.is_dir():
        return lines
    known = {} if cache is None or verify_all else _read_verified(cache)
    passed = {}
    for root, dirs, _files in os.walk(results):
        keep = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue  # partial writes and stores already moved aside
            if not name.endswith(".zarr"):
                keep.append(name)
                continue
            path = Path(root) / name
            key = str(path.resolve())
            try:
                stamp = store.fingerprint(path)
            except OSError:  # a file vanished while listed: check it in full
                stamp = None
            if stamp is not None and known.get(key) == stamp:
                passed[key] = stamp
                continue
            try:
                store.verify(path, move=move)
            except store.DamagedStoreError as err:
                lines.append(str(err))
                continue
            if stamp is not None and store.is_complete(path):  # an incomplete store has nothing checked yet
                passed[key] = stamp
        dirs[:] = keep
    if cache is not None:
        _write_verified(cache, passed)
    return lines


def _read_verified(cache: Path) -> dict[str, str]:
    try:
        stores = json.loads(cache.read_text()).get("stores")
    except (OSError, ValueError, AttributeError):
        return {}
    return stores if isinstance(stores, dict) else {}


def _write_verified(cache: Path, stores: dict[str, str]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"about": "stores that passed spinsweep's checksum check, by file listing",
                                   "stores": stores}, indent=0, sort_keys=True))
        os.replace(tmp, cache)
    except OSError:  # a read-only run directory: the next run checks everything again
        pass


def _run(args, extra: list[str]) -> int:
    directory = Path(args.directory).resolve()
    if directory.exists() and not directory.is_dir():
        raise UserError(f"--directory {directory} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    configfile = Path(args.configfile).resolve() if args.configfile else DEFAULT_CONFIG
    extra, overrides = config_overrides(extra)
    config = _load(configfile, overrides)
    results = directory / config["results"]
    report = results / "report.html"
    base = [*_snakemake(), "--snakefile", str(SNAKEFILE), "--directory", str(directory)]
    if args.configfile or overrides:  # --config merges into the file's sections, so name the file
        base += ["--configfile", str(configfile)]
    cmd = [*base, "--rerun-incomplete"]  # a job killed mid-write is redone (its output is never taken as done)
    if args.cores:
        cmd += ["--cores", str(args.cores)]
    # one Snakemake process: it builds the report after the run, and only when the report is missing or older
    # than a figure (launcher.REPORT_IF_STALE), so a run that changes nothing builds none
    want_report = not (args.dry_run or args.no_report)
    if args.dry_run:
        cmd += ["--dry-run"]
    elif want_report:
        cmd += ["--report-after-run", "--report", str(report)]
    cmd += extra
    if not args.no_verify and not _live_snakemake(directory):  # never move stores a running workflow uses
        for line in verify_results(results, move=not args.dry_run, cache=directory / VERIFIED,
                                   verify_all=args.verify_all):
            print(f"spinsweep: {line}", file=sys.stderr, flush=True)
    if _stale_locks(directory):  # a killed run left its locks; no snakemake works here now
        print(f"spinsweep: removing stale Snakemake locks in {directory / '.snakemake'}", flush=True)
        subprocess.run([*base, "--unlock"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd, env={**os.environ, REPORT_IF_STALE: "1"})
    if code == 0 and not args.dry_run:
        _summary(config, results, report if not args.no_report else None)
    return code


def _config_span(extra: list[str]) -> tuple[int, int]:
    """``(start, stop)`` of the ``KEY=VALUE`` words following ``--config`` in ``extra`` (empty: no ``--config``)."""
    if "--config" not in extra:
        return 0, 0
    start = stop = extra.index("--config") + 1
    while stop < len(extra) and not extra[stop].startswith("-"):
        stop += 1
    return start, stop


def _summary(config: dict, results: Path, report: Path | None) -> None:
    lines = ["", "spinsweep: done."]
    for study in config["studies"]:
        lines.append(f"  {study:8s} stores  {results / study}/*.zarr")
        lines.append(f"  {'':8s} figures {results / study / 'figures'}/")
    lines.append(f"  logs            {results / 'logs'}/")
    if report is not None and report.exists():
        lines.append(f"  report          {report}")
    print("\n".join(lines), flush=True)


def _profiles(args) -> int:
    from platformdirs import user_config_dir

    target_dir = Path(user_config_dir("snakemake", "snakemake"))
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in ("slurm", "local"):
        source, link = PROFILES / name, target_dir / name
        if link.is_symlink() or link.exists():
            if link.resolve() == source.resolve():
                print(f"{link} -> {source} (already linked)")
                continue
            if not args.force:
                raise UserError(f"{link} exists and is not ours; use --force to replace it")
            link.unlink() if link.is_symlink() or link.is_file() else shutil.rmtree(link)
        os.symlink(source, link)
        print(f"{link} -> {source}")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="spinsweep", description=__doc__, allow_abbrev=False,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"spinsweep {_version()}")
    sub = ap.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a configuration file", allow_abbrev=False)
    check.add_argument("config", nargs="?", default=str(DEFAULT_CONFIG))
    run = sub.add_parser("run", help="run the workflow and build the HTML report", allow_abbrev=False)
    run.add_argument("--cores", type=int, default=None, help="local cores (omit with --profile)")
    run.add_argument("--configfile", default=None, help="configuration replacing the default sweep")
    run.add_argument("--directory", "-d", default=".", help="where results land (default: here)")
    run.add_argument("-n", "--dry-run", action="store_true", help="plan only: list the jobs, run nothing")
    run.add_argument("--no-report", action="store_true", help="skip the HTML report")
    verify = run.add_mutually_exclusive_group()
    verify.add_argument("--no-verify", action="store_true",
                        help="skip checking the complete stores under the results directory against their checksums")
    verify.add_argument("--verify-all", action="store_true",
                        help="hash every complete store, also those unchanged since their last check")
    profiles = sub.add_parser("profiles", help="link the Snakemake profiles into ~/.config/snakemake")
    profiles.add_argument("--force", action="store_true")
    gpe_cli.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args, extra = ap.parse_known_args(argv)
    if args.command != "run" and extra:
        ap.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return {"check": _check, "run": lambda a: _run(a, extra), "profiles": _profiles,
                "gpe": gpe_cli.main}[args.command](args)
    except UserError as err:
        print(f"spinsweep: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("spinsweep: interrupted; run the same command again to finish the work", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
