"""Spatial autocorrelation of the magnetisation in regions of the (x, t) plane (seed Fig. 4a,b).

Seed: ``C_ZZ(dx) = int Z(x) Z(x + dx) / int Z(x)^2`` over a rectangle of the (x, t) map; "Error bars
correspond to s.d. of the correlation at different times averaged in the rectangles"; fit in regions E with
``f(dx) = cos(pi dx/L1) exp(-dx^2/(2 L2^2))``, L1 = 7.1(1) um, L2 = 4.0(1) um for the 62 Hz data set (Fig. 4b),
negative minimum near 5-6 um.

Estimator (:func:`c_zz`): at each time (and shot) the integrals run over the samples of the region's x range
that have a partner at x + dx inside it, normalised as
``sum_i Z_i Z_{i+k} / sqrt(sum_i Z_i^2 sum_i Z_{i+k}^2)`` (the seed's ratio with the overlap made explicit:
equal to 1 for a uniform Z at every dx, so the self-trapped and oscillating regions show their long-range order
instead of a triangular finite-size decay).  No mean is subtracted (as in the seed).  Mean and s.d. are then
taken over all times and shots in the region; with several shots each shot's time average is fitted too, and the
standard error of those fits is the shot error of L1, L2 and of the minimum (:func:`correlations`).

Imaging resolution (:func:`blur`): an optional Gaussian blur of rms width ``sigma_um`` along x applied to Z
before the correlation, to compare simulations with absorption images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import curve_fit


@dataclass(frozen=True)
class Region:
    """A rectangle of the (x, t) plane: x in um, t in Rabi periods (Omega_R t/2pi)."""

    name: str
    x_um: tuple[float, float]
    t_rabi: tuple[float, float]


def default_regions(params, t_final_rabi: float, *, width_um: float = 40.0) -> tuple[Region, ...]:
    """Regions A-E of Fig. 4a in terms of x_c (Thomas-Fermi prediction) and the run length.

    A: self-trapped centre before the fronts arrive (|x| < width/2, t in [0.25, 1]);
    B: oscillating outside x_c ([x_c + 10, x_c + 10 + width] um, t in [0.25, 1]);
    C: behind the interface just after breaking ([x_c - width, x_c], t in [1.5, 2.5]);
    D: the same x range later (t in [3, 4.5]);
    E: inside the former self-trapped region, long after the front passed ([0.4 x_c, 0.4 x_c + width], the
       last 40% of the run), where the seed fits L1 and L2.
    """
    from .interface import x_c_predicted

    xc = x_c_predicted(params)["x_c_um"]
    w = width_um
    tf = t_final_rabi
    return (Region("A", (-w / 2, w / 2), (0.25, 1.0)),
            Region("B", (xc + 10, xc + 10 + w), (0.25, 1.0)),
            Region("C", (xc - w, xc), (1.5, min(2.5, tf))),
            Region("D", (xc - w, xc), (min(3.0, 0.5 * tf), min(4.5, tf))),
            Region("E", (0.4 * xc, 0.4 * xc + w), (0.6 * tf, tf)))


def blur(Z: xr.DataArray, sigma_um: float) -> xr.DataArray:
    """Gaussian blur of rms width ``sigma_um`` along x (imaging-resolution model); identity for sigma <= 0.
    Lazy: per time chunk with x in one chunk."""
    if not sigma_um or sigma_um <= 0:
        return Z
    dx = float(abs(Z.x[1] - Z.x[0]))
    Zc = Z.chunk({"x": -1}) if Z.chunks is not None else Z
    out = xr.apply_ufunc(gaussian_filter1d, Zc, input_core_dims=[["x"]], output_core_dims=[["x"]],
                         kwargs={"sigma": sigma_um / dx, "axis": -1, "mode": "nearest"}, dask="parallelized",
                         output_dtypes=[Z.dtype])
    return out.assign_attrs(Z.attrs, blur_sigma_um=sigma_um)


def _czz_core(z: np.ndarray, kmax: int) -> np.ndarray:
    """(..., x) -> (..., k): overlap-normalised autocorrelation for lags 0..kmax."""
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape[:-1] + (kmax + 1,))
    for k in range(kmax + 1):
        a, b = z[..., : z.shape[-1] - k], z[..., k:]
        den = np.sqrt(np.sum(a * a, -1) * np.sum(b * b, -1))
        out[..., k] = np.sum(a * b, -1) / np.where(den > 0, den, np.nan)
    return out


def c_zz(Z: xr.DataArray, region: Region, params, *, dx_max_um: float = 15.0, sigma_um: float = 0.0) -> xr.Dataset:
    """C_ZZ(dx) in one region: mean and s.d. over the region's times (and shots), dx from 0 to dx_max_um.

    Only the region is read (a lazy selection); ``sigma_um`` > 0 applies :func:`blur` first (on a margin of
    4 sigma around the region, so the region's edges see real neighbours)."""
    T = 2e3 * math.pi / params.omega_R
    x0, x1 = region.x_um
    margin = 4 * sigma_um if sigma_um > 0 else 0.0
    sub = Z.sel(t=slice(region.t_rabi[0] * T, region.t_rabi[1] * T), x=slice(x0 - margin, x1 + margin))
    sub = blur(sub, sigma_um).sel(x=slice(x0, x1))
    dx = float(abs(Z.x[1] - Z.x[0]))
    kmax = min(int(round(dx_max_um / dx)), sub.sizes["x"] - 2)
    C = xr.apply_ufunc(_czz_core, sub, input_core_dims=[["x"]], output_core_dims=[["dx"]],
                       kwargs={"kmax": kmax}, dask="parallelized", output_dtypes=[float],
                       dask_gufunc_kwargs={"output_sizes": {"dx": kmax + 1}})
    C = C.assign_coords(dx=np.arange(kmax + 1) * dx).compute()
    over = [d for d in C.dims if d != "dx"]
    n = int(np.prod([C.sizes[d] for d in over]))
    out = xr.Dataset({"C_mean": C.mean(over).assign_attrs(units="1", long_name="C_ZZ, mean over times and shots"),
                      "C_std": C.std(over).assign_attrs(units="1", long_name="C_ZZ, s.d. over times and shots")},
                     attrs={"n_samples": n, "sigma_um": sigma_um, "region": region.name,
                            "x_um": list(region.x_um), "t_rabi": list(region.t_rabi)})
    if "shot" in C.dims:
        out["C_shot"] = C.mean([d for d in over if d != "shot"]).assign_attrs(
            units="1", long_name="C_ZZ of each shot, mean over times")
    return out


def correlation_model(dx, L1, L2):
    """f(dx) = cos(pi dx/L1) exp(-dx^2/(2 L2^2)) (seed, Fig. 4 discussion)."""
    return np.cos(np.pi * dx / L1) * np.exp(-dx ** 2 / (2 * L2 ** 2))


def fit_correlation(C: xr.Dataset, *, sigma_floor: float = 0.02, guess=(7.0, 4.0)) -> dict:
    """Fit :func:`correlation_model` to C_mean(dx) weighted by C_std (floored at ``sigma_floor``, so that the
    exact C(0) = 1 does not dominate); L1, L2 in um with 1-sigma errors (covariance scaled by the reduced
    chi^2); a fit with an error larger than its value (typically L1 running off when C_ZZ decays without a
    resolved oscillation) is reported as NaN.  Also the position and depth of the negative minimum, from the data (parabola through the smallest
    point and its neighbours) and from the fit.  NaN where the fit fails."""
    dx = C.dx.values
    y = C.C_mean.values
    s = np.maximum(np.nan_to_num(C.C_std.values, nan=1.0), sigma_floor)
    out = {"L1_um": math.nan, "L1_err_um": math.nan, "L2_um": math.nan, "L2_err_um": math.nan}
    ok = np.isfinite(y)
    best = None
    for g in _guesses(dx[ok], y[ok], guess):
        try:
            p, cov = curve_fit(correlation_model, dx[ok], y[ok], p0=g, sigma=s[ok], absolute_sigma=False,
                               bounds=([0.2, 0.2], [200.0, 200.0]), maxfev=20000)
        except (RuntimeError, ValueError):
            continue
        chi2 = float(np.sum(((y[ok] - correlation_model(dx[ok], *p)) / s[ok]) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, p, cov)
    if best is not None:
        chi2, p, cov = best
        e = np.sqrt(np.diag(cov))
        if not np.all(e < p):  # unconstrained (e.g. no oscillation resolved: L1 runs off): report no fit
            p, e = (math.nan, math.nan), (math.nan, math.nan)
        out.update(L1_um=float(p[0]), L1_err_um=float(e[0]), L2_um=float(p[1]), L2_err_um=float(e[1]),
                   chi2_red=chi2 / max(1, int(ok.sum()) - 2))
    out.update(_minimum(dx, y))
    if math.isfinite(out["L1_um"]):
        fine = np.linspace(0, dx[-1], 2001)
        f = correlation_model(fine, out["L1_um"], out["L2_um"])
        i = int(np.argmin(f))
        out.update(fit_min_dx_um=float(fine[i]), fit_min_C=float(f[i]))
    else:
        out.update(fit_min_dx_um=math.nan, fit_min_C=math.nan)
    return out


def _guesses(dx: np.ndarray, y: np.ndarray, guess) -> list[tuple[float, float]]:
    """Starting points: the given guess, and L1 = twice the first zero of C (f vanishes at L1/2) with
    L2 = L1/4, L1/2, L1 (multi-start; the lowest chi^2 wins)."""
    out = [tuple(guess)]
    neg = np.nonzero(y < 0)[0]
    half = np.nonzero(y < 0.5)[0]
    z = dx[neg[0]] if neg.size else (2 * dx[half[0]] if half.size else dx[-1])
    for f in (0.25, 0.5, 1.0):
        out.append((max(2 * z, 0.5), max(f * 2 * z, 0.3)))
    return out


def _minimum(dx: np.ndarray, y: np.ndarray) -> dict:
    """First local minimum of y beyond dx = 0 (parabolic refinement)."""
    i = None
    for k in range(1, y.size - 1):
        if y[k] <= y[k - 1] and y[k] <= y[k + 1]:
            i = k
            break
    if i is None:
        return {"min_dx_um": math.nan, "min_C": math.nan}
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    sh = 0.5 * (a - c) / den if den != 0 else 0.0
    h = dx[1] - dx[0]
    return {"min_dx_um": float(dx[i] + sh * h), "min_C": float(b - 0.25 * (a - c) * sh)}


def correlations(Z: xr.DataArray, params, regions=None, *, t_final_rabi: float | None = None,
                 dx_max_um: float = 15.0, sigma_um: float = 0.0, fit_regions=("E",)) -> tuple[xr.Dataset, dict]:
    """C_ZZ in every region (dims region, dx) and the fits of ``fit_regions`` (Fig. 4a,b).

    Returns (Dataset with C_mean, C_std, region bounds as coordinates; {region: fit dict})."""
    T = 2e3 * math.pi / params.omega_R
    if regions is None:
        tf = t_final_rabi if t_final_rabi is not None else float(Z.t.values[-1]) / T
        regions = default_regions(params, tf)
    parts = [c_zz(Z, r, params, dx_max_um=dx_max_um, sigma_um=sigma_um) for r in regions]
    k = min(p.sizes["dx"] for p in parts)
    ds = xr.concat([p.isel(dx=slice(0, k)) for p in parts], dim="region", combine_attrs="drop")
    ds = ds.assign_coords(region=[r.name for r in regions],
                          x0_um=("region", [r.x_um[0] for r in regions]), x1_um=("region", [r.x_um[1] for r in regions]),
                          t0_rabi=("region", [r.t_rabi[0] for r in regions]),
                          t1_rabi=("region", [r.t_rabi[1] for r in regions]),
                          n_samples=("region", [p.attrs["n_samples"] for p in parts]))
    ds.dx.attrs.update(units="um", long_name="separation dx")
    for name in ("C_mean", "C_std", "C_shot"):  # concat dropped the variable attrs with the dataset ones
        if name in ds:
            ds[name].attrs.update(parts[0][name].attrs)
    ds.attrs["sigma_um"] = sigma_um
    fits = {name: _fit_with_shots(ds.sel(region=name)) for name in fit_regions if name in ds.region.values}
    return ds, fits


def _fit_with_shots(C: xr.Dataset) -> dict:
    """:func:`fit_correlation` of the mean over times and shots, plus the shot error of L1, L2 and of the
    minimum position: the standard error of the same fit done on each shot's time-averaged C_ZZ (weights from
    the pooled s.d.); NaN with fewer than 2 fitted shots."""
    fit = fit_correlation(C)
    keys = ("L1_um", "L2_um", "min_dx_um", "min_C")
    per = {k: [] for k in keys}
    if "C_shot" in C and C.sizes.get("shot", 1) > 1:
        for k in range(C.sizes["shot"]):
            one = fit_correlation(xr.Dataset({"C_mean": C.C_shot.isel(shot=k), "C_std": C.C_std}))
            for key in keys:
                per[key].append(one[key])
    for key in keys:
        v = np.asarray(per[key], dtype=float)
        v = v[np.isfinite(v)]
        fit[f"{key}_shot_err"] = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan
        fit[f"{key}_n_shots"] = int(v.size)
    return fit
