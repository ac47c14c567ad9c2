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
  :func:`mark_complete`.

Nothing here knows about physics; solvers receive stores, analysis reads them.
"""

from __future__ import annotations

import datetime as _dt
import functools
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
REQUIRED_VAR_ATTRS = ("units", "long_name")


class IncompleteStoreError(RuntimeError):
    """Raised when a store is opened for reading before its completion mark was written."""


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
        zarr.open_group(tmp, mode="r+").attrs[COMPLETE_KEY] = True
        consolidate(tmp)
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
    """Write the completion mark: the last write to an incrementally written store."""
    import zarr

    group = zarr.open_group(Path(path), mode="r+")
    if wall_time_s is not None:
        group.attrs["wall_time_s"] = float(wall_time_s)
    group.attrs[COMPLETE_KEY] = True
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


def open_dataset(path: str | os.PathLike, **kwargs):
    """Open a complete store lazily with xarray; raise :class:`IncompleteStoreError` otherwise."""
    import xarray as xr

    if not is_complete(path):
        raise IncompleteStoreError(f"store {path} is missing or incomplete (no completion mark)")
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
