"""Lab-unit views of torque-study data (GPE stores, LLE Datasets) and the parameters behind them.

Every analysis function of :mod:`spinsweep.analysis.torque` works on xarray objects whose coordinates are
``x`` in um and ``t`` in ms (the GPE stores of :mod:`spinsweep.solvers.gpe` are written that way for the paper
route).  :func:`lab` converts the other unit systems met in this project (LLE Datasets in m and s, dimensionless
stores in xi_R and 1/Omega_R) by rescaling *coordinates only*, so dask-backed variables stay lazy.
:func:`rabi_params` recovers the :class:`spinsweep.solvers.rabi.RabiParams` of a GPE store from its run record.

Extra dimensions (``shot``, ``point``, ``component``) pass through every function untouched.
"""

from __future__ import annotations

import json
import math

import numpy as np

from spinsweep.solvers.rabi import PRESETS, RabiParams

#: GPE config preset names -> spinsweep.solvers.rabi presets (as in spinsweep.solvers.gpe.units.PRESETS)
GPE_PRESETS = {"paper118": "fig3_118Hz", "paper62": "fig4b_62Hz"}

_LENGTH_UM = {"um": 1.0, "m": 1e6, "mm": 1e3}
_TIME_MS = {"ms": 1.0, "s": 1e3, "us": 1e-3}


def _record(ds) -> dict:
    params = ds.attrs.get("params", {})
    if isinstance(params, str):
        params = json.loads(params)
    return params


def rabi_params(ds, params: RabiParams | None = None) -> RabiParams:
    """The physical parameters of a run.

    ``params`` given: returned as is.  A GPE store of the paper route (config ``preset`` plus optional
    ``physical`` overrides, :func:`spinsweep.solvers.gpe.run.build_params`) is rebuilt from its run record; an
    LLE Dataset from its ``params_json`` attribute.  Anything else needs ``params``.
    """
    if params is not None:
        return params
    if "params_json" in ds.attrs:  # spinsweep.solvers.lle.evolve
        d = json.loads(ds.attrs["params_json"])
        R_x = math.inf if d["R_x"] == "inf" else d["R_x"]
        return RabiParams(omega_R=d["omega_R"], kappa_n0=d["kappa_n0"], R_x=R_x, dg_over_g=d["dg_over_g"],
                          m=d["m"], n0=d["n0"], R_r=d.get("R_r"), label=d.get("label", ""))
    cfg = _record(ds).get("config", {})
    name = cfg.get("preset")
    if name is None:
        raise ValueError("rabi_params: this store has no paper preset in its run record (a 'model' run); "
                         "pass params=RabiParams(...) explicitly")
    rp = PRESETS[GPE_PRESETS[name]]
    phys = cfg.get("physical") or {}
    if phys:
        kw = {"omega_R_hz": rp.omega_R / (2 * math.pi), "omega_R_over_kappa_n0": 1 / rp.Lambda0,
              "R_x_um": rp.R_x * 1e6, "dg_over_g": rp.dg_over_g, "N": 4.0 / 3.0 * rp.n0 * rp.R_x}
        kw.update(phys)
        rp = RabiParams.from_paper(**kw)
    return rp


def lab(obj, params: RabiParams | None = None):
    """``obj`` (Dataset or DataArray) with ``x`` in um, ``t`` in ms and a coordinate ``rabi_t = Omega_R t/2 pi``.

    Coordinates in m/s (LLE) or um/ms (GPE paper route) are rescaled; dimensionless coordinates (units "1",
    solver units xi_R and 1/Omega_R) need ``params``.  Data variables are not touched (they stay lazy).
    """
    out = obj
    units_x = out.x.attrs.get("units", "um")
    units_t = out.t.attrs.get("units", "ms") if "t" in out.coords else "ms"
    if units_x == "1" or units_t == "1":
        if params is None:
            raise ValueError("lab: dimensionless coordinates (units '1') need params=RabiParams(...)")
        u = params.units()
    if units_x == "1":
        fx = u.length * 1e6
    elif units_x in _LENGTH_UM:
        fx = _LENGTH_UM[units_x]
    else:
        raise ValueError(f"x.units={units_x!r}: allowed {sorted(_LENGTH_UM)} or '1'")
    out = out.assign_coords(x=("x", out.x.values * fx, {"units": "um", "long_name": "axial position x"}))
    if "t" in out.coords:
        if units_t == "1":
            ft = u.time * 1e3
        elif units_t in _TIME_MS:
            ft = _TIME_MS[units_t]
        else:
            raise ValueError(f"t.units={units_t!r}: allowed {sorted(_TIME_MS)} or '1'")
        t_ms = out.t.values * ft
        out = out.assign_coords(t=("t", t_ms, {"units": "ms", "long_name": "time after the quench"}))
        p = params if params is not None else _try_params(obj)
        if p is not None:
            out = out.assign_coords(rabi_t=("t", t_ms * 1e-3 * p.omega_R / (2 * np.pi),
                                            {"units": "1", "long_name": "Omega_R t / 2 pi"}))
    return out


def _try_params(obj):
    try:
        return rabi_params(obj)
    except (ValueError, KeyError, AttributeError):
        return None


def rabi_period_ms(params: RabiParams) -> float:
    """2 pi / Omega_R in ms."""
    return 2e3 * math.pi / params.omega_R


def speeds_mm_s(params: RabiParams) -> dict[str, float]:
    """Spin sound c_s (2 m c_s^2 = hbar kappa n0) and density sound c (m c^2 = hbar kappa n0 g/(g - g12)) at
    the centre, mm/s (seed, text after Fig. 3)."""
    return {"c_s": float(params.c_s(0.0)) * 1e3, "c": float(params.c(0.0)) * 1e3}


def n_tf(params: RabiParams, x_um) -> np.ndarray:
    """Thomas-Fermi n(x)/n0 = 1 - x^2/R_x^2 (seed text before Fig. 2), x in um."""
    return params.density_profile(np.asarray(x_um, dtype=float) * 1e-6)
