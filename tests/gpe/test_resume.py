"""Checkpoint/resume: a run killed by SIGKILL (or stopped by SIGTERM) and restarted ends bitwise equal to an
uninterrupted run."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import zarr

from spinsweep.solvers.store import is_complete, open_dataset
from gpe_helpers import GPE_RUN, REPO, cli_env, run_cli

CFG = {"model": {"shape": [256], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": 1.0,
                 "atom_number": 26.67, "trap": [0.316]},
       "time": {"dt": 0.01, "t_final": 200.0, "output_every": 250},
       "output": {"outputs_per_chunk": 2},
       "checkpoint": {"every_steps": 500, "every_wall_s": None}}


def _start(cfg_path, store):
    return subprocess.Popen([*GPE_RUN, "--config", str(cfg_path), "--store", str(store)], cwd=REPO, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_checkpoint(proc, store, min_output=4, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            pytest.fail(f"run ended before it could be interrupted: {proc.communicate()}")
        try:
            info = zarr.open_group(store, mode="r").attrs.get("gpe_checkpoint")
        except Exception:  # store not created yet
            info = None
        if info and info["next_output"] >= min_output:
            return info
        time.sleep(0.02)
    pytest.fail("no checkpoint appeared")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    d = tmp_path_factory.mktemp("resume")
    cfg_path = d / "cfg.json"
    cfg_path.write_text(json.dumps(CFG))
    run_cli(["--config", cfg_path, "--store", d / "ref.zarr"])
    return cfg_path, open_dataset(d / "ref.zarr").load()


def _assert_bitwise(ref, other):
    for name in ref.data_vars:
        assert np.array_equal(ref[name].values, other[name].values, equal_nan=True), name


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_run_resumes_bitwise(reference, tmp_path, sig):
    cfg_path, ref = reference
    store = tmp_path / "run.zarr"
    proc = _start(cfg_path, store)
    _wait_for_checkpoint(proc, store)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    if sig == signal.SIGTERM:
        assert proc.returncode == 143  # checkpointed at the next chunk boundary, then stopped
    else:
        assert proc.returncode == -signal.SIGKILL
    assert not is_complete(store)
    info = zarr.open_group(store, mode="r").attrs["gpe_checkpoint"]
    n_out = ref.sizes["t"]
    assert 0 < info["next_output"] < n_out  # really interrupted mid-run
    res = run_cli(["--config", cfg_path, "--store", store])
    assert f"resuming {store} from step {info['step']}" in res.stdout
    _assert_bitwise(ref, open_dataset(store).load())
    # a complete store is left alone
    assert "nothing to do" in run_cli(["--config", cfg_path, "--store", store]).stdout


def test_batched_threaded_run_resumes_bitwise_with_its_own_thread_count(tmp_path):
    """A batched run split over 2 threads, killed, and resumed by a job that asks for 1 thread: the resume
    keeps the run's 2-thread cut of the batch (recorded in the store), so it ends bitwise equal."""
    cfg = json.loads(json.dumps(CFG))
    cfg["model"]["omega_R"] = [0.8, 0.9, 1.0, 1.1, 1.2]
    cfg["time"]["t_final"] = 100.0
    cfg["threads"] = 2
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    run_cli(["--config", cfg_path, "--store", tmp_path / "ref.zarr"])
    ref = open_dataset(tmp_path / "ref.zarr").load()
    assert zarr.open_group(tmp_path / "ref.zarr", mode="r").attrs["params"]["threads"] == 2
    store = tmp_path / "run.zarr"
    proc = _start(cfg_path, store)
    _wait_for_checkpoint(proc, store, min_output=2)
    proc.kill()
    proc.communicate(timeout=60)
    assert not is_complete(store)
    res = run_cli(["--config", cfg_path, "--store", store, "--set", "threads=1"])
    assert "resuming" in res.stdout
    _assert_bitwise(ref, open_dataset(store).load())
