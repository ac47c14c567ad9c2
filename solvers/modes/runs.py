"""The modes study's runs as xarray Datasets (named dims, units and long names on every variable).

* :func:`fig2_dataset` -- Fig. 2a-c (coherent states, three regimes + storage);
* :func:`fig4_dataset` -- Fig. 4a-b (two-mode perfect polarization vs diffusion modes, imperfect polarization);
* :func:`convergence_dataset` -- Fig. 4 numbers vs modes per species;
* :func:`polarization_map`, :func:`field_density_map` -- sweep maps over (p_a, p_b) and (B, n_a).

The Datasets carry the mixture (``Mixture.as_dict``) in attrs; the workflow writes them to stores.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .params import Mixture, k39_he3
from .protocols import fig2_regimes, fig4, mode_convergence, sweep_point

_UNITS = {
    "J_per_s": ("1/s", "coupling rate J"), "gamma_per_s": ("1/s", "alkali relaxation gamma (lowest mode)"),
    "J_over_gamma": ("1", "J / gamma"), "P2_max": ("1", "max P(exactly 2 in the noble-gas uniform mode)"),
    "sq_Ky_db_best": ("dB", "best K_y squeezing (negative: below vacuum)"),
    "t_store_s": ("s", "best storage time (maximal P2)"), "eta_max": ("1", "max transfer efficiency |u|^2"),
    "Delta_per_s": ("1/s", "detuning Delta(B)"),
}


def fig2_dataset(gamma_per_s: float = 17.5, n0: float = 1000.0, n_t: int = 4000) -> xr.Dataset:
    regimes = fig2_regimes(gamma_per_s, n0, n_t)
    names = list(regimes)
    ds = xr.Dataset(
        {"t": (("regime", "sample"), np.array([regimes[k]["t"] for k in names]), {"units": "s", "long_name": "time"}),
         "n_a": (("regime", "sample"), np.array([regimes[k]["n_a"] for k in names]),
                 {"units": "1", "long_name": "alkali excitations <a^dag a>"}),
         "n_b": (("regime", "sample"), np.array([regimes[k]["n_b"] for k in names]),
                 {"units": "1", "long_name": "noble-gas excitations <b^dag b>"}),
         "J": ("regime", [regimes[k]["J"] for k in names], {"units": "1/s", "long_name": "coupling rate J"}),
         "Delta": ("regime", [regimes[k]["Delta"] for k in names],
                   {"units": "1/s", "long_name": "detuning (after the switch for strong_stored)"}),
         "t_switch": ("regime", [regimes[k].get("t_switch", np.nan) for k in names],
                      {"units": "s", "long_name": "time of the detuning switch"})},
        coords={"regime": ("regime", np.array(names)), "sample": ("sample", np.arange(n_t))},
        attrs={"gamma_per_s": gamma_per_s, "n0": n0, "model": "Eq. 2, coherent states (exact Gaussian means)"})
    return ds


def fig4_dataset(mix: Mixture | None = None, n_modes: int = 100, n_t: int = 201, B_store_G: float = 0.18) -> xr.Dataset:
    mix = k39_he3() if mix is None else mix
    out = fig4(mix, n_modes, n_t, B_store_G=B_store_G)
    curves = ["two_mode", "two_mode_stored", "diffusion", "diffusion_stored"]
    t = out["two_mode"]["t"]
    var = {}
    for key, units, name in (("P2", "1", "P(exactly 2 excitations in the noble-gas uniform mode)"),
                             ("eta", "1", "transfer efficiency |u|^2 of the signal mode"),
                             ("n_env", "1", "background occupation of the noble-gas uniform mode"),
                             ("sq_Ky_db", "dB", "K_y variance / vacuum (negative: squeezed)"),
                             ("sq_min_db", "dB", "minimal quadrature variance / vacuum")):
        var[key] = (("curve", "t"), np.array([out[c][key] for c in curves]), {"units": units, "long_name": name})
    return xr.Dataset(var, coords={"curve": ("curve", np.array(curves)), "t": ("t", t, {"units": "s", "long_name": "time"})},
                      attrs={**mix.as_dict(), **mix.summary(), "n_modes": n_modes, "B_store_G": B_store_G,
                             "t_transfer_s": out["t_transfer"], "squeeze_in_db": 7.0,
                             "uniform_captured": out["diffusion"]["uniform_captured"]})


def convergence_dataset(mix: Mixture | None = None, n_modes=(10, 25, 50, 100, 150), n_t: int = 121) -> xr.Dataset:
    mix = k39_he3() if mix is None else mix
    r = mode_convergence(mix, n_modes, n_t)
    ds = xr.Dataset(coords={"n_modes": ("n_modes", r["n_modes"], {"units": "1", "long_name": "modes per species"})},
                    attrs={**mix.as_dict(), **mix.summary()})
    for key, units, name in (("P2_transfer", "1", "P2 at t = pi/(2J)"), ("P2_max", "1", "max P2"),
                             ("sq_Ky_db_transfer", "dB", "K_y squeezing at t = pi/(2J)"),
                             ("sq_Ky_db_best", "dB", "best K_y squeezing"),
                             ("uniform_captured", "1", "weight of the uniform alkali profile on the kept modes")):
        ds[key] = ("n_modes", r[key], {"units": units, "long_name": name})
    return ds


def _map(points, dims, coords, attrs):
    shape = tuple(len(coords[d][1]) for d in dims)
    ds = xr.Dataset(coords={d: (d, coords[d][1], {"units": coords[d][0], "long_name": d}) for d in dims}, attrs=attrs)
    for key, (units, name) in _UNITS.items():
        ds[key] = (dims, np.array([p[key] for p in points]).reshape(shape), {"units": units, "long_name": name})
    return ds


def polarization_map(p_a, p_b, mix: Mixture | None = None, n_modes: int = 24, n_t: int = 121) -> xr.Dataset:
    """Sweep map over (p_a, p_b) at the compensation field (diffusion modes, imperfect polarization)."""
    mix = k39_he3() if mix is None else mix
    pts = [sweep_point(mix.replace(p_a=float(pa), p_b=float(pb)), None, n_modes, n_t=n_t) for pa in p_a for pb in p_b]
    return _map(pts, ("p_a", "p_b"), {"p_a": ("1", np.asarray(p_a, float)), "p_b": ("1", np.asarray(p_b, float))},
                {**mix.as_dict(), "n_modes": n_modes, "field": "compensation"})


def field_density_map(B_mG, n_a_cm3, mix: Mixture | None = None, n_modes: int = 24, n_t: int = 121) -> xr.Dataset:
    """Sweep map over (B, n_a): Delta(B) stays constant during the exchange (diffusion modes)."""
    mix = k39_he3() if mix is None else mix
    pts = [sweep_point(mix.replace(n_a_cm3=float(na)), float(B) * 1e-3, n_modes, n_t=n_t)
           for B in B_mG for na in n_a_cm3]
    ds = _map(pts, ("B_mG", "n_a_cm3"), {"B_mG": ("mG", np.asarray(B_mG, float)),
                                        "n_a_cm3": ("cm^-3", np.asarray(n_a_cm3, float))},
              {**mix.as_dict(), "n_modes": n_modes})
    ds["B_compensation_mG"] = ("n_a_cm3", [1e3 * mix.replace(n_a_cm3=float(na)).B_compensation_G for na in n_a_cm3],
                               {"units": "mG", "long_name": "compensation field"})
    return ds


def density_radius_map(n_b_cm3, R_cm, mix: Mixture | None = None, n_modes: int = 24, n_t: int = 121) -> xr.Dataset:
    """Sweep map over (n_b, R) at each point's compensation field: the noble-gas density sets J (Eq. 12's
    J = zeta sqrt(q p_a p_b n_a n_b)/2) and the cell radius the diffusion relaxation D pi^2/R^2 of the
    non-uniform modes (Methods, Eqs. 18, S2-S4) that the uniform modes exchange excitations with."""
    mix = k39_he3() if mix is None else mix
    pts = [sweep_point(mix.replace(n_b_cm3=float(nb), R_cm=float(R)), None, n_modes, n_t=n_t)
           for nb in n_b_cm3 for R in R_cm]
    return _map(pts, ("n_b_cm3", "R_cm"), {"n_b_cm3": ("cm^-3", np.asarray(n_b_cm3, float)),
                                          "R_cm": ("cm", np.asarray(R_cm, float))},
                {**mix.as_dict(), "n_modes": n_modes, "field": "compensation"})


def clean_attrs(ds: xr.Dataset) -> xr.Dataset:
    """Store-safe attrs: inf -> the string 'inf'."""
    ds.attrs = {k: ("inf" if isinstance(v, float) and math.isinf(v) else v) for k, v in ds.attrs.items()}
    return ds
