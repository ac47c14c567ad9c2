"""Every way into a GPE run writes the same store: the CLI (``spinsweep gpe run``) and the library API
(``run(RunSettings, path)``) bitwise; the threaded batch vs one thread vs single runs per point, and 2 ranks vs 1
rank (tests/gpe/test_mpi.py, with Wigner noise in 2D), to the spec of tests/gpe (1e-12 relative in float64, a few float32 ulp for the float32 profiles: ducc0
rounds an FFT line in a SIMD group and in the scalar tail differently).  Measured on this machine: all of these
were bitwise equal except the batch vs single run (1 ulp in places)."""

import json

import numpy as np

from spinsweep.solvers.gpe.run import run
from spinsweep.solvers.gpe.settings import RunSettings
from spinsweep.solvers.store import open_dataset
from gpe_helpers import run_cli

MODEL = {"shape": [256], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": 1.0,
         "atom_number": 26.67, "trap": [0.316]}
CFG = {"model": MODEL, "time": {"dt": 0.01, "t_final": 3.0, "output_every": 50},
       "output": {"outputs_per_chunk": 2, "psi": True}}


def _load(path):
    return open_dataset(path).load()


def _close(a, b, *, bitwise=False):
    for name in a.data_vars:
        x, y = a[name].values, b[name].values
        if bitwise:
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            rel = 1e-12 if x.dtype == np.float64 else 4 * float(np.finfo(x.dtype).eps)
            assert np.max(np.abs(x - y)) <= rel * np.max(np.abs(x)), name


def test_cli_equals_library(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(CFG))
    run_cli(["--config", tmp_path / "c.json", "--store", tmp_path / "cli.zarr"])
    run(RunSettings.from_mapping(CFG), tmp_path / "lib.zarr")
    _close(_load(tmp_path / "cli.zarr"), _load(tmp_path / "lib.zarr"), bitwise=True)


def test_threaded_batch_equals_one_thread_and_single_runs(tmp_path):
    cfg = {**CFG, "model": {**MODEL, "omega_R": [0.8, 1.0, 1.2]}}
    run(RunSettings.from_mapping({**cfg, "threads": 3}), tmp_path / "t3.zarr")
    run(RunSettings.from_mapping({**cfg, "threads": 1}), tmp_path / "t1.zarr")
    t3, t1 = _load(tmp_path / "t3.zarr"), _load(tmp_path / "t1.zarr")
    _close(t1, t3)
    run(RunSettings.from_mapping(CFG), tmp_path / "single.zarr")  # omega_R = 1.0: point 1 of the batch
    _close(_load(tmp_path / "single.zarr"), t3.isel(point=1).drop_vars([v for v in t3.coords if "point" in
                                                                        t3[v].dims]))

