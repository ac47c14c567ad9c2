"""The ``spinsweep`` command: validate a configuration, run the workflow, build the report.

    spinsweep check [CONFIG]            validate a configuration (exit 1 with one clear message if bad)
    spinsweep run [--cores N] [--configfile FILE] [SNAKEMAKE ARGS...]
                                        snakemake (default sweep) then the HTML report
    spinsweep profiles                  link cluster/slurm and cluster/local into ~/.config/snakemake,
                                        so that `snakemake --profile slurm` finds them from any directory
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from spinsweep.workflow import gpe_cli
from spinsweep.workflow.config import DEFAULT_CONFIG, PROFILES, ROOT, SNAKEFILE, ConfigError, load


def _check(args) -> int:
    try:
        config = load(args.config)
    except ConfigError as err:
        print(f"spinsweep: invalid configuration: {err}", file=sys.stderr)
        return 1
    print(f"{args.config}: valid ({', '.join(config['studies'])})")
    return 0


def _run(args, extra: list[str]) -> int:
    configfile = Path(args.configfile) if args.configfile else DEFAULT_CONFIG
    try:
        config = load(configfile)
    except ConfigError as err:
        print(f"spinsweep: invalid configuration: {err}", file=sys.stderr)
        return 1
    base = ["snakemake", "--snakefile", str(SNAKEFILE), "--directory", str(ROOT)]
    if args.configfile:
        base += ["--configfile", str(configfile.resolve())]
    run = base + (["--cores", str(args.cores)] if args.cores else []) + extra
    print("+", " ".join(run), flush=True)
    code = subprocess.call(run)
    if code or args.no_report:
        return code
    report = Path(config["results"]) / "report.html"
    cmd = base + ["--report", str(report)]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd)


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
                print(f"spinsweep: {link} exists and is not ours; use --force to replace it", file=sys.stderr)
                return 1
            link.unlink() if link.is_symlink() or link.is_file() else None
        os.symlink(source, link)
        print(f"{link} -> {source}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spinsweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a configuration file")
    check.add_argument("config", nargs="?", default=str(DEFAULT_CONFIG))
    run = sub.add_parser("run", help="run the workflow and build the HTML report")
    run.add_argument("--cores", type=int, default=None, help="local cores (omit with --profile)")
    run.add_argument("--configfile", default=None, help="configuration replacing config/config.yaml")
    run.add_argument("--no-report", action="store_true", help="skip the HTML report")
    profiles = sub.add_parser("profiles", help="link the Snakemake profiles into ~/.config/snakemake")
    profiles.add_argument("--force", action="store_true")
    gpe_cli.add_parser(sub)
    args, extra = parser.parse_known_args(argv)
    if args.command != "run" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return {"gpe": lambda: gpe_cli.main(args), "check": lambda: _check(args), "run": lambda: _run(args, extra),
            "profiles": lambda: _profiles(args)}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
