"""Where the magnetic interfaces form and when they break (seed text before and after Fig. 2; Fig. 3b bars).

* :func:`x_c_predicted` -- Omega_R = kappa n(x_c)/2 with the Thomas-Fermi profile n(x) = n0 (1 - x^2/R_x^2)
  (seed, text before Fig. 3: "the condition Omega_R = kappa n(x_c)/2"), with the uncertainty band of Fig. 3b
  ("the width of the bars is evaluated considering the uncertainties in n and R_x").
* :func:`x_c_measured` -- the boundary between oscillating and self-trapped regions in a Z(x, t) map.
* :func:`probe_points` -- the positions A-D of Fig. 2a-d.
* :func:`breaking_time_torque` -- when the quantum torque first becomes as large as |H x s| (text after Fig. 2:
  "When the quantum torque term becomes of the order of |H x s|, it counteracts the magnetization gradient");
  needs the GPE's stored torque; :func:`breaking_time` -- the same event read from Z alone: when the fluctuating
  region first lies well inside x_c (Fig. 3a,b).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .data import rabi_period_ms


def x_c_predicted(params, rel_err_n0: float = 0.0, rel_err_R_x: float = 0.0) -> dict[str, float]:
    """x_c = R_x sqrt(1 - 2 Omega_R/(kappa n0)) in um, and its 1-sigma width from relative errors of n0 (hence of
    kappa n0) and R_x, propagated linearly (Fig. 3b bars).  NaN when kappa n0 <= 2 Omega_R (no interface)."""
    L = params.Lambda0
    R = params.R_x * 1e6
    if L <= 2.0:
        return {"x_c_um": math.nan, "x_c_err_um": math.nan}
    xc = R * math.sqrt(1.0 - 2.0 / L)
    # d x_c / d ln(kappa n0) = R (1/L) / sqrt(1 - 2/L)
    d_n = R / (L * math.sqrt(1.0 - 2.0 / L)) * rel_err_n0
    d_R = xc * rel_err_R_x
    return {"x_c_um": xc, "x_c_err_um": math.hypot(d_n, d_R)}


def _first_crossing(x: np.ndarray, m: np.ndarray, level: float) -> float:
    """Scanning outward from index 0, the linearly interpolated position where m first exceeds level."""
    above = np.nonzero(m > level)[0]
    if above.size == 0 or above[0] == 0:
        return math.nan
    i = above[0]
    x0, x1, m0, m1 = x[i - 1], x[i], m[i - 1], m[i]
    return float(x0 + (level - m0) * (x1 - x0) / (m1 - m0))


def x_c_measured(Z: xr.DataArray, params=None, *, t_window_rabi: float = 0.8, level: float = 0.0) -> dict:
    """Measured interface position from Z(x, t) (x in um, t in ms; lab units).

    Self-trapped points never change the sign of Z (seed text before Fig. 2: "Z never changes sign"), oscillating
    ones reach Z ~ +1 within half a local period.  With ``M(x) = max_t Z(x, t)`` over the first
    ``t_window_rabi`` Rabi periods (default 0.8: before the interfaces break, which happens at ~1-1.15 periods
    for the presets and earlier for smaller clouds; with 1.0 a 60 um cloud already gives x_c 7 um too small),
    x_c is where M crosses ``level``
    (default 0) going outward from the centre, on each side (linear interpolation).  Near x_c the local period
    diverges logarithmically (:func:`spinsweep.solvers.josephson.frequency`), so a finite window places the
    boundary slightly outward, where ln(16/|Lambda - 2|) ~ Omega_R t_window/2: ~2 um for the 118 Hz preset.

    The time maximum is a lazy dask reduction over time chunks.  Returns x_c_left, x_c_right (signed, um),
    x_c_um (mean of |.|), x_c_err_um (half their difference combined with half a grid step).  Extra dims
    (``shot``) are reduced by the maximum too (a point oscillates if it oscillates in any shot).
    """
    t = Z.t
    if params is not None:
        t_end = t_window_rabi * rabi_period_ms(params)
    elif "rabi_t" in Z.coords:
        t_end = float(t.values[np.searchsorted(Z.rabi_t.values, t_window_rabi, side="right") - 1])
    else:
        raise ValueError("x_c_measured: needs params or a rabi_t coordinate (use data.lab)")
    M = Z.sel(t=slice(None, t_end)).max([d for d in Z.dims if d != "x"])
    m = np.asarray(M.values, dtype=float)
    x = M.x.values
    i0 = int(np.argmin(np.abs(x)))
    right = _first_crossing(x[i0:], m[i0:], level)
    left = _first_crossing(x[i0::-1], m[i0::-1], level)
    dx = float(np.median(np.diff(x)))
    xc = np.nanmean([abs(left), abs(right)]) if np.isfinite([left, right]).any() else math.nan
    err = math.hypot(0.5 * abs(abs(left) - abs(right)) if np.isfinite([left, right]).all() else 0.0, 0.5 * dx)
    return {"x_c_left_um": left, "x_c_right_um": right, "x_c_um": float(xc), "x_c_err_um": float(err)}


def probe_points(params) -> dict[str, float]:
    """Positions (um, x > 0) of the points A-D of Fig. 2a-d: deep self-trapped (A, x = 0.5 x_c), weakly
    self-trapped (B, Lambda = 2.2), weakly oscillating (C, Lambda = 1.8), deep oscillating (D, Lambda = 1).
    Lambda(x) = kappa n(x)/Omega_R = Lambda0 (1 - x^2/R_x^2)."""
    L0, R = params.Lambda0, params.R_x * 1e6

    def at(L):
        return R * math.sqrt(max(0.0, 1.0 - L / L0))
    xc = at(2.0)
    return {"A": 0.5 * xc, "B": at(min(2.2, 0.5 * (2.0 + L0))), "C": at(1.8), "D": at(1.0)}


def breaking_time_torque(ds: xr.Dataset, *, ratio: float = 1.0) -> float:
    """Omega_R t/2pi at which max_x |quantum torque| first reaches ``ratio`` x max_x |H x s| (GPE store in lab
    units with ``quantum_torque`` (t, component, x), ``H_cross_s`` (t, x) and a ``rabi_t`` coordinate).
    Lazy reductions over x per time chunk; NaN if never.  For the paper presets the ratio passes 1 at
    ~1.1 Rabi periods, between the last two profiles of Fig. 2e-g (0.7 ... 1.5)."""
    qt = np.sqrt((ds["quantum_torque"].astype("float64") ** 2).sum("component")).max("x")
    hs = ds["H_cross_s"].max("x")
    r = (qt / hs)
    extra = [d for d in r.dims if d != "t"]
    if extra:
        r = r.mean(extra)
    r = np.asarray(r.values)
    hit = np.nonzero(r >= ratio)[0]
    return float(ds["rabi_t"].values[hit[0]]) if hit.size else math.nan


def breaking_time(front: xr.Dataset, x_c_um: float, *, inside_um: float | None = None) -> float:
    """Breaking time of the interfaces, Omega_R t/2pi: the first time the inward front of the fluctuating region
    (:func:`spinsweep.analysis.torque.fronts.front_positions`, half-width ``d(t)`` of the self-trapped region)
    lies more than ``inside_um`` (default: three std windows, 15 um; the forming interface itself already
    raises the std within ~1.5 windows of x_c) inside x_c -- the interface no longer stands at x_c
    (seed text after Fig. 2: "quantum torque becomes relevant at the interfaces and breaks the Josephson
    dynamics").  NaN if it never happens.  Uses the ``rabi_t`` coordinate of ``front``."""
    d = front["half_width"]
    if "shot" in d.dims:
        d = d.mean("shot")
    w = 3 * float(front.attrs["window_um"]) if inside_um is None else inside_um
    hit = np.nonzero(np.asarray(d.values) < x_c_um - w)[0]
    if hit.size == 0:
        return math.nan
    return float(front["rabi_t"].values[hit[0]])
