"""The distribution as a user gets it: spinsweep.* import packages only, a wheel that carries the workflow
(Snakefile, rules, schema, default config, captions) and runs a tiny sweep from a directory outside the
checkout, and a workflow that passes `snakemake --lint`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from spinsweep.workflow.studies.magnon import tiny_config
from spinsweep_testing import REPO


def test_snakemake_lint_is_clean(tmp_path):
    res = subprocess.run([sys.executable, "-m", "snakemake", "--lint", "--snakefile", str(REPO / "Snakefile"),
                          "--directory", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "Congratulations" in res.stdout + res.stderr


def test_no_generic_top_level_packages():
    res = subprocess.run([sys.executable, "-c", "import solvers"], capture_output=True, text=True, cwd="/")
    assert res.returncode != 0 and "No module named 'solvers'" in res.stderr
    import spinsweep.workflow.cli  # noqa: F401


def test_wheel_install_runs_a_tiny_sweep_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(wheels), str(REPO)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next(wheels.glob("spinsweep-*.whl"))
    venv = tmp_path / "venv"
    # the dependencies come from this interpreter's site-packages; spinsweep itself only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import spinsweep.workflow as w; print(w.__file__)"], cwd=work,
                           capture_output=True, text=True, env=env, timeout=120)
    assert str(venv) in where.stdout, where.stdout + where.stderr  # the wheel's copy, not the checkout
    spinsweep = [str(python), "-m", "spinsweep.workflow.cli"]
    check = subprocess.run([*spinsweep, "check"], cwd=work, capture_output=True, text=True, env=env, timeout=120)
    assert check.returncode == 0, check.stderr
    config = tiny_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    (work / "tiny.yaml").write_text(yaml.safe_dump(config))
    run = subprocess.run([*spinsweep, "run", "--cores", "2", "--configfile", "tiny.yaml"], cwd=work,
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (work / "results" / "report.html").stat().st_size > 50_000
    assert len(list((work / "results" / "magnon" / "figures").glob("*.png"))) == 4
    assert "report" in run.stdout and str(work / "results") in run.stdout  # the closing summary
    assert not (Path(REPO) / "results" / "magnon" / "tiny.yaml").exists()
