"""One-rank FFT back ends behind one interface, and the per-shape choice between them (issue 13, item 1).

A back end plans the transforms of one field layout (B, 2, *spatial) over its spatial axes, out of place between
a real-layout array and the spectral buffer, *unnormalised both ways* (the stepper folds 1/N into its kinetic
factor, so the 1/N costs no pass of its own):

* ``ducc0`` -- ducc0.fft.c2c, one thread (always available; the reference);
* ``fftw``  -- FFTW through ``pyfftw`` (optional dependency), ``FFTW_MEASURE`` plans on 64-byte aligned arrays,
  plans cached per layout, wisdom kept in the user cache dir so every later process gets the same plans.

Which one runs is a setting: ``SlabFFT(..., backend=...)`` or the environment variable ``SPINSWEEP_FFT``
(``ducc0`` | ``fftw`` | ``auto``, default ``auto``).  ``auto`` looks the layout up in a per-machine table in the
user cache dir and, on a miss, times both back ends on it (interleaved, best of a few) and stores the winner.
The table is written once per key under a file lock and never changed afterwards, so every process on this
machine -- a resumed run, each thread part of a batched run -- uses the same back end for the same layout, and
with the stored wisdom the same FFTW plan: results stay bitwise reproducible.  The chosen name is on
``SlabFFT.backend`` for the run record.

Measured on the 2-core AMD EPYC (AVX2) dev VM (benchmarks/results/AMD_EPYC_avx2_2cpu.txt, FFT pair of a
(1, 2, *shape) field): FFTW wins every 1D layout -- 4-8x at Nx <= 256, where ducc0's ~4 us per call dominates,
1.3-1.7x at Nx 1728-4096 -- and the small 2D/3D grids (96x24, 72x18x18, 128x32x32); ducc0 is as fast or
faster on 512x128 and 256x64x64.  Batched layouts follow the 1D picture (32x2x512: FFTW 1.6x).

Cache dir: ``$SPINSWEEP_CACHE_DIR``, else ``$XDG_CACHE_HOME/spinsweep``, else ``~/.cache/spinsweep``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import time
from pathlib import Path

import ducc0
import numpy as np

ALIGN = 64  # bytes: a cache line, and more than any SIMD width FFTW plans for
BACKENDS = ("ducc0", "fftw")
ENV = "SPINSWEEP_FFT"


def aligned_empty(shape: tuple[int, ...], dtype=complex, align: int = ALIGN) -> np.ndarray:
    """An uninitialised C-contiguous array whose data start on an ``align``-byte boundary."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(n + align, dtype=np.uint8)
    off = (-raw.ctypes.data) % align
    return raw[off:off + n].view(dtype).reshape(shape)


def is_aligned(a: np.ndarray, align: int = ALIGN) -> bool:
    return a.ctypes.data % align == 0


def fftw_available() -> bool:
    try:
        import pyfftw  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    base = os.environ.get("SPINSWEEP_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "spinsweep"


def machine_kind() -> str:
    """CPU model and ISA level: the table and the wisdom are per kind of machine (benchmarks/results too)."""
    model = platform.processor() or platform.machine()
    flags = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("", platform.machine()):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                f = line.split(":", 1)[1].split()
                flags = "avx512f" if "avx512f" in f else "avx2" if "avx2" in f else "sse"
                break
    return f"{model} {flags}".strip()


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` (a sidecar lock file) for the read-decide-write of a cached table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(path) + ".lock", "a") as fh:
        try:
            import fcntl
            fcntl.flock(fh, fcntl.LOCK_EX)
        except (ImportError, OSError):  # no flock here: best effort (a lost race can only re-time a shape)
            pass
        yield


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# -- back ends -------------------------------------------------------------------------------------------------
class Ducc0Plan:
    """ducc0 c2c over ``axes``, one thread, unnormalised both ways; works on any arrays of the layout."""

    name = "ducc0"

    def __init__(self, shape: tuple[int, ...], axes: tuple[int, ...], kbuf: np.ndarray) -> None:
        self.axes = axes

    def forward(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        return ducc0.fft.c2c(src, axes=self.axes, forward=True, inorm=0, out=dst, nthreads=1)

    def backward(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        return ducc0.fft.c2c(src, axes=self.axes, forward=False, inorm=0, out=dst, nthreads=1)


class FFTWPlan:
    """FFTW (pyfftw) plans of one layout: real-layout array <-> ``kbuf``, unnormalised, input destroyed.

    The plans are made once on 64-byte aligned templates and re-pointed (``update_arrays``, a few us) when the
    stepper hands in another real-layout array; that array must be C-contiguous and 64-byte aligned
    (:meth:`SlabFFT.adopt` makes sure).  The 1D planner case includes ``howmany`` = B*2, so a batch of another
    size is another plan (like ducc0's SIMD grouping of lines, this can move a result by an ulp).
    """

    name = "fftw"
    _wisdom_loaded = False

    def __init__(self, shape: tuple[int, ...], axes: tuple[int, ...], kbuf: np.ndarray) -> None:
        import pyfftw
        self._load_wisdom()
        real = aligned_empty(shape)
        flags = ("FFTW_MEASURE", "FFTW_DESTROY_INPUT")
        saved = kbuf.copy()
        with _locked(self._wisdom_path()):  # plan under the lock: the first process measures, the others reuse
            self._load_wisdom(force=True)
            self._fw = pyfftw.FFTW(real, kbuf, axes=axes, direction="FFTW_FORWARD", flags=flags, threads=1)
            self._bw = pyfftw.FFTW(kbuf, real, axes=axes, direction="FFTW_BACKWARD", flags=flags, threads=1,
                                   normalise_idft=False)
            self._save_wisdom()
        kbuf[...] = saved  # FFTW_MEASURE scribbles on the arrays it plans with
        self._fsrc, self._bdst = real, real

    @staticmethod
    def _wisdom_path() -> Path:
        import pyfftw
        kind = machine_kind().replace(" ", "_").replace("/", "_")
        return cache_dir() / f"fftw-wisdom-{kind}-pyfftw{pyfftw.__version__}.bin"

    @classmethod
    def _load_wisdom(cls, force: bool = False) -> None:
        if cls._wisdom_loaded and not force:
            return
        import pyfftw
        path = cls._wisdom_path()
        with contextlib.suppress(OSError, ValueError):
            parts = json.loads(path.read_text())
            pyfftw.import_wisdom(tuple(bytes.fromhex(p) for p in parts))
        cls._wisdom_loaded = True

    @classmethod
    def _save_wisdom(cls) -> None:
        import pyfftw
        with contextlib.suppress(OSError):
            _write_atomic(cls._wisdom_path(), json.dumps([w.hex() for w in pyfftw.export_wisdom()]).encode())

    def forward(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        fw = self._fw
        if src is not self._fsrc:
            fw.update_arrays(src, dst)
            self._fsrc = src
        fw.execute()
        return dst

    def backward(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        bw = self._bw
        if dst is not self._bdst:
            bw.update_arrays(src, dst)
            self._bdst = dst
        bw.execute()
        return dst


PLANS = {"ducc0": Ducc0Plan, "fftw": FFTWPlan}


# -- choice ----------------------------------------------------------------------------------------------------
def requested(backend: str | None = None) -> str:
    """The setting: ``backend`` if given, else $SPINSWEEP_FFT, else ``auto``; checked."""
    name = (backend or os.environ.get(ENV) or "auto").strip().lower()
    if name not in BACKENDS + ("auto",):
        raise ValueError(f"FFT back end {name!r} ({ENV} or backend=): allowed ducc0, fftw, auto")
    if name == "fftw" and not fftw_available():
        raise ValueError(f"FFT back end 'fftw' requested ({ENV} or backend=) but pyfftw is not installed")
    return name


def time_pair(plan, real: np.ndarray, kbuf: np.ndarray) -> float:
    t = time.perf_counter()
    plan.forward(real, kbuf)
    plan.backward(kbuf, real)
    return time.perf_counter() - t


def measure(shape: tuple[int, ...], axes: tuple[int, ...], kbuf: np.ndarray, budget_s: float = 0.3) -> dict:
    """Best-of FFT-pair times of every available back end on this layout, interleaved (same machine load)."""
    plans = {n: PLANS[n](shape, axes, kbuf) for n in BACKENDS if n == "ducc0" or fftw_available()}
    # zeros: an unnormalised pair multiplies the data by N, so any other data overflow to inf/NaN within a few
    # dozen pairs (and NaN arithmetic distorts the timing); FFT codes do not branch on values, and zeros time
    # as random data do (measured, benchmarks/bench_gpe.py)
    real = aligned_empty(shape)
    real[...] = 0.0
    kbuf[...] = 0.0
    best = {n: time_pair(p, real, kbuf) for n, p in plans.items()}  # warm-up
    best = dict.fromkeys(plans, np.inf)
    t_end, reps = time.perf_counter() + budget_s, 0
    while reps < 3 or (time.perf_counter() < t_end and reps < 50):
        for n, p in plans.items():
            best[n] = min(best[n], time_pair(p, real, kbuf))
        reps += 1
    return best


def choose(shape: tuple[int, ...], axes: tuple[int, ...], kbuf: np.ndarray, backend: str | None = None) -> str:
    """The back end for this layout: the setting, or under ``auto`` the machine's table (timed once on a miss)."""
    name = requested(backend)
    if name != "auto":
        return name
    if not fftw_available():
        return "ducc0"
    import pyfftw
    key = f"{machine_kind()} | ducc0 {ducc0.__version__} | pyfftw {pyfftw.__version__} | {shape} axes {axes}"
    path = cache_dir() / "fft-choice.json"
    try:
        with _locked(path):
            table = {}
            with contextlib.suppress(OSError, ValueError):
                table = json.loads(path.read_text())
            if key in table:
                return table[key]["backend"]
            times = measure(shape, axes, kbuf)
            win = min(times, key=times.get)
            table[key] = {"backend": win, "pair_s": {n: float(t) for n, t in times.items()}}
            _write_atomic(path, json.dumps(table, indent=1, sort_keys=True).encode())
            return win
    except OSError:  # no writable cache: the reference back end, so that every process agrees
        return "ducc0"
