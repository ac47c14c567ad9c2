"""Snakemake's command line, started without the Slurm executor plugins when the run cannot need them.

    python -m spinsweep.workflow.launcher [SNAKEMAKE ARGS...]     (what ``spinsweep run`` starts)

Why (upstream behaviour, snakemake 9.27 with snakemake-executor-plugin-slurm 2.8): Snakemake builds its
argument parser from every installed executor plugin, before it has read ``--executor`` or any profile
(``snakemake_interface_common.plugin_registry.PluginRegistryBase.collect_plugins`` imports every
``snakemake_executor_plugin_*`` module found by ``pkgutil.iter_modules``; ``import snakemake.cli`` already
creates that registry).  The Slurm plugin computes the help text of its ``--slurm-status-command`` option at
import time: ``_get_status_command_help()`` -> ``should_recommend_squeue_status_command()`` ->
``job_status_query.get_min_job_age()`` runs ``scontrol show config`` with a 10 s timeout whenever ``sinfo``
is on PATH.  On a machine with the Slurm client tools but no answering controller (a laptop or CI runner with
slurm.conf, a login node whose controller is down) every Snakemake start -- even ``--version`` or a run that
has nothing to do -- waits about 9 s for that timeout; with a controller it still costs a round trip.

What: when neither the arguments nor any profile Snakemake would read can select a Slurm executor, this
module creates Snakemake's executor-plugin registry (a singleton: every later ``ExecutorPluginRegistry()`` in
Snakemake returns it) with the ``snakemake_executor_plugin_slurm*`` modules left out of the discovery, and
then runs Snakemake's own ``main``.  Only this process is affected; nothing is uninstalled or patched on
disk.  The Slurm plugins are kept (full discovery, exactly ``python -m snakemake``) when
:func:`slurm_reason` finds any of

* ``--executor``/``-e`` naming a Slurm executor, or any ``--sl...`` option (the plugin's ``--slurm-*``);
* a global profile (``--profile``, or ``$SNAKEMAKE_PROFILE`` when no ``--profile`` is given) or a workflow
  profile (``--workflow-profile``, or the implicit ``profiles/default`` beside the working directory or the
  Snakefile -- Snakemake 9's ``parse_args``) whose YAML names a Slurm executor or a ``slurm-*`` key;
* a profile that cannot be found or read (Snakemake then reports it, with every plugin loaded);
* ``-h``/``--help`` (the help lists every plugin's options).

Jobs that Snakemake submits to Slurm start their own ``python -m snakemake --executor slurm-jobstep``; they
never pass through here.

The report, in the same process: ``spinsweep run`` always asks for ``--report-after-run --report R`` and sets
``SPINSWEEP_REPORT_IF_STALE=1``; this launcher then lets Snakemake build the report after the run only when
:func:`report_current` says it is missing or older than a figure.  A run that changes nothing builds no
report, one that redraws a figure refreshes it, and either way one Snakemake process does the whole run.
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

SLURM_MODULES = "snakemake_executor_plugin_slurm"  # prefix: slurm and slurm_jobstep
REPORT_IF_STALE = "SPINSWEEP_REPORT_IF_STALE"  # set to "1" by `spinsweep run`: build the report only when stale
PROFILE_FILE = re.compile(r"(profile|config)(\.v\d+\+)?\.yaml")  # snakemake.cli.get_profile_dir's names
SNAKEFILES = ("Snakefile", "snakefile", "workflow/Snakefile", "workflow/snakefile")  # snakemake's defaults


class _Unparsed(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # let Snakemake report bad arguments, with every plugin loaded
        raise _Unparsed(message)


def _parser() -> argparse.ArgumentParser:
    """The few Snakemake options that decide the executor (prefixes resolve as in Snakemake's parser: an
    abbreviation unique among all of Snakemake's options is unique among these)."""
    ap = _Parser(add_help=False, allow_abbrev=True)
    ap.add_argument("-h", "--help", action="store_true")
    ap.add_argument("--profile", action="append")
    ap.add_argument("--workflow-profile")
    ap.add_argument("--executor", "-e")
    ap.add_argument("--snakefile", "-s")
    return ap


def _is_slurm(executor) -> bool:
    return isinstance(executor, str) and executor.strip().lower().startswith("slurm")


def _profile_files(profile: str, cwd: Path) -> list[Path]:
    """The YAML files Snakemake may read for a profile (by path, or by name in the working directory and the
    user's and the site's Snakemake config directories); empty when none is found."""
    from platformdirs import AppDirs

    given = Path(profile) if Path(profile).is_absolute() else cwd / profile
    if given.is_file():
        return [given]
    if given.exists():
        candidates = [given]
    else:
        dirs = AppDirs("snakemake", "snakemake")
        candidates = [cwd / profile, Path(dirs.user_config_dir) / profile, Path(dirs.site_config_dir) / profile]
    for candidate in candidates:
        if candidate.is_file():
            return [candidate]
        if candidate.is_dir():
            found = sorted(f for f in candidate.iterdir() if PROFILE_FILE.fullmatch(f.name))
            if found:
                return found
    return []


def _profile_reason(profile: str, cwd: Path) -> str | None:
    import yaml

    files = _profile_files(profile, cwd)
    if not files:
        return f"profile {profile} not found"
    for path in files:
        try:
            settings = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            return f"profile {path} unreadable"
        if not isinstance(settings, Mapping):
            return f"profile {path} is not a mapping"
        for key, value in settings.items():
            key = str(key).replace("_", "-")
            if key.startswith("slurm") or (key == "executor" and _is_slurm(value)):
                return f"profile {path} sets {key}"
    return None


def _workflow_profiles(given: str | None, snakefile: str | None, cwd: Path) -> list[str]:
    """The workflow profile Snakemake 9 would use (``parse_args``: the given one, else ``profiles/default``
    in the working directory or beside the Snakefile)."""
    if given == "none":
        return []
    if given and (cwd / given).is_file():
        return [given]
    if snakefile is None:
        snakefile = next((name for name in SNAKEFILES if (cwd / name).is_file()), None)
    name = given or "default"
    candidates = [Path(name), Path("profiles") / name]
    if snakefile is not None:
        candidates.append(Path(snakefile).parent / "profiles" / name)
    for candidate in candidates:
        if (cwd / candidate).exists():
            return [str(cwd / candidate)]
    return []


def slurm_reason(argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str | None:
    """Why a Snakemake command line may use a Slurm executor (a few words), or ``None`` when it cannot."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else Path(cwd)
    try:
        args, rest = _parser().parse_known_args(list(argv))
    except _Unparsed as err:
        return f"arguments not understood here ({err})"
    if args.help:
        return "--help lists every plugin"
    if _is_slurm(args.executor):
        return f"--executor {args.executor}"
    for word in rest:
        if word.startswith("--sl"):
            return f"option {word}"
    profiles = args.profile if args.profile is not None else \
        ([env["SNAKEMAKE_PROFILE"]] if env.get("SNAKEMAKE_PROFILE") else [])
    if profiles == ["none"]:
        profiles = []
    for profile in [*profiles, *_workflow_profiles(args.workflow_profile, args.snakefile, cwd)]:
        if reason := _profile_reason(profile, cwd):
            return reason
    return None


def leave_out_slurm_plugins() -> None:
    """Create Snakemake's executor-plugin registry without the Slurm plugins (before anything imports
    ``snakemake.cli``, which creates it with every plugin)."""
    from snakemake_interface_executor_plugins.registry import ExecutorPluginRegistry

    if ExecutorPluginRegistry._instance is not None:
        raise RuntimeError("the executor plugin registry exists already; call before importing snakemake.cli")
    discover = pkgutil.iter_modules

    def without_slurm(*args, **kwargs):
        return (m for m in discover(*args, **kwargs) if not m.name.startswith(SLURM_MODULES))

    pkgutil.iter_modules = without_slurm  # read by PluginRegistryBase.collect_plugins, only while it runs
    try:
        ExecutorPluginRegistry()
    finally:
        pkgutil.iter_modules = discover


def prepare(argv: Sequence[str]) -> str | None:
    """Set up plugin discovery for a Snakemake command line; returns :func:`slurm_reason` (``None``: the
    Slurm plugins are left out)."""
    reason = slurm_reason(argv)
    if reason is None:
        leave_out_slurm_plugins()
    return reason


def report_current(report: Path) -> bool:
    """The HTML report exists and is newer than every figure beside it (``<results>/*/figures/*.png``)."""
    if not report.exists():
        return False
    built = report.stat().st_mtime
    return all(fig.stat().st_mtime <= built for fig in report.parent.glob("*/figures/*.png"))


def report_only_if_stale(report: Path) -> None:
    """Make Snakemake's ``--report-after-run`` skip the report ``report`` while :func:`report_current`."""
    from snakemake.api import DAGApi

    create_report = DAGApi.create_report

    def create_if_stale(self, *args, **kwargs):
        return None if report_current(report) else create_report(self, *args, **kwargs)

    DAGApi.create_report = create_if_stale


def _report_path(argv: Sequence[str]) -> Path | None:
    """The ``--report`` path of a command line that also has ``--report-after-run`` (else ``None``)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--report", nargs="?")
    parser.add_argument("--report-after-run", action="store_true")
    args, _ = parser.parse_known_args(argv)
    return Path(args.report) if args.report and args.report_after_run else None


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    prepare(argv)
    report = _report_path(argv)
    if report is not None and os.environ.get(REPORT_IF_STALE) == "1":
        report_only_if_stale(report)
    from snakemake.cli import main as snakemake_main

    snakemake_main(argv)


if __name__ == "__main__":
    main()
