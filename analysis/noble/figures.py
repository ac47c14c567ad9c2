"""Figures of the collision study: Fig. 3a-e of Katz et al. 2022 and sweep maps of J, gamma and contrast.

``make_figures(panels, fits, outdir)`` takes the panel ensembles (``spinsweep.solvers.collisions.ensemble``
Datasets, possibly re-opened from their stores) under the keys "fig3a" ... "fig3e" (a, b: collective /
localized at moderate <phi>; c, d: the same at weak <phi>; e: |1_a 1_b> in the two-excitation subspace, as in
the main-text caption of Fig. 3) and the fit table (:func:`spinsweep.analysis.noble.fit_table`, the content of
``fits.zarr``), whose runs carry the panels' names and the sweep points'.  Nothing is fitted here: the
two-mode curves are drawn with the stored J and gamma.  Figures whose inputs are missing are skipped: a sweep
figure is drawn when the runs of the fit table meet its need and shows the runs its need selects (one owner,
:mod:`.needs`, which the configuration check asks the same before anything runs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .fit import strong_coupling, two_mode_pair, two_mode_single
from .formulas import alpha_interpolated, bunching_times, contrast_formula
from .needs import select, table_runs, unmet

from . import COLLISION_FIGURES  # the names make_figures draws

RED, BLUE, GREY = "#c0392b", "#1f5fa8", "0.4"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _row(fits, name) -> dict:
    """One run of the fit table as {column: python scalar}."""
    row = fits.sel(run=name)
    return {k: v.item() for k, v in row.data_vars.items() if v.ndim == 0}


def _band(ax, t, ds, name, color, label):
    m = ds[f"{name}_mean"].values
    s = np.nan_to_num(ds[f"{name}_sem"].values)
    ax.plot(t, m, color=color, lw=1.6, label=label)
    ax.fill_between(t, m - s, m + s, color=color, alpha=0.25, lw=0)


def _title(ds, letter):
    a = ds.attrs
    return (f"({letter}) N_a={a['n_alkali']}, N_b={a['n_noble']}, <phi>={a['phi_mean']:g}, "
            f"dphi={a['phi_std']:g}, {a['n_traj']} traj.")


def _legend_below(ax, ncol=2):
    """Legend under the axes, so that it never covers data."""
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=ncol, frameon=False)


def _ticks():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(3)  # narrow side panels: few time labels, so that they never run into each other


def _fig_single(ds, fit, letter, path):
    plt = _plt()
    t = ds.t.values
    traj = "F10_traj" in ds and letter in "ac"
    localized = ds.attrs.get("initial") == "localized"
    if traj:  # single trajectories and their spread about the mean (the seed's inset of Fig. 3a) beside the data
        fig = plt.figure(figsize=(9.6, 5.2))
        grid = fig.add_gridspec(2, 2, width_ratios=[3, 1.5])
        ax, side, spread = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    elif localized:  # the zoom beside the data
        fig, (ax, side) = plt.subplots(1, 2, figsize=(9.0, 4.8), gridspec_kw={"width_ratios": [3, 1.4]})
    else:
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
    _band(ax, t, ds, "F10", RED, "F10 (alkali)")
    _band(ax, t, ds, "F01", BLUE, "F01 (noble gas)")
    f10, f01 = two_mode_single(t, fit["J"], fit["gamma"], fit["detuning"], math.sqrt(max(ds.F10_mean[0], 0)),
                               math.sqrt(max(ds.F01_mean[0], 0)))
    ax.plot(t, f10, "k--", lw=0.8)
    ax.plot(t, f01, "k--", lw=0.8, label=f"two-mode fit: J/J_f={fit['J'] / fit['J_formula']:.3f}, "
                                         f"gamma={fit['gamma']:.2g}")
    if "P_alkali_mean" in ds and ds.attrs.get("initial") == "localized":
        ax.plot(t, ds.P_alkali_mean.values, color=RED, ls=":", lw=1.4,
                label=f"alkali population, gamma_a/(<phi^2>/4)={fit['gamma_a'] / fit['gamma_a_formula']:.3f}")
        ax.plot(t, ds.P_alkali_mean.values[0] * np.exp(-fit["gamma_a_formula"] * t), "k:", lw=0.7,
                label="exp(-<phi^2> t/(4 tau))")
    ax.set_xlabel("t / tau")
    ax.set_ylabel("fidelity")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title(_title(ds, letter), fontsize=9)
    _legend_below(ax)
    if localized:  # contrast ~ 1/N_a: zoom in (F10, F01 sit below 1.5/N_a)
        side.plot(t, ds.F10_mean.values, color=RED, lw=1)
        side.plot(t, ds.F01_mean.values, color=BLUE, lw=1)
        side.plot(t, f01, "k--", lw=0.6)
        side.set_ylim(0, 1.5 / ds.attrs["n_alkali"])
        side.axhline(1 / ds.attrs["n_alkali"], color=GREY, ls=":", lw=0.8)
        side.set_xlabel("t / tau")
        side.set_title("zoom on F10, F01 (dotted: 1/N_a)", fontsize=8)
    if traj:
        k_max = min(3, ds.sizes["traj"])
        styles = ("-", "--", ":")
        for k in range(k_max):
            side.plot(t, ds.F10_traj.values[k], color=RED, lw=0.8, ls=styles[k % 3])
            side.plot(t, ds.F01_traj.values[k], color=BLUE, lw=0.8, ls=styles[k % 3])
            spread.plot(t, ds.F10_traj.values[k] - ds.F10_mean.values, color=RED, lw=0.8, ls=styles[k % 3])
            spread.plot(t, ds.F01_traj.values[k] - ds.F01_mean.values, color=BLUE, lw=0.8, ls=styles[k % 3])
        side.set_ylim(-0.02, 1.05)
        side.set_title(f"{k_max} single trajectories (line styles)", fontsize=8)
        spread.axhline(0, color=GREY, lw=0.5)
        spread.set_xlabel("t / tau")
        spread.set_title("trajectory minus ensemble mean", fontsize=8)
    for extra in fig.axes[1:]:
        extra.xaxis.set_major_locator(_ticks())
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_pair(ds, path):
    plt = _plt()
    a = ds.attrs
    t = ds.t.values
    J = 0.5 * math.sqrt(a["n_alkali"] / a["n_noble"]) * a["phi_mean"]
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    _band(ax, t, ds, "P20", RED, "P(2_a 0_b)")
    _band(ax, t, ds, "P02", BLUE, "P(0_a 2_b)")
    _band(ax, t, ds, "P11", "#7d3c98", "P(1_a 1_b)")
    p20, p02, p11 = two_mode_pair(t, J, 0.0)
    for i, y in enumerate((p20, p02, p11)):
        ax.plot(t, y, "k--", lw=0.7, label="bosonic two-mode beam splitter, formula J" if i == 0 else None)
    first = True
    for tb in bunching_times(J, 8):
        if tb <= t[-1]:
            ax.axvline(tb, color=GREY, ls=":", lw=0.8, label="J t = pi/4 + m pi/2 (bunching)" if first else None)
            first = False
    ax.set_xlabel("t / tau")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title(_title(ds, "e"), fontsize=9)
    _legend_below(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_sweep_J(tab, path):
    plt = _plt()
    (sel,) = select("sweep_J", table_runs(tab).columns)
    r = tab.J.values[sel] / tab.J_formula.values[sel]
    e = tab.J_stderr.values[sel] / tab.J_formula.values[sel]
    xs = [("<phi>", tab.phi_mean.values[sel], True), ("delta_phi/<phi>", tab.phi_std.values[sel] /
                                                      tab.phi_mean.values[sel], False),
          ("N_a", tab.n_alkali.values[sel], True), ("N_b", tab.n_noble.values[sel], True)]
    fig, axes = plt.subplots(2, 2, figsize=(7.5, 5.5), sharey=True)
    for ax, (label, x, log) in zip(axes.flat, xs):
        ax.errorbar(x, r, yerr=e, fmt="o", ms=4, color=BLUE, capsize=2)
        ax.axhline(1, color="k", lw=0.8)
        ax.axhspan(0.95, 1.05, color=GREY, alpha=0.15)
        if log and np.all(x > 0) and np.ptp(x) > 0:
            ax.set_xscale("log")
        ax.set_xlabel(label)
    for ax in axes[:, 0]:
        ax.set_ylabel("J / J_formula")
    fig.suptitle("measured J vs 2J = sqrt(N_a/N_b)<phi>/tau (band: +-5%)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_sweep_gamma(tab, path):
    """alpha of the runs measured in strong coupling (:func:`.fit.strong_coupling`, as ``alpha_weight``); the
    need (:mod:`.needs`) is the formulas' prediction of that set, and the title says when they differ."""
    plt = _plt()
    (predicted,) = select("sweep_gamma", table_runs(tab).columns)
    sel = strong_coupling(tab)
    ratio = tab.phi_std.values[sel] / tab.phi_mean.values[sel]
    p2 = tab.phi_mean.values[sel] ** 2 + tab.phi_std.values[sel] ** 2
    loc = (tab.initial.values == "localized") if "gamma_a" in tab else np.zeros(tab.sizes["run"], bool)
    if loc.any():
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.0), gridspec_kw={"width_ratios": [3, 2]})
        r2 = tab.phi_std.values[loc] / tab.phi_mean.values[loc]
        f2 = tab.gamma_a_formula.values[loc]
        ax2.errorbar(r2, tab.gamma_a.values[loc] / f2, yerr=tab.gamma_a_stderr.values[loc] / f2, fmt="s",
                     color=RED, capsize=2)
        ax2.axhline(1, color="k", lw=0.8)
        ax2.set_ylim(0, 1.3)
        ax2.set_xlim(-0.2, max(1.2, 1.1 * float(np.max(r2))))
        ax2.set_xlabel("delta_phi / <phi>")
        ax2.set_ylabel("gamma_a / (<phi^2>/4 tau)")
        ax2.set_title("localized excitation: alkali population decay", fontsize=9)
    else:
        fig, ax = plt.subplots(figsize=(6.0, 4.0))
    sc = ax.scatter(ratio, tab.alpha.values[sel], c=np.log10(tab.phi_mean.values[sel]), cmap="viridis", s=25,
                    zorder=3)
    ax.errorbar(ratio, tab.alpha.values[sel], yerr=tab.gamma_stderr.values[sel] / (p2 / 4), fmt="none",
                ecolor=GREY, capsize=2)
    xx = np.linspace(0, max(1.0, ratio.max(initial=0.0)) * 1.05, 200)
    if sel.sum() != predicted.sum():
        ax.set_title(f"{int(sel.sum())} runs measured with J > 3 gamma, {int(predicted.sum())} predicted "
                     f"by the formulas", fontsize=8)
    ax.plot(xx, alpha_interpolated(1.0, xx), "k-", lw=1, label="(1 + dphi^2/<phi^2>)/2 (c = 1/2)")
    c, c_err = float(tab.alpha_weight), float(tab.alpha_weight_stderr)
    if np.isfinite(c):
        ax.plot(xx, 0.5 + c * xx ** 2 / (1 + xx ** 2), color=RED, ls="--", lw=1,
                label=f"fit 1/2 + c r^2/(1+r^2): c = {c:.2f} +- {c_err:.2f}")
    ax.axhline(0.5, color=GREY, ls=":", label="SI limits 1/2, 1")
    ax.axhline(1.0, color=GREY, ls=":")
    ax.set_xlabel("delta_phi / <phi>")
    ax.set_ylabel("alpha = gamma / (<phi^2>/4 tau)")
    ax.set_ylim(0, 1.3)
    fig.colorbar(sc, ax=ax, label="log10 <phi>")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_contrast(tab, path):
    plt = _plt()
    runs = table_runs(tab)
    (sel,) = select("contrast_vs_detuning", runs.columns)
    x = runs.columns["detuning_over_2J"][sel]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.plot(x, tab.contrast.values[sel], "o", color=BLUE, label="simulation")
    xx = np.linspace(min(0, x.min()), x.max() * 1.05, 300)
    ax.plot(xx, contrast_formula(0.5, xx), "k-", lw=1, label="(2J)^2/((2J)^2 + Delta^2)")
    ax.set_xlabel("Delta / 2J")
    ax.set_ylabel("contrast max F01")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_coll_loc(tab, path):
    plt = _plt()
    coll, loc = select("collective_vs_localized", table_runs(tab).columns)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.plot(tab.n_alkali.values[coll], tab.contrast.values[coll], "o", color=BLUE, label="collective")
    ax.plot(tab.n_alkali.values[loc], tab.contrast.values[loc], "s", color=RED, label="localized")
    na = np.unique(tab.n_alkali.values[loc | coll])
    xx = np.geomspace(max(1.0, na.min() / 1.5), na.max() * 1.5, 100)
    ax.plot(xx, 1 / xx, "k--", lw=1, label="1/N_a")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N_a")
    ax.set_ylabel("contrast max F01")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def make_figures(panels: Mapping, fits, outdir, names=None) -> dict[str, Path]:
    """Draw every figure of ``names`` (default: all of COLLISION_FIGURES) whose inputs are present -- a panel
    for Fig. 3a-e, runs of the fit table that meet the figure's need (:mod:`.needs`) for the sweep figures;
    return {name: PNG path}.

    ``panels``: {"fig3a": Dataset, ...}; ``fits``: the fit table, with a run for every panel a-d drawn.
    """
    wanted = set(COLLISION_FIGURES if names is None else names)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for key in ("fig3a", "fig3b", "fig3c", "fig3d"):
        if key in panels and key in wanted:
            out[key] = outdir / f"{key}.png"
            _fig_single(panels[key], _row(fits, key), key[-1], out[key])
    if "fig3e" in panels and "fig3e" in wanted:
        out["fig3e"] = outdir / "fig3e.png"
        _fig_pair(panels["fig3e"], out["fig3e"])
    tab = fits.isel(run=fits.subspace.values == "single") if fits.sizes.get("run", 0) else fits
    runs = [table_runs(tab)] if tab.sizes.get("run", 0) else []
    for name, fn in (("sweep_J", _fig_sweep_J), ("sweep_gamma", _fig_sweep_gamma),
                     ("contrast_vs_detuning", _fig_contrast), ("collective_vs_localized", _fig_coll_loc)):
        if name in wanted and runs and unmet(name, runs) is None:
            out[name] = outdir / f"{name}.png"
            fn(tab, out[name])
    return out
