"""Local oscillation frequency of the magnetisation, Omega(x) (seed Fig. 2a), measured and predicted.

Measured: for every x, the peak of the power spectrum of Z(x, t) - <Z>_t over a time window (Hann window,
zero-padded FFT, parabolic refinement of the peak bin; :func:`local_frequency`).  Predicted: each x as a
homogeneous Josephson junction with Lambda(x) = kappa n(x)/Omega_R (:func:`spinsweep.solvers.josephson.local`),
which softens to 0 at x_c (logarithmically; text before Fig. 2).

Cadence: the centre oscillates fastest (Omega(0) = 2.64 Omega_R for the 118 Hz preset, 3.26 Omega_R for
62 Hz), and the self-trapped Z(t) is far from a sinusoid, so the map needs many samples per Rabi period.
:func:`required_output_interval` is what the workflow asks for: ``samples`` (default 75) outputs per period of
the fastest local oscillation, and never coarser than ``max_rabi`` (0.005 Rabi periods, the cadence the seed's
Fig. 2a insets need to resolve the interface dynamics).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from spinsweep.solvers.josephson import frequency as josephson_frequency


def required_output_interval(params, *, samples: int = 75, max_rabi: float = 0.005) -> float:
    """Output interval for the Omega(x) map, in Rabi periods (2 pi/Omega_R): min(max_rabi, T_fast/samples)
    with T_fast = 2 pi/Omega(x = 0) the fastest local period (Josephson prediction at the centre)."""
    fast = float(josephson_frequency(params.Lambda0))  # units of Omega_R
    return min(max_rabi, 1.0 / (fast * samples))


def _peak_core(z: np.ndarray, dt: float, pad: int) -> np.ndarray:
    """(..., t) -> (...): angular frequency (rad per time unit of dt) of the largest non-DC spectral peak."""
    n = z.shape[-1]
    z = z - z.mean(axis=-1, keepdims=True)
    z = z * np.hanning(n)
    nfft = 1 << int(math.ceil(math.log2(pad * n)))
    P = np.abs(np.fft.rfft(z, n=nfft, axis=-1)) ** 2
    f = np.fft.rfftfreq(nfft, d=dt)
    lo = int(math.ceil(1.5 * nfft / n))  # below ~1.5 bins of the unpadded spectrum: not a resolved oscillation
    P[..., :lo] = 0.0
    k = np.argmax(P, axis=-1)
    k = np.clip(k, 1, P.shape[-1] - 2)
    a = np.take_along_axis(P, (k - 1)[..., None], -1)[..., 0]
    b = np.take_along_axis(P, k[..., None], -1)[..., 0]
    c = np.take_along_axis(P, (k + 1)[..., None], -1)[..., 0]
    den = a - 2 * b + c
    shift = np.where(den != 0, 0.5 * (a - c) / np.where(den != 0, den, 1.0), 0.0)
    out = 2 * np.pi * (f[k] + shift * (f[1] - f[0]))
    return np.where(b > 0, out, np.nan)


def local_frequency(Z: xr.DataArray, t_max_ms: float | None = None, *, t_min_ms: float = 0.0,
                    pad: int = 16) -> xr.DataArray:
    """Main local oscillation frequency Omega(x) of Z [rad/s] (Fig. 2a), from Z(x, t) in lab units.

    Times in [t_min_ms, t_max_ms] are used; the frequency resolution is ~2 pi/(window length) before the
    parabolic refinement, so frequencies below ~1.5 cycles per window (the softening at x_c) are not resolved.
    Lazy: computed per x-chunk with the time axis in one chunk."""
    Zw = Z.sel(t=slice(t_min_ms, t_max_ms))
    if Zw.chunks is not None:  # whole time axis per task; x cut so that a task's padded spectra stay ~32 MB
        nfft = 1 << int(math.ceil(math.log2(pad * max(2, Zw.sizes["t"]))))
        Zw = Zw.chunk({"t": -1, "x": max(8, (1 << 21) // nfft)})
    t = Zw.t.values
    dt = float(np.median(np.diff(t)))
    if not np.allclose(np.diff(t), dt, rtol=1e-3):
        raise ValueError("local_frequency: output times must be equally spaced")
    om = xr.apply_ufunc(_peak_core, Zw, input_core_dims=[["t"]], kwargs={"dt": dt * 1e-3, "pad": pad},
                        dask="parallelized", output_dtypes=[float])
    return om.assign_attrs(units="rad/s", long_name="main local oscillation frequency of Z (Fig. 2a)",
                           window_ms=float(t[-1] - t[0]))


def frequency_map(Z: xr.DataArray, params, t_max_rabi: float | None = 3.0) -> xr.Dataset:
    """Measured and Josephson-predicted Omega(x)/Omega_R on the x grid of Z (Fig. 2a), plus Lambda(x).

    ``t_max_rabi``: length of the time window in Rabi periods (default 3; None: all times)."""
    from spinsweep.solvers.josephson import frequency_map as josephson_map

    T = 2e3 * math.pi / params.omega_R
    om = local_frequency(Z, None if t_max_rabi is None else t_max_rabi * T).compute()
    x = Z.x.values
    pred = josephson_map(params, x * 1e-6) / params.omega_R
    return xr.Dataset(
        {"Omega_measured": om / params.omega_R,
         "Omega_josephson": ("x", pred, {"units": "1", "long_name": "Josephson prediction Omega(x)/Omega_R"}),
         "Lambda": ("x", params.Lambda(x * 1e-6), {"units": "1", "long_name": "kappa n(x)/Omega_R"})},
        coords={"x": Z.x}).assign(Omega_measured=lambda d: d.Omega_measured.assign_attrs(
            units="1", long_name="measured Omega(x)/Omega_R")).assign_attrs(
        window_rabi=float(om.attrs["window_ms"] / T))
