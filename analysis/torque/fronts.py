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
   stop 2, 4 windows); with several shots also the shot error, the standard error of the per-shot speeds.

Noisy shots (truncated-Wigner GPE, :mod:`spinsweep.solvers.gpe.noise`).  Two things differ from a deterministic
run, and the detector handles both:

* a *noise floor*: S of the quiet centre is no longer ~0 but the level of the (grid-scale) vacuum noise.
  :func:`noise_floor` measures it (median of S over |x| < x_c/2 at Omega_R t/2pi in [0.1, 0.5], before anything
  breaks), and every threshold is raised to at least ``floor_factor`` (3) times the floor, so that no choice
  of the systematic set fires on the floor itself.  Feed the detector the imaging-model Z
  (:func:`spinsweep.analysis.torque.imaging.imaged_Z`): the blur removes most of the grid-scale noise;
* the *bulk instability*: the self-trapped orbit is modulationally unstable
  (:mod:`spinsweep.analysis.torque.stability`), so a seeded centre breaks by itself after ~2 Rabi periods
  (118 Hz) wherever it is, first where the local Lambda(x) is smallest (the growth rate is larger near x_c),
  so the edge of the quiet region jumps inward in steps and the fitted "front" speed comes out larger than in a
  deterministic run.  No rule on d(t) separates the two: the deterministic front also advances in bursts (new
  fluctuating patches appear ahead of it once per local Josephson period, by more than two windows per
  output), so a rule that cut noisy fits at such jumps cut the deterministic ones too (measured: v/c_s from -4
  to 1.5 over the systematic set).  The detector is therefore the same for both, and :func:`centre_breaking`
  reports when the centre (|x| < 4 windows) breaks (``t_bulk_rabi``): by itself in a noisy shot (~1.5-3
  Rabi periods for 118 Hz), when the fronts meet in a deterministic run (~5.5).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import xarray as xr

from .data import rabi_period_ms, speeds_mm_s

DEFAULTS = {"window_um": 5.0, "threshold": 0.1, "start_frac": 0.9, "stop_windows": 2.0}
FLOOR_FACTOR = 3.0  # thresholds are at least this many times the measured noise floor
CENTRE_WINDOWS = 4.0  # centre_breaking: the median of S over |x| < this many windows
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


def _line(tt: np.ndarray, yy: np.ndarray) -> tuple[float, float, float]:
    """(v, v_err, d0) of the least-squares line yy = d0 - v tt (residual-scaled covariance)."""
    A = np.vstack([np.ones_like(tt), tt]).T
    coef, *_ = np.linalg.lstsq(A, yy, rcond=None)
    resid = yy - A @ coef
    s2 = float(resid @ resid) / max(1, tt.size - 2)
    cov = s2 * np.linalg.inv(A.T @ A)
    return float(-coef[1]), float(math.sqrt(cov[1, 1])), float(coef[0])


def fit_front(front: xr.Dataset, x_c_um: float, *, start_frac: float = DEFAULTS["start_frac"],
              stop_windows: float = DEFAULTS["stop_windows"]) -> dict:
    """Line fit d(t) = d0 - v t of the half-width over the fit range of the module docstring.

    Returns v (mm/s = um/ms), v_err (statistical, 1 sigma), d0 (um), t_start, t_stop (ms), n (points) of the fit
    pooling all shots, and ``v_shots`` (the same fit per shot, NaN where a shot has fewer than 3 points).  NaN
    results when fewer than 3 points lie in the range."""
    d = front["half_width"]
    if "shot" not in d.dims:
        d = d.expand_dims(shot=[0])
    t = d.t.values
    ts, ds = [], []
    starts, stops, v_shots = [], [], []
    d_stop = stop_windows * float(front.attrs["window_um"])
    for k in range(d.sizes["shot"]):
        y = np.asarray(d.isel(shot=k).transpose("t").values, dtype=float)
        fin = np.isfinite(y)
        begun = np.nonzero(fin & (y < start_frac * x_c_um))[0]
        if begun.size == 0:
            v_shots.append(math.nan)
            continue
        i1 = begun[0]
        ended = np.nonzero(fin[i1:] & (y[i1:] < d_stop))[0]
        i2 = i1 + ended[0] if ended.size else y.size
        if i2 <= i1:
            v_shots.append(math.nan)
            continue
        sel = slice(i1, i2)
        ok = fin[sel]
        ts.append(t[sel][ok])
        ds.append(y[sel][ok])
        starts.append(t[i1])
        stops.append(t[i2 - 1])
        v_shots.append(_line(ts[-1], ds[-1])[0] if ok.sum() >= 3 else math.nan)
    nan = {"v": math.nan, "v_err": math.nan, "d0": math.nan, "t_start": math.nan, "t_stop": math.nan, "n": 0,
           "v_shots": v_shots}
    if not ts:
        return nan
    tt, yy = np.concatenate(ts), np.concatenate(ds)
    if tt.size < 3:
        return nan | {"n": int(tt.size)}
    v, v_err, d0 = _line(tt, yy)
    return {"v": v, "v_err": v_err, "d0": d0, "t_start": float(min(starts)), "t_stop": float(max(stops)),
            "n": int(tt.size), "v_shots": v_shots}


def noise_floor(Z: xr.DataArray, params, x_c_um: float, *, window_um: float = DEFAULTS["window_um"],
                t_rabi=(0.1, 0.5)) -> float:
    """Median of S (:func:`window_std`) over |x| < x_c/2 and Omega_R t/2pi in ``t_rabi`` (all shots): the
    level of S in the quiet self-trapped centre before anything breaks (module docstring)."""
    T = rabi_period_ms(params)
    n, dx = _window_n(Z, window_um)
    half = 0.5 * x_c_um
    sub = Z.sel(t=slice(t_rabi[0] * T, t_rabi[1] * T), x=slice(-half - n * dx, half + n * dx))
    S = window_std(sub, window_um).sel(x=slice(-half, half))
    return float(np.nanmedian(np.asarray(S.values, dtype=float)))


def centre_breaking(Z: xr.DataArray, threshold: float, *, window_um: float = DEFAULTS["window_um"],
                    centre_windows: float = CENTRE_WINDOWS) -> np.ndarray:
    """Per shot, the first time (ms) when the median of S over |x| < centre_windows x window exceeds
    ``threshold``: the self-trapped centre has broken, by itself (bulk instability of a noisy shot) or because
    the fronts met (a deterministic run).  NaN if never."""
    n, dx = _window_n(Z, window_um)
    c = centre_windows * window_um
    sub = Z.sel(x=slice(-c - n * dx, c + n * dx))
    S = window_std(sub, window_um).sel(x=slice(-c, c)).median("x")
    S = S.compute() if S.chunks is not None else S
    if "shot" not in S.dims:
        S = S.expand_dims(shot=[0])
    t = S.t.values
    out = []
    for k in range(S.sizes["shot"]):
        hit = np.nonzero(np.asarray(S.isel(shot=k).transpose("t").values) > threshold)[0]
        out.append(float(t[hit[0]]) if hit.size else math.nan)
    return np.asarray(out)


def front_speed(Z: xr.DataArray, params, x_c_um: float | None = None, *, systematic: bool = True,
                **defaults) -> tuple[dict, xr.Dataset]:
    """Front speed with statistical and systematic errors (module docstring, Fig. 3a,b).

    ``Z``: lab units (x um, t ms), lazy is fine.  ``x_c_um``: default the Thomas-Fermi prediction.
    Returns (summary, front) -- summary has v_mm_s, v_stat, v_syst, v_shot, v_over_c_s (+ _stat, _syst, _shot),
    v_over_c, c_s_mm_s, c_mm_s, t_start_rabi, t_stop_rabi, n_fit, noise_floor, threshold_used, t_bulk_rabi and
    the settings; ``front`` is the default
    :func:`front_positions` Dataset with the fitted line as attributes (for Fig. 3b)."""
    from .interface import x_c_predicted

    opts = {**DEFAULTS, **defaults}
    floor_factor = float(opts.pop("floor_factor", FLOOR_FACTOR))
    if x_c_um is None:
        x_c_um = x_c_predicted(params)["x_c_um"]
    x_max = 1.2 * x_c_um
    floor = noise_floor(Z, params, x_c_um, window_um=opts["window_um"])
    eff = lambda th: max(float(th), floor_factor * floor)  # noqa: E731 (thresholds never below the floor)
    cache: dict = {}
    ths = sorted({eff(t) for t in set(SYSTEMATIC_CHOICES["threshold"]) | {opts["threshold"]}})

    def fronts(window, threshold):
        if window not in cache:
            cache[window] = front_positions(Z, x_max, window_um=window, threshold=ths if systematic else
                                            [eff(opts["threshold"])])
        return cache[window][eff(threshold)]

    def fit_with(w, th, sf, sw):
        return fit_front(fronts(w, th), x_c_um, start_frac=sf, stop_windows=sw)

    front = fronts(opts["window_um"], opts["threshold"])
    fit = fit_with(opts["window_um"], opts["threshold"], opts["start_frac"], opts["stop_windows"])
    t_bulk = centre_breaking(Z, eff(opts["threshold"]), window_um=opts["window_um"])
    vs = []
    if systematic:
        for w, th, sf, sw in itertools.product(*SYSTEMATIC_CHOICES.values()):
            vs.append(fit_with(w, th, sf, sw)["v"])
    vs = np.asarray(vs, dtype=float)
    vs = vs[np.isfinite(vs)]
    syst = 0.5 * float(vs.max() - vs.min()) if vs.size > 1 else math.nan
    v_shots = np.asarray(fit["v_shots"], dtype=float)
    good = v_shots[np.isfinite(v_shots)]
    shot_err = float(good.std(ddof=1) / math.sqrt(good.size)) if good.size > 1 else math.nan
    sp = speeds_mm_s(params)
    T = rabi_period_ms(params)
    summary = {"v_mm_s": fit["v"], "v_stat": fit["v_err"], "v_syst": syst, "v_shot": shot_err,
               "v_over_c_s": fit["v"] / sp["c_s"], "v_over_c_s_stat": fit["v_err"] / sp["c_s"],
               "v_over_c_s_syst": syst / sp["c_s"], "v_over_c_s_shot": shot_err / sp["c_s"],
               "v_over_c": fit["v"] / sp["c"], "n_shots_fit": int(good.size),
               "c_s_mm_s": sp["c_s"], "c_mm_s": sp["c"], "t_start_rabi": fit["t_start"] / T,
               "t_stop_rabi": fit["t_stop"] / T, "n_fit": fit["n"], "n_systematic": int(vs.size),
               "x_c_um": x_c_um, "noise_floor": floor, "threshold_used": eff(opts["threshold"]),
               "t_bulk_rabi": float(np.nanmean(t_bulk)) / T if np.isfinite(t_bulk).any() else math.nan,
               **{k: opts[k] for k in DEFAULTS}}
    front.attrs.update({f"fit_{k}": v for k, v in fit.items() if k != "v_shots"})
    front.attrs.update(x_c_um=x_c_um, noise_floor=floor, v_shots=[float(v) for v in v_shots],
                       t_bulk_rabi=[float(t) / T for t in t_bulk])
    return summary, front
