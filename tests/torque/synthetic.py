"""Synthetic Z(x, t) fields with known answers for the torque analysis tests (lab units: x um, t ms)."""

from __future__ import annotations

import numpy as np
import xarray as xr


def field(Z, x, t, params=None) -> xr.DataArray:
    da = xr.DataArray(np.asarray(Z, dtype=np.float32), dims=("t", "x"),
                      coords={"t": ("t", t, {"units": "ms"}), "x": ("x", x, {"units": "um"})},
                      attrs={"units": "1", "long_name": "Z"})
    if params is not None:
        da = da.assign_coords(rabi_t=("t", t * 1e-3 * params.omega_R / (2 * np.pi)))
    return da


def correlated_noise(rng, n_x: int, dx: float, L1: float, L2: float, n_real: int) -> np.ndarray:
    """Gaussian random rows with autocorrelation cos(pi d/L1) exp(-d^2/(2 L2^2)) (spectrum: two Gaussians at
    k = +-pi/L1 of width 1/L2), unit variance."""
    k = 2 * np.pi * np.fft.fftfreq(n_x, d=dx)
    k0 = np.pi / L1
    S = np.exp(-0.5 * (k - k0) ** 2 * L2 ** 2) + np.exp(-0.5 * (k + k0) ** 2 * L2 ** 2)
    w = rng.standard_normal((n_real, n_x))
    z = np.fft.ifft(np.fft.fft(w, axis=-1) * np.sqrt(S), axis=-1).real
    return z / z.std()


def front_field(rng, params, v_um_ms: float, d0_um: float, *, dx=0.3, t_end=40.0, dt=0.1, L=200.0):
    """Quiet self-trapped centre |x| < d(t) = d0 - v t (smooth Z ~ -0.8 oscillating in time), fluctuating
    outside (correlated noise of amplitude 0.5, L1 = 3 um)."""
    x = np.arange(-L, L, dx)
    t = np.arange(0.0, t_end, dt)
    noise = 0.5 * correlated_noise(rng, x.size, dx, 3.0, 2.0, t.size)
    quiet = -0.8 + 0.15 * np.cos(2.0 * t)[:, None] * (1 - (x / L) ** 2)[None]
    d = np.clip(d0_um - v_um_ms * t, 0, None)[:, None]
    Z = np.where(np.abs(x)[None] < d, quiet, noise)
    return field(Z, x, t, params)
