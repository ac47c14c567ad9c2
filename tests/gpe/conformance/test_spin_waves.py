"""Small spin waves around s = (n, 0, 0) on every back end: omega(k)^2 = (eps_k + Omega_R)(eps_k + Omega_R + kappa n),
with k = 0 the plasma (Josephson) frequency omega_p = sqrt(Omega_R (Omega_R + kappa n)) (moved from tests/gpe).

The frequency is measured from the GPE time series of the s_z Fourier mode at k (least-squares fit of
a cos(w t) + b sin(w t) + c, seeded by the periodogram peak, not by the formula).
"""

import numpy as np
import pytest
from scipy.optimize import curve_fit

from conformance_backends import Job, mpi_subset
from spinsweep.solvers.gpe import GPEParams, spin_wave_state
from spinsweep.solvers.gpe.grid import Grid

N_DENS, G, KAPPA_N, OMEGA_R, L, NX, DT = 1.0, 10.0, 1.0, 0.5, 20.0, 96, 0.01  # NX divisible by 6
K_INDICES = [0, 1, 2, 4]
MPI_K = 2  # the representative wave on the MPI back ends


def measured_frequency(t, a):
    a = a - a.mean()
    pad = 64 * len(a)
    spec = np.abs(np.fft.rfft(a * np.hanning(len(a)), pad))
    w0 = 2 * np.pi * np.fft.rfftfreq(pad, t[1] - t[0])[np.argmax(spec[1:]) + 1]
    f = lambda t, A, B, C, w: A * np.cos(w * t) + B * np.sin(w * t) + C
    popt, _ = curve_fit(f, t, a, p0=[a[0], 0.0, 0.0, w0])
    return abs(popt[3])


def omega_theory(k_index):
    eps = (2 * np.pi * k_index / L) ** 2 / 2
    return np.sqrt((eps + OMEGA_R) * (eps + OMEGA_R + KAPPA_N))  # k = 0: omega_p


def _job(k_index, periods):
    p = GPEParams(shape=(NX,), box=(L,), g11=G, g22=G, g12=G - KAPPA_N / N_DENS, omega_R=OMEGA_R,
                  atom_number=N_DENS * L)
    psi = spin_wave_state(p, Grid(p.shape, p.box), k_index, amplitude=1e-3)
    period = 2 * np.pi / omega_theory(k_index)
    every = max(1, int(period / 40 / DT))
    return Job(p, psi, "strang", DT, every, int(periods * period / (every * DT)))  # ~40 samples per period


@pytest.fixture(scope="module")
def trajectories(backend):
    # serial / threaded: ten periods of every wave; MPI: four periods of the representative one
    plan = {MPI_K: 4} if backend.is_mpi else {k: 10 for k in K_INDICES}
    jobs = {k: _job(k, periods) for k, periods in plan.items()}
    return {k: (job, traj) for (k, job), traj in zip(jobs.items(), backend.trajectories(list(jobs.values())))}


@pytest.mark.parametrize("k_index", K_INDICES)
def test_spin_wave_dispersion(backend, trajectories, k_index):
    mpi_subset(backend, k_index == MPI_K)
    job, traj = trajectories[k_index]
    x = Grid(job.params.shape, job.params.box).axis(0)
    mode = np.cos(2 * np.pi * k_index / L * x)
    n = np.abs(traj) ** 2
    amp = np.sum((n[:, 0] - n[:, 1]) * mode, axis=-1) / np.sum(mode ** 2)
    t = np.arange(job.n_out) * job.every * DT
    w = measured_frequency(t, amp)
    # errors: Strang (omega dt)^2/24 ~ 1e-5, nonlinearity ~ amplitude^2 = 1e-6, fit over 4-10 periods ~ 1e-5
    assert abs(w / omega_theory(k_index) - 1) < 5e-4, (w, omega_theory(k_index))


@pytest.mark.parametrize("shape, box, axis", [((16, 64), (4.0, 20.0), 1),        # 2D, wave along y
                                              ((16, 8, 8), (20.0, 2.0, 2.0), 0)])  # 3D, wave along x
def test_spin_wave_dispersion_multid(shape, box, axis):
    """The same dispersion through the 2D/3D code path (k grids, transposed spectral layout), serial."""
    from gpe_helpers import machinery

    vol = float(np.prod(box))
    p = GPEParams(shape=shape, box=box, g11=G, g22=G, g12=G - KAPPA_N / N_DENS, omega_R=OMEGA_R,
                  atom_number=N_DENS * vol)
    k_index = 2
    k = 2 * np.pi * k_index / box[axis]
    omega = np.sqrt((k ** 2 / 2 + OMEGA_R) * (k ** 2 / 2 + OMEGA_R + KAPPA_N))
    grid = Grid(p.shape, p.box)
    psi = spin_wave_state(p, grid, k_index, amplitude=1e-3, axis=axis)
    _, _, prop, _ = machinery(p, "strang", DT)
    period = 2 * np.pi / omega
    every = max(1, int(period / 40 / DT))
    n_out = int(10 * period / (every * DT))
    mode = np.cos(k * grid.local_coords()[axis])
    amp, t = [], []
    for i in range(n_out):
        sz = np.abs(psi[0, 0]) ** 2 - np.abs(psi[0, 1]) ** 2
        amp.append(np.sum(sz * mode) / np.sum(np.broadcast_to(mode, sz.shape) ** 2))
        t.append(i * every * DT)
        psi = prop.advance(psi, every)
    w = measured_frequency(np.array(t), np.array(amp))
    assert abs(w / omega - 1) < 5e-4, (w, omega)
