"""Sweep-level figures of the magnon study (seed slides 16, 24, 25) and of the conductance fits.

``sweep``: point datasets (spinsweep.solvers.magnons.point) concatenated over dims ``h_over_T`` and ``bias``;
``fits``: fit datasets (spinsweep.analysis.magnons.fit_point) concatenated the same way (dims h_over_T, bias, realisation).
"""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from spinsweep.solvers.magnons.relaxation import conductance_matrix, lambda_matrix  # noqa: E402

from .fit import FIT_VARS  # noqa: E402  (the fitted coefficients: one owner, the fit)

from . import FIGURES  # noqa: E402
from .needs import DIMS, store_dims, unmet  # noqa: E402  (what each figure needs: one owner)


def _unit_scale(ds):
    T = float(ds.attrs.get("T", 1.0))
    A = float(ds.attrs.get("A", 1.0))
    return T, A, {"L11": A * T, "L12": A * T, "L21": A * T**2, "L22": A * T**2, "K": A * T**2}


def _first(da, dim):
    return da.isel({dim: 0}) if dim in da.dims else da


def relative_deviation(sweep: xr.Dataset, fits: xr.Dataset) -> xr.Dataset:
    """|mean over realisations of L_fit / L_exact - 1| for L11, L12, L22 over (h_over_T, bias)."""
    out = {}
    for k in FIT_VARS:
        ratio = fits[k + "_fit"].mean("realisation") / sweep[k]
        out[k] = np.abs(ratio - 1)
        out[k].attrs = {"units": "1", "long_name": f"relative deviation of fitted {k}"}
    return xr.Dataset(out)


def deviation_bias(sweep: xr.Dataset, fits: xr.Dataset, level: float = 0.05) -> xr.DataArray:
    """Smallest swept bias at which any of L11, L12, L22 deviates from the exact value by more than ``level``,
    per h_over_T (NaN if the fit stays within ``level`` over the whole swept, feasible bias range)."""
    dev = relative_deviation(sweep, fits).to_array("coef").max("coef", skipna=False)
    biases = dev["bias"].values
    res = np.full(dev.sizes["h_over_T"], np.nan)
    for i in range(dev.sizes["h_over_T"]):
        d = dev.isel(h_over_T=i).values
        bad = np.nonzero(~(d <= level))[0]  # NaN (infeasible protocol) counts as failure
        if bad.size:
            res[i] = biases[bad[0]]
    return xr.DataArray(res, dims="h_over_T", coords={"h_over_T": dev["h_over_T"].values},
                        attrs={"units": "1", "long_name": f"bias where the fit deviates by > {level:.0%}"})


def _mark_regimes(ax):
    ax.axvspan(ax.get_xlim()[0], 1.0, color="tab:blue", alpha=0.08, lw=0)
    ax.axvline(1.0, color="0.5", lw=0.8, ls=":")
    ax.text(0.02, 0.03, "quantum  h << T", transform=ax.transAxes, fontsize=8, color="tab:blue")
    ax.text(0.98, 0.03, "classical  h >> T", transform=ax.transAxes, fontsize=8, ha="right", color="0.3")


def _fig_conductances(sweep, path):
    _, _, unit = _unit_scale(sweep)
    x = sweep["h_over_T"].values
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    ax = axes[0]
    l11 = _first(sweep["L11"], "bias").values / unit["L11"]
    ax.loglog(x, l11, "o-", ms=3, label="L11/(AT) = F1")
    ax.loglog(x[x < 0.5], -np.log(x[x < 0.5]), "k--", lw=1, label="-ln(h/T)")
    ax.set_xlabel("h/T")
    ax.set_ylabel("spin conductance L11/(AT)")
    ax.set_title("spin conductance")
    ax.legend(fontsize=8)
    _mark_regimes(ax)
    ax = axes[1]
    for k, lab in (("L12", "L12/(AT)"), ("L22", "L22/(AT^2)"), ("K", "K/(AT^2)")):
        ax.loglog(x, _first(sweep[k], "bias").values / unit[k], "o-", ms=3, label=lab)
    ax.set_xlabel("h/T")
    ax.set_ylabel("conductance")
    ax.set_title("cross and heat conductances")
    ax.legend(fontsize=8)
    _mark_regimes(ax)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_times(sweep, path):
    T, A, unit = _unit_scale(sweep)
    x = sweep["h_over_T"].values
    fig, ax = plt.subplots(figsize=(5.5, 4), constrained_layout=True)
    ax.loglog(x, _first(sweep["tau_M"], "bias").values, "o-", ms=3, label="tau_M (magnetization)")
    ax.loglog(x, _first(sweep["tau_T"], "bias").values, "s-", ms=3, label="tau_T (temperature)")
    kap = _first(sweep["kappa"], "bias").values * T / _first(sweep["N_scale"], "bias").values
    l11 = _first(sweep["L11"], "bias").values / unit["L11"]
    ax.loglog(x, kap / (2 * l11), "k--", lw=1, label="kappa/(2 L11)")
    ax.set_xlabel("h/T")
    ax.set_ylabel("relaxation time / tau~")
    ax.set_title("critical slowing down of spin relaxation")
    ax.legend(fontsize=8)
    _mark_regimes(ax)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _pick_example(sweep):
    """Sweep point for the example traces: h/T nearest 0.1 among points with both protocols valid, smallest bias."""
    valid = sweep["valid"].all("protocol")
    xs = sweep["h_over_T"].values
    order = np.argsort(np.abs(np.log(xs / 0.1)))
    for i in order:
        ok = np.nonzero(valid.isel(h_over_T=i).values)[0]
        if ok.size:
            return int(i), int(ok[0])
    return None


def _relaxed_by(t, curves, level):
    """First time after which every column of ``curves`` (time along axis 0) stays within +-``level``."""
    out = np.nonzero(np.any(np.abs(curves) > level, axis=1))[0]
    return float(t[min(out[-1] + 1, len(t) - 1)]) if out.size else float(t[0])


def _fig_traces(sweep, fits, path):
    T, A, unit = _unit_scale(sweep)
    pick = _pick_example(sweep)
    if pick is None:  # the need (.needs) promised one: the stored valid flags disagree with initial_state
        raise ValueError("traces: no sweep point has both protocols valid, although the traces need is met")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True, sharey=True)
    i, j = pick
    pt = sweep.isel(h_over_T=i, bias=j)
    ft = fits.isel(h_over_T=i, bias=j)
    nscr = float(pt["N_scale"])
    km = np.array([[float(pt["kappa"]), float(pt["dM_dT"])], [float(pt["dM_dT"]), float(pt["dS_dT"])]]) * T / nscr
    lfit = [float(ft[k + "_fit"].mean("realisation")) / unit[k] for k in FIT_VARS]
    t = pt["t"].values
    lam = lambda_matrix(t, km, conductance_matrix(*lfit))
    t_end = 0.0  # the time axis ends where every trace has relaxed below 1% of its initial imbalance
    for p, ax in enumerate(axes):
        name = str(pt["protocol"].values[p])
        w = np.stack([pt["dM"].values[p] / nscr, pt["dT"].values[p] / T], axis=-1)
        w0 = w[0]
        norm = float(w0[0]) if name == "spin" else float(w0[1])
        fitted = lam @ w0
        ax.plot(t, w[:, 0] / norm, "C0-", lw=2, label="Delta M / Nscr (non-linear)")
        ax.plot(t, w[:, 1] / norm, "C3-", lw=2, label="Delta T / T (non-linear)")
        ax.plot(t, fitted[:, 0] / norm, "k--", lw=1, label="linear model, fitted L")
        ax.plot(t, fitted[:, 1] / norm, "k--", lw=1)
        ax.axhline(0, color="0.6", lw=0.5)
        t_end = max(t_end, _relaxed_by(t, np.concatenate([w, fitted], axis=1) / norm, 0.01))
        ax.set_xlabel("t / tau~")
        init = "Delta M(0) > 0, Delta T(0) = 0" if name == "spin" else "Delta T(0) > 0, Delta M(0) = 0"
        ax.set_title(f"{name} protocol: {init}", fontsize=10)
    axes[0].set_ylabel("imbalance / initial imbalance")
    axes[0].set_xlim(t[0], min(t[-1], 1.5 * t_end))
    axes[1].set_xlim(t[0], min(t[-1], 1.5 * t_end))
    axes[0].legend(fontsize=8)
    fig.suptitle(f"h/T = {float(pt['h_over_T']):.3g}, bias = {float(pt['bias']):.3g}; the run continues to "
                 f"t = {t[-1]:.3g} tau~ with all imbalances below 1%", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _legend_below(ax, ncol):
    """Legend under the axes, so that it never covers data."""
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=ncol, frameon=False)


def _fig_fits(sweep, fits, path):
    dev = relative_deviation(sweep, fits)
    fig, axes = plt.subplots(1, 2, figsize=(10, 5), constrained_layout=True)
    ax = axes[0]
    x = sweep["h_over_T"].values
    j0 = 0
    for n, k in enumerate(FIT_VARS):
        r = fits[k + "_fit"].isel(bias=j0) / sweep[k].isel(bias=j0)
        ax.errorbar(x * (1 + 0.04 * (n - 1)), r.mean("realisation"), yerr=r.std("realisation"), fmt="o", ms=3,
                    capsize=2, label=k)
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("h/T")
    ax.set_ylabel("fitted / exact")
    ax.set_title(f"fit at bias = {float(sweep['bias'][j0]):.3g} (mean +- std)", fontsize=10)
    _legend_below(ax, ncol=3)
    ax = axes[1]
    b = sweep["bias"].values
    worst = dev.to_array("coef").max("coef", skipna=False)
    nx = len(x)
    idx = np.unique(np.linspace(0, nx - 1, min(nx, 5)).round().astype(int))
    both = sweep["valid"].all("protocol")
    thresh = deviation_bias(sweep, fits)
    for n, i in enumerate(idx):
        yv = worst.isel(h_over_T=i).values
        ok = both.isel(h_over_T=i).values
        line, = ax.loglog(b, yv, "-", lw=1, color=f"C{n}")
        ax.loglog(b[ok], yv[ok], "o", ms=4, color=f"C{n}",
                  label=f"h/T = {x[i]:.3g}" + (f" (> 5 % or infeasible from bias {float(thresh[i]):.2g})"
                                               if np.isfinite(thresh[i]) else ""))
        ax.loglog(b[~ok], yv[~ok], "o", ms=4, mfc="none", color=f"C{n}")
    ax.axhline(0.05, color="k", ls=":", lw=1, label="5 %")
    ax.plot([], [], "o", ms=4, mfc="none", color="0.3", label="open: one protocol infeasible (h_R(0) <= 0)")
    ax.set_xlabel("bias")
    ax.set_ylabel("max relative deviation (L11, L12, L22)")
    ax.set_title("breakdown of linear response", fontsize=10)
    _legend_below(ax, ncol=2)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def make_figures(sweep: xr.Dataset, fits: xr.Dataset, outdir, names=None) -> dict[str, pathlib.Path]:
    """Write the magnon-study PNG figures ``names`` (default: all of FIGURES) into ``outdir``; returns
    name -> path.  A figure whose need (:mod:`.needs`, the check the configuration passed) the sweep store
    does not meet is refused with a ValueError naming it."""
    wanted = [name for name in FIGURES if names is None or name in names]
    dims, zipped = store_dims(sweep)
    for name in wanted:
        problem = unmet(name, dims, zipped)
        if problem:
            raise ValueError(f"{problem[0]}: {problem[1]} (sweep dims {dict(sweep.sizes)})")
    if "realisation" not in fits.dims or any(d not in fits.dims for d in DIMS):
        raise ValueError(f"fits must have dims {DIMS + ('realisation',)}; got {dict(fits.sizes)}")
    sweep = sweep.sortby(list(DIMS))
    fits = fits.sortby(list(DIMS))
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {name: outdir / f"magnon_{name}.png" for name in wanted}
    draw = {"conductances": lambda p: _fig_conductances(sweep, p), "relaxation_times": lambda p: _fig_times(sweep, p),
            "traces": lambda p: _fig_traces(sweep, fits, p), "fits": lambda p: _fig_fits(sweep, fits, p)}
    for name, path in paths.items():
        draw[name](path)
    return paths
