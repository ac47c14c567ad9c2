"""The modulational instability of the self-trapped Josephson orbit (spinsweep.analysis.torque.stability):
Bogoliubov-Floquet rates against an independent split-step GPE and the analytic Josephson orbit."""

import math

import numpy as np
import pytest

from spinsweep.analysis.torque.stability import floquet_growth

LAMBDA0, DG = 1 / 0.33, 0.07  # the centre of the 118 Hz data set (seed Fig. 3)


def _split_step_rates(Lambda0, dg, *, n=512, box=100.0, periods=8.0, dt=0.002, seed=0):
    """Homogeneous two-component GPE (periodic box, hbar = m = Omega_R = 1) from all atoms in component 2 plus
    1e-10 white noise; Lyapunov rate of every Fourier mode from the slope of ln |psi_k|^2 over the second half."""
    g = Lambda0 / dg
    g12 = g * (1 - dg)
    k = 2 * np.pi * np.fft.fftfreq(n, box / n)
    rng = np.random.default_rng(seed)
    psi = np.zeros((2, n), complex)
    psi[1] = 1.0
    psi += 1e-10 * (rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n)))
    kin = np.exp(-0.25j * k ** 2 * dt)
    c, s = math.cos(dt / 2), math.sin(dt / 2)
    steps = int(periods * 2 * np.pi / dt)
    ts, ps = [], []
    for i in range(steps):
        psi = np.fft.ifft(np.fft.fft(psi, axis=1) * kin, axis=1)
        n1, n2 = np.abs(psi[0]) ** 2, np.abs(psi[1]) ** 2
        psi[0] *= np.exp(-1j * (g * n1 + g12 * n2) * dt)
        psi[1] *= np.exp(-1j * (g * n2 + g12 * n1) * dt)
        psi = np.array([c * psi[0] + 1j * s * psi[1], 1j * s * psi[0] + c * psi[1]])  # exact Rabi step
        psi = np.fft.ifft(np.fft.fft(psi, axis=1) * kin, axis=1)
        if i % 100 == 0:
            F = np.fft.fft(psi, axis=1)
            ts.append(i * dt)
            ps.append((np.abs(F) ** 2).sum(0))
    t, P = np.asarray(ts), np.asarray(ps)
    late = t > t[-1] / 2
    rate = np.polyfit(t[late], np.log(P[late] + 1e-300), 1)[0] / 2
    return k, rate


def test_floquet_rate_matches_a_split_step_gpe():
    """Independent method: the fastest mode of a direct GPE run grows at the Floquet rate (5 %: both fit the
    slope of a log over 4 Rabi periods; the split-step mode sits at k = 1.508, on the Floquet k grid) and sits at
    the Floquet k_max (within one grid step 2 pi/100 plus the Floquet k spacing 0.05)."""
    k, rate = _split_step_rates(LAMBDA0, DG)
    band = (k > 0.5) & (k < 4)
    j = int(np.argmax(np.where(band, rate, -np.inf)))
    fl = floquet_growth(LAMBDA0, DG, np.arange(1.2, 1.91, 0.05), periods=8.0)
    assert rate[j] > 0.3  # a genuine instability: x e^{2 pi 0.3} = 6.6 per Rabi period
    assert abs(k[j] - fl["k_max"]) < 2 * np.pi / 100 + 0.05
    at = floquet_growth(LAMBDA0, DG, [k[j]], periods=8.0)["rate"][0]
    assert at == pytest.approx(rate[j], rel=0.05)


def test_orbit_and_stable_limits():
    """The orbit is the self-trapped Josephson orbit: Z from -1 up to -sqrt(1 - 4/Lambda0^2) (energy
    conservation of Eqs. 4-6 without gradients); short waves (k^2/2 >> kappa n) and long waves are stable
    (rates within the 0.05 sampling error of zero); norm kept to 1e-3."""
    out = floquet_growth(LAMBDA0, DG, [0.5, 1.55, 6.0], periods=8.0)
    assert out["Z_range"][0] == pytest.approx(-1.0, abs=1e-6)
    assert out["Z_range"][1] == pytest.approx(-math.sqrt(1 - 4 / LAMBDA0 ** 2), abs=2e-3)
    assert out["norm_drift"] < 1e-3
    r = dict(zip(out["k"], out["rate"]))
    assert r[1.55] > 0.3 and abs(r[0.5]) < 0.05 and abs(r[6.0]) < 0.05
    with pytest.raises(ValueError, match="dg_over_g"):
        floquet_growth(3.0, 1.5, [1.0])
