"""Small spin waves around s = (n, 0, 0): omega(k)^2 = (eps_k + Omega_R)(eps_k + Omega_R + kappa n).

The frequency is measured from the GPE time series of the s_z Fourier mode at k (least-squares fit of
a cos(w t) + b sin(w t) + c, seeded by the periodogram peak, not by the formula).
"""

import numpy as np
import pytest
from scipy.optimize import curve_fit

from spinsweep.solvers.gpe import GPEParams, profiles, spin_wave_state
from spinsweep.solvers.gpe.grid import Grid
from gpe_helpers import machinery


def measured_frequency(t, a):
    a = a - a.mean()
    pad = 64 * len(a)
    spec = np.abs(np.fft.rfft(a * np.hanning(len(a)), pad))
    w0 = 2 * np.pi * np.fft.rfftfreq(pad, t[1] - t[0])[np.argmax(spec[1:]) + 1]
    f = lambda t, A, B, C, w: A * np.cos(w * t) + B * np.sin(w * t) + C
    popt, _ = curve_fit(f, t, a, p0=[a[0], 0.0, 0.0, w0])
    return abs(popt[3])


@pytest.mark.parametrize("k_index", [0, 1, 2, 4])
def test_spin_wave_dispersion(k_index):
    n, g, kappa_n, Om, L = 1.0, 10.0, 1.0, 0.5, 20.0
    p = GPEParams(shape=(64,), box=(L,), g11=g, g22=g, g12=g - kappa_n / n, omega_R=Om, atom_number=n * L)
    k = 2 * np.pi * k_index / L
    eps = k ** 2 / 2
    omega_theory = np.sqrt((eps + Om) * (eps + Om + kappa_n))  # k = 0: omega_p = sqrt(Om (Om + kappa n))
    grid = Grid(p.shape, p.box)
    psi = spin_wave_state(p, grid, k_index, amplitude=1e-3)
    dt = 0.01
    _, _, prop, obs = machinery(p, "strang", dt)
    period = 2 * np.pi / omega_theory
    every = max(1, int(period / 40 / dt))
    n_out = int(10 * period / (every * dt))  # ten periods, ~40 samples each
    x = grid.axis(0)
    mode = np.cos(k * x)
    amp, t = [], []
    for i in range(n_out):
        sz = profiles(psi, obs)["s"][0, 2]
        amp.append(np.sum(sz * mode) / np.sum(mode ** 2))
        t.append(i * every * dt)
        psi = prop.advance(psi, every)
    w = measured_frequency(np.array(t), np.array(amp))
    # errors: Strang (omega dt)^2/24 ~ 1e-5, nonlinearity ~ amplitude^2 = 1e-6, fit over 10 periods ~ 1e-5
    assert abs(w / omega_theory - 1) < 5e-4, (w, omega_theory)


@pytest.mark.parametrize("shape, box, axis", [((16, 64), (4.0, 20.0), 1),        # 2D, wave along y
                                              ((16, 8, 8), (20.0, 2.0, 2.0), 0)])  # 3D, wave along x
def test_spin_wave_dispersion_multid(shape, box, axis):
    """The same dispersion through the 2D/3D code path (k grids, transposed spectral layout)."""
    n, g, kappa_n, Om = 1.0, 10.0, 1.0, 0.5
    vol = float(np.prod(box))
    p = GPEParams(shape=shape, box=box, g11=g, g22=g, g12=g - kappa_n / n, omega_R=Om, atom_number=n * vol)
    k_index = 2
    k = 2 * np.pi * k_index / box[axis]
    omega_theory = np.sqrt((k ** 2 / 2 + Om) * (k ** 2 / 2 + Om + kappa_n))
    grid = Grid(p.shape, p.box)
    psi = spin_wave_state(p, grid, k_index, amplitude=1e-3, axis=axis)
    dt = 0.01
    _, _, prop, obs = machinery(p, "strang", dt)
    period = 2 * np.pi / omega_theory
    every = max(1, int(period / 40 / dt))
    n_out = int(10 * period / (every * dt))
    mode = np.cos(k * grid.local_coords()[axis])
    amp, t = [], []
    for i in range(n_out):
        sz = np.abs(psi[0, 0]) ** 2 - np.abs(psi[0, 1]) ** 2
        amp.append(np.sum(sz * mode) / np.sum(np.broadcast_to(mode, sz.shape) ** 2))
        t.append(i * every * dt)
        psi = prop.advance(psi, every)
    w = measured_frequency(np.array(t), np.array(amp))
    assert abs(w / omega_theory - 1) < 5e-4, (w, omega_theory)
