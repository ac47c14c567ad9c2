"""End to end: snakemake runs a tiny magnon sweep to stores, figures and report; reruns do nothing;
a job killed mid-way is redone by the next invocation.  Snakemake runs in this interpreter
(``python -m snakemake``), so its jobs import the spinsweep under test."""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from spinsweep_testing import REPO
from spinsweep.solvers import store
from spinsweep.workflow.study import get as get_study


def assert_stores_open_cleanly(results: Path) -> None:
    """Every store the workflow wrote opens with plain xarray.open_zarr, warnings as errors, and every
    variable and coordinate says what it is and in which (parseable) units."""
    import warnings

    import xarray as xr

    stores = [p for p in results.rglob("*.zarr") if not p.name.startswith(".")]
    assert stores
    for path in stores:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ds = xr.open_zarr(path)
        for name in ds.variables:
            attrs = ds[name].attrs
            assert attrs.get("units") and attrs.get("long_name"), (path, name)
            assert store.cf_units(attrs["units"]) == (attrs["units"], None), (path, name, attrs["units"])


def tiny_config(results: Path, *, n_h=4, batch_size=3) -> dict:
    with open(REPO / "config" / "config.yaml") as fh:
        config = yaml.safe_load(fh)
    config["results"] = str(results)
    config["studies"] = ["magnon"]
    config["dask"].update(n_workers=2, dashboard=None, progress=False)
    magnon = config["magnon"]
    magnon["fixed"].update(n_t=41)
    magnon["sweep"] = {"axes": {"h_over_T": {"logspace": {"start": -2, "stop": 0.5, "num": n_h}},
                                "bias": {"values": [0.001, 0.1]}},
                       "batch_size": batch_size}
    magnon["fits"].update(realisations=4, batch_size=2)
    return config


def snakemake(workdir: Path, config: dict, *args: str, **popen) -> list[str]:
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
            "--configfile", str(path), *args]


def test_tiny_sweep_to_figures_and_report_then_nothing_to_do(tmp_path):
    results = tmp_path / "results"
    config = tiny_config(results)
    run = subprocess.run(snakemake(tmp_path, config, "--cores", "2"), capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    sweep = store.open_dataset(results / "magnon" / "sweep.zarr")
    assert dict(sweep.sizes)["h_over_T"] == 4 and dict(sweep.sizes)["bias"] == 2
    assert sweep.attrs["complete"] and sweep.attrs["params"]["study"] == "magnon"
    for name, var in sweep.data_vars.items():
        assert var.attrs["units"] and var.attrs["long_name"], name
    fits = store.open_dataset(results / "magnon" / "fits.zarr")
    assert dict(fits.sizes)["realisation"] == 4
    figures = sorted((results / "magnon" / "figures").glob("*.png"))
    assert len(figures) == 4 and all(f.stat().st_size > 10_000 for f in figures)
    assert_stores_open_cleanly(results)

    again = subprocess.run(snakemake(tmp_path, config, "--cores", "2"), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr

    # engine settings are read at run time and are not part of the results' identity
    for section, key, value in [("dask", "progress", True), ("dask", "n_workers", 1),
                                ("dask", "threads_per_worker", 2), ("dask", "dashboard", "127.0.0.1:0"),
                                ("dask", "scheduler", "tcp://127.0.0.1:8786"), ("mpi", "launcher", "mpirun"),
                                ("fits", "batch_size", 3)]:
        changed = copy.deepcopy(config)
        (changed["magnon"] if section == "fits" else changed)[section][key] = value
        dry = subprocess.run(snakemake(tmp_path, changed, "--dry-run"), capture_output=True, text=True,
                             timeout=300)
        assert dry.returncode == 0, dry.stderr[-2000:]
        assert "Nothing to be done" in dry.stdout + dry.stderr, (section, key, dry.stdout[-2000:])
    # ... while a physics setting does rerun what depends on it
    changed = copy.deepcopy(config)
    changed["magnon"]["fits"]["noise"] = 0.02
    dry = subprocess.run(snakemake(tmp_path, changed, "--dry-run"), capture_output=True, text=True, timeout=300)
    assert "magnon_fits" in dry.stdout and "sweep_batch" not in dry.stdout, dry.stdout[-2000:]

    report = subprocess.run(snakemake(tmp_path, config, "--report", str(results / "report.html")),
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr[-3000:]
    assert (results / "report.html").stat().st_size > 50_000


def test_killed_job_is_redone_by_next_run(tmp_path):
    results = tmp_path / "results"
    config = tiny_config(results, n_h=6, batch_size=6)
    target = str(results / "magnon" / "sweep.zarr")
    proc = subprocess.Popen(snakemake(tmp_path, config, "--cores", "1", target), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    logs = results / "logs" / "magnon"
    deadline = time.monotonic() + 300
    running = []
    while not running and time.monotonic() < deadline:
        running = [p.stem for p in logs.glob("batch-*.log") if "point 2/" in p.read_text()]
        time.sleep(0.05)
    if not running:
        pytest.fail("no batch reached its second point")
    # SIGKILL the job's process (as a Slurm time limit or the OOM killer would), not Snakemake itself
    import psutil

    jobs = [p for p in psutil.Process(proc.pid).children(recursive=True)
            if any("sweep_batch" in part for part in p.cmdline())]
    assert jobs, "no running sweep_batch job found"
    for job in jobs:
        job.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=120) != 0
    killed = results / "magnon" / "points" / f"{running[0]}.zarr"
    assert not store.is_complete(killed), "a killed job left a store that looks complete"
    assert not (results / "magnon" / "sweep.zarr").exists()
    rerun = subprocess.run(snakemake(tmp_path, config, "--cores", "2", target), capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert store.is_complete(results / "magnon" / "sweep.zarr")


def test_noble_sweep_and_fig3_panels_to_figures(tmp_path):
    results = tmp_path / "results"
    with open(REPO / "config" / "config.yaml") as fh:
        config = yaml.safe_load(fh)
    config.update(results=str(results), studies=["noble"])
    config["dask"].update(n_workers=2, dashboard=None, progress=False)
    noble = config["noble"]
    noble["fixed"].update(n_traj=4, n_records=120)
    noble["sweep"] = {"axes": {"phi_mean": {"values": [0.01]}, "phi_std_ratio": {"values": [0.0, 3.0]},
                               "initial": {"values": ["collective", "localized"]},
                               "detuning_over_2J": {"values": [0.0, 2.0]},
                               "n_alkali": {"values": [10]}, "n_noble": {"values": [1000]}},
                      "batch_size": 8}
    run = subprocess.run(snakemake(tmp_path, config, "--cores", "2"), capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    sweep = store.open_dataset(results / "noble" / "sweep.zarr")
    assert sweep["F10_mean"].dims[:4] == ("phi_mean", "phi_std_ratio", "initial", "detuning_over_2J")
    # the collective excitation leaves the alkali spins (F10 drops well below 1 within the grid)
    collective = sweep["F10_mean"].sel(initial="collective", detuning_over_2J=0.0).squeeze()
    assert float(collective.min()) < 0.2
    assert len(list((results / "noble" / "figures").glob("*.png"))) == len(get_study("noble").figures)
    # the fits land in a store before the figures read them: every panel and sweep point, with the measured
    # J within 3% of the formula at zero detuning (4 trajectories; the physics tests hold the tight bounds)
    fits = store.open_dataset(results / "noble" / "fits.zarr").load()
    assert list(fits.run.values) == ["fig3a", "fig3b", "fig3c", "fig3d", "fig3e"] + [f"sweep{p}" for p in range(8)]
    zero = (fits.point.values >= 0) & (fits.initial.values == "collective") & (fits.detuning.values == 0)
    np.testing.assert_allclose(fits.J.values[zero], fits.J_formula.values[zero], rtol=0.03)
    assert {"J_over_gamma", "J_over_gamma_stderr", "J_over_gamma_formula"} <= set(fits.data_vars)
    assert_stores_open_cleanly(results)
    assert "t" in sweep.coords and sweep["t"].attrs["units_scale"] == "tau"  # time is a coordinate
    assert sweep.attrs["params"]["axes"]["phi_std_ratio"] == [0.0, 3.0]  # root attrs describe the sweep
    # dask's INFO chatter stays out of the terminal and of every job log (progress lines stay)
    lines = (run.stdout + run.stderr).splitlines()
    for log in (results / "logs").rglob("*.log"):
        lines += log.read_text().splitlines()
    chatter = [line for line in lines if "distributed." in line and "INFO" in line]
    assert not chatter, chatter[:5]
    assert any("point" in line and "done" in line for line in lines)
