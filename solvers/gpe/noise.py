"""Seeded initial fluctuations of a GPE run: truncated-Wigner vacuum noise, optionally a thermal occupation.

Truncated Wigner (e.g. Blakie et al., Adv. Phys. 57, 363 (2008), Sec. 4; Sinatra, Lobo & Castin, J. Phys. B 35,
3599 (2002)): the classical field psi_W = psi_0 + delta psi samples the Wigner distribution of the initial
state when every mode of the grid (plane waves e^{ikx}/sqrt(V) up to the grid's cut-off, per component) carries
half a particle of vacuum noise, <|beta_k|^2> = 1/2.  On the grid this is white noise,

    <delta psi_j delta psi_j'^*> = delta_jj' / (2 dV),      dV = prod_i dx_i  (dx in 1D),

one independent complex Gaussian per grid point and component (real and imaginary parts each of variance
1/(4 dV)).  That is the vacuum of free particles, right for an *empty* component (its excitations on the other
component's condensate have no anomalous terms).  A component holding a condensate gets the *Bogoliubov*
vacuum instead (:func:`bogoliubov_vacuum`): beta_k = u_k b_k - v_k b_{-k}^*, <|b_k|^2> = 1/2, u_k, v_k of the
homogeneous gas at its peak density (below), and a plain half quantum in the condensate mode k = 0; white noise
on a condensate is an excited state (it puts (u_k^2 + v_k^2)/2 instead of 1/2 quanta into each phonon).
Thermal: on top, each Bogoliubov mode k != 0 of component c gets a Bose occupation
N_k = 1/(exp(E_k/k_B T) - 1), E_k = sqrt(eps_k (eps_k + 2 mu_c)), eps_k = hbar^2 k^2/2m, with the quasi-particle
amplitudes b_k (<|b_k|^2> = N_k) put on the plane waves as beta_k = u_k b_k - v_k b_{-k}^*,
u_k, v_k = sqrt((eps_k + mu_c)/(2 E_k) +- 1/2) (Pitaevskii & Stringari, Bose-Einstein Condensation, Ch. 4).  This
is the homogeneous gas of each component on its own, at its peak condensate density, mu_c = g_cc max|psi_c|^2:
the local-density picture at the cloud centre, ignoring the trap and the inter-component coupling.  An empty
component (mu_c = 0, e.g. |1,+1> before the quench) gets no thermal atoms: the thermal cloud is in the state that
holds the condensate, as in the experiment (``thermal_noise`` called directly with mu_c = 0 gives free particles,
u = 1, v = 0, E_k = eps_k).  The condensate mode k = 0 is left alone.

Units.  The solver is dimensionless (hbar = m = 1) and its psi is normalised to ``atom_number`` in *solver
number units*.  Half a real particle per mode is ``1/(2 a)`` solver number units, where ``a`` = real atoms per
solver number unit = ``OutputUnits.factor("number")[0]``: for a paper preset a = n0 xi_R (the 1D density unit
times the length unit: N_solver = 4/3 R_x/xi_R, N_real = a N_solver); for a ``model`` run without lab units a = 1
(atom_number counts real atoms).  So the variance per grid point is 1/(2 a dV) and the mean number of atoms the
vacuum noise adds is n_points/(2 a) per component in solver units, i.e. n_points/2 real atoms: the noise matters
when that is not small against N.  The total N of psi_W is *not* renormalised (the Wigner average of N
includes the 1/2 per mode).  Temperatures: ``temperature`` in units of the Thomas-Fermi chemical potential mu of
the run's parameters (``GPEParams.thomas_fermi``, per batch point), or ``temperature_nK`` converted with the
preset's time unit, k_B T / (hbar / time_s).

What the noise does to the torque study (investigated with the 118 Hz cloud, N = 5e5, 1728 points, 4 Rabi
periods; S = std of Z in 5 um windows, averaged over |x| < 40 um; "breaks" = S > 0.1):

* normalisation: psi counts real atoms in the torque study (``atoms_per_unit`` = 1 after the study rescales its
  model), the vacuum adds n_points/2 atoms per component on average (measured: +1417 for 1728 points, within the
  +-530 spread of the cross term 2 Re psi_0^* delta psi).  The study's clouds held 2.8e5 instead of 5e5 atoms
  until it was fixed (N = 4/3 n0 R_x), which made the noise 1.33x too large relative to the condensate.
* the centre breaking is a genuine instability, not an artefact: the self-trapped Josephson orbit of the
  centre is modulationally (parametrically) unstable in a band around k = 1.55/xi_R (wavelength 8.1 um) with
  a Floquet rate of 0.34 Omega_R (:mod:`spinsweep.analysis.torque.stability`, checked against a split-step GPE:
  0.3375 at k = 1.508/xi_R).  In the trapped run the centre's power in that band grows at 0.27-0.31 Omega_R and
  the centre's spectrum peaks at k = 1.37-1.67/xi_R.  Scaling the noise amplitude by 1, 0.1, 0.01 delays the
  breaking from 2.36 to 3.22 to > 4 Rabi periods (0.86 periods per decade; an exponential instability predicts
  ln 10/(2 pi x 0.34) = 1.08), while the grid-scale floor of S scales linearly (0.023, 0.0028, 0.0014 = the
  deterministic run's own level).  Refining the grid (points_per_xi_s 2.5 -> 5) raises the floor 1.6x (more
  white-noise modes) but not the breaking time (2.36 -> 2.48): the seed that matters is in the unstable band, not
  at the grid scale.  The deterministic GPE has no seed in the band (only round-off), so its centre stays quiet
  until the fronts arrive (~4.8 periods).
* Bogoliubov instead of white vacuum in the condensed component moves the breaking from 2.20 to 2.36 periods
  (the unstable mode is seeded mostly through the empty component, whose vacuum is white either way).
* what a camera sees: the floor of S is the grid-scale white noise (0.023 at 2.5 points per xi_s); blurring
  the densities with the imaging resolution (1 um rms) lowers it to 0.004
  (:func:`spinsweep.analysis.torque.imaging.imaged_Z`, which also subtracts the symmetric-ordering density
  1/(2 dx) per component), and the front detector raises its thresholds to at least 3x the measured floor
  (:mod:`spinsweep.analysis.torque.fronts`).  Neither removes the instability: with 4 shots, v/c_s comes out
  4.37 +- 0.07 (stat) +- 1.2 (syst) +- 0.49 (shots) against 1.48 for the deterministic run (paper: 1.4(1) GPE, 1.8(2)
  experiment; 2 shots of the reduced sweep at the same point, 7 periods: 3.60 +- 0.09 +- 1.1 +- 0.69), because
  the quiet region is eaten from within, first near x_c where Lambda(x) is smaller and the
  growth faster.  The 62 Hz cloud (Lambda0 = 3.57, Floquet rate 0.28 Omega_R) breaks later (3.6 periods) and
  its 4 shots give v/c_s = 1.88 +- 0.02 +- 0.28 +- 0.07, close to the experiment.  The experiment's 118 Hz
  centre survives until the front arrives, so the 1D truncated-Wigner model overstates the instability there;
  candidates left open: the radial structure of the real cloud (kappa n varies
  across the radius, which detunes the parametric resonance) and the 3D mode density of the vacuum.

Seeds.  One stream per (shot, kind, x-plane): ``SeedSequence(seed, spawn_key=(shot, stream, i))`` is the
``i``-th child of the ``stream``-th child of ``SeedSequence(seed).spawn(...)[shot]`` (stream 0: white vacuum noise
of global x-plane i; stream 1: thermal amplitudes of the kx-plane i; stream 2: Bogoliubov vacuum amplitudes of
the kx-plane i, plane nx for the k = 0 mode).  A rank draws the planes of its own slab
(vacuum) or the whole thermal field (cheap, once) and keeps its slab, so shot k is bitwise the same whatever
the rank count, thread count or batch composition (a batched 1D run gives point b the shot ``shot + b``).
"""

from __future__ import annotations

import math

import numpy as np

from .grid import Grid
from .params import GPEParams
from .settings import NoiseSettings
from .units import OutputUnits

KB = 1.380649e-23  # J/K
HBAR = 1.054571817e-34  # J s

VACUUM, THERMAL, BOGOLIUBOV_VACUUM = 0, 1, 2


def _rng(seed: int, shot: int, stream: int, plane: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(shot, stream, plane))))


def atoms_per_unit(units: OutputUnits) -> float:
    """Real atoms per solver number unit (1 without lab units)."""
    return float(units.factor("number")[0]) if units.physical else 1.0


def vacuum_variance(grid: Grid, atoms_per_unit: float = 1.0) -> float:
    """<|delta psi_j|^2> of the truncated-Wigner vacuum noise per grid point and component (solver units)."""
    return 1.0 / (2.0 * grid.cell_volume * atoms_per_unit)


def vacuum_noise(seed: int, shot: int, grid: Grid, atoms_per_unit: float = 1.0) -> np.ndarray:
    """White complex Gaussian noise (2, *local_shape) with <|.|^2> = vacuum_variance, from this rank's planes."""
    sigma = math.sqrt(vacuum_variance(grid, atoms_per_unit) / 2.0)  # per real / imaginary part
    plane = (2,) + grid.local_shape[1:]
    out = np.empty((2,) + grid.local_shape, dtype=complex)
    for i in range(grid.nx_local):
        z = _rng(seed, shot, VACUUM, grid.x_start + i).standard_normal((2,) + plane)
        out[:, i] = sigma * (z[0] + 1j * z[1])
    return out


def _eps(grid: Grid) -> np.ndarray:
    ks = np.meshgrid(*[grid.k_axis(i) for i in range(grid.ndim)], indexing="ij", sparse=True)
    return 0.5 * sum(k ** 2 for k in ks) * np.ones(grid.shape)


def bogoliubov(grid: Grid, mu: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E_k, u_k, v_k) on the global k grid (numpy FFT order) of a homogeneous gas at chemical potential mu >= 0;
    zero at k = 0.  mu = 0: free particles, E_k = eps_k, u = 1, v = 0."""
    eps = _eps(grid)
    E = np.sqrt(eps * (eps + 2.0 * mu))
    u, v = np.zeros(grid.shape), np.zeros(grid.shape)
    nz = eps > 0
    u[nz] = np.sqrt((eps[nz] + mu) / (2.0 * E[nz]) + 0.5)
    v[nz] = np.sqrt(np.maximum((eps[nz] + mu) / (2.0 * E[nz]) - 0.5, 0.0))
    return E, u, v


def bose_occupation(grid: Grid, kT: float, mu: float = 0.0) -> np.ndarray:
    """N_k = 1/(exp(E_k/kT) - 1) of the Bogoliubov modes (free particles for mu = 0) on the global k grid, 0 at
    k = 0 and for kT = 0."""
    E = bogoliubov(grid, mu)[0]
    occ = np.zeros(grid.shape)
    if kT > 0:
        nz = E > 0
        occ[nz] = 1.0 / np.expm1(E[nz] / kT)
    return occ


def _minus_k(a: np.ndarray) -> np.ndarray:
    """a(-k) for a field a(k) in numpy FFT order on the trailing axes (all but the first)."""
    for axis in range(1, a.ndim):
        a = np.roll(np.flip(a, axis=axis), 1, axis=axis)
    return a


def _quasiparticle_field(seed: int, shot: int, stream: int, grid: Grid, occupation, mu) -> np.ndarray:
    """(2, *local_shape): sum_k beta_k e^{ikx}/sqrt(V), beta_k = u_k b_k - v_k b_{-k}^*, <|b_k|^2> =
    occupation(c, mu_c) (solver number units) per component c at chemical potential mu[c] (None: nothing in c);
    the b_k are drawn per kx-plane on the global grid from ``stream`` (every rank draws the same global field
    and keeps its slab)."""
    b = np.empty((2,) + grid.shape, dtype=complex)
    for i in range(grid.shape[0]):
        z = _rng(seed, shot, stream, i).standard_normal((2, 2) + grid.shape[1:])
        b[:, i] = (z[0] + 1j * z[1]) / np.sqrt(2.0)
    beta = np.zeros_like(b)
    for c in range(2):
        if mu[c] is None:
            continue
        _, u, v = bogoliubov(grid, mu[c])
        bc = np.sqrt(occupation(c, mu[c])) * b[c]
        beta[c] = u * bc - v * np.conj(_minus_k(bc[None])[0])
    volume = float(np.prod(grid.box))
    axes = tuple(range(1, grid.ndim + 1))
    field = np.fft.ifftn(beta, axes=axes) * (grid.n_points / math.sqrt(volume))
    return np.ascontiguousarray(field[:, grid.x_start:grid.x_start + grid.nx_local])


def thermal_noise(seed: int, shot: int, grid: Grid, kT: float, atoms_per_unit: float = 1.0,
                  mu: tuple[float | None, float | None] = (0.0, 0.0)) -> np.ndarray:
    """Thermal part (2, *local_shape): Bogoliubov modes with <|b_k|^2> = N_k/a per component c at chemical
    potential mu[c] (None: no thermal atoms in c)."""
    return _quasiparticle_field(seed, shot, THERMAL, grid,
                                lambda c, m: bose_occupation(grid, kT, m) / atoms_per_unit, mu)


def bogoliubov_vacuum(seed: int, shot: int, grid: Grid, atoms_per_unit: float = 1.0,
                      mu: tuple[float | None, float | None] = (0.0, 0.0)) -> np.ndarray:
    """Vacuum noise of the Bogoliubov quasi-particles (2, *local_shape): <|b_k|^2> = 1/(2a) for every k
    (k = 0: u = 1, v = 0, the plain half quantum of the condensate mode) in each component c with mu[c] not None;
    zero in the others (they take :func:`vacuum_noise`)."""
    def half(c, m):
        occ = np.full(grid.shape, 0.5 / atoms_per_unit)
        return occ
    field = _quasiparticle_field(seed, shot, BOGOLIUBOV_VACUUM, grid, half, mu)
    # k = 0 got u = v = 0 in bogoliubov(): give the condensate mode its plain half quantum
    z = _rng(seed, shot, BOGOLIUBOV_VACUUM, grid.shape[0]).standard_normal((2, 2))
    b0 = (z[0] + 1j * z[1]) * math.sqrt(0.25 / atoms_per_unit)
    volume = float(np.prod(grid.box))
    for c in range(2):
        if mu[c] is not None:
            field[c] += b0[c] / math.sqrt(volume)
    return field


def temperature_kT(settings: NoiseSettings, params: GPEParams, units: OutputUnits) -> np.ndarray:
    """k_B T in solver energy units per batch point (0 for no thermal noise)."""
    if settings.kind != "thermal":
        return np.zeros(params.batch_size)
    if settings.temperature_nK is not None:
        if units.time_s is None:
            raise ValueError("config key 'gpe.noise.temperature_nK': needs lab units (a paper preset)")
        return np.full(params.batch_size, KB * settings.temperature_nK * 1e-9 * units.time_s / HBAR)
    mu = params.thomas_fermi()[0]
    return float(settings.temperature) * np.asarray(mu, dtype=float)


def condensate_mu(psi: np.ndarray, params: GPEParams, comm=None) -> np.ndarray:
    """mu_c = g_cc max|psi_c|^2 per batch point and component (B, 2), the maximum over all ranks."""
    peak = np.ascontiguousarray(np.max(np.abs(psi.reshape(psi.shape[0], 2, -1)) ** 2, axis=-1))
    if comm is not None and comm.Get_size() > 1:
        from mpi4py import MPI
        local, peak = peak, np.empty_like(peak)
        comm.Allreduce(local, peak, op=MPI.MAX)
    g = np.stack([params.batch_array("g11"), params.batch_array("g22")], axis=1)
    return np.maximum(g * peak, 0.0)


def add_noise(psi: np.ndarray, settings: NoiseSettings, params: GPEParams, grid: Grid,
              units: OutputUnits = OutputUnits(), comm=None) -> tuple[np.ndarray, dict]:
    """psi (B, 2, *local) plus the noise of ``settings`` (point b: shot settings.shot + b); returns (psi, info).

    kind 'none' returns psi itself, untouched (a deterministic run stays bitwise the same).
    """
    if settings.kind == "none":
        return psi, {"kind": "none"}
    a = atoms_per_unit(units)
    kT = temperature_kT(settings, params, units)
    mu = condensate_mu(psi, params, comm)
    out = np.array(psi, dtype=complex, copy=True)
    for b in range(out.shape[0]):
        shot = settings.shot + b
        mu_b = tuple(float(m) if m > 0 else None for m in mu[b])  # only components holding a condensate
        # vacuum: Bogoliubov vacuum in a condensed component, free-particle (white) vacuum in an empty one
        white = vacuum_noise(settings.seed, shot, grid, a)
        out[b] += bogoliubov_vacuum(settings.seed, shot, grid, a, mu_b)
        for c in range(2):
            if mu_b[c] is None:
                out[b, c] += white[c]
        if settings.kind == "thermal" and kT[b] > 0:
            out[b] += thermal_noise(settings.seed, shot, grid, float(kT[b]), a, mu_b)
    info = {"kind": settings.kind, "seed": settings.seed, "shots": [settings.shot + b for b in range(out.shape[0])],
            "atoms_per_unit": a, "vacuum_variance": vacuum_variance(grid, a),
            "vacuum_atoms_per_component": grid.n_points / 2.0, "kT_solver": kT.tolist(),
            "mu_bogoliubov": mu.tolist(),
            "vacuum": ["bogoliubov" if m > 0 else "white" for m in mu[0]]}
    return out, info
