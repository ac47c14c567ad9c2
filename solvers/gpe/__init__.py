"""Two Rabi-coupled Gross-Pitaevskii equations (torque study, seed farolfi2023): split-step Fourier solver.

Public API
----------
* :class:`GPEParams` -- dimensionless parameters (hbar = m = 1), 1D/2D/3D, batched 1D; precondition checks.
* :mod:`.units` -- the one place converting paper / SI units (via :mod:`spinsweep.solvers.rabi`) to solver units.
* :class:`Grid`, :class:`SlabFFT` -- periodic grid, x-slab MPI decomposition, all-to-all distributed FFT.
* :data:`STRANG`, :data:`YOSHIDA4`, :func:`get_scheme` -- splitting schemes as coefficient tables.
* :class:`Propagator` -- real/imaginary-time stepping on one loop; :func:`ground_state` at fixed total N.
* :class:`Observer`, :func:`profiles` -- n, s, Z, phi, v, Eq. (7) spin currents, quantum torque, |H x s|, E, N.
* :func:`spinsweep.solvers.gpe.run.run` / ``python -m spinsweep.solvers.gpe.run`` -- config -> zarr store, checkpoints, resume,
  MPI ranks (module not imported here, so that ``python -m`` runs it cleanly).
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
