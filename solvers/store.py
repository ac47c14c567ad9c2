"""Zarr v3 run stores: provenance, atomic writes and the completion mark.

Conventions (ARCHITECTURE.md, "Stores"):

* one zarr v3 store per run, readable by xarray (named dims, coordinates);
* every data variable carries ``units`` and ``long_name`` attributes;
* the root attributes hold the full parameter set, the code version, the random seed (where random),
  the wall time and the host;
* a store is *complete* iff its root attributes hold ``"complete": true``, and that mark is the last
  thing written.  Whole datasets are written to a hidden temporary path first and renamed into place, so a
  killed writer never leaves a store that looks finished; incrementally written stores (checkpoints, MPI
  ranks writing their own chunks) are created with :func:`create_group` and closed with
  :func:`mark_complete`;
* a complete store records content checksums of every array (``checksums`` in the root attributes: per
  array the number of files and a blake2b digest over each file's path and raw bytes, chunk files and the
  array's own metadata), written together with the completion mark.  :func:`open_dataset` verifies them by
  default: a missing, zero-filled, truncated or changed chunk raises :class:`DamagedStoreError` (one line
  naming the store and the array) and the damaged store is moved aside to a hidden sibling
  ``.<name>.damaged-<stamp>``, so that the next workflow run sees a missing output and recomputes it
  instead of reading fill values (NaN holes) as data.

Nothing here knows about physics; solvers receive stores, analysis reads them.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import math
import os
import shutil
import socket
import subprocess
import time
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

COMPLETE_KEY = "complete"
CHECKSUMS_KEY = "checksums"
CHECKSUM_ALGORITHM = "blake2b-128"
REQUIRED_VAR_ATTRS = ("units", "long_name")


class IncompleteStoreError(RuntimeError):
    """Raised when a store is opened for reading before its completion mark was written."""


class DamagedStoreError(RuntimeError):
    """A complete store whose content no longer matches its recorded checksums (one line: store and array)."""

    def __init__(self, path, array: str | None, what: str, moved_to: Path | None = None):
        self.path, self.array, self.what, self.moved_to = Path(path), array, what, moved_to
        where = f"array '{array}'" if array else "metadata"
        aside = f"; moved aside to {moved_to.name}, the next run recomputes it" if moved_to else ""
        super().__init__(f"store {self.path} is damaged: {where}: {what}{aside}")


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus the git commit of the source tree when there is one."""
    from importlib import metadata

    try:
        version = metadata.version("spinsweep")
    except metadata.PackageNotFoundError:
        version = "unknown"
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+{commit}" if commit else version


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and paths in nested containers to plain JSON types."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, complex):
        return {"re": value.real, "im": value.imag}
    raise TypeError(f"cannot store parameter value {value!r} of type {type(value).__name__} as JSON")


def provenance(params: Mapping[str, Any], *, seed: int | None = None,
               wall_time_s: float | None = None) -> dict[str, Any]:
    """Root attributes every store carries: parameters, code version, seed, wall time, host, date."""
    attrs = {
        "params": to_jsonable(dict(params)),
        "code_version": code_version(),
        "host": socket.gethostname(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": None if seed is None else int(seed),
        "wall_time_s": None if wall_time_s is None else float(wall_time_s),
        COMPLETE_KEY: False,
    }
    json.dumps(attrs)  # fail early, before any file is touched
    return attrs


def check_variable_attrs(ds) -> None:
    """Every data variable must say what it is and in which units (ARCHITECTURE.md, "Units")."""
    missing = [f"{name} (needs {', '.join(a for a in REQUIRED_VAR_ATTRS if a not in var.attrs)})"
               for name, var in ds.data_vars.items()
               if any(a not in var.attrs for a in REQUIRED_VAR_ATTRS)]
    if missing:
        raise ValueError("data variables without units/long_name attrs: " + "; ".join(missing))


#: unit symbols UDUNITS and pint both parse; anything else is a natural unit of a model (``E``, ``tau``,
#: ``1/Omega_R``, ``site``), stored as ``units: "1"`` with the scale named in ``units_scale``
_SI_SYMBOLS = {"m", "s", "kg", "rad", "Hz", "K", "J", "um", "ms", "us", "ns", "nK", "cm", "G", "mG", "W", "A"}
#: CF axis / standard_name of coordinates with the conventional names
_CF_AXES = {"t": ("T", "time"), "x": ("X", None), "y": ("Y", None), "z": ("Z", None)}


def cf_units(units: str) -> tuple[str, str | None]:
    """``(units, units_scale)``: parseable units unchanged, natural units as ``("1", <scale>)``."""
    import re

    text = str(units).strip()
    if text in ("", "1"):
        return "1", None
    symbols = set(re.findall(r"[A-Za-z_]+", text))
    if symbols <= _SI_SYMBOLS and re.fullmatch(r"[A-Za-z_0-9 */^().\-]+", text):
        return text, None
    return "1", text


def _annotated(ds):
    """A shallow copy following the store conventions: CF-parseable units (natural units named in
    ``units_scale``), ``units``/``long_name`` on every coordinate, CF ``axis``/``standard_name`` on t, x, y, z,
    and variable-length strings (fixed-length unicode is not in the zarr v3 spec)."""
    out = ds.copy(deep=False)
    for name in list(out.variables):
        var = out[name].variable
        attrs = dict(var.attrs)
        if name in out.coords:
            attrs.setdefault("units", "1")
            attrs.setdefault("long_name", f"{name} (index)" if var.dtype.kind in "iuUOT" else str(name))
            if name in _CF_AXES and var.ndim == 1 and var.dims == (name,):
                axis, standard = _CF_AXES[name]
                attrs.setdefault("axis", axis)
                if standard:
                    attrs.setdefault("standard_name", standard)
        if "units" in attrs:
            units, scale = cf_units(attrs["units"])
            attrs["units"] = units
            if scale is not None:
                attrs.setdefault("units_scale", scale)
        if var.dtype.kind == "U":
            var = var.astype(object)
        var = var.copy(deep=False)
        var.attrs = attrs
        if name in out.coords:
            out = out.assign_coords({name: var})
        else:
            out[name] = var
    return out


def consolidate(path: str | os.PathLike) -> None:
    """Consolidate a store's metadata, so that ``xarray.open_zarr(path)`` opens it without listing (and
    without warnings about files that are not zarr nodes, such as Snakemake's ``.snakemake_timestamp``)."""
    import warnings

    import zarr

    with warnings.catch_warnings():  # zarr notes that consolidated metadata is not yet in the v3 spec
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(Path(path), zarr_format=3)


def _temporary_sibling(path: Path) -> Path:
    return path.parent / f".{path.name}.partial-{uuid.uuid4().hex[:12]}"


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# -- content checksums ----------------------------------------------------------------------------------

def _node_type(meta: Path) -> str | None:
    try:
        return json.loads(meta.read_bytes()).get("node_type")
    except (OSError, ValueError, AttributeError):
        return None


def array_files(path: Path) -> dict[str, list[Path]]:
    """Every array of a store (by its path inside the store) and its files: chunk files and its zarr.json.

    Group metadata (which holds attributes and consolidated metadata, rewritten with the completion mark) is
    not included; hidden files (Snakemake's ``.snakemake_timestamp``) are not part of the store.
    """
    arrays: dict[str, list[Path]] = {}
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        if "zarr.json" in files and here != path and _node_type(here / "zarr.json") == "array":
            found = []
            for sub, subdirs, subfiles in os.walk(here):
                subdirs.sort()
                found += [Path(sub) / f for f in sorted(subfiles) if not f.startswith(".")]
            arrays[here.relative_to(path).as_posix()] = found
            dirs[:] = []  # an array holds no nodes
    return arrays


def _digest(path: Path, files: list[Path]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(f.relative_to(path).as_posix().encode() + b"\0")
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def files_checksum(root: str | os.PathLike, files: list[Path]) -> dict[str, Any]:
    """``{"files": n, "blake2b": hex}`` of some files of the store at ``root`` (their paths and raw bytes), for
    checksums of parts of a store that is still being written (a GPE run's checkpoint slots and output chunks)."""
    return {"files": len(files), "blake2b": _digest(Path(root), list(files))}


def checksums(path: str | os.PathLike) -> dict[str, Any]:
    """Content checksums of every array of a store: ``{array: {"files": n, "blake2b": hex}}``."""
    path = Path(path)
    return {name: {"files": len(files), "blake2b": _digest(path, files)}
            for name, files in sorted(array_files(path).items())}


def _record_checksums(path: Path, group) -> None:
    group.attrs.update({CHECKSUMS_KEY: {"algorithm": CHECKSUM_ALGORITHM, "arrays": checksums(path)},
                        COMPLETE_KEY: True})


def find_damage(path: str | os.PathLike) -> tuple[str | None, str] | None:
    """``(array, what)`` for the first array of a complete store whose content differs from its checksums;
    ``None`` when every array matches (or the store is not complete: there is nothing to verify yet)."""
    import zarr

    path = Path(path)
    if not is_complete(path):
        return None
    recorded = zarr.open_group(path, mode="r").attrs.get(CHECKSUMS_KEY)
    if not isinstance(recorded, Mapping) or not isinstance(recorded.get("arrays"), Mapping):
        return None, "no content checksums recorded (written by an older spinsweep, or the metadata was changed)"
    expected = recorded["arrays"]
    actual = array_files(path)
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            return name, "array is missing"
        if name not in expected:
            return name, "array is not in the recorded checksums"
        want, files = expected[name], actual[name]
        if len(files) != int(want.get("files", -1)):
            return name, f"{len(files)} files where {want.get('files')} were written (a chunk is missing or extra)"
        try:
            digest = _digest(path, files)
        except OSError as err:
            return name, f"unreadable ({err.strerror or err})"
        if digest != want.get("blake2b"):
            return name, "content differs from the recorded checksum (a chunk was changed, zero-filled or truncated)"
    return None


def fingerprint(path: str | os.PathLike) -> str:
    """A digest of the listing of a store's files -- relative path, size, ``mtime_ns``, ``ctime_ns`` and inode
    of each (hidden files left out, as in :func:`array_files`) -- not of their bytes: a few microseconds per
    file, where :func:`find_damage` reads every byte.

    Any change made through the file system changes it: writing, truncating, deleting or adding a file, or
    replacing one by a rename, a copy or a backup restore changes size, mtime, inode or ctime, and ctime cannot
    be set back from user space (``os.utime`` restoring an mtime sets ctime to now).  Timestamps tick with the
    kernel's coarse clock (milliseconds): a size-keeping write in the same tick as the listing would be missed,
    which needs a writer running during the check (``spinsweep run`` does not check while Snakemake works in
    its directory).  What keeps all of them
    is damage below the file system (bit rot, a crash that loses data blocks of a file whose size and mtime had
    reached the journal, writes to the raw device): the workflow's up-front check that skips stores whose
    fingerprint it recorded after a full check (``spinsweep run``; ``--verify-all`` rehashes everything) does
    not see that, but every job still verifies the checksums of the stores it reads (:func:`open_dataset`)."""
    path = Path(path)
    h = hashlib.blake2b(digest_size=16)
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            full = os.path.join(root, name)
            st = os.stat(full)
            h.update(f"{os.path.relpath(full, path)}\0{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} "
                     f"{st.st_ino}\n".encode())
    return h.hexdigest()


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a damaged store to a hidden sibling ``.<name>.damaged-<stamp>`` and return the new path."""
    path = Path(path)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{uuid.uuid4().hex[:6]}"
    target = path.parent / f".{path.name}.damaged-{stamp}"
    os.replace(path, target)
    return target


def verify(path: str | os.PathLike, *, move: bool = True) -> None:
    """Check a complete store against its checksums; :class:`DamagedStoreError` if it differs (after moving the
    store aside when ``move``)."""
    damage = find_damage(path)
    if damage is None:
        return
    array, what = damage
    moved = None
    if move:
        try:
            moved = move_aside(path)
        except OSError:
            moved = None
    raise DamagedStoreError(path, array, what, moved)


_verify = verify  # open_dataset's keyword shadows the name


def write_dataset(ds, path: str | os.PathLike, *, params: Mapping[str, Any], seed: int | None = None,
                  wall_time_s: float | None = None, encoding: Mapping | None = None) -> Path:
    """Write an xarray Dataset as one complete zarr v3 store, atomically.

    The dataset goes to a hidden sibling path, the completion mark is added last, and the directory is
    renamed onto ``path`` (replacing an older store there).  A writer killed at any point leaves either the
    old store or no store at ``path``, never a partial one.
    """
    import zarr

    check_variable_attrs(ds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.partial-*"):  # left by a killed writer
        _remove(stale)
    tmp = _temporary_sibling(path)
    out = _annotated(ds)
    out.attrs = {**ds.attrs, **provenance(params, seed=seed, wall_time_s=wall_time_s)}
    try:
        out.to_zarr(tmp, mode="w", zarr_format=3, consolidated=False, encoding=dict(encoding or {}))
        _record_checksums(tmp, zarr.open_group(tmp, mode="r+"))  # checksums and the mark, in one attrs write
        consolidate(tmp)  # after the last attrs change
        _remove(path)
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    return path


def create_group(path: str | os.PathLike, *, params: Mapping[str, Any], seed: int | None = None,
                 overwrite: bool = False):
    """Create an incrementally written store (not complete) and return its root zarr group.

    Call once, before any writer starts (zarr v3 has no locks); writers then fill whole chunks each.
    """
    import zarr

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"store {path} exists; pass overwrite=True to replace it")
    group = zarr.open_group(path, mode="w", zarr_format=3)
    group.attrs.update(provenance(params, seed=seed))
    return group


def mark_complete(path: str | os.PathLike, *, wall_time_s: float | None = None) -> None:
    """Write the content checksums and the completion mark: the last write to an incrementally written store.

    Call after every writer has finished (the checksums cover the chunks present now)."""
    import zarr

    group = zarr.open_group(Path(path), mode="r+")
    if wall_time_s is not None:
        group.attrs["wall_time_s"] = float(wall_time_s)
    _record_checksums(Path(path), group)
    consolidate(path)


def is_complete(path: str | os.PathLike) -> bool:
    """True iff ``path`` is a zarr store whose root attributes carry the completion mark."""
    import zarr

    path = Path(path)
    if not (path / "zarr.json").is_file():
        return False
    try:
        return bool(zarr.open_group(path, mode="r").attrs.get(COMPLETE_KEY, False))
    except Exception:  # unreadable metadata is as good as incomplete
        return False


def open_dataset(path: str | os.PathLike, *, verify: bool = True, **kwargs):
    """Open a complete store lazily with xarray; raise :class:`IncompleteStoreError` otherwise.

    With ``verify`` (the default) every array's content is first checked against the checksums recorded with
    the completion mark: a damaged store raises :class:`DamagedStoreError` and is moved aside (see
    :func:`verify`), so no reader ever takes a missing chunk's fill values for data."""
    import xarray as xr

    if not is_complete(path):
        raise IncompleteStoreError(f"store {path} is missing or incomplete (no completion mark)")
    if verify:
        _verify(path)
    with warnings.catch_warnings():
        # Snakemake marks directory() outputs with a .snakemake_timestamp file, which zarr reports as a stranger
        warnings.filterwarnings("ignore", message=r"Object at \.snakemake_timestamp is not recognized")
        return xr.open_zarr(Path(path), zarr_format=3, consolidated=False, **kwargs)


class Stopwatch:
    """Wall time of a run, for the ``wall_time_s`` provenance attribute."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start
