"""Fault injection on GPE checkpoints and written output (issue 9): a resume from a damaged (deleted, zero-filled,
truncated chunk) or foreign checkpoint falls back to the other slot or starts over, with one warning line naming
the store and the slot; a damaged output chunk written before the checkpoint is never left as a NaN gap.  In
every case the final store is compared with an uninterrupted run, bitwise: the run is deterministic, so resuming
from either slot or starting over must reproduce it exactly (and a resume from psi = 0 or over a NaN hole could
not)."""

import json
import shutil

import numpy as np
import pytest
import zarr

from spinsweep_testing import damage_file
from spinsweep.solvers.gpe.checkpoints import CHECKPOINT_ATTR, PREVIOUS_ATTR
from spinsweep.solvers.gpe.run import Preempted, Schedule, run
from spinsweep.solvers.gpe.settings import RunSettings
from spinsweep.solvers.store import is_complete, open_dataset
from gpe_helpers import run_cli

MODEL = {"shape": [256], "box": [50.0], "g11": 20.0, "g22": 20.0, "g12": 17.0, "omega_R": 1.0,
         "atom_number": 26.67, "trap": [0.316]}
# 9 outputs in chunks of 2; a checkpoint after every chunk (500 steps): next_output 2, 4, 6, 8
CFG = {"model": MODEL, "time": {"dt": 0.01, "t_final": 20.0, "output_every": 250},
       "output": {"outputs_per_chunk": 2}, "checkpoint": {"every_steps": 500, "every_wall_s": None}}
STOP_AFTER = 6  # interrupted runs stop with checkpoints at next_output 6 (latest) and 4 (the other slot)


class StopAfter(Schedule):
    """Stops (checkpoint, then Preempted) at the chunk boundary before output ``n``: a deterministic kill."""

    def __init__(self, n: int, settings: RunSettings) -> None:
        super().__init__(settings.checkpoint.every_steps, settings.checkpoint.every_wall_s)
        self.n = n

    def checkpoint_due(self, m, comm=None):
        self.stop_requested = m + 1 >= self.n
        return super().checkpoint_due(m, comm)


def interrupted(path, cfg=CFG):
    settings = RunSettings.from_mapping(cfg)
    with pytest.raises(Preempted):
        run(settings, path, schedule=StopAfter(STOP_AFTER, settings))
    attrs = zarr.open_group(path, mode="r").attrs
    assert attrs[CHECKPOINT_ATTR]["next_output"] == STOP_AFTER and attrs[PREVIOUS_ATTR]["next_output"] == 4
    assert not is_complete(path)
    return dict(attrs)


def resume(path, cfg=CFG):
    warnings = []
    run(RunSettings.from_mapping(cfg), path, warn=warnings.append)
    return warnings


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.zarr"
    run(RunSettings.from_mapping(CFG), path)
    return open_dataset(path).load()


def assert_equals_reference(reference, path):
    got = open_dataset(path).load()  # verifies the completion checksums as well
    for name in reference.data_vars:
        assert np.array_equal(reference[name].values, got[name].values, equal_nan=True), name
        if np.issubdtype(got[name].dtype, np.floating):
            assert not np.isnan(got[name].values).any(), f"{name} has NaN holes"


def damage(file, how):
    damage_file(file, {"deleted": "delete", "zero-filled": "zero", "truncated": "truncate"}[how])


def slot_chunk(path, slot):
    """The one chunk file of checkpoint slot ``slot`` (1 rank, 1D: key c/<slot>/0/0/0)."""
    (file,) = [p for p in (path / "checkpoint" / "psi" / "c" / str(slot)).rglob("*") if p.is_file()]
    return file


def slots(attrs):
    return attrs[CHECKPOINT_ATTR]["slot"], attrs[PREVIOUS_ATTR]["slot"]


HOW = ["deleted", "zero-filled", "truncated"]


@pytest.mark.parametrize("how", HOW)
def test_damaged_latest_slot_falls_back_to_the_other(reference, tmp_path, how):
    path = tmp_path / "run.zarr"
    attrs = interrupted(path)
    latest, other = slots(attrs)
    damage(slot_chunk(path, latest), how)
    (warning,) = resume(path)
    assert str(path) in warning and f"slot {latest} (step {attrs[CHECKPOINT_ATTR]['step']})" in warning
    assert f"resuming from slot {other} (step {attrs[PREVIOUS_ATTR]['step']})" in warning and "\n" not in warning
    assert_equals_reference(reference, path)


@pytest.mark.parametrize("how", HOW)
def test_damaged_other_slot_is_not_needed(reference, tmp_path, how):
    path = tmp_path / "run.zarr"
    latest, other = slots(interrupted(path))
    damage(slot_chunk(path, other), how)
    assert resume(path) == []  # the latest checkpoint is intact: resumed from it, nothing to say
    assert_equals_reference(reference, path)


@pytest.mark.parametrize("how", HOW)
def test_both_slots_damaged_starts_over(reference, tmp_path, how):
    path = tmp_path / "run.zarr"
    latest, other = slots(interrupted(path))
    damage(slot_chunk(path, latest), how)
    damage(slot_chunk(path, other), HOW[(HOW.index(how) + 1) % 3])
    (warning,) = resume(path)
    assert str(path) in warning and f"slot {latest}" in warning and f"slot {other}" in warning
    assert warning.endswith("starting over")
    assert_equals_reference(reference, path)


def test_foreign_checkpoint_from_other_physics_starts_over(reference, tmp_path):
    """Both slots and their checkpoint records copied from a run with another Omega_R (consistent with their
    own checksums): refused as another run's, never resumed from."""
    other_cfg = json.loads(json.dumps(CFG))
    other_cfg["model"]["omega_R"] = 1.3
    foreign = tmp_path / "foreign.zarr"
    foreign_attrs = interrupted(foreign, other_cfg)
    path = tmp_path / "run.zarr"
    interrupted(path)
    shutil.rmtree(path / "checkpoint" / "psi")
    shutil.copytree(foreign / "checkpoint" / "psi", path / "checkpoint" / "psi")
    zarr.open_group(path, mode="r+").attrs.update({k: foreign_attrs[k] for k in (CHECKPOINT_ATTR, PREVIOUS_ATTR)})
    (warning,) = resume(path)
    assert "belongs to another run" in warning and warning.endswith("starting over")
    assert_equals_reference(reference, path)


@pytest.mark.parametrize("chunk, how, expect", [
    (0, "deleted", "starting over"),          # needed by both checkpoints
    (2, "deleted", "resuming from slot"),     # outputs 4-5: only the latest checkpoint (next_output 6) needs it
    (2, "zero-filled", "resuming from slot"),
    (1, "truncated", "starting over"),
])
def test_damaged_output_chunk_is_recomputed_not_left_as_nan(reference, tmp_path, chunk, how, expect):
    path = tmp_path / "run.zarr"
    interrupted(path)
    damage(path / "n" / "c" / str(chunk) / "0", how)
    (warning,) = resume(path)
    assert str(path) in warning and f"time chunk {chunk}" in warning and expect in warning
    assert_equals_reference(reference, path)


@pytest.mark.parametrize("target, expect", [
    ("x/c/0", "coordinates or array metadata"),             # a coordinate chunk (written once, at creation)
    ("checkpoint/psi/zarr.json", "coordinates or array metadata"),
    ("zarr.json", "unreadable metadata"),                   # the root metadata: nothing in it can be trusted
])
def test_damaged_coordinates_or_metadata_start_over(reference, tmp_path, target, expect):
    path = tmp_path / "run.zarr"
    interrupted(path)
    damage(path / target, "truncated")
    (warning,) = resume(path)
    assert str(path) in warning and expect in warning and warning.endswith("starting over")
    assert_equals_reference(reference, path)


def test_cli_reports_a_damaged_checkpoint_in_one_line(reference, tmp_path):
    path = tmp_path / "run.zarr"
    latest, _ = slots(interrupted(path))
    damage(slot_chunk(path, latest), "truncated")
    (tmp_path / "c.json").write_text(json.dumps(CFG))
    res = run_cli(["--config", tmp_path / "c.json", "--store", path])
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spinsweep: warning: store "), res.stderr
    assert "resuming" in res.stdout
    assert_equals_reference(reference, path)


MPI_SCRIPT = """
import json, sys
from spinsweep.solvers.gpe.run import Preempted, Schedule, run
from spinsweep.solvers.gpe.settings import RunSettings
settings = RunSettings.from_mapping(json.loads(sys.argv[2]))
class StopAfter(Schedule):
    def checkpoint_due(self, m, comm=None):
        self.stop_requested = m + 1 >= 6
        return super().checkpoint_due(m, comm)
if sys.argv[1] == "stop":
    try:
        run(settings, sys.argv[3], schedule=StopAfter(settings.checkpoint.every_steps, None))
    except Preempted:
        pass
else:
    run(settings, sys.argv[3], warn=lambda text: print("WARNING", text))
"""


@pytest.mark.mpi
def test_two_ranks_one_damaged_slab_falls_back(tmp_path):
    """2 ranks (2D): rank 1's slab of the latest slot truncated -> rank 0 sees it, all ranks resume from the
    other slot; the result equals an uninterrupted 2-rank run bitwise."""
    import subprocess
    import sys

    from gpe_helpers import REPO, cli_env, mpiexec_or_skip

    cfg = {"model": {"shape": [96, 24], "box": [24.0, 6.0], "g11": 1e-3, "g22": 1e-3, "g12": 0.9e-3,
                     "omega_R": 1.0, "atom_number": 4e5, "trap": [0.5, 2.0]},
           "time": {"dt": 0.002, "t_final": 0.36, "output_every": 20},
           "initial": {"ground_dt": 0.01, "ground_tol": 1e-3},
           "output": {"outputs_per_chunk": 2, "psi": True}, "checkpoint": {"every_steps": 40, "every_wall_s": None}}

    def mpi(mode, path):
        res = subprocess.run([mpiexec_or_skip(), "-n", "2", sys.executable, "-c", MPI_SCRIPT, mode, json.dumps(cfg),
                              str(path)], cwd=REPO, env=cli_env(), capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return res.stdout

    mpi("run", tmp_path / "ref.zarr")
    path = tmp_path / "run.zarr"
    mpi("stop", path)
    attrs = zarr.open_group(path, mode="r").attrs
    latest, other = attrs[CHECKPOINT_ATTR], attrs[PREVIOUS_ATTR]
    assert latest["next_output"] == 6 and other["next_output"] == 4
    damage(path / "checkpoint" / "psi" / "c" / str(latest["slot"]) / "0" / "0" / "1" / "0", "truncated")
    (warning,) = [line for line in mpi("run", path).splitlines() if line.startswith("WARNING")]
    assert f"slot {latest['slot']} (step {latest['step']})" in warning
    assert f"resuming from slot {other['slot']} (step {other['step']})" in warning
    assert_equals_reference(open_dataset(tmp_path / "ref.zarr").load(), path)
