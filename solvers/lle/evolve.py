"""Public entry point of the LLE solver: SI in, xarray Dataset out (seed Eqs. 1-2; Fig. 2c-d).

``evolve(params, x, t_out, quantum_torque=True, s0=None)``:

* ``params`` -- :class:`spinsweep.solvers.rabi.RabiParams` (R_x = inf for a homogeneous gas);
* ``x`` -- uniform grid [m], periodic (the point x[-1] + dx is x[0]); for a trapped cloud it must extend beyond
  +-R_x (the Thomas-Fermi edge is regularised, see :mod:`spinsweep.solvers.lle.core`);
* ``t_out`` -- output times [s], increasing, t_out[0] = start of the evolution;
* ``s0`` -- initial spin direction, shape (len(x), 3); |s| = n(x) is imposed (n is fixed in the LLE).
  Default: fully polarised s = (0, 0, -n) (the experiment's |1,-1> start).

The Dataset has dims (t, x, component) and variables ``s`` (s/n0), ``Z`` (s_z/n), ``n`` (n_reg/n0, the density
used), and optionally ``j_s`` (quantum-torque spin current); coordinates t [s], x [m], component, and the
dimensionless ``Omega_R_t``.  Attrs hold ``params_json`` (SI parameter set as JSON), the unit scales and the integrator settings.
Resolution preconditions (dx vs xi_s, xi_R) are checked; ``check_resolution=False`` skips them.
``scheme``: "fd4" (default; staggered fourth-order finite differences) or "spectral" (Fourier);
``method``: "DOP853" (default, adaptive) or "RK4" (fixed step).  Costs: benchmarks/bench_lle.py.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

from .core import GRIDS, LLE, regularised_density

#: grid must resolve the shortest healing length with at least this many points
POINTS_PER_HEALING_LENGTH = 2.0


def _uniform_grid(x) -> tuple[np.ndarray, float]:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 8:
        raise ValueError(f"x: must be a 1-D array of at least 8 positions (got shape {x.shape})")
    dx = np.diff(x)
    if np.any(dx <= 0) or not np.allclose(dx, dx[0], rtol=1e-9, atol=0):
        raise ValueError("x: must be uniformly spaced and increasing (periodic Fourier grid)")
    return x, float(dx[0])


def build(params, x, *, quantum_torque: bool = True, n_floor: float = 0.02, scheme: str = "fd4",
          check_resolution: bool = True) -> tuple[LLE, np.ndarray]:
    """The dimensionless :class:`~spinsweep.solvers.lle.core.LLE` for ``params`` on grid ``x`` [m], and x/xi_R."""
    x, dx = _uniform_grid(x)
    if scheme not in GRIDS:
        raise ValueError(f"scheme = {scheme!r}: allowed {sorted(GRIDS)}")
    if not (0.0 < n_floor < 0.5):
        raise ValueError(f"n_floor = {n_floor!r}: must be in (0, 0.5) (units of n0)")
    u = params.units()
    if math.isfinite(params.R_x):
        half = 0.5 * (x[-1] - x[0] + dx)
        if x[0] > -params.R_x or x[-1] < params.R_x:
            raise ValueError(f"x: the periodic grid [{x[0]:.4g}, {x[-1]:.4g}] m must contain the whole cloud "
                             f"(|x| <= R_x = {params.R_x:.4g} m); half-width {half:.4g} m")
        if abs(x[0] + x[-1] + dx) > 1e-6 * half and abs(x[0] + x[-1]) > 1e-6 * half:
            raise ValueError("x: the grid must be centred on the trap (x = 0) so the density is periodic")
    if check_resolution:
        xi_s = float(params.xi_s(0.0))
        limit = min(xi_s, params.xi_R) / POINTS_PER_HEALING_LENGTH
        if dx > limit:
            raise ValueError(f"x: spacing dx = {dx:.3g} m does not resolve the healing lengths "
                             f"(xi_s = {xi_s:.3g} m, xi_R = {params.xi_R:.3g} m); need dx <= {limit:.3g} m "
                             f"({POINTS_PER_HEALING_LENGTH:g} points per healing length)")
    xt = x / u.length
    grid = GRIDS[scheme](x.size, dx / u.length)
    R = params.R_x / u.length
    n = regularised_density(xt, R, n_floor)
    n_w = regularised_density(grid.weight_positions(xt), R, n_floor)
    return LLE(grid, n, params.Lambda0, quantum_torque=quantum_torque, n_w=n_w), xt


def initial_spin(model: LLE, s0=None) -> np.ndarray:
    """s(0) = n u0 with u0 = s0/|s0| (default u0 = (0, 0, -1))."""
    N = model.grid.N
    if s0 is None:
        u0 = np.zeros((N, 3))
        u0[:, 2] = -1.0
    else:
        u0 = np.asarray(s0, dtype=float)
        if u0.shape != (N, 3):
            raise ValueError(f"s0: must have shape (len(x), 3) = ({N}, 3), got {u0.shape}")
        norm = np.linalg.norm(u0, axis=1)
        if np.any(norm == 0) or not np.all(np.isfinite(norm)):
            raise ValueError("s0: every point needs a finite, non-zero spin (its direction is used)")
        u0 = u0 / norm[:, None]
    return model.n[:, None] * u0


def evolve(params, x, t_out, quantum_torque: bool = True, s0=None, *, n_floor: float = 0.02,
           scheme: str = "fd4", method: str = "DOP853", rtol: float = 1e-8, atol: float = 1e-10, dt: float | None = None,
           store_current: bool = False, check_resolution: bool = True):
    """Evolve the LLE (seed Eqs. 1-2, n fixed, v = 0) and return an xarray Dataset (module docstring).

    ``method``: "DOP853" (scipy, adaptive, rtol/atol) or "RK4" (fixed step ``dt`` in s; default half the RK4
    stability bound 2 sqrt(2)/omega_max; several times cheaper for long runs, see benchmarks/bench_lle.py)."""
    import xarray as xr

    t_out = np.asarray(t_out, dtype=float)
    if t_out.ndim != 1 or t_out.size < 1 or np.any(np.diff(t_out) <= 0):
        raise ValueError("t_out: must be a 1-D increasing array of times in s")
    model, xt = build(params, x, quantum_torque=quantum_torque, n_floor=n_floor, scheme=scheme,
                      check_resolution=check_resolution)
    u = params.units()
    tt = t_out / u.time
    s_init = initial_spin(model, s0)
    wall = time.perf_counter()
    if method not in ("DOP853", "RK4"):
        raise ValueError(f"method = {method!r}: allowed 'DOP853', 'RK4'")
    if tt.size == 1:
        S = s_init[None]
    elif method == "RK4":
        S = model.integrate_rk4(s_init, tt, None if dt is None else dt / u.time)
    else:
        sol = model.integrate(s_init, tt, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"LLE integration failed: {sol.message}")
        S = sol.y.T.reshape(tt.size, model.grid.N, 3)
    wall = time.perf_counter() - wall
    n = model.n
    data = {
        "s": (("t", "x", "component"), S,
              {"units": "1", "long_name": "spin density s/n0 (s = Tr(sigma Psi* x Psi))"}),
        "Z": (("t", "x"), S[..., 2] / n, {"units": "1", "long_name": "relative magnetisation Z = s_z/n"}),
        "n": ("x", n, {"units": "1", "long_name": "density n/n0 used (Thomas-Fermi, edge regularised)"}),
    }
    if store_current:
        J = np.stack([model.spin_current(Si) for Si in S])
        data["j_s"] = (("t", "x", "component"), J,
                       {"units": "1", "long_name": "quantum-torque spin current j_s / (n0 xi_R Omega_R)"})
    return xr.Dataset(
        data,
        coords={"t": ("t", t_out, {"units": "s", "long_name": "time"}),
                "x": ("x", np.asarray(x, dtype=float), {"units": "m", "long_name": "axial position"}),
                "component": ("component", np.array(["x", "y", "z"], dtype=object)),
                "Omega_R_t": ("t", tt, {"units": "1", "long_name": "dimensionless time Omega_R t"})},
        attrs={"model": "1D Landau-Lifshitz equation, Farolfi 2023 Eqs. 1-2 (n fixed, v = 0)",
               "quantum_torque": int(bool(quantum_torque)), "params_json": json.dumps(params.to_dict()),
               "time_unit_s": u.time, "length_unit_m": u.length, "n_floor": n_floor, "scheme": scheme,
               "integrator": "scipy DOP853" if method == "DOP853" else "RK4 fixed step",
               "rtol": rtol, "atol": atol, "dt_s": "auto" if dt is None else dt, "solver_wall_s": wall,
               "H": "(-Omega_R, 0, kappa s_z)"},
    )
