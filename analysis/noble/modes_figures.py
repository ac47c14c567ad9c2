"""Figures of the modes part of the noble study: Fig. 2a-c, Fig. 4a-b, mode convergence and sweep maps.

``make_modes_figures(datasets, outdir)`` takes the Datasets of :mod:`spinsweep.solvers.modes.runs` (possibly
re-opened from stores) under the keys "fig2", "fig4", "convergence", "map_polarization",
"map_field_density", "map_density_radius";
figures whose inputs are missing are skipped.  Captions: workflow/report/noble_<name>.rst.
"""

from __future__ import annotations

from pathlib import Path

from . import MODES_FIGURES  # noqa: F401  (the names make_modes_figures draws)
from .figures import BLUE, GREY, RED, _plt

PURPLE = "#7d3c98"


def _save(fig, path):
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=120)
    _plt().close(fig)


def _fig2_panel(ds, regime, letter, title, path, inset_var, stored=None):
    plt = _plt()
    r = ds.sel(regime=regime)
    g = float(ds.attrs["gamma_per_s"])
    x = r.t.values * g
    fig, ax = plt.subplots(figsize=(5.6, 3.8 if stored is None else 4.4))
    ax.plot(x, r.n_a.values, color=RED, lw=1.4, label="alkali <a^dag a>")
    ax.plot(x, r.n_b.values, color=BLUE, lw=1.4, label="noble gas <b^dag b>")
    if stored is not None:
        s = ds.sel(regime=stored)
        ax.plot(x, s.n_b.values, color=BLUE, ls="--", lw=1.4, label="noble gas, detuned at t = pi/(2J)")
        ax.plot(x, s.n_a.values, color=RED, ls="--", lw=1.0, label="alkali, detuned at t = pi/(2J)")
        ax.axvline(float(s.t_switch) * g, color=GREY, ls=":", lw=0.8)
    ax.set_xlabel("gamma t")
    ax.set_ylabel("excitations")
    ax.set_ylim(-20, 1050)
    J, D = float(r.J), float(r.Delta)
    ax.set_title(f"({letter}) {title}: J = {J / g:.3g} gamma, Delta = {D / g:.3g} gamma", fontsize=9)
    if inset_var is not None:
        ax.legend(fontsize=7, loc="upper right")
        ins = ax.inset_axes([0.45, 0.25, 0.5, 0.38])
        ins.plot(x, r[inset_var].values, color=BLUE, lw=1)
        ins.set_title("noble gas <b^dag b> (zoom)", fontsize=6)
        ins.tick_params(labelsize=6)
    else:  # the oscillations fill the axes: legend below them
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False)
    _save(fig, path)


def _fig4(ds, which, path):
    plt = _plt()
    t_ms = ds.t.values * 1e3
    ts = float(ds.attrs["t_transfer_s"]) * 1e3
    fig, ax = plt.subplots(figsize=(5.8, 4.6))
    var = "P2" if which == "a" else "sq_Ky_db"
    styles = (("two_mode", "k", "-", "two-mode, p = 1 (Eq. 2)"),
              ("diffusion", BLUE, "-", f"{ds.attrs['n_modes']} diffusion modes, p_a = {ds.attrs['p_a']:g}, "
                                       f"p_b = {ds.attrs['p_b']:g}"),
              ("diffusion_stored", PURPLE, "-", f"same, B -> {1e3 * float(ds.attrs['B_store_G']):.0f} mG at pi/(2J)"),
              ("two_mode_stored", "k", ":", "two-mode, B switched at pi/(2J)"))
    for curve, color, ls, label in styles:
        ax.plot(t_ms, ds[var].sel(curve=curve).values, color=color, ls=ls, lw=1.5, label=label)
    ax.axvline(ts, color=GREY, ls=":", lw=0.8)
    ax.set_xlabel("t (ms)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    if which == "a":
        ax.set_ylabel("P(exactly 2 in noble-gas uniform mode)")
        ax.set_ylim(-0.02, 1.0)
        ax.set_title(f"(4a) |2> in the alkali's uniform mode; J = {ds.attrs['J_per_s']:.0f} 1/s, "
                     f"J/gamma = {ds.attrs['J_over_gamma']:.0f}", fontsize=9)
    else:
        ax.axhline(-float(ds.attrs["squeeze_in_db"]), color=GREY, ls="--", lw=0.8)
        ax.axhline(0, color=GREY, lw=0.6)
        ax.set_ylabel("K_y variance / vacuum (dB)")
        ax.set_ylim(-7.6, 2.5)
        ax.set_title(f"(4b) {ds.attrs['squeeze_in_db']:g} dB S_x squeezing in the alkali -> K_y", fontsize=9)
    _save(fig, path)


def _convergence(ds, path):
    plt = _plt()
    n = ds.n_modes.values
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8.0, 3.4), layout="constrained")
    a1.plot(n, ds.P2_transfer.values, "o-", color=BLUE)
    a1.set_xlabel("modes per species")
    a1.set_ylabel("P2 at t = pi/(2J)")
    a1.set_xscale("log")
    a2.plot(n, ds.sq_Ky_db_transfer.values, "s-", color=PURPLE)
    a2.set_xlabel("modes per species")
    a2.set_ylabel("K_y squeezing at pi/(2J) (dB)")
    a2.set_xscale("log")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
    fig.suptitle("diffusion-mode model vs number of modes (K-3He preset, imperfect polarization)", fontsize=9)
    _save(fig, path)


_MAP_VARS = (("J_per_s", "J (1/s)", "viridis"), ("gamma_per_s", "gamma (1/s)", "viridis"),
             ("J_over_gamma", "J / gamma", "viridis"), ("P2_max", "max P2", "magma"),
             ("sq_Ky_db_best", "best K_y squeezing (dB)", "magma_r"), ("t_store_s", "best storage time (ms)", "cividis"))


def _map(ds, xdim, ydim, xlabel, ylabel, title, path, logy=False, overlay=None):
    plt = _plt()
    fig, axes = plt.subplots(2, 3, figsize=(11.0, 6.4), layout="constrained")
    x, y = ds[xdim].values, ds[ydim].values
    for ax, (var, label, cmap) in zip(axes.flat, _MAP_VARS):
        z = ds[var].transpose(ydim, xdim).values * (1e3 if var == "t_store_s" else 1.0)
        m = ax.pcolormesh(x, y, z, shading="nearest", cmap=cmap)
        fig.colorbar(m, ax=ax)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if logy:
            ax.set_yscale("log")
        if overlay is not None:
            ax.plot(*overlay, color="w", ls="--", lw=1)
    fig.suptitle(title, fontsize=10)
    _save(fig, path)


def make_modes_figures(datasets, outdir) -> dict[str, Path]:
    """Draw every modes figure whose inputs are present; return {name: PNG path} (names from MODES_FIGURES)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def path(name):
        out[name] = outdir / f"{name}.png"
        return out[name]

    if "fig2" in datasets:
        ds = datasets["fig2"]
        _fig2_panel(ds, "decoupled", "2a", "decoupled", path("fig2a"), "n_b")
        _fig2_panel(ds, "overdamped", "2b", "overdamped", path("fig2b"), "n_b")
        _fig2_panel(ds, "strong", "2c", "strong coupling", path("fig2c"), None, stored="strong_stored")
    if "fig4" in datasets:
        _fig4(datasets["fig4"], "a", path("fig4a"))
        _fig4(datasets["fig4"], "b", path("fig4b"))
    if "convergence" in datasets:
        _convergence(datasets["convergence"], path("modes_convergence"))
    if "map_polarization" in datasets:
        ds = datasets["map_polarization"]
        _map(ds, "p_b", "p_a", "p_b", "p_a",
             f"K-3He preset at the compensation field, {ds.attrs['n_modes']} modes per species", path("map_polarization"))
    if "map_field_density" in datasets:
        ds = datasets["map_field_density"]
        _map(ds, "B_mG", "n_a_cm3", "B (mG)", "n_a (cm^-3)",
             f"K-3He preset, constant field B, {ds.attrs['n_modes']} modes per species (dashed: compensation)",
             path("map_field_density"), logy=True, overlay=(ds.B_compensation_mG.values, ds.n_a_cm3.values))
    if "map_density_radius" in datasets:
        ds = datasets["map_density_radius"]
        _map(ds, "R_cm", "n_b_cm3", "cell radius R (cm)", "n_b (cm^-3)",
             f"K-3He preset at each point's compensation field, {ds.attrs['n_modes']} modes per species",
             path("map_density_radius"), logy=True)
    return out
