"""Stores: provenance, completion mark, and a killed writer never leaves a store that looks complete."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from spinsweep_testing import damage_file
from spinsweep.solvers import store

REPO = Path(__file__).resolve().parents[2]


def _dataset(n=16):
    return xr.Dataset({"M": (("t",), np.linspace(0, 1, n), {"units": "1", "long_name": "magnetisation"})},
                      coords={"t": ("t", np.arange(n, dtype=float),
                                    {"units": "s", "long_name": "time", "axis": "T", "standard_name": "time"})})


def test_round_trip_with_provenance(tmp_path):
    path = store.write_dataset(_dataset(), tmp_path / "run.zarr", params={"h": np.float64(0.5), "n": np.int64(3)},
                               seed=11, wall_time_s=1.5)
    ds = store.open_dataset(path)
    assert store.is_complete(path)
    assert ds.attrs["params"] == {"h": 0.5, "n": 3}
    assert ds.attrs["seed"] == 11 and ds.attrs["wall_time_s"] == 1.5 and ds.attrs["host"]
    assert ds.attrs["code_version"]
    assert ds["M"].attrs["units"] == "1"
    xr.testing.assert_identical(ds["M"].load(), _dataset()["M"])


def test_snakemake_directory_marker_is_not_reported(tmp_path):
    # Snakemake drops .snakemake_timestamp into directory() outputs; opening such a store stays silent
    import warnings

    path = store.write_dataset(_dataset(), tmp_path / "out.zarr", params={})
    (path / ".snakemake_timestamp").write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.open_dataset(path)["M"].size == 16


def test_variables_need_units_and_long_name(tmp_path):
    ds = _dataset()
    del ds["M"].attrs["units"]
    with pytest.raises(ValueError, match="M .needs units"):
        store.write_dataset(ds, tmp_path / "x.zarr", params={})
    assert not (tmp_path / "x.zarr").exists()


def test_incremental_store_is_incomplete_until_marked(tmp_path):
    path = tmp_path / "inc.zarr"
    group = store.create_group(path, params={"a": 1})
    group.create_array("M", shape=(4,), dtype="f8")
    assert not store.is_complete(path)
    with pytest.raises(store.IncompleteStoreError):
        store.open_dataset(path)
    store.mark_complete(path, wall_time_s=2.0)
    assert store.is_complete(path)
    with pytest.raises(FileExistsError):
        store.create_group(path, params={})


WRITER = """
import sys, numpy as np, xarray as xr
from spinsweep.solvers import store
n = 4000
ds = xr.Dataset({f"v{i}": (("t",), np.random.default_rng(i).random(n), {"units": "1", "long_name": "v"})
                 for i in range(400)}, coords={"t": np.arange(n)})
print("writing", flush=True)
store.write_dataset(ds, sys.argv[1], params={}, encoding={f"v{i}": {"chunks": (10,)} for i in range(400)})
print("done", flush=True)
"""


def test_killed_writer_leaves_no_complete_store_and_rewrite_succeeds(tmp_path):
    path = tmp_path / "killed.zarr"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            cwd=REPO)
    assert proc.stdout.readline().strip() == "writing"
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".killed.zarr.partial-*/v1*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(tmp_path.glob(".killed.zarr.partial-*")), "writer was killed before it started writing"
    assert not path.exists() and not store.is_complete(path)
    with pytest.raises(store.IncompleteStoreError):
        store.open_dataset(path)
    # the next run redoes the store and clears the killed writer's leftovers
    store.write_dataset(_dataset(), path, params={})
    assert store.is_complete(path)
    assert not list(tmp_path.glob(".killed.zarr.partial-*"))


def test_workflow_store_conventions_open_cleanly(tmp_path):
    """Stores open with plain xarray.open_zarr with warnings as errors (consolidated metadata, variable-length
    strings, a Snakemake marker file beside the nodes); natural units are named in units_scale; every
    coordinate has units and long_name; t gets the CF axis."""
    import warnings

    import numpy as np
    import xarray as xr

    ds = xr.Dataset({"dM": (("t", "x"), np.ones((2, 3)), {"units": "1/(E*site)", "long_name": "Delta M"}),
                     "label": (("x",), np.array(["a", "bb", "c"]), {"units": "1", "long_name": "label"})},
                    coords={"t": ("t", [0.0, 1.0], {"units": "tau", "long_name": "time"}), "x": [1.0, 2.0, 3.0],
                            "point": ("x", [0, 1, 2])})
    path = store.write_dataset(ds, tmp_path / "s.zarr", params={"study": "test"})
    (path / ".snakemake_timestamp").write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = xr.open_zarr(path)
    assert back["dM"].attrs["units"] == "1" and back["dM"].attrs["units_scale"] == "1/(E*site)"
    assert back["t"].attrs["axis"] == "T" and back["t"].attrs["standard_name"] == "time"
    assert back["label"].dtype.kind in "OT"  # variable-length strings
    for name in back.variables:
        assert back[name].attrs["units"] and back[name].attrs["long_name"], name
    assert store.cf_units("rad/s") == ("rad/s", None) and store.cf_units("1/Omega_R") == ("1", "1/Omega_R")


# -- integrity: checksums recorded with the completion mark, verified by every reader ----------------------

def _chunked(tmp_path, name="c.zarr"):
    ds = _dataset(64)
    return store.write_dataset(ds, tmp_path / name, params={}, encoding={"M": {"chunks": (16,)}})


@pytest.mark.parametrize("damage", ["delete", "zero", "truncate", "flip"])
def test_damaged_chunk_is_refused_named_and_moved_aside(tmp_path, damage):
    path = _chunked(tmp_path)
    chunk = path / "M" / "c" / "1"
    assert chunk.is_file()
    damage_file(chunk, damage)
    assert store.find_damage(path)[0] == "M"
    with pytest.raises(store.DamagedStoreError) as info:
        store.open_dataset(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "'M'" in message
    assert not path.exists(), "a damaged store stays where the workflow would take it as done"
    assert len(list(tmp_path.glob(".c.zarr.damaged-*"))) == 1


def test_intact_store_verifies_and_verify_false_skips(tmp_path):
    path = _chunked(tmp_path)
    (path / ".snakemake_timestamp").write_text("")
    recorded = store.open_dataset(path).attrs["checksums"]
    assert recorded["algorithm"] == store.CHECKSUM_ALGORITHM and set(recorded["arrays"]) == {"M", "t"}
    (path / "M" / "c" / "0").unlink()
    ds = store.open_dataset(path, verify=False)  # explicitly unchecked: the hole reads as fill values
    assert path.exists() and np.isnan(ds["M"].values[:16]).all()


def test_incremental_store_checksums_cover_chunks_written_before_the_mark(tmp_path):
    path = tmp_path / "inc.zarr"
    group = store.create_group(path, params={})
    arr = group.create_array("M", shape=(8,), chunks=(4,), dtype="f8", attributes={"units": "1", "long_name": "M",
                                                                                   "_ARRAY_DIMENSIONS": ["t"]})
    arr[:] = np.arange(8.0)
    store.mark_complete(path)
    store.verify(path)
    arr[:4] = 0.0  # a write after the mark changes the content
    with pytest.raises(store.DamagedStoreError, match="array 'M'"):
        store.verify(path, move=False)
    assert path.exists()


def test_spinsweep_run_checks_complete_stores_before_snakemake(tmp_path):
    from spinsweep.workflow.cli import verify_results

    results = tmp_path / "results"
    good = _chunked(results / "magnon", "sweep.zarr")
    bad = _chunked(results / "magnon" / "points", "batch-0.zarr")
    incomplete = results / "magnon" / "points" / "batch-1.zarr"
    store.create_group(incomplete, params={})  # being written or killed: Snakemake's business, left alone
    (bad / "M" / "c" / "2").write_bytes(b"")
    assert len(verify_results(results, move=False)) == 1 and bad.exists()  # a dry run only reports
    lines = verify_results(results)
    assert len(lines) == 1 and "batch-0.zarr" in lines[0] and "'M'" in lines[0] and "moved aside" in lines[0]
    assert not bad.exists() and good.exists() and incomplete.exists()
    assert verify_results(results) == []


def test_up_front_check_rehashes_only_stores_changed_since_their_last_check(tmp_path, monkeypatch):
    """`spinsweep run` records each store's file listing after a full check and hashes only stores whose
    listing changed: an untouched store is not read again; any write to a chunk is caught, also when the
    damage keeps the file's size and its mtime is set back (the ctime cannot be), and ``verify_all`` hashes all."""
    import os

    from spinsweep.workflow.cli import verify_results

    results, cache = tmp_path / "results", tmp_path / ".snakemake" / "spinsweep" / "verified.json"
    paths = {name: _chunked(results / "magnon" / "points", f"{name}.zarr") for name in ("a", "b", "c", "d")}
    hashed = []
    find_damage = store.find_damage
    monkeypatch.setattr(store, "find_damage", lambda path: hashed.append(Path(path).stem) or find_damage(path))

    def check(**kw):
        hashed.clear()
        return verify_results(results, cache=cache, **kw)

    assert check() == [] and sorted(hashed) == ["a", "b", "c", "d"]
    assert check() == [] and hashed == [], "unchanged stores were hashed again"
    time.sleep(0.02)  # file timestamps tick with the kernel's coarse clock (a few ms)
    chunk = paths["b"] / "M" / "c" / "1"
    chunk.write_bytes(b"\0" * chunk.stat().st_size)  # zero-filled in place: same name and size, new mtime
    kept = paths["c"] / "M" / "c" / "2"
    before = kept.stat()
    kept.write_bytes(b"\0" * before.st_size)
    os.utime(kept, ns=(before.st_atime_ns, before.st_mtime_ns))  # same name, size and mtime as when checked
    assert kept.stat().st_mtime_ns == before.st_mtime_ns and kept.stat().st_size == before.st_size
    lines = check()
    assert sorted(hashed) == ["b", "c"], hashed
    assert len(lines) == 2 and any("b.zarr" in line and "'M'" in line for line in lines)
    assert any("c.zarr" in line for line in lines)
    assert not paths["b"].exists() and not paths["c"].exists()  # moved aside: Snakemake recomputes them
    assert check() == [] and hashed == []
    assert set(json.loads(cache.read_text())["stores"]) == {str(paths["a"]), str(paths["d"])}
    assert check(verify_all=True) == [] and sorted(hashed) == ["a", "d"]
    # a store written again (its producer rerun) is hashed once, then skipped
    _chunked(results / "magnon" / "points", "b.zarr")
    assert check() == [] and hashed == ["b"]
    assert check() == [] and hashed == []
