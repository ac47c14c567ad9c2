"""Figures of the torque study: the seed's panel sets (Figs. 2-4, Extended Data Fig. 1) and sweep figures.

``make_figures(inputs, outdir) -> {name: png path}``.  ``inputs`` maps names to analysis products (never raw
fields; fits are done before, in :mod:`spinsweep.analysis.torque.products`):

* ``"run118"``, ``"run62"`` -- :func:`~spinsweep.analysis.torque.products.run_products` of the 118 Hz (Fig. 3)
  and 62 Hz (Fig. 4b) runs (mappings of Datasets);
* ``"lle"`` -- :func:`~spinsweep.analysis.torque.profiles.lle_comparison` (Fig. 2a insets, Fig. 2c,d);
* ``"extdata1"`` -- :func:`~spinsweep.analysis.torque.profiles.gpe_vs_lle`;
* ``"table"`` -- :func:`~spinsweep.analysis.torque.table.sweep_table` of a sweep.

Figures whose inputs are missing are skipped.  Axes in paper units: x in um, t as Omega_R t/2pi (or ms where
the seed uses ms), velocities in mm/s.  Captions: ``workflow/report/torque_<name>.rst``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

#: the figures drawn, in report order; their captions are workflow/report/torque_<name>.rst
FIGURES = ("fig2a", "fig2cd", "fig2eg", "fig3b", "fig3fh", "fig4ab", "extdata1",
           "sweep_v", "sweep_L1", "sweep_breaking")

RED, BLUE, GREY = "#c0392b", "#1f5fa8", "0.55"
PROBE_COLORS = {"A": "#1b9e77", "B": "#d95f02", "C": "#7570b3", "D": "#e7298a"}


def _numeric(attrs) -> dict:
    """Attributes with numbers restored (stores keep NaN and inf as the strings "nan", "inf")."""
    out = {}
    for k, v in attrs.items():
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                pass
        out[k] = v
    return out


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _zmap(ax, Z, *, ylabel=True):
    m = ax.pcolormesh(Z.x.values, Z.rabi_t.values, Z.values, cmap="RdBu_r", vmin=-1, vmax=1,
                      shading="auto", rasterized=True)
    ax.set_xlabel("x (um)")
    if ylabel:
        ax.set_ylabel(r"$\Omega_R t/2\pi$")
    return m


def fig2a(lle, run, path):
    """Omega(x)/Omega_R measured and predicted, insets Z(t) at A-D."""
    plt = _plt()
    fm = run["frequency"]
    fig = plt.figure(figsize=(8.0, 6.0))
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.5])
    ax.plot(fm.x, fm.Omega_josephson, "k-", lw=1.5, label="Josephson, local Lambda(x)")
    ax.plot(fm.x, fm.Omega_measured, ".", color=BLUE, ms=2,
            label=f"measured (GPE, first {fm.attrs['window_rabi']:.1f} Rabi periods)")
    xc = float(run["front"].attrs["x_c_um"])
    for s in (-1, 1):
        ax.axvline(s * xc, color=GREY, ls="--", lw=0.8)
    ax.text(xc, ax.get_ylim()[1] * 0.95 if ax.get_ylim()[1] else 3, r" $x_c$", va="top")
    ax.set_xlabel("x (um)")
    ax.set_ylabel(r"$\Omega/\Omega_R$")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8, loc="upper left")
    if lle is not None:
        for i, name in enumerate(lle.probe.values):
            xp = float(lle.x_probe.sel(probe=name))
            ax.axvline(xp, color=PROBE_COLORS[name], lw=0.8, ls=":")
            ax.text(xp, 0.05, f" {name}", color=PROBE_COLORS[name])
            ins = fig.add_axes([0.1 + i * 0.22, 0.7, 0.18, 0.25])
            ins.plot(lle.rabi_t_probe, lle.Z_probe_no_torque.sel(probe=name), "k-", lw=0.9, label="no torque")
            ins.plot(lle.rabi_t_probe, lle.Z_probe_torque.sel(probe=name), color=PROBE_COLORS[name], ls="--",
                     lw=0.9, label="with torque")
            ins.set_ylim(-1.05, 1.05)
            ins.set_title(f"{name}: x = {xp:.0f} um", fontsize=8)
            ins.tick_params(labelsize=7)
            ins.set_xlabel(r"$\Omega_R t/2\pi$", fontsize=7)
            if i == 0:
                ins.set_ylabel("Z", fontsize=8)
                ins.legend(fontsize=6, loc="upper right")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fig2cd(lle, path):
    plt = _plt()
    fig, axs = plt.subplots(1, 2, figsize=(10, 4.4), sharey=True, constrained_layout=True)
    R = None
    for ax, name, title in zip(axs, ("Z_no_torque", "Z_torque"), ("(c) LLE without quantum torque",
                                                                     "(d) LLE with quantum torque")):
        Z = lle[name].rename(t="t").assign_coords(rabi_t=lle.rabi_t)
        m = _zmap(ax, Z, ylabel=ax is axs[0])
        ax.set_title(title, fontsize=10)
        for p in lle.probe.values:
            xp = float(lle.x_probe.sel(probe=p))
            ax.axvline(xp, color=PROBE_COLORS[p], ls="--", lw=0.8)
            ax.text(xp, 0.02, p, color=PROBE_COLORS[p], va="bottom", ha="right", fontsize=9,
                    transform=ax.get_xaxis_transform(), bbox={"fc": "white", "ec": "none", "pad": 1})
        R = float(abs(Z.x).max())
        ax.set_xlim(-R, R)
    fig.colorbar(m, ax=axs, label="Z", shrink=0.9)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fig2eg(run, path):
    plt = _plt()
    prof = run["profiles"]
    fig, axs = plt.subplots(3, 1, figsize=(6.0, 8.0), sharex=True, constrained_layout=True)
    n = prof.sizes["rabi_target"]
    colors = [str(0.0 + 0.6 * i / max(1, n - 1)) for i in range(n)]
    labels = {"Z": "Z", "js_over_n_cs": r"$|j_s|/n c_s$", "djs_over_Hs_max": r"$|\partial_x j_s|/|H\times s|_{max}$"}
    for ax, (var, lab), letter in zip(axs, labels.items(), "efg"):
        for i, r in enumerate(prof.rabi_target.values):
            ax.plot(prof.x, prof[var].sel(rabi_target=r), color=colors[i], lw=1.1,
                    label=rf"$\Omega_R t/2\pi$ = {r:g}")
        ax.axvline(prof.attrs["x_c_um"], color=RED, ls=":", lw=0.8)
        ax.set_ylabel(lab)
        ax.set_title(f"({letter})", loc="left", fontsize=9)
    axs[0].legend(fontsize=7, ncol=2)
    axs[-1].set_xlabel("x (um)")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fig3b(run, path):
    plt = _plt()
    Z = run["zmap"].Z
    fr = run["front"]
    a = _numeric(fr.attrs)
    fig, ax = plt.subplots(figsize=(7.0, 6.0), constrained_layout=True)
    m = _zmap(ax, Z)
    T = float(fr.t[1] / fr.rabi_t[1]) if float(fr.rabi_t[1]) else 1.0  # ms per Rabi period
    xc, dxc = float(a["x_c_um"]), float(a.get("x_c_err_um", 0.0))
    for s in (-1, 1):  # x_c bars
        ax.errorbar([s * xc], [0.15], xerr=[dxc], fmt="none", ecolor="k", elinewidth=5, capsize=0)
    v, d0 = a.get("fit_v", math.nan), a.get("fit_d0", math.nan)
    if math.isfinite(v):
        t0, t1 = a["fit_t_start"], a["fit_t_stop"]
        tt = np.linspace(t0, t1, 50)
        d = d0 - v * tt
        cs, c = a["summary_c_s_mm_s"], a["summary_c_mm_s"]
        for s in (-1, 1):
            shot = a.get("summary_v_over_c_s_shot", math.nan)
            shot_txt = f"({shot:.2f} shots)" if isinstance(shot, float) and math.isfinite(shot) else ""
            ax.plot(s * d, tt / T, "k-", lw=1.6, label=(f"front fit v = {v:.2f} mm/s = "
                                                     f"{a['summary_v_over_c_s']:.2f}({a['summary_v_over_c_s_stat']:.2f} stat)"
                                                     f"({a['summary_v_over_c_s_syst']:.2f} syst){shot_txt} c_s")
                    if s > 0 else None)
            for speed, ls, name in ((cs, "--", "c_s"), (c, "-.", "c")):
                ts = np.linspace(t0, t0 + d[0] / speed, 50)  # from the fit start to the centre
                ax.plot(s * (d[0] - speed * (ts - t0)), ts / T, "k", ls=ls, lw=1.0,
                        label=f"slope {name} = {speed:.2f} mm/s" if s > 0 else None)
    ax.set_xlim(float(Z.x.min()), float(Z.x.max()))
    ax.set_ylim(0, float(Z.rabi_t.max()))
    n_shots = len(a.get("v_shots", [])) if isinstance(a.get("v_shots"), (list, tuple)) else 1
    ax.set_title(f"{n_shots} shot(s); shot 0 shown" if n_shots > 1 else "", fontsize=8, loc="left")
    # the legend sits below the map (inside it covered the fronts)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    sec = ax.secondary_yaxis("right", functions=(lambda r: r * T, lambda t: t / T))
    sec.set_ylabel("t (ms)")
    fig.colorbar(m, ax=ax, label="Z", pad=0.12)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fig3fh(run, path):
    plt = _plt()
    cp = run["components"]
    fig, axs = plt.subplots(3, 1, figsize=(7.0, 7.5), sharex=True, constrained_layout=True)
    for ax, w, letter in zip(axs, cp.omega_t.values, "fgh"):
        sel = cp.sel(omega_t=w)
        ax.plot(sel.x, sel.n_total, color=GREY, lw=1.0, label="total")
        ax.plot(sel.x, sel.n_plus, color=BLUE, lw=0.8, label="|1,+1>")
        ax.plot(sel.x, sel.n_minus, color=RED, lw=0.8, label="|1,-1>")
        ax.set_ylabel("n / n(x, 0)")
        ax.set_title(rf"({letter}) $\Omega_R t$ = {w / math.pi:.0f}$\pi$", loc="left", fontsize=9)
        ax.set_ylim(-0.05, 1.3)
    axs[0].legend(fontsize=7, ncol=3, loc="upper right")
    axs[-1].set_xlabel("x (um)")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _corr_panel(ax, run, letter, title):
    C = run["correlations"]
    cols = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#000000"]
    for i, r in enumerate(C.region.values):
        sel = C.sel(region=r)
        ax.errorbar(sel.dx, sel.C_mean, yerr=sel.C_std, fmt="o-", ms=2.5, lw=0.7, elinewidth=0.6,
                    color=cols[i % 5], label=f"{r}")
    a = _numeric(C.attrs)
    raw = run.get("correlations_raw")
    if raw is not None and "E" in raw.region.values:
        e = raw.sel(region="E")
        ax.plot(e.dx, e.C_mean, color="0.3", ls=":", lw=1.2, label="E, bare field (no blur)")
    if math.isfinite(a.get("fit_E_L1_um", math.nan)):
        from .correlations import correlation_model
        dx = np.linspace(0, float(C.dx.max()), 300)

        def err(k):
            st, sh = a.get(f"fit_E_{k}_err_um", math.nan), a.get(f"fit_E_{k}_um_shot_err", math.nan)
            return f"{st:.1g}" + (f", {sh:.1g} shots" if isinstance(sh, float) and math.isfinite(sh) else "")
        ax.plot(dx, correlation_model(dx, a["fit_E_L1_um"], a["fit_E_L2_um"]), "k-", lw=1.6,
                label=f"fit E: L1 = {a['fit_E_L1_um']:.2f}({err('L1')}) um, "
                      f"L2 = {a['fit_E_L2_um']:.2f}({err('L2')}) um")
    ax.axhline(0, color=GREY, lw=0.6)
    ax.set_xlabel(r"$\Delta x$ (um)")
    ax.set_ylabel(r"$C_{ZZ}(\Delta x)$")
    shots = C.sizes.get("shot", None) or (run["summary"].n_shots.item() if "n_shots" in run["summary"] else 1)
    ax.set_title(f"({letter}) {title}" + (f", blur {float(C.attrs['sigma_um']):g} um" if C.attrs.get("sigma_um") else "")
                 + f", {int(shots)} shot(s)", loc="left", fontsize=9)
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)


def _region_map(ins, run):
    C = run["correlations"]
    cols = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#000000"]
    Z = run["zmap"].Z
    m = ins.pcolormesh(Z.x.values, Z.rabi_t.values, Z.values, cmap="RdBu_r", vmin=-1, vmax=1, shading="auto",
                       rasterized=True)
    for i, r in enumerate(C.region.values):
        sel = C.sel(region=r)
        x0, x1, t0, t1 = (float(sel[k]) for k in ("x0_um", "x1_um", "t0_rabi", "t1_rabi"))
        ins.add_patch(__import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
            (x0, t0), x1 - x0, t1 - t0, fill=False, ec=cols[i % 5], lw=1.2))
        ins.text(x1 + 3, t1, r, color=cols[i % 5], fontsize=9, va="top", fontweight="bold",
                 bbox={"fc": "white", "ec": "none", "pad": 0.5})
    ins.set_xlabel("x (um)")
    ins.set_ylabel(r"$\Omega_R t/2\pi$")
    return m


def fig4ab(run118, run62, path):
    plt = _plt()
    runs = [(r, l, t) for r, l, t in ((run118, "a", r"$\Omega_R=2\pi\times118$ Hz"),
                                      (run62, "b", r"$\Omega_R=2\pi\times62$ Hz")) if r is not None]
    fig, axs = plt.subplots(2, len(runs), figsize=(6.0 * len(runs), 8.8), constrained_layout=True, squeeze=False,
                            gridspec_kw={"height_ratios": [1, 1.3]})
    for k, (run, letter, title) in enumerate(runs):
        m = _region_map(axs[0, k], run)
        _corr_panel(axs[1, k], run, letter, title)
    fig.colorbar(m, ax=axs[0, :], label="Z", shrink=0.8)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def extdata1(ed, path):
    plt = _plt()
    panels = (("dn_rel", "(a) n/n(x,0) - 1", "RdBu_r", True), ("abs_j", "(b) |j| (1/ms)", "viridis", False),
              ("Z", "(c) Z, GPE", "RdBu_r", True), ("abs_js", "(d) |j_s| (1/ms)", "viridis", False),
              ("Z_lle", "(e) Z, LLE", "RdBu_r", True), ("abs_js_twist", "(f) |spin-twist part of j_s| (1/ms)",
                                                         "viridis", False))
    ed = ed.assign_attrs(_numeric(ed.attrs))
    fig, axs = plt.subplots(3, 2, figsize=(9.0, 10.0), sharex=True, sharey=True, constrained_layout=True)
    vmax_js = float(np.nanmax(ed.abs_js.values))
    for ax, (var, title, cmap, signed) in zip(axs.ravel(), panels):
        v = ed[var]
        if var in ("Z", "Z_lle"):
            lim = (-1, 1)
        elif signed:
            a = float(np.nanmax(np.abs(v.values)))
            lim = (-a, a)
        else:
            lim = (0, vmax_js if var.startswith("abs_js") else float(np.nanmax(v.values)))
        m = ax.pcolormesh(ed.x.values, ed.rabi_t.values, v.transpose("t", "x").values, cmap=cmap, vmin=lim[0],
                          vmax=lim[1], shading="auto", rasterized=True)
        ax.axvline(ed.attrs["x_c_um"], color="k", ls=":", lw=0.8)
        ax.set_title(title, fontsize=9, loc="left")
        fig.colorbar(m, ax=ax)
    for ax in axs[-1]:
        ax.set_xlabel("x (um)")
    for ax in axs[:, 0]:
        ax.set_ylabel(r"$\Omega_R t/2\pi$")
    fig.suptitle(f"max|dn/n| = {ed.attrs['max_abs_dn_rel']:.3f}, rms(Z_GPE - Z_LLE) = "
                 f"{ed.attrs['rms_Z_gpe_minus_lle']:.3f}, spin-twist share of |j_s| = {ed.attrs['twist_share']:.2f}",
                 fontsize=9)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _sweep_axes(table):
    """The sweep coordinates of a table other than ``point`` (their names), the ratio axis first."""
    axes = ["omega_R_over_kappa_n0"]
    for name in table.coords:
        if name not in ("point",) and name not in axes and table[name].dims == ("point",):
            vals = np.asarray(table[name].values)
            if vals.dtype.kind in "if" and np.unique(vals).size > 1:
                axes.append(name)
    return axes


def _xvals(table, name):
    return table[name].values


def sweep_v(table, path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.0, 5.0), constrained_layout=True)
    x = _xvals(table, "omega_R_over_kappa_n0")
    y = table.v_over_c_s.values
    shot = np.nan_to_num(table.v_over_c_s_shot.values) if "v_over_c_s_shot" in table else np.zeros_like(y)
    rand = np.hypot(table.v_over_c_s_stat.values, shot)
    tot = np.hypot(rand, np.nan_to_num(table.v_over_c_s_syst.values))
    ax.errorbar(x, y, yerr=tot, fmt="none", ecolor=GREY, elinewidth=4, alpha=0.6, label="stat + shots + syst")
    ax.errorbar(x, y, yerr=rand, fmt="o", color=BLUE, capsize=3, label="stat + shots")
    ax.axhline(1.0, color="k", ls="--", lw=0.8, label="v = c_s")
    ax.axhspan(1.3, 1.5, color=RED, alpha=0.15, label="paper, GPE: 1.4(1)")
    ax.axhspan(1.6, 2.0, color=GREY, alpha=0.15, label="paper, experiment: 1.8(2)")
    ax.set_xlabel(r"$\Omega_R/(\kappa n_0)$")
    ax.set_ylabel(r"$v/c_s$")
    if "n_shots" in table:
        ax.set_title(f"{int(np.nanmax(table.n_shots.values))} shot(s) per point", fontsize=8, loc="left")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)  # below: never on data
    fig.savefig(path, dpi=120)
    plt.close(fig)


def sweep_L1(table, path):
    plt = _plt()
    axes = _sweep_axes(table)
    fig, axs = plt.subplots(1, len(axes), figsize=(5.0 * len(axes), 4.8), constrained_layout=True, squeeze=False)
    xi_s_over = 1.0 / table.xi_s_um
    for ax, name in zip(axs[0], axes):
        x = _xvals(table, name)
        e1, e2 = (np.hypot(table[f"{k}_err_um"].values, np.nan_to_num(table[f"{k}_shot_err_um"].values))
                  if f"{k}_shot_err_um" in table else table[f"{k}_err_um"].values for k in ("L1", "L2"))
        ax.errorbar(x, table.L1_over_xi_s.values, yerr=e1 * xi_s_over.values, fmt="o", color=BLUE,
                    capsize=3, label=r"$L_1/\xi_s$")
        ax.errorbar(x, (table.L2_um * xi_s_over).values, yerr=e2 * xi_s_over.values, fmt="s",
                    color=RED, capsize=3, mfc="none", label=r"$L_2/\xi_s$")
        xi_R = (table.L1_um / table.L1_over_xi_R).values
        ax.errorbar(x, table.L1_over_xi_R.values, yerr=e1 / xi_R, fmt="^", color="k", capsize=3, mfc="none",
                    label=r"$L_1/\xi_R$")
        if "floquet_wavelength_um" in table:
            ax.plot(x, 0.5 * table.floquet_wavelength_um.values * xi_s_over.values, "x", color=GREY, ms=7,
                    label=r"half the Floquet wavelength / $\xi_s$")
        ax.set_xlabel(r"$\Omega_R/(\kappa n_0)$" if name == "omega_R_over_kappa_n0" else name)
        ax.set_ylabel(r"length / $\xi_s$ (or $\xi_R$)")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)  # below: never on data
        if not np.isfinite(table.L1_um.values).any():
            ax.text(0.5, 0.5, "no constrained C_ZZ fit in region E", transform=ax.transAxes, ha="center")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def sweep_breaking(table, path):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.0, 5.0), constrained_layout=True)
    x = _xvals(table, "omega_R_over_kappa_n0")
    torque = table.t_break_torque_rabi.values if "t_break_torque_rabi" in table else table.t_break_rabi.values
    if np.isfinite(torque).any():
        ax.plot(x, torque, "o", color=BLUE, label="quantum torque = |H x s|")
    ax.plot(x, table.t_break_front_rabi.values, "s", color=RED, mfc="none", label="front 15 um inside x_c")
    if "t_bulk_rabi" in table:
        ax.plot(x, table.t_bulk_rabi.values, "^", color="k", mfc="none",
                label="centre (|x| < 20 um) breaks (shot mean)")
    ax.set_xlabel(r"$\Omega_R/(\kappa n_0)$")
    ax.set_ylabel(r"breaking time $\Omega_R t/2\pi$")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)  # below: never on data
    fig.savefig(path, dpi=120)
    plt.close(fig)


def make_figures(inputs: Mapping, outdir, names=None) -> dict[str, Path]:
    """Draw every figure (or those in ``names``) whose inputs are present (module docstring); returns
    {name: png path}."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    r118, r62, lle, ed, table = (inputs.get(k) for k in ("run118", "run62", "lle", "extdata1", "table"))
    jobs = {
        "fig2a": (r118 is not None, lambda p: fig2a(lle, r118, p)),
        "fig2cd": (lle is not None, lambda p: fig2cd(lle, p)),
        "fig2eg": (r118 is not None and "profiles" in r118, lambda p: fig2eg(r118, p)),
        "fig3b": (r118 is not None, lambda p: fig3b(r118, p)),
        "fig3fh": (r118 is not None, lambda p: fig3fh(r118, p)),
        "fig4ab": (r118 is not None or r62 is not None, lambda p: fig4ab(r118, r62, p)),
        "extdata1": (ed is not None, lambda p: extdata1(ed, p)),
        "sweep_v": (table is not None, lambda p: sweep_v(table, p)),
        "sweep_L1": (table is not None, lambda p: sweep_L1(table, p)),
        "sweep_breaking": (table is not None, lambda p: sweep_breaking(table, p)),
    }
    out = {}
    unknown = set(names or ()) - set(FIGURES)
    if unknown:
        raise ValueError(f"figures {sorted(unknown)}: unknown; allowed {FIGURES}")
    for name in FIGURES if names is None else [n for n in FIGURES if n in names]:
        ok, draw = jobs[name]
        if ok:
            path = outdir / f"{name}.png"
            draw(path)
            out[name] = path
    return out
