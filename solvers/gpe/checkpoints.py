"""Which checkpoint a GPE run may resume from: content checksums of the two checkpoint slots and of the output
written before them, and the identity of the run a checkpoint belongs to.

A run's store (:mod:`.output`) holds two checkpoint slots of psi and the outputs written so far.  Resuming from
a slot whose chunks were deleted, zero-filled or truncated would start from zarr's fill value (psi = 0: all atoms
gone); resuming over a deleted output chunk would leave a NaN gap in a store that is then marked complete.  So
rank 0 records, in the same atomic root-attribute write that names a slot valid (:meth:`Ledger.commit`):

* for the slot: the run token (a hash of the run's resume identity and the store's ``run_id``, so a checkpoint
  copied from a run with other physics or from another store is refused) and a blake2b checksum over the slot's
  chunk files and the array's metadata (:func:`spinsweep.solvers.store.files_checksum`);
* for every time chunk of output written before the checkpoint: a checksum over that chunk's files in every
  output array;
* once, at the first checkpoint: a checksum of the coordinates and of every array's metadata.

:func:`choose` checks the latest slot, then the other one (it holds the checkpoint before), and returns the
newest that belongs to this run, matches its checksum and whose earlier output is intact -- or none, and the
run starts over.  Either way the caller gets one line per refused slot naming the store, the slot and what is
wrong.  Resuming from either slot, or starting over, gives the same result bitwise (the run is deterministic).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from spinsweep.solvers import store as sstore

CHECKPOINT_ATTR = "gpe_checkpoint"            # the latest checkpoint: slot, step, next_output, t, run, checksum
PREVIOUS_ATTR = "gpe_checkpoint_previous"     # the one before it, in the other slot (None until there is one)
OUTPUT_SUMS_ATTR = "gpe_output_checksums"     # time chunk index -> checksum of its files in every output array
STATIC_SUMS_ATTR = "gpe_static_checksum"      # coordinates and every array's metadata
RUN_ID_ATTR = "run_id"                        # a random id given to the store when it is created
CHECKPOINT_ARRAY = "checkpoint/psi"


def run_token(identity: dict, run_id: str | None) -> str:
    """The identity of a run a checkpoint belongs to: blake2b of its resume identity (physics, grid, time grid,
    protocol) and the store's ``run_id``."""
    text = json.dumps(identity, sort_keys=True) + "\0" + str(run_id)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _dims(array_dir: Path) -> list:
    """An array's dimension names (None for unnamed ones), from its metadata."""
    meta = json.loads((array_dir / "zarr.json").read_text())
    return list(meta.get("dimension_names") or [None] * len(meta["shape"]))


def _chunk_files(array_dir: Path, axis: int, index: int, ndim: int) -> list[Path]:
    """The chunk files of an array whose chunk index along ``axis`` is ``index`` (zarr v3 keys ``c/i/j/...``)."""
    pattern = "/".join(str(index) if k == axis else "*" for k in range(ndim))
    return sorted(p for p in (array_dir / "c").glob(pattern) if p.is_file())


class Ledger:
    """Rank 0's record of the checkpoints and checksums of one store, written with each checkpoint."""

    def __init__(self, path, output_names: list[str], outputs_per_chunk: int, *, latest: dict | None = None,
                 output_sums: dict | None = None, static: dict | None = None) -> None:
        self.path, self.outputs, self.K = Path(path), list(output_names), int(outputs_per_chunk)
        self.latest, self.output_sums, self.static = latest, dict(output_sums or {}), static
        self._time_axes: list[tuple[str, int, int]] | None = None

    # -- checksums of the store's parts ---------------------------------------------------------------------
    def slot_checksum(self, slot: int) -> dict:
        d = self.path / CHECKPOINT_ARRAY
        files = [d / "zarr.json", *_chunk_files(d, 0, slot, len(_dims(d)))]
        return sstore.files_checksum(self.path, files)

    def chunk_checksum(self, chunk: int) -> dict:
        if self._time_axes is None:  # (array, position of t, ndim), read once from the arrays' metadata
            self._time_axes = []
            for name in self.outputs:
                dims = _dims(self.path / name)
                self._time_axes.append((name, dims.index("t"), len(dims)))
        files = []
        for name, axis, ndim in self._time_axes:
            files += _chunk_files(self.path / name, axis, chunk, ndim)
        return sstore.files_checksum(self.path, files)

    def static_checksum(self) -> dict:
        """Coordinates (arrays written once, at creation) and the metadata of every array."""
        skip = set(self.outputs) | {CHECKPOINT_ARRAY}
        files = []
        for name, found in sstore.array_files(self.path).items():
            files += [self.path / name / "zarr.json"] if name in skip else found
        return sstore.files_checksum(self.path, files)

    # -- writing (rank 0, after every rank wrote its part of the slot) --------------------------------------
    def commit(self, info: dict) -> dict:
        """Root attributes naming ``info`` (slot, step, next_output, t, run) the latest valid checkpoint, with
        the slot's checksum, the checksums of the output chunks written before it and the checkpoint before it
        (in the other slot); to be written in one attrs update."""
        info = {**info, "checksum": self.slot_checksum(int(info["slot"]))}
        for c in range(int(info["next_output"]) // self.K):  # only the chunks written since the last one
            if str(c) not in self.output_sums:
                self.output_sums[str(c)] = self.chunk_checksum(c)
        previous = self.latest if self.latest is not None and self.latest["slot"] != info["slot"] else None
        if self.static is None:
            self.static = self.static_checksum()
        self.latest = info
        return {CHECKPOINT_ATTR: info, PREVIOUS_ATTR: previous, OUTPUT_SUMS_ATTR: self.output_sums,
                STATIC_SUMS_ATTR: self.static}

    # -- reading (rank 0, before a resume) ------------------------------------------------------------------
    def _first_damaged_chunk(self, n_chunks: int) -> tuple[int, str] | None:
        for c in range(n_chunks):
            want = self.output_sums.get(str(c))
            if want is None:
                return c, "no checksum recorded"
            problem = _differs(want, self.chunk_checksum(c))
            if problem:
                return c, problem
        return None

    def problem_with(self, info: dict, token: str, damaged: tuple[int, str] | None) -> str | None:
        """Why the checkpoint ``info`` must not be resumed from (None when it may)."""
        if info.get("run") != token:
            return "belongs to another run (its run identity differs from this store's)"
        try:
            problem = _differs(info.get("checksum") or {}, self.slot_checksum(int(info["slot"])))
        except (OSError, ValueError, KeyError) as err:
            problem = f"unreadable ({err})"
        if problem:
            return problem
        if damaged is not None and int(info["next_output"]) // self.K > damaged[0]:
            c = damaged[0]
            return (f"output written before it is damaged: time chunk {c} (outputs {c * self.K}.."
                    f"{(c + 1) * self.K - 1}): {damaged[1]}")
        return None


def _differs(want: dict, have: dict) -> str | None:
    if int(want.get("files", -1)) != have["files"]:
        return f"{have['files']} files where {want.get('files')} were written (a chunk is missing or extra)"
    if want.get("blake2b") != have["blake2b"]:
        return "content differs from its checksum (a chunk was changed, zero-filled or truncated)"
    return None


def choose(path, attrs: dict, token: str, output_names: list[str], outputs_per_chunk: int
           ) -> tuple[Ledger, dict | None, list[str]]:
    """The newest usable checkpoint of the store at ``path`` (root attributes ``attrs``): ``(ledger, info,
    problems)``; ``info`` is None when neither slot may be resumed from (start over).  ``problems`` holds one
    entry per refused slot (``slot 1 (step 1750): ...``) or for damaged coordinates/metadata."""
    path = Path(path)
    latest, previous = attrs.get(CHECKPOINT_ATTR), attrs.get(PREVIOUS_ATTR)
    ledger = Ledger(path, output_names, outputs_per_chunk, output_sums=attrs.get(OUTPUT_SUMS_ATTR),
                    static=attrs.get(STATIC_SUMS_ATTR))
    if ledger.static is None:
        return ledger, None, ["no checkpoint checksums recorded (an older spinsweep wrote this store)"]
    try:
        static = _differs(ledger.static, ledger.static_checksum())
    except (OSError, ValueError, KeyError) as err:
        static = f"unreadable ({err})"
    if static:
        return ledger, None, [f"coordinates or array metadata: {static}"]
    candidates = [i for i in (latest, previous) if isinstance(i, dict)]
    try:
        damaged = ledger._first_damaged_chunk(max((int(i.get("next_output", 0)) for i in candidates), default=0)
                                              // ledger.K)
    except (OSError, ValueError, KeyError) as err:
        damaged = (0, f"unreadable ({err})")
    problems = []
    for info in candidates:
        problem = ledger.problem_with(info, token, damaged)
        if problem is None:
            ledger.latest = info
            ledger.output_sums = {k: v for k, v in ledger.output_sums.items()
                                  if int(k) < int(info["next_output"]) // ledger.K}
            return ledger, info, problems
        problems.append(f"slot {info.get('slot')} (step {info.get('step')}): {problem}")
    return ledger, None, problems
