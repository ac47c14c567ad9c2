"""Speed of the spin front eating the self-trapped region (seed Fig. 3a,b and the text after it).

Seed recipe: "We identify the edge of the fluctuating region by calculating the standard deviation of the
magnetization in 5 um-wide windows, which exhibits a jump from a low to a nonzero value as the self-trapped
regime is consumed by the fluctuating regions"; the front "propagates with a rather constant speed"
v = 1.8(2) c_s (experiment), 1.4(1) c_s (simulation), c_s ~ 1.7 mm/s, c ~ 9.2 mm/s.

Steps (defaults in :data:`DEFAULTS`, all fixed and documented here):

1. :func:`window_std` -- S(x, t) = std of Z over a centred window of ``window_um`` (5 um).
2. :func:`front_positions` -- on each side, scanning outward from the centre, the first x where
   S > ``threshold`` (0.1 in Z): the inward edge of the fluctuating region; ``half_width`` d(t) = (x_R - x_L)/2.
3. :func:`fit_front` -- least-squares line d(t) = d0 - v t over the times from the first one with
   d < ``start_frac`` x_c (0.9: the front has left the interface) up to, excluding, the first one with
   d < ``stop_windows`` windows (2: before the two fronts meet); v with its standard error from the fit
   (residual-scaled covariance; points of all shots pooled).
4. :func:`front_speed` -- v, v/c_s and v/c (centre values, the front runs in the nearly uniform centre) with
   the statistical error of the default choice and a systematic error: half the full spread of v over
   :data:`SYSTEMATIC_CHOICES` (window 3, 5, 7 um x threshold 0.05, 0.1, 0.2 x fit range start 0.8, 0.9 x_c /
   stop 2, 4 windows).

S is computed lazily (running sums per time chunk, x in one chunk); only the front positions per time are
loaded, for all thresholds of one window in one pass.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import xarray as xr

from .data import rabi_period_ms, speeds_mm_s

DEFAULTS = {"window_um": 5.0, "threshold": 0.1, "start_frac": 0.9, "stop_windows": 2.0}
SYSTEMATIC_CHOICES = {"window_um": (3.0, 5.0, 7.0), "threshold": (0.05, 0.1, 0.2),
                      "start_frac": (0.8, 0.9), "stop_windows": (2.0, 4.0)}


def _std_core(z: np.ndarray, n: int) -> np.ndarray:
    """(..., x) -> (..., x): population std of z over centred windows of n samples (NaN where incomplete).
    Running sums in float64 (about 20x faster than xarray's rolling std on dask)."""
    z = np.asarray(z, dtype=np.float64)
    zc = z - z.mean(axis=-1, keepdims=True)  # keeps the running sums well conditioned
    pad = np.zeros(z.shape[:-1] + (1,))
    c1 = np.concatenate([pad, np.cumsum(zc, axis=-1)], axis=-1)
    c2 = np.concatenate([pad, np.cumsum(zc * zc, axis=-1)], axis=-1)
    m = z.shape[-1] - n + 1
    mean = (c1[..., n:] - c1[..., :m]) / n
    var = (c2[..., n:] - c2[..., :m]) / n - mean * mean
    out = np.full(z.shape, np.nan)
    h = n // 2
    out[..., h:h + m] = np.sqrt(np.clip(var, 0.0, None))
    return out


def _window_n(Z, window_um: float) -> tuple[int, float]:
    dx = float(abs(Z.x[1] - Z.x[0]))
    return max(2, int(round(window_um / dx))), dx


def window_std(Z: xr.DataArray, window_um: float = DEFAULTS["window_um"]) -> xr.DataArray:
    """Standard deviation of Z in centred windows of ``window_um`` along x (lazy for dask-backed Z; x is put
    in one chunk)."""
    n, dx = _window_n(Z, window_um)
    Zc = Z.chunk({"x": -1}) if Z.chunks is not None else Z
    S = xr.apply_ufunc(_std_core, Zc, input_core_dims=[["x"]], output_core_dims=[["x"]], kwargs={"n": n},
                       dask="parallelized", output_dtypes=[float])
    return S.assign_attrs(units="1", long_name=f"std of Z in {n * dx:.2f} um windows")


def _front_core(S: np.ndarray, x: np.ndarray, threshold: float, i0: int) -> np.ndarray:
    """(..., x) -> (..., 2): left and right first positions (outward from index i0) where S > threshold."""
    out = np.full(S.shape[:-1] + (2,), np.nan)
    for side, sl in ((0, slice(i0, None, -1)), (1, slice(i0, None))):
        part = np.nan_to_num(S[..., sl], nan=0.0) > threshold
        xs = x[sl]
        has = part.any(axis=-1)
        first = np.argmax(part, axis=-1)
        out[..., side] = np.where(has, xs[first], np.nan)
    return out


def front_positions(Z: xr.DataArray, x_max_um: float | None = None, *, window_um: float = DEFAULTS["window_um"],
                    threshold=DEFAULTS["threshold"]):
    """Inward front positions x_L(t) < 0 < x_R(t) and the half-width d(t) of the quiet (self-trapped) centre.

    ``x_max_um`` bounds the search (default: the whole grid); beyond it no front is reported.  Extra dims
    (``shot``) are kept.  Times where the centre itself is noisy give d = 0 (fronts have met).
    ``threshold`` may be a sequence: then a {threshold: Dataset} dict is returned (one pass over the data)."""
    many = np.ndim(threshold) > 0
    ths = tuple(float(t) for t in np.atleast_1d(threshold))
    n, _ = _window_n(Z, window_um)
    margin = (n // 2 + 1) * float(abs(Z.x[1] - Z.x[0]))
    sub = Z if x_max_um is None else Z.sel(x=slice(-x_max_um - margin, x_max_um + margin))
    if sub.chunks is not None:
        sub = sub.chunk({"x": -1})
    x = sub.x.values
    inside = np.ones(x.size, bool) if x_max_um is None else (np.abs(x) <= x_max_um)
    i0 = int(np.argmin(np.abs(x)))
    pos = xr.apply_ufunc(_masked, sub, input_core_dims=[["x"]], output_core_dims=[["threshold", "side"]],
                         kwargs={"x": x, "n": n, "thresholds": ths, "i0": i0, "inside": inside},
                         dask="parallelized", output_dtypes=[float],
                         dask_gufunc_kwargs={"output_sizes": {"threshold": len(ths), "side": 2}})
    pos = pos.assign_coords(side=["left", "right"], threshold=list(ths)).compute()
    out = {}
    for th in ths:
        p = pos.sel(threshold=th, drop=True)
        d = 0.5 * (p.sel(side="right") - p.sel(side="left"))
        d = d.fillna(np.abs(p).max("side", skipna=True))
        ds = xr.Dataset({"x_front": p.assign_attrs(units="um", long_name="inward front position"),
                         "half_width": d.assign_attrs(units="um", long_name="half-width of the quiet centre")})
        ds.attrs.update(window_um=window_um, threshold=th)
        out[th] = ds
    return out if many else out[ths[0]]


def _masked(z, x, n, thresholds, i0, inside):
    """(..., x) -> (..., threshold, side): window std (only inside the search range) and the front search."""
    S = _std_core(z, n)
    S[..., ~inside] = np.nan
    return np.stack([_front_core(S, x, th, i0) for th in thresholds], axis=-2)


def fit_front(front: xr.Dataset, x_c_um: float, *, start_frac: float = DEFAULTS["start_frac"],
              stop_windows: float = DEFAULTS["stop_windows"]) -> dict:
    """Line fit d(t) = d0 - v t of the half-width over the fit range of the module docstring.

    Returns v (mm/s = um/ms), v_err (statistical, 1 sigma), d0 (um), t_start, t_stop (ms) and n (points).
    NaN results when fewer than 3 points lie in the range."""
    d = front["half_width"]
    if "shot" not in d.dims:
        d = d.expand_dims(shot=[0])
    t = d.t.values
    ts, ds = [], []
    starts, stops = [], []
    d_stop = stop_windows * float(front.attrs["window_um"])
    for k in range(d.sizes["shot"]):
        y = np.asarray(d.isel(shot=k).transpose("t").values, dtype=float)
        fin = np.isfinite(y)
        begun = np.nonzero(fin & (y < start_frac * x_c_um))[0]
        if begun.size == 0:
            continue
        i1 = begun[0]
        ended = np.nonzero(fin[i1:] & (y[i1:] < d_stop))[0]
        i2 = i1 + ended[0] if ended.size else y.size
        sel = slice(i1, i2)
        ok = fin[sel]
        ts.append(t[sel][ok])
        ds.append(y[sel][ok])
        starts.append(t[i1])
        stops.append(t[i2 - 1])
    nan = {"v": math.nan, "v_err": math.nan, "d0": math.nan, "t_start": math.nan, "t_stop": math.nan, "n": 0}
    if not ts:
        return nan
    tt, yy = np.concatenate(ts), np.concatenate(ds)
    if tt.size < 3:
        return nan | {"n": int(tt.size)}
    A = np.vstack([np.ones_like(tt), tt]).T
    coef, res, *_ = np.linalg.lstsq(A, yy, rcond=None)
    resid = yy - A @ coef
    s2 = float(resid @ resid) / max(1, tt.size - 2)
    cov = s2 * np.linalg.inv(A.T @ A)
    return {"v": float(-coef[1]), "v_err": float(math.sqrt(cov[1, 1])), "d0": float(coef[0]),
            "t_start": float(min(starts)), "t_stop": float(max(stops)), "n": int(tt.size)}


def front_speed(Z: xr.DataArray, params, x_c_um: float | None = None, *, systematic: bool = True,
                **defaults) -> tuple[dict, xr.Dataset]:
    """Front speed with statistical and systematic errors (module docstring, Fig. 3a,b).

    ``Z``: lab units (x um, t ms), lazy is fine.  ``x_c_um``: default the Thomas-Fermi prediction.
    Returns (summary, front) -- summary has v_mm_s, v_stat, v_syst, v_over_c_s (+ _stat, _syst), v_over_c,
    c_s_mm_s, c_mm_s, t_start_rabi, t_stop_rabi, n_fit and the settings; ``front`` is the default
    :func:`front_positions` Dataset with the fitted line as attributes (for Fig. 3b)."""
    from .interface import x_c_predicted

    opts = {**DEFAULTS, **defaults}
    if x_c_um is None:
        x_c_um = x_c_predicted(params)["x_c_um"]
    x_max = 1.2 * x_c_um
    cache: dict = {}
    ths = sorted(set(SYSTEMATIC_CHOICES["threshold"]) | {opts["threshold"]})

    def fronts(window, threshold):
        if window not in cache:
            cache[window] = front_positions(Z, x_max, window_um=window, threshold=ths if systematic else
                                            [opts["threshold"]])
        return cache[window][float(threshold)]

    front = fronts(opts["window_um"], opts["threshold"])
    fit = fit_front(front, x_c_um, start_frac=opts["start_frac"], stop_windows=opts["stop_windows"])
    vs = []
    if systematic:
        for w, th, sf, sw in itertools.product(*SYSTEMATIC_CHOICES.values()):
            vs.append(fit_front(fronts(w, th), x_c_um, start_frac=sf, stop_windows=sw)["v"])
    vs = np.asarray(vs, dtype=float)
    vs = vs[np.isfinite(vs)]
    syst = 0.5 * float(vs.max() - vs.min()) if vs.size > 1 else math.nan
    sp = speeds_mm_s(params)
    T = rabi_period_ms(params)
    summary = {"v_mm_s": fit["v"], "v_stat": fit["v_err"], "v_syst": syst,
               "v_over_c_s": fit["v"] / sp["c_s"], "v_over_c_s_stat": fit["v_err"] / sp["c_s"],
               "v_over_c_s_syst": syst / sp["c_s"], "v_over_c": fit["v"] / sp["c"],
               "c_s_mm_s": sp["c_s"], "c_mm_s": sp["c"], "t_start_rabi": fit["t_start"] / T,
               "t_stop_rabi": fit["t_stop"] / T, "n_fit": fit["n"], "n_systematic": int(vs.size),
               "x_c_um": x_c_um, **{k: opts[k] for k in DEFAULTS}}
    front.attrs.update({f"fit_{k}": v for k, v in fit.items()})
    front.attrs.update(x_c_um=x_c_um)
    return summary, front
