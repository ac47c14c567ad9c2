"""Ensembles on dask.distributed: bitwise independent of worker count, batching, order and worker death."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

from spinsweep.solvers.collisions import ensemble, run_trajectory
from spinsweep.solvers.collisions.ensemble import batch_bounds, default_batch_size

distributed = pytest.importorskip("distributed")

# ~16 batches of ~0.1-0.2 s each on the CI machine
PARAMS = dict(n_alkali=50, n_noble=5000, phi_mean=2e-3, phi_std=2e-3, n_steps=40_000, record_every=400)
N_TRAJ, SEED, BATCH = 32, 99, 2


def _assert_bitwise_equal(a, b):
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
    assert np.array_equal(a.t.values, b.t.values)


@pytest.fixture(scope="module")
def serial():
    run_trajectory(2, 4, 0.1, 0.1, 10, 5, seed=0)  # compile (and fill numba's cache) before workers start
    return ensemble(PARAMS, N_TRAJ, SEED, batch_size=BATCH)


def test_mean_and_sem_match_direct_computation(serial):
    # the ordered Welford fold equals numpy's mean / standard error over the stacked trajectories
    # (to 1e-12: different summation order)
    from spinsweep.solvers.collisions.ensemble import trajectory_seed

    small = dict(PARAMS, n_steps=4000)
    ds = ensemble(small, 5, SEED, batch_size=2)
    runs = np.stack([run_trajectory(**{k: small[k] for k in ("n_alkali", "n_noble", "phi_mean", "phi_std",
                                                              "n_steps", "record_every")},
                                    seed=trajectory_seed(SEED, i)).F01 for i in range(5)])
    np.testing.assert_allclose(ds.F01_mean.values, runs.mean(0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ds.F01_sem.values, runs.std(0, ddof=1) / np.sqrt(5), rtol=0, atol=1e-12)
    for name, var in ds.data_vars.items():
        assert var.attrs["units"] == "1" and var.attrs["long_name"], name


def test_batch_size_does_not_change_result(serial):
    _assert_bitwise_equal(serial, ensemble(PARAMS, N_TRAJ, SEED, batch_size=5))
    _assert_bitwise_equal(serial, ensemble(PARAMS, N_TRAJ, SEED, batch_size=N_TRAJ))


@pytest.mark.parametrize("n_traj,batch_size,slots", [(192, 5, 2), (7, 3, 1), (3, 5, 2), (1, 5, 4),
                                                      (100, 1, 3), (33, 10, 4)])
def test_batch_bounds_cover_every_trajectory_once_in_balanced_batches(n_traj, batch_size, slots):
    bounds = batch_bounds(n_traj, batch_size, slots)
    assert bounds[0][0] == 0 and bounds[-1][1] == n_traj
    assert all(b0[1] == b1[0] for b0, b1 in zip(bounds, bounds[1:]))
    sizes = [b - a for a, b in bounds]
    assert min(sizes) >= 1 and max(sizes) <= batch_size and max(sizes) - min(sizes) <= 1
    # a multiple of the worker slots whenever there are enough trajectories
    assert len(bounds) % slots == 0 or len(bounds) == n_traj


def test_default_batches_run_at_least_a_tenth_of_a_second():
    # the cost model is optimistic (10 ns per collision), so a default batch has >= 0.1 s of work
    b = default_batch_size(PARAMS, 1000)
    assert b * PARAMS["n_alkali"] * PARAMS["n_steps"] * 10e-9 >= 0.1


def _cluster(n_workers):
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None, silence_logs=40)


def test_one_and_two_workers_bitwise_equal_to_serial(serial):
    with _cluster(1) as cluster, distributed.Client(cluster) as client:
        one = ensemble(PARAMS, N_TRAJ, SEED, client=client, batch_size=BATCH)
    _assert_bitwise_equal(serial, one)
    with _cluster(2) as cluster, distributed.Client(cluster) as client:
        two = ensemble(PARAMS, N_TRAJ, SEED, client=client, batch_size=BATCH)
        # a different batching on the same workers, completion order differs again
        two_b = ensemble(PARAMS, N_TRAJ, SEED, client=client, batch_size=3)
    _assert_bitwise_equal(serial, two)
    _assert_bitwise_equal(serial, two_b)


def test_killed_worker_does_not_change_result(serial):
    # SIGKILL a worker process that is running a task, once 3 of the 16 batches have finished: the scheduler
    # reruns its lost task on the other (or the restarted) worker; the seeds are keyed by trajectory index,
    # so the result is bitwise the serial one
    with _cluster(2) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        pids = client.run(os.getpid)
        killed = threading.Event()

        def on_batch(done, total):
            if done >= 3 and not killed.is_set():
                busy = [w for w, keys in client.processing().items() if keys and w in pids]
                if busy:  # otherwise try again after the next batch
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.set()

        ds = ensemble(PARAMS, N_TRAJ, SEED, client=client, batch_size=BATCH, progress=on_batch)
        assert killed.is_set()  # a worker died holding a task before the ensemble finished
    _assert_bitwise_equal(serial, ds)
