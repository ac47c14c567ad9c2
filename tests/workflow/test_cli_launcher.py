"""Fixed costs of `spinsweep run` (issue 13 item 5): Snakemake starts through workflow/launcher.py, which leaves
the Slurm executor plugins (whose import runs `scontrol show config`, 10 s timeout) out of runs that cannot use
them, and keeps them for every way a run can ask for Slurm; study discovery imports no heavy analysis code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from spinsweep_testing import REPO, require
from spinsweep.workflow import launcher
from spinsweep.workflow.cli import LAUNCHER, _live_snakemake, _snakemake

SLURM_PROFILE = REPO / "cluster" / "slurm"
LOCAL_PROFILE = REPO / "cluster" / "local"


@pytest.mark.parametrize("argv, slurm", [
    (["--cores", "2", "--rerun-incomplete"], False),
    (["--cores", "2", "--executor", "local"], False),
    (["--executor", "slurm"], True),
    (["-e", "slurm"], True),
    (["-eslurm"], True),
    (["--exec=slurm"], True),  # an abbreviation Snakemake's parser accepts
    (["--executor", "slurm-jobstep"], True),
    (["--executor", "cluster-generic"], False),
    (["--cores", "1", "--slurm-status-command", "squeue"], True),
    (["--profile", str(SLURM_PROFILE)], True),
    (["--profile", str(SLURM_PROFILE / "config.yaml")], True),
    (["--profile", str(LOCAL_PROFILE)], False),  # executor: local
    (["--profile", str(LOCAL_PROFILE), "--profile", str(SLURM_PROFILE)], True),
    (["--profile", "no-such-profile"], True),  # Snakemake reports it, with every plugin loaded
    (["--help"], True),
    (["--profile"], True),  # not understood here: left to Snakemake
])
def test_slurm_reason_from_arguments(argv, slurm, tmp_path):
    reason = launcher.slurm_reason(argv, env={}, cwd=tmp_path)
    assert (reason is not None) == slurm, reason


def test_slurm_reason_from_environment_and_default_workflow_profile(tmp_path):
    assert launcher.slurm_reason([], env={"SNAKEMAKE_PROFILE": str(SLURM_PROFILE)}, cwd=tmp_path)
    assert launcher.slurm_reason(["--profile", "none"], env={"SNAKEMAKE_PROFILE": str(SLURM_PROFILE)},
                                 cwd=tmp_path) is None
    # a profile by name, found in the user's Snakemake config directory (where `spinsweep profiles` links it)
    xdg = tmp_path / "xdg"
    (xdg / "snakemake").mkdir(parents=True)
    (xdg / "snakemake" / "slurm").symlink_to(SLURM_PROFILE)
    code = ("import sys; from spinsweep.workflow.launcher import slurm_reason; "
            "print(slurm_reason(['--profile', 'slurm'], cwd=sys.argv[1]))")
    named = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                           env={**os.environ, "XDG_CONFIG_HOME": str(xdg)}, check=True)
    assert "slurm-" in named.stdout, named.stdout
    # Snakemake 9 reads profiles/default beside the working directory or the Snakefile without being asked
    default = tmp_path / "profiles" / "default"
    default.mkdir(parents=True)
    (default / "config.yaml").write_text(yaml.safe_dump({"executor": "slurm", "jobs": 10}))
    assert launcher.slurm_reason(["--cores", "1"], env={}, cwd=tmp_path)
    assert launcher.slurm_reason(["--cores", "1", "--workflow-profile", "none"], env={}, cwd=tmp_path) is None
    (default / "config.yaml").write_text(yaml.safe_dump({"executor": "local", "jobs": 10}))
    assert launcher.slurm_reason(["--cores", "1"], env={}, cwd=tmp_path) is None
    beside = tmp_path / "flow"
    (beside / "profiles" / "default").mkdir(parents=True)
    (beside / "Snakefile").write_text("")
    (beside / "profiles" / "default" / "profile.v9+.yaml").write_text("slurm_partition: debug\n")
    assert launcher.slurm_reason(["-s", str(beside / "Snakefile")], env={}, cwd=tmp_path / "flow")


@pytest.fixture
def no_sinfo(tmp_path) -> dict[str, str]:
    """An environment whose PATH holds only `which`: the Slurm plugin's import-time probe finds no `sinfo` and
    runs no `scontrol` (the plugin registers all the same; the tests stay fast on a machine without a Slurm
    controller)."""
    import importlib.util
    import shutil

    require(importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None,
            "snakemake-executor-plugin-slurm is not installed (the [test] extra brings it)")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "which").symlink_to(shutil.which("which"))
    env = {**os.environ, "PATH": str(bin_dir)}
    env.pop("SNAKEMAKE_PROFILE", None)
    return env


def _registry(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[set[str], bool]:
    """The executor plugins Snakemake's parser sees after the launcher's set-up for ``argv``, and whether the
    Slurm plugin module was imported."""
    code = ("import sys; from spinsweep.workflow import launcher; launcher.prepare(sys.argv[1:]); "
            "import snakemake.cli; "
            "from snakemake_interface_executor_plugins.registry import ExecutorPluginRegistry as R; "
            "print(' '.join(sorted(R().plugins)), 'snakemake_executor_plugin_slurm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, cwd=cwd,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    *names, imported = out.stdout.split()
    return set(names), imported == "True"


def test_local_run_discovers_no_slurm_plugin_and_slurm_run_does(no_sinfo, tmp_path):
    names, imported = _registry(["--cores", "2"], no_sinfo, tmp_path)
    assert {"local", "dryrun", "touch"} <= names and not any(n.startswith("slurm") for n in names)
    assert not imported
    for argv in (["--executor", "slurm"], ["--profile", str(SLURM_PROFILE)]):
        names, imported = _registry(argv, no_sinfo, tmp_path)
        assert {"slurm", "local"} <= names and imported, argv


def test_spinsweep_run_starts_snakemake_through_the_launcher_with_profile_unchanged(no_sinfo, tmp_path):
    """The Slurm profile's `executor: slurm` reaches Snakemake, which accepts it (an executor without its plugin
    is refused as an invalid choice) and plans the default sweep (a dry run: no cluster needed)."""
    assert _snakemake()[1:] == ["-m", LAUNCHER]
    run = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "run", "-n", "--no-verify",
                          "--directory", str(tmp_path / "run"), "--profile", str(SLURM_PROFILE)],
                         capture_output=True, text=True, timeout=300, env=no_sinfo)
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(line for line in run.stdout.splitlines() if line.startswith("+ "))
    words = line.split()
    assert words[2:4] == ["-m", LAUNCHER] and words[words.index("--profile") + 1] == str(SLURM_PROFILE)
    assert f"Using profile {SLURM_PROFILE}" in run.stderr and "This was a dry-run" in run.stdout + run.stderr


def test_a_running_launcher_counts_as_a_live_snakemake(tmp_path):
    assert not _live_snakemake(tmp_path)
    proc = subprocess.Popen(["bash", "-c", f"exec -a {LAUNCHER} sleep 30"], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 10
        while not _live_snakemake(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _live_snakemake(tmp_path)
    finally:
        proc.kill()
        proc.wait()


def test_study_discovery_imports_no_analysis_dependencies():
    code = ("import sys; from spinsweep.workflow.study import studies; studies(); "
            "print(' '.join(m for m in ('xarray', 'scipy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"studies() imported {out.stdout.strip()}"


def test_checking_the_default_config_imports_no_numerics():
    """Every Snakemake start (and `spinsweep run` before it) checks the config, figure needs included: numba,
    scipy, xarray or dask there cost seconds per start (a no-change run went from 6.4 to 2.7 s without them)."""
    code = ("import sys; from spinsweep.workflow.config import load; load(); "
            "print(' '.join(m for m in ('numba', 'scipy', 'xarray', 'matplotlib', 'dask', 'zarr') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"checking the default config imported {out.stdout.strip()}"


def test_lazy_package_names_shadowing_their_submodule_stay_the_object():
    code = ("import spinsweep.solvers.collisions as c; import spinsweep.solvers.collisions.ensemble; "
            "from spinsweep.solvers.collisions import ensemble; assert callable(ensemble), ensemble; "
            "assert 'fig3_presets' in dir(c) and c.ensemble_params.__module__.endswith('.ensemble')")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_torque_name_imports_lazily():
    code = """
import importlib, sys
import spinsweep.analysis.torque as tq
assert 'xarray' not in sys.modules
for name in tq.__all__:
    exec(f'from spinsweep.analysis.torque import {name}')
from spinsweep.analysis.torque import correlations, fit_correlation, FRONT_DEFAULTS
from spinsweep.analysis.torque import correlations as module_name_clash
from spinsweep.analysis.torque.fronts import DEFAULTS
assert callable(correlations) and correlations.__module__ == 'spinsweep.analysis.torque.correlations'
assert tq.correlations is correlations and FRONT_DEFAULTS is DEFAULTS
print(len(tq.__all__))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout) >= 39


def test_report_is_built_refreshed_and_skipped_by_the_one_snakemake_process(tmp_path):
    """`spinsweep run` starts one Snakemake process (one DAG): it builds the missing report after the run, builds
    none when nothing changed, and refreshes it in the same process when a figure is redrawn (issue 13 item 5)."""
    from spinsweep.workflow.config import DEFAULT_CONFIG
    from spinsweep.workflow.studies.magnon import tiny_config

    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(yaml.safe_load(DEFAULT_CONFIG.read_text())),
                                                       sort_keys=False))
    report = tmp_path / "results" / "report.html"

    def spinsweep_run(*extra):
        out = subprocess.run([sys.executable, "-m", "spinsweep.workflow.cli", "run", "--cores", "2",
                              "--configfile", "tiny.yaml", *extra], cwd=tmp_path, capture_output=True, text=True,
                             timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        log = out.stdout + out.stderr
        assert log.count("Workflow ID:") == 1, log[-3000:]  # one Snakemake process (its banner)
        return log

    spinsweep_run()
    built = report.stat().st_mtime_ns
    assert report.stat().st_size > 50_000
    assert "Nothing to be done" in spinsweep_run() and report.stat().st_mtime_ns == built
    log = spinsweep_run("--forcerun", "magnon_figures")
    assert "magnon_figures" in log and report.stat().st_mtime_ns > built
