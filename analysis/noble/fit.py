"""Fit ensemble-averaged exchange curves to a damped two-mode model -> J, gamma with standard errors.

Model (mean-field two-mode picture of Katz et al., Eq. 2 / SI section 1): collective amplitudes (A, B) of
|1_a 0_b> and |0_a 1_b> obey  i d/dt (A, B) = H (A, B),  H = [[Delta - i Gamma/2, J], [J, 0]],  with the
alkali mode losing population to non-symmetric states at Gamma = 2 gamma, so that under strong coupling the
envelope of F10 + F01 decays as exp(-gamma t) (gamma: the SI's fidelity decay rate gamma_a).
F10 = |A|^2, F01 = |B|^2.  Two excitations (|1_a 1_b>) use the same single-mode propagator V(t):
P20 = 2|V_aa V_ab|^2, P02 = 2|V_ba V_bb|^2, P11 = |V_aa V_bb + V_ab V_ba|^2 (bosonic two-mode limit).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import curve_fit

from .formulas import J_formula, alpha_interpolated, contrast_formula, gamma_formula, phi2_mean


def propagator(t, J, gamma, detuning=0.0):
    """V(t) = exp(-i H t) for the damped two-mode H above; array (len(t), 2, 2)."""
    t = np.asarray(t, float)
    H = np.array([[detuning - 1j * gamma, J], [J, 0.0]], dtype=complex)  # Gamma/2 = gamma
    w, R = np.linalg.eig(H)
    Rinv = np.linalg.inv(R)
    phases = np.exp(-1j * np.outer(t, w))  # (nt, 2)
    return np.einsum("ij,tj,jk->tik", R, phases, Rinv)


def two_mode_single(t, J, gamma, detuning=0.0, a0=1.0, b0=0.0):
    """(F10, F01) of the damped two-mode model from amplitudes (a0, b0)."""
    V = propagator(t, J, gamma, detuning)
    A = V[:, 0, 0] * a0 + V[:, 0, 1] * b0
    B = V[:, 1, 0] * a0 + V[:, 1, 1] * b0
    return np.abs(A) ** 2, np.abs(B) ** 2


def two_mode_pair(t, J, gamma, detuning=0.0):
    """(P20, P02, P11) of the damped two-mode model from |1_a 1_b>."""
    V = propagator(t, J, gamma, detuning)
    aa, ab, ba, bb = V[:, 0, 0], V[:, 0, 1], V[:, 1, 0], V[:, 1, 1]
    return 2 * np.abs(aa * ab) ** 2, 2 * np.abs(ba * bb) ** 2, np.abs(aa * bb + ab * ba) ** 2


def _first_crossing(t, x):
    """First time where x changes sign (linear interpolation), or None."""
    s = np.sign(x)
    idx = np.nonzero((s[1:] != s[:-1]) & (s[:-1] != 0))[0]
    if not len(idx):
        return None
    i = idx[0]
    return t[i] - x[i] * (t[i + 1] - t[i]) / (x[i + 1] - x[i])


def _sigma(sem):
    sem = np.asarray(sem, float)
    floor = 1e-6 + 1e-3 * np.nanmax(np.abs(sem)) if np.any(np.isfinite(sem)) else 1.0
    return np.sqrt(np.nan_to_num(sem) ** 2 + floor ** 2)


def fit_exchange(ds, params=None, *, fit_detuning: bool = False) -> dict:
    """Fit J and gamma (1/tau) with standard errors to an ensemble Dataset of ``spinsweep.solvers.collisions.ensemble``.

    ``ds`` holds ``t`` and the ``<obs>_mean``, ``<obs>_sem`` traces along one dimension (``t`` for a panel,
    ``record`` for a sweep point, where ``t`` is a coordinate along it); its parameters (n_alkali, n_noble,
    phi_mean, phi_std, detuning, initial, subspace, n_traj) are ``ds.attrs`` updated by ``params``.

    Single subspace: F10_mean and F01_mean jointly; two-excitation subspace: P20, P02, P11.  Errors are
    curve_fit's, weighted by the ensemble standard errors and rescaled by the reduced chi^2 (the model is the
    two-mode limit, not exact).  The detuning is fixed to the Dataset's ``detuning`` attr unless
    ``fit_detuning``.  The result also holds the formula values J_formula = sqrt(N_a/N_b)<phi>/2,
    gamma_formula = alpha <phi^2>/4 (alpha interpolated), gamma_paper (alpha = 1/2 or 1, the SI's limits),
    the measured alpha = gamma / (<phi^2>/4), the measured J/gamma next to the two-mode model's
    J_formula/gamma_formula, the contrast max F01 and its lossless two-mode prediction
    F10(0) (2J)^2/((2J)^2 + Delta^2).  The SI states alpha only in its two limits (1/2 for delta_phi << <phi>,
    1 for delta_phi >> <phi>); gamma_formula uses :func:`.formulas.alpha_interpolated` between them.
    """
    a = {**ds.attrs, **(params or {})}
    na, nb = int(a["n_alkali"]), int(a["n_noble"])
    phi, dphi, delta = float(a["phi_mean"]), float(a["phi_std"]), float(a.get("detuning", 0.0))
    subspace = a.get("subspace", "single")
    t = np.asarray(ds["t"].values, float)
    Jf = float(J_formula(na, nb, phi))
    if subspace == "single":
        y = [np.asarray(ds[f"{k}_mean"].values, float) for k in ("F10", "F01")]
        s = [_sigma(ds[f"{k}_sem"].values) for k in ("F10", "F01")]
        a0, b0 = math.sqrt(max(y[0][0], 0.0)), math.sqrt(max(y[1][0], 0.0))

        def model(tt, J, gamma, det):
            f10, f01 = two_mode_single(tt, J, gamma, det, a0, b0)
            return np.concatenate([f10, f01])
        cross = _first_crossing(t, y[0] - y[1]) if y[0][0] > y[1][0] else None
        J0 = math.pi / (4 * cross) if cross else Jf  # F10 = F01 first at J t = pi/4
    elif subspace == "double":
        y = [np.asarray(ds[f"{k}_mean"].values, float) for k in ("P20", "P02", "P11")]
        s = [_sigma(ds[f"{k}_sem"].values) for k in ("P20", "P02", "P11")]

        def model(tt, J, gamma, det):
            return np.concatenate(two_mode_pair(tt, J, gamma, det))
        cross = _first_crossing(t, y[2] - 0.5)  # P11 = cos^2(2Jt) = 1/2 first at J t = pi/8
        J0 = math.pi / (8 * cross) if cross else Jf
    else:
        raise ValueError(f"subspace={subspace!r} is not allowed: expected 'single' or 'double'")
    ydata, sigma = np.concatenate(y), np.concatenate(s)
    g0 = max(1e-3 * J0, 1e-12)
    if fit_detuning:
        f = lambda tt, J, gamma, det: model(tt, J, gamma, det)  # noqa: E731
        p0, lo, hi = [J0, g0, delta], [0, 0, -np.inf], [np.inf, np.inf, np.inf]
    else:
        f = lambda tt, J, gamma: model(tt, J, gamma, delta)  # noqa: E731
        p0, lo, hi = [J0, g0], [0, 0], [np.inf, np.inf]
    popt, pcov = curve_fit(f, t, ydata, p0=p0, sigma=sigma, absolute_sigma=False, bounds=(lo, hi),
                           x_scale=[J0] * len(p0),
                           max_nfev=2000)
    perr = np.sqrt(np.diag(pcov))
    resid = (ydata - f(t, *popt)) / sigma
    p2 = float(phi2_mean(phi, dphi))
    J, gamma = float(popt[0]), float(popt[1])
    gf = float(gamma_formula(phi, dphi))
    out = {
        "J": J, "J_stderr": float(perr[0]),
        "gamma": gamma, "gamma_stderr": float(perr[1]),
        "J_formula": Jf,
        "gamma_formula": gf,
        # measured J/gamma (error propagated, covariance included) next to the two-mode model's
        "J_over_gamma": J / gamma if gamma > 0 else float("inf"),
        "J_over_gamma_stderr": (J / gamma * math.sqrt(max(0.0, (perr[0] / J) ** 2 + (perr[1] / gamma) ** 2
                                                          - 2 * pcov[0, 1] / (J * gamma))))
        if gamma > 0 and J > 0 else float("nan"),
        "J_over_gamma_formula": Jf / gf if gf > 0 else float("inf"),
        "alpha": gamma / (p2 / 4) if p2 > 0 else float("nan"),
        "alpha_stderr": float(perr[1]) / (p2 / 4) if p2 > 0 else float("nan"),
        "alpha_formula": float(alpha_interpolated(phi, dphi)),
        "reduced_chi2": float(np.sum(resid ** 2) / max(1, len(ydata) - len(popt))),
        "n_alkali": na, "n_noble": nb, "phi_mean": phi, "phi_std": dphi, "detuning": delta,
        "subspace": subspace, "initial": str(a.get("initial", "")), "n_traj": int(a.get("n_traj", 0)),
    }
    if fit_detuning:
        out["detuning_fit"], out["detuning_fit_stderr"] = float(popt[2]), float(perr[2])
    if subspace == "single":
        out["contrast"] = float(np.max(y[1]))
        # lossless two-mode prediction for the part of the initial state in |1_a 0_b> (F10(0): 1 for the
        # collective, 1/N_a for the localized excitation)
        out["contrast_formula"] = float(y[0][0] * contrast_formula(Jf, delta))
        if out["initial"] == "localized" and "P_alkali_mean" in ds:
            out.update(fit_alkali_decay(ds, a))
    else:
        out["P11_min"] = float(np.min(y[2]))
    return out


def fit_alkali_decay(ds, params=None) -> dict:
    """Decay of a localized excitation's non-symmetric alkali population: P_alkali - F10 = A exp(-gamma_a t).

    The SI (section 1, its Fig. 3d) states that a localized excitation dephases and thermalizes with the
    noble gas at gamma_a = <phi^2>/(4 tau): each step the excited alkali spin hands sin^2(phi/2) of its
    population to a random noble-gas spin.  Subtracting F10 removes the symmetric 1/N_a part, which is
    exchanged coherently; the return flow from the noble gas is O(N_a/N_b) and neglected.
    Returns gamma_a, gamma_a_stderr and gamma_a_formula = <phi^2>/4 (parameters: ``ds.attrs`` updated by
    ``params``, as in :func:`fit_exchange`).
    """
    a = {**ds.attrs, **(params or {})}
    t = np.asarray(ds["t"].values, float)
    y = np.asarray(ds["P_alkali_mean"].values, float) - np.asarray(ds["F10_mean"].values, float)
    sigma = _sigma(np.hypot(np.nan_to_num(ds["P_alkali_sem"].values), np.nan_to_num(ds["F10_sem"].values)))
    p2 = float(phi2_mean(float(a["phi_mean"]), float(a["phi_std"])))
    slope = (y[0] - y[-1]) / max(t[-1] * y[0], 1e-300)
    g0 = slope if slope > 0 else 1.0 / t[-1]

    def model(tt, A, gamma):
        return A * np.exp(-gamma * tt)

    popt, pcov = curve_fit(model, t, y, p0=[y[0], g0], sigma=sigma, absolute_sigma=False,
                           bounds=([0, 0], [2, np.inf]), x_scale=[1.0, g0], max_nfev=2000)
    return {"gamma_a": float(popt[1]), "gamma_a_stderr": float(np.sqrt(pcov[1, 1])),
            "gamma_a_formula": p2 / 4}


#: units of the fitted quantities in :func:`fit_table` (others are dimensionless)
UNITS = {"J": "1/tau", "J_stderr": "1/tau", "J_formula": "1/tau", "gamma": "1/tau", "gamma_stderr": "1/tau",
         "gamma_formula": "1/tau", "gamma_a": "1/tau", "gamma_a_stderr": "1/tau", "gamma_a_formula": "1/tau",
         "detuning": "1/tau", "detuning_fit": "1/tau", "detuning_fit_stderr": "1/tau", "phi_mean": "rad",
         "phi_std": "rad"}


def fit_table(runs):
    """:func:`fit_exchange` of many ensembles as one xarray Dataset with dimension ``run`` (the fits store).

    ``runs``: {name: Dataset} or {name: (Dataset, params)} (params as in :func:`fit_exchange`), in the order
    of the ``run`` coordinate.  Columns absent from a run (gamma_a of a collective run, P11_min of a
    single-excitation run) are NaN there.  The scalar ``alpha_weight`` (with ``alpha_weight_stderr``) is
    :func:`fit_alpha_weight` over the runs.
    """
    import xarray as xr

    rows, names = [], []
    for name, item in runs.items():
        ds, params = item if isinstance(item, tuple) else (item, None)
        rows.append(fit_exchange(ds, params))
        names.append(str(name))
    out = {}
    for key in dict.fromkeys(k for r in rows for k in r):  # union, first-seen order
        values = [r.get(key) for r in rows]
        if all(isinstance(v, (int, float)) or v is None for v in values):
            out[key] = ("run", np.asarray([np.nan if v is None else v for v in values], float),
                        {"units": UNITS.get(key, "1"), "long_name": key.replace("_", " ")})
        else:
            out[key] = ("run", np.asarray([str(v) for v in values]), {"units": "1", "long_name": key})
    tab = xr.Dataset(out, coords={"run": ("run", np.asarray(names, dtype=str),
                                          {"units": "1", "long_name": "panel name or sweep point"})})
    weight, weight_err = fit_alpha_weight(tab) if rows else (float("nan"), float("nan"))
    tab["alpha_weight"] = ((), weight, {"units": "1", "long_name": "c of alpha = 1/2 + c r^2/(1 + r^2) "
                                                                  "fitted to the measured alpha"})
    tab["alpha_weight_stderr"] = ((), weight_err, {"units": "1", "long_name": "standard error of alpha_weight"})
    return tab


def strong_coupling(tab):
    """Runs whose gamma is measurable against the exchange: collective, resonant, J > 3 gamma, single subspace."""
    return ((tab.subspace.values == "single") & (tab.initial.values == "collective")
            & (tab.detuning.values == 0) & (tab.J.values > 3 * tab.gamma.values))


def fit_alpha_weight(tab) -> tuple[float, float]:
    """Weighted least squares of alpha = 1/2 + c r^2/(1 + r^2), r = delta_phi/<phi>, over :func:`strong_coupling`.

    The SI gives alpha = 1/2 (r -> 0) and 1 (r -> oo) only; c = 1/2 is :func:`.formulas.alpha_interpolated`
    (1 + delta_phi^2/<phi^2>)/2.  The fitted c says whether the ensembles support that interpolation.
    Returns (c, stderr) with the error scaled by the reduced chi^2; NaN when fewer than two runs qualify.
    """
    sel = strong_coupling(tab) & np.isfinite(tab.alpha_stderr.values) & (tab.alpha_stderr.values > 0)
    if sel.sum() < 2:
        return float("nan"), float("nan")
    r2 = (tab.phi_std.values[sel] / tab.phi_mean.values[sel]) ** 2
    x = r2 / (1 + r2)
    y = tab.alpha.values[sel] - 0.5
    w = 1 / tab.alpha_stderr.values[sel] ** 2
    sxx = float(np.sum(w * x * x))
    if sxx == 0:
        return float("nan"), float("nan")
    c = float(np.sum(w * x * y) / sxx)
    chi2 = float(np.sum(w * (y - c * x) ** 2)) / max(1, int(sel.sum()) - 1)
    return c, math.sqrt(max(chi2, 1.0) / sxx)
