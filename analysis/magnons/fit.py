"""Conductance fitting as an experiment would do it (seed slides 23-26, Brantut et al. Science 2013 scheme).

Given the relaxation traces Delta M(t), Delta T(t) of both protocols (non-linear evolution from
``spinsweep.solvers.magnons.point``), optionally with Gaussian measurement noise, fit the quasi-stationary linear model
    (Delta M(t)/Nscr, Delta T(t)/T) = Lambda(t; L, K) (Delta M(0)/Nscr, Delta T(0)/T)
for the three conductances L11, L12 (= L21/T), L22, with the thermodynamic matrix K taken from the
equilibrium equation of state at the mean point (h, T) (slide 23 B) and the prepared initial imbalances known.

Steps (per noise realisation):
1. start values from the integrated linear model, which is *linear* in the conductances:
       k (y(t) - y(0)) = -2 l Int_0^t y dt',    y = (delta_h/T, Delta T/T) = P^{-1} w,
   solved by least squares on the trapezoid integrals of the noisy traces (integration averages noise);
2. weighted non-linear least squares (scipy ``least_squares``) of Lambda(t) w(0) against all samples, with l
   parametrised by its Cholesky factor so that l stays positive definite (L11 > 0, K > 0);
3. one-sigma uncertainties from the Gauss-Newton covariance (J^T J)^{-1} with the known noise level, or the
   residual scale when ``noise == 0``.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.optimize import least_squares

from spinsweep.solvers.magnons.relaxation import conductance_matrix, lambda_matrix

FIT_VARS = ("L11", "L12", "L22")


def _traces(point: xr.Dataset):
    """Dimensionless traces w_p(t) = (Delta M/Nscr, Delta T/T) of the valid protocols, times, k matrix."""
    T = float(point.attrs["T"])
    nscr = float(point["N_scale"])
    km = np.array([[float(point["kappa"]), float(point["dM_dT"])],
                   [float(point["dM_dT"]), float(point["dS_dT"])]]) * T / nscr
    t = np.asarray(point["t"].values, float)
    valid = np.asarray(point["valid"].values, bool)
    w = np.stack([point["dM"].values / nscr, point["dT"].values / T], axis=-1)  # (protocol, t, 2)
    return t, km, w[valid]


def _start_values(t, km, w):
    """Linear least-squares estimate of (l11, l12, l22) from the integrated model (step 1)."""
    P = np.array([[km[0, 0], km[0, 1]], [0.0, 1.0]])
    y = w @ np.linalg.inv(P).T  # (p, t, 2)
    dt = np.diff(t)
    Y = np.concatenate([np.zeros(y.shape[:1] + (1, 2)),
                        np.cumsum(0.5 * (y[:, 1:] + y[:, :-1]) * dt[None, :, None], axis=1)], axis=1)
    lhs = (y - y[:, :1]) @ km.T  # k (y(t) - y(0)), (p, t, 2)
    # row 0: lhs0 = -2 (l11 Y0 - l12 Y1); row 1: lhs1 = -2 (-l12 Y0 + l22 Y1)
    z = np.zeros_like(Y[..., 0])
    A0 = np.stack([-2 * Y[..., 0], 2 * Y[..., 1], z], axis=-1)
    A1 = np.stack([z, 2 * Y[..., 0], -2 * Y[..., 1]], axis=-1)
    A = np.concatenate([A0.reshape(-1, 3), A1.reshape(-1, 3)])
    b = np.concatenate([lhs[..., 0].ravel(), lhs[..., 1].ravel()])
    # equal weight to both rows: scale each block by its magnitude
    s0 = np.abs(lhs[..., 0]).max() or 1.0
    s1 = np.abs(lhs[..., 1]).max() or 1.0
    wts = np.concatenate([np.full(A0.shape[0] * A0.shape[1], 1 / s0), np.full(A1.shape[0] * A1.shape[1], 1 / s1)])
    sol = np.linalg.lstsq(A * wts[:, None], b * wts, rcond=None)[0]
    return sol


def _chol(l11, l12, l22):
    """Cholesky parameters (c1, c2, c3) of l = [[l11, -l12], [-l12, l22]], regularised to stay definite."""
    l11 = max(l11, 1e-12)
    c1 = np.sqrt(l11)
    c2 = -l12 / c1
    c3 = np.sqrt(max(l22 - c2**2, 1e-6 * max(l22, 1e-12)))
    return np.array([c1, c2, c3])


def _from_chol(c):
    c1, c2, c3 = c
    return np.array([c1 * c1, -c1 * c2, c2 * c2 + c3 * c3])


def _fit_one(t, km, w0, data, sigma):
    """Weighted least squares of Lambda(t) w0 against data (p, t, 2); returns (l, cov, chi2_red, ok)."""
    def model(l):
        lam = lambda_matrix(t, km, conductance_matrix(*l))  # (t, 2, 2)
        return np.einsum("tij,pj->pti", lam, w0)

    def resid(c):
        return ((model(_from_chol(c)) - data) / sigma).ravel()

    l_start = _start_values(t, km, data)
    res = least_squares(resid, _chol(*l_start), method="lm", x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14,
                        max_nfev=2000)
    c = res.x
    l = _from_chol(c)
    dof = max(res.fun.size - 3, 1)
    chi2 = float(res.fun @ res.fun) / dof
    # covariance in c, then in l via the Jacobian of _from_chol
    Jc = res.jac
    try:
        cov_c = np.linalg.inv(Jc.T @ Jc)
    except np.linalg.LinAlgError:
        cov_c = np.full((3, 3), np.nan)
    c1, c2, c3 = c
    G = np.array([[2 * c1, 0, 0], [-c2, -c1, 0], [0, 2 * c2, 2 * c3]])
    cov = G @ cov_c @ G.T
    return l, cov, chi2, bool(res.success)


def fit_point(point: xr.Dataset, noise: float, seeds: list[int]) -> xr.Dataset:
    """Fit L11, L12, L22 to the (noisy) non-linear relaxation traces of one sweep point.

    ``noise``: Gaussian standard deviation relative to the initial imbalance: sigma_M = noise * max|Delta M| and
    sigma_T = noise * max|Delta T| over the valid traces (= Delta M(0) of the spin protocol and Delta T(0) of
    the thermal protocol when both are valid).  One realisation per seed, ``numpy.random.default_rng(seed)``.
    Returns a Dataset over dim ``realisation`` with ``L11_fit``, ``L12_fit``, ``L22_fit`` (units of the point's
    L11, L12, L22), their one-sigma fit errors ``*_err``, ``chi2_red`` and ``success``.  Pure function.
    """
    noise = float(noise)
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise={noise!r} must be finite and >= 0 (std relative to the initial imbalance)")
    seeds = [int(s) for s in seeds]
    if len(seeds) == 0:
        raise ValueError("seeds must contain at least one seed (one noise realisation each)")
    missing = [k for k in ("T", "A") if k not in point.attrs]
    if missing:
        raise ValueError(f"point dataset attrs lack {missing}: pass the Dataset returned by spinsweep.solvers.magnons.point "
                         f"(attrs T, J, A) unchanged; got attrs {sorted(point.attrs)}")
    T = float(point.attrs["T"])
    A = float(point.attrs["A"])
    unit = np.array([A * T, A * T, A * T**2])
    n = len(seeds)
    out = {k: np.full(n, np.nan) for k in ("L11", "L12", "L22", "L11_err", "L12_err", "L22_err", "chi2")}
    ok = np.zeros(n, bool)
    t, km, w = _traces(point)
    if w.shape[0] > 0:
        scale = np.array([np.max(np.abs(w[..., 0])), np.max(np.abs(w[..., 1]))])
        sigma = noise * scale if noise > 0 else np.where(scale > 0, scale, 1.0)
        w0 = w[:, 0, :]
        for r, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            data = w + (rng.standard_normal(w.shape) * (noise * scale) if noise > 0 else 0.0)
            l, cov, chi2, success = _fit_one(t, km, w0, data, sigma)
            if noise == 0:
                cov = cov * chi2  # unknown noise level: residual scale (model error only)
            err = np.sqrt(np.clip(np.diag(cov), 0, None))
            for j, k in enumerate(FIT_VARS):
                out[k][r] = l[j] * unit[j]
                out[k + "_err"][r] = err[j] * unit[j]
            out["chi2"][r] = chi2
            ok[r] = success
    units = {k: point[k].attrs.get("units", "") for k in FIT_VARS}
    data_vars = {}
    for k in FIT_VARS:
        data_vars[k + "_fit"] = ("realisation", out[k], {"units": units[k],
                                 "long_name": f"{k} fitted to the relaxation traces (linear model, slide 26)"})
        data_vars[k + "_err"] = ("realisation", out[k + "_err"], {"units": units[k],
                                 "long_name": f"one-sigma fit uncertainty of {k}"})
    data_vars["chi2_red"] = ("realisation", out["chi2"], {"units": "1", "long_name": "reduced chi-square of the fit"})
    data_vars["success"] = ("realisation", ok, {"units": "1", "long_name": "least-squares converged"})
    coords = {"realisation": ("realisation", np.arange(n), {"long_name": "noise realisation index"}),
              "seed": ("realisation", np.array(seeds, dtype=np.int64), {"long_name": "numpy default_rng seed"})}
    for c in ("h_over_T", "bias"):
        if c in point.coords:
            coords[c] = ((), float(point[c]), dict(point[c].attrs))
    return xr.Dataset(data_vars, coords=coords, attrs={"noise": noise})
