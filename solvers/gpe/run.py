"""The GPE run as a library call: typed settings -> initial state -> evolution -> zarr store.

    from spinsweep.solvers.gpe.settings import RunSettings
    from spinsweep.solvers.gpe.run import run
    run(RunSettings.from_mapping({"preset": "paper118", "time": {"t_final": 30.0}}), "out.zarr")

The command line is ``spinsweep gpe run`` (:mod:`spinsweep.workflow.gpe_cli`), which validates the
configuration against ``config/schema/gpe.schema.yaml`` (every key, its range and default) first.

A store that exists with a checkpoint and without the completion mark is resumed from its last checkpoint
(bitwise the same result as an uninterrupted run for the same rank count); a complete store is left alone.
Checkpoints carry a checksum and the identity of their run, and the output written before them is checksummed
too (:mod:`.checkpoints`): a damaged or foreign checkpoint, or damaged earlier output, makes the resume fall back
to the other slot or start over, with one warning line -- never a resume from zeros or over a NaN gap.
``schedule.request_stop()`` (the CLI's SIGTERM handler) makes the run write a checkpoint at the next
time-chunk boundary and raise :class:`Preempted` (the CLI exits with status 143).

Default protocol (the experiment, seed Methods "Experimental procedure"): imaginary-time ground state fully
polarised in |1,-1> with the coupling off, then Omega_R switched on suddenly at t = 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from spinsweep.solvers import store as sstore

from .settings import RunSettings
from .simulation import Decision, Preempted, Schedule, Simulation, Start, batch_threads, decide_start

__all__ = ["run", "RunSettings", "Preempted", "Schedule", "Start", "Decision", "batch_threads"]


def _warn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


def run(settings: RunSettings, store_path, comm=None, *, schedule: Schedule | None = None, log=None,
        warn=None) -> Path:
    """Run (or resume, or skip when complete) one GPE run into the zarr store at ``store_path``.

    A resume starts from the newest checkpoint that belongs to this run and matches its checksums, with the
    output before it intact (:mod:`.checkpoints`); a refused checkpoint is reported in one line through ``warn``
    (default: :func:`warnings.warn`), and the run falls back to the other slot or starts over."""
    clock = sstore.Stopwatch()
    sim = Simulation(settings, store_path, comm)
    say = log if (log is not None and sim.rank == 0) else (lambda *a: None)
    decision = decide_start(sim)
    start = decision.start
    if decision.warning and sim.rank == 0:
        (warn or _warn)(decision.warning)
    if start is Start.DONE:
        say(f"store {store_path} is complete; nothing to do")
        return Path(store_path)
    if start is Start.FRESH:
        psi, position, info = sim.start_fresh()
        say(f"initial state ({settings.initial.protocol}): {info}")
    else:
        position = decision.checkpoint
        psi = sim.resume(position)
        say(f"resuming {store_path} from step {position['step']} (output {position['next_output']} of {sim.n_out})")

    schedule = schedule or Schedule.from_settings(settings)
    schedule.plan(sim.n_out, sim.output_every, sim.outputs_per_chunk, sim.dt, position)
    frames: list[dict] = []
    for m, nsteps in schedule.outputs():
        psi = sim.advance(psi, nsteps)
        frames.append(sim.frame(psi))
        if not schedule.chunk_ends(m):
            continue
        sim.layout.write_chunk(m // sim.outputs_per_chunk, frames, sim.rank)
        frames = []
        if schedule.checkpoint_due(m, sim.comm):
            position = schedule.checkpointed(m)
            sim.checkpoint(position["slot"], psi, position)
        if schedule.stop_requested and m < sim.n_out - 1:
            say(f"stop requested: checkpoint at step {schedule.step}; stopping")
            raise Preempted(schedule.step)

    sim.barrier()
    if sim.rank == 0:
        sstore.mark_complete(store_path, wall_time_s=clock.elapsed)
    say(f"done: {sim.n_steps} steps, {sim.n_out} outputs, {clock.elapsed:.2f} s")
    return Path(store_path)
