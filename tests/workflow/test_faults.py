"""Fault injection: nothing is ever silently wrong.

After each fault -- `spinsweep run` killed (SIGKILL, SIGINT) at a random moment, a chunk of a batch, sweep or
fits store deleted, zero-filled or truncated, the disk full -- the documented command (the same
`spinsweep run ...` again) restores results equal to an uninterrupted run, or stops with a one-line message;
never a complete-looking store with wrong data.

Tiny magnon sweeps (4 points, n_t = 21) keep this file at a few minutes on 2 cores.  The random kill moments
come from a seed printed on failure (SPINSWEEP_FAULT_SEED to replay one).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr
import yaml

from spinsweep_testing import REPO
from spinsweep_testing import damage_file as damage
from spinsweep.solvers import store
from spinsweep.workflow.cli import VERIFIED

SEED = int(os.environ.get("SPINSWEEP_FAULT_SEED", time.time_ns() % 100_000))
FITS = "results/magnon/fits.zarr"
SWEEP = "results/magnon/sweep.zarr"


def tiny_config(results: str = "results") -> dict:
    with open(REPO / "config" / "config.yaml") as fh:
        config = yaml.safe_load(fh)
    config.update(results=results, studies=["magnon"])
    config["dask"].update(n_workers=1, dashboard=None, progress=False)
    magnon = config["magnon"]
    magnon["fixed"]["n_t"] = 21
    magnon["sweep"] = {"axes": {"h_over_T": {"values": [0.05, 2.0]}, "bias": {"values": [0.001, 0.1]}},
                       "batch_size": 2}
    magnon["fits"].update(realisations=4, batch_size=2)
    return config


def command(workdir: Path, target: str, *extra: str) -> list[str]:
    """`spinsweep run` as documented (--no-report and one target only to keep the test short)."""
    return [sys.executable, "-m", "spinsweep.workflow.cli", "run", "--cores", "2", "--no-report",
            "--configfile", str(workdir / "tiny.yaml"), *extra, target]


def run(workdir: Path, target: str, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command(workdir, target, *extra), cwd=workdir, capture_output=True, text=True,
                          timeout=timeout)


def new_workdir(path: Path, config: dict | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "tiny.yaml").write_text(yaml.safe_dump(config or tiny_config(), sort_keys=False))
    return path


def stores(results: Path) -> dict[str, xr.Dataset]:
    """Every store of a results directory, verified and loaded, by its path."""
    found = {}
    for path in sorted(results.rglob("*.zarr")):
        if not any(part.startswith(".") for part in path.relative_to(results).parts):
            found[path.relative_to(results).as_posix()] = store.open_dataset(path, verify=True).load()
    return found


def assert_same_results(results: Path, reference: dict[str, xr.Dataset], names=None) -> None:
    got = stores(results)
    names = sorted(names or reference)
    for name in names:
        assert name in got, f"{name} missing after the rerun (seed {SEED})"
        xr.testing.assert_equal(got[name], reference[name])


def no_wrong_complete_store(results: Path, reference: dict[str, xr.Dataset]) -> None:
    """Every complete store verifies and equals the uninterrupted run's."""
    for path in results.rglob("*.zarr"):
        if any(part.startswith(".") for part in path.relative_to(results).parts) or not store.is_complete(path):
            continue
        name = path.relative_to(results).as_posix()
        ds = store.open_dataset(path, verify=True).load()
        xr.testing.assert_equal(ds, reference[name])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[Path, dict[str, xr.Dataset], float]:
    """An uninterrupted run to the fits store: its workdir, its stores, its duration."""
    workdir = new_workdir(tmp_path_factory.mktemp("baseline"))
    start = time.monotonic()
    done = run(workdir, FITS)
    assert done.returncode == 0, done.stderr[-3000:]
    return workdir, stores(workdir / "results"), time.monotonic() - start


def copy_of(baseline, path: Path) -> Path:
    shutil.copytree(baseline[0], path, symlinks=True)  # stores, Snakemake's metadata and mtimes
    return path


def a_chunk(store_path: Path, array: str) -> Path:
    chunks = sorted(p for p in (store_path / array).rglob("*") if p.is_file() and p.name != "zarr.json")
    assert chunks, f"{store_path}/{array} has no chunk files"
    return chunks[-1]


def test_damaged_chunks_in_batch_sweep_and_fits_stores_are_redone(baseline, tmp_path):
    workdir = copy_of(baseline, tmp_path / "w")
    results = workdir / "results" / "magnon"
    warm = run(workdir, FITS)  # checks every store and records it as checked: the damage below is found anyway
    assert warm.returncode == 0 and "is damaged" not in warm.stderr, warm.stderr[-3000:]
    checked = json.loads((workdir / VERIFIED).read_text())["stores"]
    assert {str((results / name).resolve()) for name in ("sweep.zarr", "fits.zarr")} <= set(checked)
    damage(a_chunk(results / "points" / "batch-1.zarr", "dM"), "delete")
    damage(a_chunk(results / "sweep.zarr", "dT"), "zero")
    damage(a_chunk(results / "fits.zarr", "L11_fit"), "truncate")
    again = run(workdir, FITS)
    assert again.returncode == 0, again.stderr[-3000:]
    reported = [line for line in again.stderr.splitlines() if "is damaged" in line]
    assert len(reported) == 3, again.stderr[-3000:]
    assert any("batch-1.zarr" in line and "'dM'" in line for line in reported)
    assert any("sweep.zarr" in line and "'dT'" in line for line in reported)
    assert any("fits.zarr" in line and "'L11_fit'" in line for line in reported)
    assert len(list(results.rglob(".*.damaged-*"))) == 3  # moved aside, not deleted
    assert_same_results(workdir / "results", baseline[1])


def test_damaged_input_stops_the_reading_job_with_one_line(baseline, tmp_path):
    """Without the up-front check (--no-verify), the job reading a damaged input stops, names store and array
    in one line, and moves the input aside; the next plain run recomputes it."""
    workdir = copy_of(baseline, tmp_path / "w")
    batch = workdir / "results" / "magnon" / "points" / "batch-0.zarr"
    damage(a_chunk(batch, "dM"), "zero")
    failed = run(workdir, SWEEP, "--no-verify", "--forcerun", "sweep_aggregate")
    assert failed.returncode != 0
    log = (workdir / "results" / "logs" / "magnon" / "aggregate.log").read_text().strip().splitlines()
    assert len(log) == 1 and "batch-0.zarr is damaged" in log[0] and "'dM'" in log[0], log
    assert not batch.exists() and not store.is_complete(workdir / SWEEP)
    no_wrong_complete_store(workdir / "results", baseline[1])


@pytest.mark.parametrize("sig, target", [(signal.SIGKILL, FITS), (signal.SIGINT, SWEEP)])
def test_killed_run_then_same_command_equals_uninterrupted_run(baseline, tmp_path, sig, target):
    rng = random.Random(SEED + int(sig))
    workdir = new_workdir(tmp_path / "w")
    share = 0.75 if target == FITS else 0.4  # the sweep is about 40 % of the baseline's run time
    delay = rng.uniform(1.0, max(2.0, share * baseline[2]))
    proc = subprocess.Popen(command(workdir, target), cwd=workdir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, sig)  # the whole process group, as a terminal's Ctrl-C or a batch system does
        proc.wait(timeout=120)
    if sig == signal.SIGINT:  # stragglers of a graceful stop are given a moment, then killed
        time.sleep(2)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    no_wrong_complete_store(workdir / "results", baseline[1])
    again = run(workdir, target)
    assert again.returncode == 0, f"seed {SEED}, killed after {delay:.1f} s: {again.stderr[-3000:]}"
    names = [n for n in baseline[1] if target == FITS or not n.endswith("fits.zarr")]
    assert_same_results(workdir / "results", baseline[1], names)


def test_full_disk_stops_then_rerun_restores(baseline, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=700k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        workdir = new_workdir(tmp_path / "w", tiny_config(results=str(mount / "results")))
        full = run(workdir, str(mount / SWEEP))
        results = mount / "results"
        if full.returncode == 0:
            pytest.skip("the sweep fitted into the small tmpfs; nothing to test")
        no_wrong_complete_store(results, baseline[1])
        assert not store.is_complete(mount / SWEEP)
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)
        again = run(workdir, str(mount / SWEEP))
        assert again.returncode == 0, again.stderr[-3000:]
        assert_same_results(results, baseline[1], [n for n in baseline[1] if not n.endswith("fits.zarr")])
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
