"""Run driver and CLI of the GPE solver: config -> parameters -> initial state -> evolution -> zarr store.

    python -m spinsweep.solvers.gpe.run --config run.yaml --store out.zarr
    python -m spinsweep.solvers.gpe.run --preset paper118 --store out.zarr [--set time.t_final=30 ...]
    mpiexec -n P python -m spinsweep.solvers.gpe.run ...      srun --mpi=pmi2 -n P python -m spinsweep.solvers.gpe.run ...

A store that exists with a checkpoint and without the completion mark is resumed from its last checkpoint
(bitwise the same result as an uninterrupted run for the same rank count); a complete store is left alone.
SIGTERM makes the run write a checkpoint at the next time-chunk boundary and exit with status 143.

Default protocol (the experiment, seed Methods "Experimental procedure"): imaginary-time ground state fully
polarised in |1,-1> with the coupling off, then Omega_R switched on suddenly at t = 0.

Config (YAML/JSON; every key optional except one of ``preset``/``model``; unknown keys are errors):
  preset: paper118 | paper62          spinsweep.solvers.rabi presets (1D paper route; units 1/Omega_R, xi_R, n0)
  physical: {omega_R_hz, omega_R_over_kappa_n0, R_x_um, dg_over_g, N}   overrides of the preset
  grid: {box_factor: 2.5, points_per_xi_s: 2.5, n_x: null}              paper route grid
  model: {shape, box, g11, g22, g12, omega_R, atom_number, detuning, trap}   dimensionless GPEParams;
         list values of g11/g22/g12/omega_R/detuning/atom_number = batched 1D sweep (store dim ``point``)
  time: {dt: auto, t_final (solver units; preset default 10 Rabi periods), output_every: auto (steps; preset:
         0.1 Rabi period, the spacing of the seed's Fig. 2e-g profiles; model: 100),
         scheme: strang | yoshida4}
  initial: {protocol: quench | ground_state | uniform | spin_wave, spinor: minus, ground_dt, ground_tol,
            ground_max_steps, Z, phi (uniform), k_index, amplitude (spin_wave)}
  output: {outputs_per_chunk: auto, psi: false, fields: true (2D/3D full n, Z), dtype: float32}
  checkpoint: {every_steps: null, every_wall_s: 600}
  checks: {points_per_xi_s: 2, max_phase: 0.5}
  threads: null                       batched 1D: threads splitting the batch (null: the CPUs this process
                                      may use, e.g. Slurm's cpus-per-task; always 1 per MPI rank)
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from spinsweep.solvers import store as sstore

from .fft import SlabFFT
from .grid import Grid
from .observables import Observer, profiles
from .output import CHECKPOINT_ATTR, StoreLayout
from .params import BATCHABLE, GPEParams
from .schemes import get_scheme
from .state import ground_state, spin_wave_state, spinor_vector
from .stepper import Propagator
from .units import OutputUnits, PRESETS, from_rabi

DEFAULTS: dict[str, Any] = {
    "preset": None,        # paper118 | paper62 (spinsweep.solvers.rabi presets, 1D paper route)
    "physical": {},        # RabiParams.from_paper keywords overriding the preset
    "grid": {"box_factor": 2.5, "points_per_xi_s": 2.5, "n_x": None},  # paper route only
    "model": None,         # dimensionless GPEParams fields (shape, box, g11, g22, g12, omega_R, ...)
    "time": {"dt": None, "t_final": None, "output_every": None, "scheme": "strang"},
    "initial": {"protocol": "quench", "spinor": "minus", "ground_dt": None, "ground_tol": 1e-7,
                "ground_max_steps": 500000, "Z": 0.0, "phi": 0.0, "k_index": 1, "amplitude": 1e-3},
    # outputs_per_chunk None: auto (see auto_chunk); dtype of the profiles/fields (energy, N: always float64)
    "output": {"outputs_per_chunk": None, "psi": False, "fields": True, "dtype": "float32"},
    "checkpoint": {"every_steps": None, "every_wall_s": 600.0},
    "checks": {"points_per_xi_s": 2.0, "max_phase": 0.5},
    "threads": None,       # batched 1D runs: threads splitting the batch; None: the CPUs we may use
}
PROTOCOLS = ("quench", "ground_state", "uniform", "spin_wave")


def _resume_identity(record: dict) -> dict:
    """The part of a run record that a resume must match: everything but the rank count (checked on its own),
    the thread count (the resume takes the run's own from the store) and the checkpoint cadence (no effect
    on the result); JSON-normalised so that a record read back from the store compares equal."""
    out = {k: v for k, v in record.items() if k not in ("ranks", "threads")}
    out["config"] = {k: v for k, v in out.get("config", {}).items() if k not in ("checkpoint", "threads")}
    return json.loads(json.dumps(out))


_TERM = {"flag": False}


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001
    _TERM["flag"] = True


def resolve_config(config: dict | None) -> dict:
    """Defaults merged with ``config``; unknown keys and bad values stop with a ValueError naming them."""
    cfg = copy.deepcopy(DEFAULTS)
    for key, value in (config or {}).items():
        if key not in cfg:
            raise ValueError(f"config key {key!r}: unknown; allowed {sorted(cfg)}")
        if isinstance(cfg[key], dict) and key != "physical":
            if not isinstance(value, dict):
                raise ValueError(f"config key {key!r}: expected a mapping, got {value!r}")
            for sub, v in value.items():
                if sub not in cfg[key]:
                    raise ValueError(f"config key {key}.{sub}: unknown; allowed {sorted(cfg[key])}")
                cfg[key][sub] = v
        else:
            cfg[key] = value
    if cfg["preset"] is None and cfg["model"] is None:
        raise ValueError("config: give either 'preset' (allowed: %s) or 'model' (dimensionless GPEParams)"
                         % sorted(PRESETS))
    if cfg["preset"] is not None and cfg["preset"] not in PRESETS:
        raise ValueError(f"config key preset={cfg['preset']!r}: allowed {sorted(PRESETS)}")
    if cfg["initial"]["protocol"] not in PROTOCOLS:
        raise ValueError(f"config key initial.protocol={cfg['initial']['protocol']!r}: allowed {PROTOCOLS}")
    get_scheme(cfg["time"]["scheme"])
    v = cfg["time"]["output_every"]
    if v is not None and not (isinstance(v, int) and v >= 1):
        raise ValueError(f"config key time.output_every={v!r}: must be null (auto) or an integer >= 1 (steps)")
    n = cfg["threads"]
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"config key threads={n!r}: must be null (auto) or an integer >= 1")
    k = cfg["output"]["outputs_per_chunk"]
    if k is not None and not (isinstance(k, int) and k >= 1):
        raise ValueError(f"config key output.outputs_per_chunk={k!r}: must be null (auto) or an integer >= 1")
    return cfg


def build_params(cfg: dict) -> tuple[GPEParams, OutputUnits]:
    if cfg["model"] is not None:
        try:
            return GPEParams(**cfg["model"]), OutputUnits()
        except TypeError as e:
            raise ValueError(f"config key model: {e}") from None
    from spinsweep.solvers.rabi import RabiParams, preset as rabi_preset
    rp = rabi_preset(PRESETS[cfg["preset"]])
    if cfg["physical"]:
        kw = {"omega_R_hz": rp.omega_R / (2 * math.pi), "omega_R_over_kappa_n0": 1 / rp.Lambda0,
              "R_x_um": rp.R_x * 1e6, "dg_over_g": rp.dg_over_g, "N": 0.75 * rp.n0 * rp.R_x}
        unknown = set(cfg["physical"]) - set(kw)
        if unknown:
            raise ValueError(f"config key physical: unknown {sorted(unknown)}; allowed {sorted(kw)}")
        kw.update(cfg["physical"])
        rp = RabiParams.from_paper(**kw)
    gr = cfg["grid"]
    return from_rabi(rp, box_factor=gr["box_factor"], points_per_xi_s=gr["points_per_xi_s"], n_x=gr["n_x"])


def auto_chunk(grid: Grid, batch: int, n_out: int, cfg: dict) -> int:
    """Outputs per time chunk: up to 256 (each zarr chunk write costs ~1.5 ms of fixed overhead, measured, so
    few large writes), fewer when a chunk would exceed ~32 MB per rank (full-grid fields, wave functions).
    Checkpoints are taken at chunk boundaries only, so this is also the finest checkpoint spacing."""
    per_output = 8.0 * batch * grid.nx_local * 20  # 1D profiles, ~20 rows
    if grid.ndim > 1 and cfg["output"]["fields"]:
        per_output += 16.0 * int(np.prod(grid.local_shape))
    if cfg["output"]["psi"]:
        per_output += 32.0 * batch * int(np.prod(grid.local_shape))
    return int(max(1, min(256, n_out, (32 * 2 ** 20) // per_output)))


def time_grid(cfg: dict, params: GPEParams) -> tuple[float, int, int]:
    """(dt, total steps rounded up to whole outputs, output_every)."""
    mu, n_peak, _ = params.thomas_fermi()
    rate = float(np.max(np.maximum.reduce([
        np.max(np.abs([params.batch_array(n) for n in ("g11", "g22", "g12")]), axis=0) * n_peak,
        params.batch_array("omega_R"), np.abs(params.batch_array("detuning")), mu])))
    dt = cfg["time"]["dt"] if cfg["time"]["dt"] is not None else min(0.2 / rate, 0.5 * params.dt_kinetic_max())
    t_final = cfg["time"]["t_final"]
    if t_final is None:
        if cfg["preset"] is None:
            raise ValueError("config key time.t_final: required for a 'model' run (solver time units)")
        t_final = 10 * 2 * math.pi  # ten Rabi periods (t in 1/Omega_R)
    if not t_final > 0:
        raise ValueError(f"config key time.t_final={t_final!r}: must be > 0")
    E = cfg["time"]["output_every"]
    if E is None:  # preset: 0.1 Rabi period (Omega_R = 1 in its units); model: every 100 steps
        E = max(1, int(round(0.2 * math.pi / dt))) if cfg["preset"] is not None else 100
    n_steps = int(math.ceil(round(t_final / dt, 9) / E)) * E
    return float(dt), n_steps, E


def batch_threads(requested: int | None, batch: int, ranks: int) -> int:
    """Threads of a run: one per MPI rank; a batch of B points uses min(B, requested or available CPUs)."""
    if ranks > 1:
        if requested not in (None, 1):
            raise ValueError(f"config key threads={requested}: MPI runs use one thread per rank")
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(batch, requested or available))


def initial_state(cfg: dict, params: GPEParams, grid: Grid, fft: SlabFFT, comm, dt: float, threads: int = 1):
    ini = cfg["initial"]
    protocol = ini["protocol"]
    gdt = ini["ground_dt"] if ini["ground_dt"] is not None else 2 * dt
    B = params.batch_size
    if protocol == "quench":
        prep = params.replace(omega_R=np.zeros(B) if params.batched else 0.0, detuning=0.0)
        return ground_state(prep, grid, fft, comm, spinor=ini["spinor"], dt=gdt, tol=ini["ground_tol"],
                            max_steps=ini["ground_max_steps"], threads=threads)
    if protocol == "ground_state":
        return ground_state(params, grid, fft, comm, spinor=ini["spinor"], dt=gdt, tol=ini["ground_tol"],
                            max_steps=ini["ground_max_steps"], threads=threads)
    if protocol == "spin_wave":
        return spin_wave_state(params, grid, int(ini["k_index"]), float(ini["amplitude"])), {}
    # uniform: homogeneous density, spinor from (Z, phi): s = n (sqrt(1-Z^2) cos phi, sqrt(1-Z^2) sin phi, Z)
    Z, phi = float(ini["Z"]), float(ini["phi"])
    if not -1 <= Z <= 1:
        raise ValueError(f"config key initial.Z={Z}: must be in [-1, 1]")
    c = spinor_vector((math.sqrt((1 + Z) / 2), math.sqrt((1 - Z) / 2) * np.exp(1j * phi)))
    n = params.batch_array("atom_number") / float(np.prod(grid.box))
    psi = np.empty((B, 2) + grid.local_shape, dtype=complex)
    for b in range(B):
        psi[b, 0], psi[b, 1] = c[0] * math.sqrt(n[b]), c[1] * math.sqrt(n[b])
    return psi, {}


def _get_comm(comm):
    if comm is not None:
        return comm
    try:
        from mpi4py import MPI
    except ImportError:  # pragma: no cover - mpi4py is a dependency
        return None
    return MPI.COMM_WORLD


def run(config: dict | None, store_path, *, comm=None, log=None) -> Path:
    """Run (or resume, or skip when complete) one GPE run into the zarr store at ``store_path``."""
    clock = sstore.Stopwatch()
    comm = _get_comm(comm)
    rank = comm.Get_rank() if comm is not None else 0
    size = comm.Get_size() if comm is not None else 1
    pcomm = comm if size > 1 else None
    say = (lambda *a: None) if (log is None or rank != 0) else log

    cfg = resolve_config(config)
    params, units = build_params(cfg)
    dt, n_steps, E = time_grid(cfg, params)
    chk = cfg["checks"]
    params.check_preconditions(dt, points_per_xi_s=chk["points_per_xi_s"], max_phase=chk["max_phase"])
    grid = Grid(params.shape, params.box, rank, size)
    B = params.batch_size
    threads = batch_threads(cfg["threads"], B, size)
    fft = SlabFFT(grid, B, pcomm)
    n_out = n_steps // E + 1
    K = cfg["output"]["outputs_per_chunk"] or auto_chunk(grid, B, n_out, cfg)
    layout = StoreLayout(store_path, grid, batch=B, batched=params.batched, n_out=n_out,
                         t_out=np.arange(n_out) * E * dt, outputs_per_chunk=K, units=units,
                         store_psi=bool(cfg["output"]["psi"]), store_fields=bool(cfg["output"]["fields"]),
                         batch_coords={n: params.batch_array(n) for n in BATCHABLE} if params.batched else None,
                         dtype=cfg["output"]["dtype"])
    record = sstore.to_jsonable({"config": cfg, "gpe_params": params.to_dict(), "dt": dt, "n_steps": n_steps,
                                 "ranks": size, "threads": threads})

    # -- decide: done / resume / fresh (rank 0), then tell everybody ------------------------------------------
    decision = None
    if rank == 0:
        path = Path(store_path)
        if sstore.is_complete(path):
            decision = "done"
        elif (path / "zarr.json").is_file():
            import zarr
            attrs = dict(zarr.open_group(path, mode="r").attrs)
            if attrs.get(CHECKPOINT_ATTR) is not None:
                if _resume_identity(attrs.get("params", {})) != _resume_identity(record):
                    decision = "mismatch"
                elif attrs["params"].get("ranks") != size:
                    decision = "ranks"
                else:
                    decision = "resume"
            else:
                decision = "fresh"  # killed before its first checkpoint: start again
        elif path.exists() and (not path.is_dir() or any(path.iterdir())):
            decision = "foreign"
        else:
            decision = "fresh"
    if pcomm is not None:
        decision = pcomm.bcast(decision, root=0)
    if decision == "done":
        say(f"store {store_path} is complete; nothing to do")
        return Path(store_path)
    if decision == "foreign":
        raise ValueError(f"store {store_path}: exists and is not a zarr store; refusing to overwrite it")
    if decision == "mismatch":
        raise ValueError(f"store {store_path}: holds an unfinished run with different parameters; "
                         "remove it or choose another store path")
    if decision == "ranks":
        raise ValueError(f"store {store_path}: was started with a different rank count; resume with the same "
                         "number of ranks (checkpoint slabs are per rank)")

    if decision == "fresh":
        if rank == 0:
            layout.create(record, {"units_to_SI": units.to_dict(),
                                   "solver_units": "dimensionless, hbar = m = 1 (see spinsweep.solvers.gpe.units)",
                                   "model": "two Rabi-coupled GPEs (spinsweep.solvers.gpe), farolfi2023 Eqs. 1-7"})
        if pcomm is not None:
            pcomm.Barrier()
        layout.open()
        psi, gs_info = initial_state(cfg, params, grid, fft, pcomm, dt, threads)
        say(f"initial state ({cfg['initial']['protocol']}): {gs_info}")
        layout.write_checkpoint(0, psi)
        if pcomm is not None:
            pcomm.Barrier()
        info = {"slot": 0, "step": 0, "next_output": 0, "t": 0.0}
        if rank == 0:
            layout.group.attrs["initial_state"] = sstore.to_jsonable(gs_info)
            layout.commit_checkpoint(info)
    else:
        layout.open()
        info, psi = layout.read_checkpoint()
        # the batch is cut into the same parts as before: ducc0 rounds a line in a SIMD group and a lone
        # line differently (an ulp), so another cut would break the bitwise resume
        threads = int(layout.group.attrs["params"].get("threads", 1))
        say(f"resuming {store_path} from step {info['step']} (output {info['next_output']} of {n_out})")

    prop = Propagator(params, grid, fft, get_scheme(cfg["time"]["scheme"]), dt, comm=pcomm, threads=threads)
    obs = Observer(params, grid, fft, prop.V, pcomm)
    every_steps = cfg["checkpoint"]["every_steps"]
    every_wall = cfg["checkpoint"]["every_wall_s"]
    m, step, slot = int(info["next_output"]), int(info["step"]), int(info["slot"])
    last_ckpt_step, last_ckpt_wall = step, time.monotonic()
    frames: list[dict] = []
    while m < n_out:
        psi = prop.advance(psi, m * E - step)
        step = m * E
        frame = profiles(psi, obs)
        if layout.store_psi:
            frame["psi"] = psi.copy()
        frames.append(frame)
        if len(frames) == K or m == n_out - 1:
            layout.write_chunk(m // K, frames, rank)
            frames = []
            if m < n_out - 1:
                want = ((every_steps is not None and step - last_ckpt_step >= every_steps)
                        or (every_wall is not None and time.monotonic() - last_ckpt_wall >= every_wall)
                        or _TERM["flag"])
                stop = _TERM["flag"]
                if pcomm is not None:  # every rank must take the same decision
                    from mpi4py import MPI
                    bits = pcomm.allreduce(int(bool(want)) | 2 * int(bool(stop)), op=MPI.BOR)
                    want, stop = bool(bits & 1), bool(bits & 2)
                if want or stop:
                    slot = 1 - slot
                    layout.write_checkpoint(slot, psi)
                    if pcomm is not None:
                        pcomm.Barrier()
                    if rank == 0:
                        layout.commit_checkpoint({"slot": slot, "step": step, "next_output": m + 1,
                                                  "t": step * dt})
                    if pcomm is not None:
                        pcomm.Barrier()
                    last_ckpt_step, last_ckpt_wall = step, time.monotonic()
                if stop:
                    say(f"SIGTERM: checkpoint at step {step}; exiting")
                    raise SystemExit(143)
        m += 1
    if pcomm is not None:
        pcomm.Barrier()
    if rank == 0:
        sstore.mark_complete(store_path, wall_time_s=clock.elapsed)
    say(f"done: {n_steps} steps, {n_out} outputs, {clock.elapsed:.2f} s")
    return Path(store_path)


def _set_key(cfg: dict, dotted: str, raw: str) -> None:
    import yaml
    keys = dotted.split(".")
    d = cfg
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = yaml.safe_load(raw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spinsweep.solvers.gpe.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="YAML or JSON run config (see spinsweep.solvers.gpe.run.DEFAULTS)")
    ap.add_argument("--preset", help=f"paper preset shortcut: {sorted(PRESETS)}")
    ap.add_argument("--store", required=True, help="zarr store path of this run")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config key, e.g. time.t_final=20 (repeatable)")
    args = ap.parse_args(argv)
    cfg: dict = {}
    if args.config:
        text = Path(args.config).read_text()
        if args.config.endswith(".json"):
            cfg = json.loads(text)
        else:
            import yaml
            cfg = yaml.safe_load(text) or {}
    if args.preset:
        cfg["preset"] = args.preset
    for item in args.set:
        if "=" not in item:
            raise SystemExit(f"--set {item!r}: expected KEY=VALUE")
        _set_key(cfg, *item.split("=", 1))
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        run(cfg, args.store, log=lambda *a: print(*a, flush=True))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
