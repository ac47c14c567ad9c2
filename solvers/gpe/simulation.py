"""Setup, start decision and schedule of a GPE run: the pieces :func:`spinsweep.solvers.gpe.run.run` strings
together (in the manner of spinor-gpe's setup / propagator / result and Dedalus' solver + handlers).

* :class:`Simulation` -- built once from :class:`RunSettings`: parameters, units, time grid, grid, FFT, the
  back end (serial / MPI propagator or threaded batch), the observer and the store layout.
* :func:`decide_start` -- what the store at the path asks for: a :class:`Decision` (:class:`Start`
  ``FRESH | RESUME | DONE``, the verified checkpoint to resume from, a one-line warning when a damaged or
  foreign checkpoint was refused) or a ValueError when the path must not be touched.
* :class:`Schedule` -- output, chunk and checkpoint cadence, and pre-emption: ``request_stop`` (a SIGTERM
  handler in the CLI) sets a flag; the loop then checkpoints at the next chunk boundary and raises
  :class:`Preempted`, which the CLI turns into exit status 143.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import os
import time
from pathlib import Path

import numpy as np

from spinsweep.solvers import store as sstore

from . import checkpoints
from .backends import make_propagator
from .fft import SlabFFT
from .grid import Grid
from .noise import add_noise
from .observables import Observer, profiles
from .output import CHECKPOINT_ATTR, StoreLayout
from .params import BATCHABLE, GPEParams
from .schemes import get_scheme
from .settings import RunSettings
from .state import ground_state, spin_wave_state, spinor_vector
from .units import PRESETS, OutputUnits, from_rabi


class Preempted(Exception):
    """The run stopped on request (SIGTERM) after writing a checkpoint; run it again to resume."""

    def __init__(self, step: int) -> None:
        super().__init__(f"stopped on request after a checkpoint at step {step}")
        self.step = step


class Start(enum.Enum):
    FRESH = "fresh"
    RESUME = "resume"
    DONE = "done"


@dataclasses.dataclass(frozen=True)
class Decision:
    """How a run starts: ``start``; for RESUME the verified checkpoint (slot, step, next_output, t); a one-line
    ``warning`` naming the store and the refused slots when a damaged or foreign checkpoint was passed over."""

    start: Start
    checkpoint: dict | None = None
    warning: str | None = None


# -- parameters and time grid (pure functions of the settings) ----------------------------------------------------
def build_params(settings: RunSettings) -> tuple[GPEParams, OutputUnits]:
    """Dimensionless parameters and output units; ``noise.shots`` > 1 replicates them into a batch of shots."""
    params, units = _model_params(settings)
    shots = settings.noise.shots
    if shots > 1:
        if params.batched or params.ndim != 1:
            raise ValueError(f"config key 'gpe.noise.shots': value {shots} is not allowed: a batch of shots needs "
                             "an unbatched 1D run (one parameter point)")
        params = params.replace(atom_number=[float(params.atom_number)] * shots)
    return params, units


def _model_params(settings: RunSettings) -> tuple[GPEParams, OutputUnits]:
    if settings.model is not None:
        try:
            return GPEParams(**settings.model), OutputUnits()
        except TypeError as e:
            raise ValueError(f"config key 'gpe.model': {e}") from None
    from spinsweep.solvers.rabi import RabiParams, preset as rabi_preset
    rp = rabi_preset(PRESETS[settings.preset])
    if settings.physical:
        kw = {"omega_R_hz": rp.omega_R / (2 * math.pi), "omega_R_over_kappa_n0": 1 / rp.Lambda0,
              "R_x_um": rp.R_x * 1e6, "dg_over_g": rp.dg_over_g, "N": 0.75 * rp.n0 * rp.R_x}
        unknown = set(settings.physical) - set(kw)
        if unknown:
            raise ValueError(f"config key 'gpe.physical': unknown {sorted(unknown)}; allowed {sorted(kw)}")
        kw.update(settings.physical)
        rp = RabiParams.from_paper(**kw)
    gr = settings.grid
    return from_rabi(rp, box_factor=gr.box_factor, points_per_xi_s=gr.points_per_xi_s, n_x=gr.n_x)


def time_grid(settings: RunSettings, params: GPEParams) -> tuple[float, int, int]:
    """(dt, total steps rounded up to whole outputs, output_every)."""
    mu, n_peak, _ = params.thomas_fermi()
    rate = float(np.max(np.maximum.reduce([
        np.max(np.abs([params.batch_array(n) for n in ("g11", "g22", "g12")]), axis=0) * n_peak,
        params.batch_array("omega_R"), np.abs(params.batch_array("detuning")), mu])))
    ts = settings.time
    dt = ts.dt if ts.dt is not None else min(0.2 / rate, 0.5 * params.dt_kinetic_max())
    t_final = ts.t_final
    if t_final is None:
        if settings.preset is None:
            raise ValueError("config key 'gpe.time.t_final': required for a 'model' run (solver time units)")
        t_final = 10 * 2 * math.pi  # ten Rabi periods (t in 1/Omega_R)
    E = ts.output_every
    if E is None:  # preset: 0.1 Rabi period (Omega_R = 1 in its units); model: every 100 steps
        E = max(1, int(round(0.2 * math.pi / dt))) if settings.preset is not None else 100
    steps = t_final / dt
    if not (math.isfinite(steps) and steps <= MAX_STEPS):
        raise ValueError(f"config key 'gpe.time.t_final': value {t_final:g} is not allowed: {steps:.3g} time steps "
                         f"of dt={dt:.3g}; at most {MAX_STEPS:.0e} (shorten t_final or raise dt)")
    n_steps = int(math.ceil(round(steps, 9) / E)) * E
    if n_steps // E + 1 > MAX_OUTPUTS:
        raise ValueError(f"config key 'gpe.time.output_every': value {E} is not allowed: {n_steps // E + 1:.3g} "
                         f"outputs; at most {MAX_OUTPUTS:.0e} (raise output_every)")
    return float(dt), n_steps, E


#: bounds of a run that stop a typo (t_final=1e308, output_every=1 over a long run) before any allocation
MAX_STEPS = 1e12
MAX_OUTPUTS = 10 ** 7
#: bytes per grid point and batch point that a run holds at least: psi (2 complex128 components) and as much
#: again for the FFT buffers and the propagator's work arrays (a lower bound, used only to stop absurd grids)
BYTES_PER_POINT = 2 * 2 * 16


def check_memory(settings: RunSettings, params: GPEParams, ranks: int) -> None:
    """Stop with one line when the grid cannot fit: each rank needs at least BYTES_PER_POINT bytes per grid point
    and batch point of its slab, compared with this machine's memory (e.g. ``grid.n_x=1e11``: 2.9 TiB)."""
    need = BYTES_PER_POINT * float(np.prod(params.shape, dtype=float)) * params.batch_size / ranks
    try:
        have = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return
    if need > have:
        key, value = (("model.shape", list(params.shape)) if settings.model is not None
                      else ("grid.n_x", params.shape[0]))
        raise ValueError(f"config key 'gpe.{key}': value {value} is not allowed: the run needs at least "
                         f"{need / 2 ** 30:.3g} GiB per rank ({ranks} rank(s)); this machine has "
                         f"{have / 2 ** 30:.3g} GiB")


def batch_threads(requested: int | None, batch: int, ranks: int) -> int:
    """Threads of a run: one per MPI rank; a batch of B points uses min(B, requested or available CPUs)."""
    if ranks > 1:
        if requested not in (None, 1):
            raise ValueError(f"config key 'gpe.threads': value {requested} is not allowed: MPI runs use one thread per rank")
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(batch, requested or available))


def check_preconditions(settings: RunSettings, params: GPEParams, dt: float) -> None:
    """Physics preconditions (grid resolves xi_s, box holds the cloud, dt small); the message names the key."""
    try:
        params.check_preconditions(dt, points_per_xi_s=settings.checks.points_per_xi_s,
                                   max_phase=settings.checks.max_phase)
    except ValueError as e:
        msg = str(e)
        if msg.startswith("dt="):
            key = "time.dt"
        elif msg.startswith("shape"):
            key = "model.shape" if settings.model is not None else "grid.n_x"
        else:
            key = "model.box" if settings.model is not None else "grid.box_factor"
        raise ValueError(f"config key 'gpe.{key}': {msg}") from None


def _resume_identity(record: dict) -> dict:
    """The part of a run record that a resume must match: everything but the rank count (checked on its own),
    the thread count and the FFT back end (the resume takes the run's own from the store) and the checkpoint
    cadence (no effect on the result); JSON-normalised so that a record read back from the store compares
    equal."""
    out = {k: v for k, v in record.items() if k not in ("ranks", "threads", "fft_backend")}
    out["config"] = {k: v for k, v in out.get("config", {}).items() if k not in ("checkpoint", "threads")}
    return json.loads(json.dumps(out))


def _get_comm(comm):
    if comm is not None:
        return comm
    try:
        from mpi4py import MPI
    except ImportError:  # pragma: no cover - mpi4py is a dependency
        return None
    return MPI.COMM_WORLD


class Simulation:
    """One run's machinery, built once: params, time grid, grid, FFT, store layout; back end and observer once
    the thread count is known (:meth:`build_stepping`, after the start decision)."""

    def __init__(self, settings: RunSettings, store_path, comm=None) -> None:
        comm = _get_comm(comm)
        self.settings = settings
        self.rank = comm.Get_rank() if comm is not None else 0
        self.size = comm.Get_size() if comm is not None else 1
        self.comm = comm if self.size > 1 else None
        self.params, self.units = build_params(settings)
        check_memory(settings, self.params, self.size)
        self.dt, self.n_steps, self.output_every = time_grid(settings, self.params)
        check_preconditions(settings, self.params, self.dt)
        self.grid = Grid(self.params.shape, self.params.box, self.rank, self.size)
        self.B = self.params.batch_size
        self.threads = batch_threads(settings.threads, self.B, self.size)
        self.fft = SlabFFT(self.grid, self.B, self.comm)
        self.n_out = self.n_steps // self.output_every + 1
        self.outputs_per_chunk = settings.output.outputs_per_chunk or self.auto_chunk()
        p = self.params
        self.layout = StoreLayout(
            store_path, self.grid, batch=self.B, batched=p.batched, n_out=self.n_out,
            t_out=np.arange(self.n_out) * self.output_every * self.dt, outputs_per_chunk=self.outputs_per_chunk,
            units=self.units, store_psi=settings.output.psi, store_fields=settings.output.fields,
            batch_coords=self.batch_coords(),
            dtype=settings.output.dtype)
        self.record = sstore.to_jsonable({"config": settings.to_dict(), "gpe_params": p.to_dict(), "dt": self.dt,
                                          "n_steps": self.n_steps, "ranks": self.size, "threads": self.threads,
                                          "fft_backend": self.fft.backend})
        self.propagator = self.observer = None
        self.run_id: str | None = None  # the store's random id (rank 0)

    def batch_coords(self) -> dict[str, np.ndarray] | None:
        """Values along ``point`` of a batched run: the batchable parameters, and the shot index with noise."""
        if not self.params.batched:
            return None
        coords = {n: self.params.batch_array(n) for n in BATCHABLE}
        if self.settings.noise.kind != "none":
            coords["shot"] = self.settings.noise.shot + np.arange(self.B, dtype=float)
        return coords

    def auto_chunk(self) -> int:
        """Outputs per time chunk: up to 256 (each zarr chunk write costs ~1.5 ms of fixed overhead, measured, so
        few large writes), fewer when a chunk would exceed ~32 MB per rank (full-grid fields, wave functions).
        Checkpoints are taken at chunk boundaries only, so this is also the finest checkpoint spacing."""
        grid, out = self.grid, self.settings.output
        per_output = 8.0 * self.B * grid.nx_local * 20  # 1D profiles, ~20 rows
        if grid.ndim > 1 and out.fields:
            per_output += 16.0 * int(np.prod(grid.local_shape))
        if out.psi:
            per_output += 32.0 * self.B * int(np.prod(grid.local_shape))
        return int(max(1, min(256, self.n_out, (32 * 2 ** 20) // per_output)))

    def build_stepping(self, threads: int) -> None:
        """The real-time back end and the observer (``threads``: the run's own, from the store on resume)."""
        self.threads = threads
        self.propagator = make_propagator(self.params, self.grid, self.fft, get_scheme(self.settings.time.scheme),
                                          self.dt, comm=self.comm, threads=threads)
        self.observer = Observer(self.params, self.grid, self.fft, self.propagator.V, self.comm)

    def initial_state(self) -> tuple[np.ndarray, dict]:
        """The prepared state at t = 0 (protocol, then the seeded noise of ``settings.noise``) and its info."""
        psi, info = initial_state(self.settings, self.params, self.grid, self.fft, self.comm, self.dt, self.threads)
        psi, info["noise"] = add_noise(psi, self.settings.noise, self.params, self.grid, self.units, self.comm)
        return psi, info

    def advance(self, psi: np.ndarray, nsteps: int) -> np.ndarray:
        return self.propagator.advance(psi, nsteps)

    def frame(self, psi: np.ndarray) -> dict:
        frame = profiles(psi, self.observer)
        if self.layout.store_psi:
            frame["psi"] = psi.copy()
        return frame

    def barrier(self) -> None:
        if self.comm is not None:
            self.comm.Barrier()

    def create_store(self) -> None:
        if self.rank == 0:
            self.run_id = self.layout.create(self.record, {
                "units_to_SI": self.units.to_dict(),
                "solver_units": "dimensionless, hbar = m = 1 (see spinsweep.solvers.gpe.units)",
                "model": "two Rabi-coupled GPEs (spinsweep.solvers.gpe), farolfi2023 Eqs. 1-7"})
        self.barrier()
        self.layout.open()

    def checkpoint(self, slot: int, psi: np.ndarray, info: dict) -> None:
        """Every rank writes its slab into ``slot``; then rank 0 names the slot valid (one atomic attr write)."""
        self.layout.write_checkpoint(slot, psi)
        self.barrier()
        if self.rank == 0:
            self.layout.commit_checkpoint({**info, "run": self.token()})
        self.barrier()

    def start_fresh(self) -> tuple[np.ndarray, dict, dict]:
        """Create the store, prepare the initial state, checkpoint it in slot 0: (psi, position, info)."""
        self.create_store()
        self.build_stepping(self.threads)
        psi, info = self.initial_state()
        self.layout.write_checkpoint(0, psi)
        self.barrier()
        position = {"slot": 0, "step": 0, "next_output": 0, "t": 0.0}
        if self.rank == 0:
            self.layout.group.attrs["initial_state"] = sstore.to_jsonable(info)
            self.layout.commit_checkpoint({**position, "run": self.token()})
        return psi, position, info

    def token(self) -> str:
        """The run identity its checkpoints carry (rank 0: set by :meth:`create_store` or :func:`decide_start`)."""
        return checkpoints.run_token(_resume_identity(self.record), self.run_id)

    def resume(self, position: dict | None = None) -> np.ndarray:
        """Open the store and read the checkpoint at ``position`` (chosen and verified by :func:`decide_start`;
        default: the latest one recorded)."""
        self.layout.open()
        if position is None:
            position = self.layout.group.attrs[CHECKPOINT_ATTR]
        psi = self.layout.read_checkpoint(int(position["slot"]))
        record = self.layout.group.attrs["params"]
        # the run's own FFT back end (ducc0 and FFTW round differently; a later auto choice on another machine
        # may differ): passed back as backend= so the resume is bitwise the run; P > 1 ranks always use ducc0
        backend = record.get("fft_backend")
        if backend is not None and backend != self.fft.backend:
            self.fft = SlabFFT(self.grid, self.B, self.comm, backend=backend)
            self.record["fft_backend"] = self.fft.backend
        # the batch is cut into the same parts as before: FFT libraries round a line in a SIMD group and a lone
        # line differently (an ulp), so another cut would break the bitwise resume
        self.build_stepping(int(record.get("threads", 1)))
        return psi


def decide_start(sim: Simulation) -> Decision:
    """What the store at ``sim.layout.path`` asks for (rank 0 looks and verifies, every rank gets the answer);
    a ValueError when the path holds something that must not be touched."""
    decision = _look(sim) if sim.rank == 0 else None
    if sim.comm is not None:
        decision = sim.comm.bcast(decision, root=0)
    if isinstance(decision, str):
        raise ValueError(f"store {sim.layout.path}: {decision}")
    return decision


def _look(sim: Simulation) -> Decision | str:
    path, record = sim.layout.path, sim.record
    if sstore.is_complete(path):
        return Decision(Start.DONE)
    if (path / "zarr.json").is_file():
        import zarr
        try:
            attrs = dict(zarr.open_group(path, mode="r").attrs)
        except Exception as err:  # an unfinished run's metadata is unreadable: nothing in it can be trusted
            return Decision(Start.FRESH, warning=f"store {path}: unfinished run with unreadable metadata "
                                                 f"({type(err).__name__}); starting over")
        if attrs.get(CHECKPOINT_ATTR) is None:
            return Decision(Start.FRESH)  # killed before its first checkpoint: start again
        if _resume_identity(attrs.get("params", {})) != _resume_identity(record):
            return "holds an unfinished run with different parameters; remove it or choose another store path"
        if attrs["params"].get("ranks") != sim.size:
            return ("was started with a different rank count; resume with the same number of ranks "
                    "(checkpoint slabs are per rank)")
        sim.run_id = attrs.get(checkpoints.RUN_ID_ATTR)
        ledger, info, problems = checkpoints.choose(path, attrs, sim.token(), sim.layout.output_names(),
                                                    sim.outputs_per_chunk)
        sim.layout.checkpoints = ledger
        refused = "; ".join(problems)
        if info is None:
            return Decision(Start.FRESH, warning=f"store {path}: no usable checkpoint ({refused}); starting over")
        warning = None
        if problems:
            warning = (f"store {path}: checkpoint {refused}; resuming from slot {info['slot']} "
                       f"(step {info['step']}) instead")
        return Decision(Start.RESUME, checkpoint=info, warning=warning)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        return "exists and is not a zarr store; refusing to overwrite it"
    return _creatable(path) or Decision(Start.FRESH)


def _creatable(path: Path) -> str | None:
    """Why a new store cannot be created at ``path`` (None when it can): an ancestor that is a file, or the
    nearest existing directory not writable."""
    for parent in Path(os.path.abspath(path)).parents:
        if parent.exists():
            if not parent.is_dir():
                return f"cannot be created: {parent} is a file, not a directory"
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"cannot be created: directory {parent} is not writable"
            return None
    return None


class Schedule:
    """Output / chunk / checkpoint cadence of a run and its pre-emption flag.

    Outputs m = 0 .. n_out-1 fall at step m * output_every; a time chunk holds ``outputs_per_chunk`` outputs;
    checkpoints are considered at chunk boundaries (not after the last output): when ``every_steps`` steps or
    ``every_wall_s`` seconds passed since the last one, or when a stop was requested.  Under MPI every rank
    takes the same decision (one allreduce).
    """

    def __init__(self, every_steps: int | None = None, every_wall_s: float | None = 600.0) -> None:
        self.every_steps, self.every_wall_s = every_steps, every_wall_s
        self.stop_requested = False
        self._last_step, self._last_wall = 0, time.monotonic()

    @classmethod
    def from_settings(cls, settings: RunSettings) -> "Schedule":
        return cls(settings.checkpoint.every_steps, settings.checkpoint.every_wall_s)

    def request_stop(self, *_signal_args) -> None:
        """Ask the run to checkpoint and stop at the next chunk boundary (usable as a signal handler)."""
        self.stop_requested = True

    def plan(self, n_out: int, output_every: int, outputs_per_chunk: int, dt: float, position: dict) -> None:
        """Bind the cadence of a run, starting from a checkpoint ``position`` (slot, step, next_output)."""
        self.n_out, self.E, self.K, self.dt = n_out, output_every, outputs_per_chunk, dt
        self.step, self.slot = int(position["step"]), int(position["slot"])
        self._last_step, self._last_wall = self.step, time.monotonic()
        self.first = int(position["next_output"])

    def outputs(self):
        """(output index m, steps to advance before it) for the outputs still to come."""
        for m in range(self.first, self.n_out):
            nsteps, self.step = m * self.E - self.step, m * self.E
            yield m, nsteps

    def chunk_ends(self, m: int) -> bool:
        return (m + 1) % self.K == 0 or m == self.n_out - 1

    def checkpoint_due(self, m: int, comm=None) -> bool:
        """At the end of the chunk holding output m: take a checkpoint now?  (Collective under MPI.)"""
        if m >= self.n_out - 1:
            return False
        want = ((self.every_steps is not None and self.step - self._last_step >= self.every_steps)
                or (self.every_wall_s is not None and time.monotonic() - self._last_wall >= self.every_wall_s)
                or self.stop_requested)
        stop = self.stop_requested
        if comm is not None:  # every rank must take the same decision
            from mpi4py import MPI
            bits = comm.allreduce(int(bool(want)) | 2 * int(bool(stop)), op=MPI.BOR)
            want, self.stop_requested = bool(bits & 1), bool(bits & 2)
        return want

    def checkpointed(self, m: int) -> dict:
        """Record a checkpoint after output m; returns its position (slot alternates between 0 and 1)."""
        self.slot = 1 - self.slot
        self._last_step, self._last_wall = self.step, time.monotonic()
        return {"slot": self.slot, "step": self.step, "next_output": m + 1, "t": self.step * self.dt}


def initial_state(settings: RunSettings, params: GPEParams, grid: Grid, fft: SlabFFT, comm, dt: float,
                  threads: int = 1) -> tuple[np.ndarray, dict]:
    """The protocol's state at t = 0 (before noise): quench / ground_state (imaginary time), uniform, spin_wave."""
    ini = settings.initial
    gdt = ini.ground_dt if ini.ground_dt is not None else 2 * dt
    B = params.batch_size
    if ini.protocol in ("quench", "ground_state"):
        prep = params
        if ini.protocol == "quench":  # the experiment: polarised ground state with the coupling off
            prep = params.replace(omega_R=np.zeros(B) if params.batched else 0.0, detuning=0.0)
        return ground_state(prep, grid, fft, comm, spinor=ini.spinor, dt=gdt, tol=ini.ground_tol,
                            max_steps=ini.ground_max_steps, threads=threads)
    if ini.protocol == "spin_wave":
        return spin_wave_state(params, grid, int(ini.k_index), float(ini.amplitude)), {}
    # uniform: homogeneous density, spinor from (Z, phi): s = n (sqrt(1-Z^2) cos phi, sqrt(1-Z^2) sin phi, Z)
    Z, phi = float(ini.Z), float(ini.phi)
    if not -1 <= Z <= 1:
        raise ValueError(f"config key 'gpe.initial.Z': value {Z} is not allowed: must be in [-1, 1]")
    c = spinor_vector((math.sqrt((1 + Z) / 2), math.sqrt((1 - Z) / 2) * np.exp(1j * phi)))
    n = params.batch_array("atom_number") / float(np.prod(grid.box))
    psi = np.empty((B, 2) + grid.local_shape, dtype=complex)
    for b in range(B):
        psi[b, 0], psi[b, 1] = c[0] * math.sqrt(n[b]), c[1] * math.sqrt(n[b])
    return psi, {}
