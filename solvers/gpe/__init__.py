"""Two Rabi-coupled Gross-Pitaevskii equations (torque study, seed farolfi2023): split-step Fourier solver.

Public API
----------
* :class:`GPEParams` -- dimensionless parameters (hbar = m = 1), 1D/2D/3D, batched 1D; precondition checks.
* :mod:`.units` -- the one place converting paper / SI units (via :mod:`spinsweep.solvers.rabi`) to solver units.
* :class:`Grid`, :class:`SlabFFT` -- periodic grid, x-slab MPI decomposition, all-to-all distributed FFT.
* :data:`STRANG`, :data:`YOSHIDA4`, :func:`get_scheme` -- splitting schemes as coefficient tables.
* :class:`Propagator` (:mod:`.stepper`) -- real/imaginary-time stepping on one loop (the two differ by data,
  :data:`.stepper.REAL` / :data:`.stepper.IMAGINARY`); the serial and MPI back end.
* :mod:`.backends` -- :class:`~.backends.ThreadedBatch` (a batched 1D run cut into L2-sized parts, on one thread
  or several, the same ``advance``) and
  :func:`~.backends.make_propagator`, which picks the back end.
* :func:`ground_state` (:mod:`.state`) at fixed total N; Thomas-Fermi guesses, spin waves.
* :class:`Observer`, :func:`profiles` -- n, s, Z, phi, v, Eq. (7) spin currents, quantum torque, |H x s|, E, N.
* :mod:`.noise` -- seeded truncated-Wigner vacuum and thermal initial noise (shot k independent of ranks/batch).
* :mod:`.settings` -- :class:`~.settings.RunSettings` and its parts (time, grid, initial, output, checkpoint,
  checks, noise): the typed run configuration, built from the validated ``gpe`` section
  (``config/schema/gpe.schema.yaml``) by ``RunSettings.from_mapping``.
* :mod:`.simulation` -- :class:`~.simulation.Simulation` (setup built once), :func:`~.simulation.decide_start`
  (``Start.FRESH | RESUME | DONE`` and the verified checkpoint), :class:`~.simulation.Schedule` (output/checkpoint cadence, pre-emption),
  :class:`~.simulation.Preempted`.
* :func:`spinsweep.solvers.gpe.run.run` -- ``run(settings, store_path, comm=None)``: settings -> zarr store,
  checkpoints, resume, MPI ranks.  The command line is ``spinsweep gpe run`` (:mod:`spinsweep.workflow.gpe_cli`).
* :mod:`.output` -- the zarr store layout; :mod:`.checkpoints` -- checksums and run identity of checkpoint
  slots and written output, and the choice of the slot a resume starts from; :mod:`.units` -- the one place converting lab / paper units.
"""

from .fft import SlabFFT
from .grid import Grid
from .observables import Observer, profiles
from .params import GPEParams
from .schemes import SCHEMES, STRANG, YOSHIDA4, SplittingScheme, get_scheme
from .state import ground_state, spin_wave_state, thomas_fermi_state
from .stepper import Propagator, external_potential

__all__ = ["GPEParams", "Grid", "SlabFFT", "SplittingScheme", "STRANG", "YOSHIDA4", "SCHEMES", "get_scheme",
           "Propagator", "external_potential", "ground_state", "thomas_fermi_state", "spin_wave_state",
           "Observer", "profiles"]
