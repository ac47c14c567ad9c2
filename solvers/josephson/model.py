"""Homogeneous two-mode (Josephson) dynamics of the Rabi-coupled mixture: Z(t), phi(t).

Seed Eq. (1) without spin current (main text: "Equation (1) reduces to ds/dt = H(s) x s, i.e. equivalent to the
Josephson equations"), in units of Omega_R and with ``u = s/n``:

    du/dt = H(u) x u,     H(u) = (-1, 0, Lambda u_z),     Lambda = kappa n / Omega_R,

with ``u = (sqrt(1-Z^2) cos phi, sqrt(1-Z^2) sin phi, Z)`` (seed text before Fig. 2).  In (Z, phi) this is the
bosonic Josephson junction of Smerzi et al. (ref. [7]) with Rabi coupling:

    dZ/dt = -sqrt(1 - Z^2) sin(phi),     dphi/dt = Lambda Z + Z cos(phi)/sqrt(1 - Z^2).

We integrate the Cartesian form, which is regular at the poles Z = +-1 where phi is undefined (the fully
polarised start Z = -1 sits exactly there), with scipy's DOP853.  Conserved: ``|u| = 1`` and
``E = -u_x + Lambda u_z^2/2`` (:func:`energy`).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp


def rhs(t, u, Lambda: float):
    """du/dt = H(u) x u with H = (-1, 0, Lambda u_z) (units of Omega_R)."""
    ux, uy, uz = u
    hz = Lambda * uz
    # (H x u) with H = (-1, 0, hz)
    return np.array([-hz * uy, hz * ux + uz, -uy])


def energy(u, Lambda: float) -> np.ndarray:
    """Conserved energy per atom, E = -u_x + Lambda u_z^2/2, in units of hbar Omega_R/2
    (interaction + Rabi energy -hbar Omega_R s_x/2 + hbar kappa s_z^2/4, divided by n)."""
    u = np.asarray(u, dtype=float)
    return -u[..., 0] + 0.5 * Lambda * u[..., 2] ** 2


def initial_state(Z0: float = -1.0, phi0: float = 0.0) -> np.ndarray:
    """u(0) from Z0 in [-1, 1] and phi0."""
    Z0 = float(Z0)
    if not (-1.0 <= Z0 <= 1.0):
        raise ValueError(f"Z0 = {Z0!r}: must be in [-1, 1]")
    r = np.sqrt(1.0 - Z0 ** 2)
    return np.array([r * np.cos(phi0), r * np.sin(phi0), Z0])


def integrate(Lambda: float, t, *, Z0: float = -1.0, phi0: float = 0.0, rtol: float = 1e-11,
              atol: float = 1e-13, events=None):
    """Integrate du/dt = H(u) x u; returns scipy's OdeResult (t, y with shape (3, len(t)), t_events)."""
    Lambda = float(Lambda)
    if not np.isfinite(Lambda):
        raise ValueError(f"Lambda = {Lambda!r}: must be finite")
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or t.size < 1 or np.any(np.diff(t) <= 0) or t[0] < 0:
        raise ValueError("t: must be a 1-D increasing array of times >= 0 (units 1/Omega_R)")
    u0 = initial_state(Z0, phi0)
    return solve_ivp(rhs, (0.0, float(t[-1])), u0, method="DOP853", t_eval=t, rtol=rtol, atol=atol,
                     args=(Lambda,), events=events)


def evolve(Lambda: float, t, *, Z0: float = -1.0, phi0: float = 0.0, rtol: float = 1e-11,
           atol: float = 1e-13):
    """Josephson dynamics as an xarray Dataset with Z(t), phi(t), u(t, component) (seed Eq. 1, homogeneous).

    ``t`` in units of 1/Omega_R (increasing, >= 0).  Default start s(0) = (0, 0, -n).
    phi is unwrapped (continuous; it runs in the self-trapped regime) and NaN where Z = +-1 exactly.
    """
    import xarray as xr

    sol = integrate(Lambda, t, Z0=Z0, phi0=phi0, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"Josephson integration failed: {sol.message}")
    u = sol.y.T
    Z = u[:, 2]
    phi = np.arctan2(u[:, 1], u[:, 0])
    pole = np.hypot(u[:, 0], u[:, 1]) == 0.0
    phi = np.unwrap(np.where(pole, 0.0, phi))
    phi[pole] = np.nan
    return xr.Dataset(
        {
            "Z": ("t", Z, {"units": "1", "long_name": "relative magnetisation Z = s_z/n"}),
            "phi": ("t", phi, {"units": "rad", "long_name": "relative phase phi = arg(s_x + i s_y) (unwrapped)"}),
            "u": (("t", "component"), u, {"units": "1", "long_name": "normalised spin s/n"}),
            "energy": ("t", energy(u, Lambda),
                       {"units": "1", "long_name": "E = -u_x + Lambda u_z^2/2 (units hbar Omega_R/2 per atom)"}),
        },
        coords={"t": ("t", sol.t, {"units": "1/Omega_R", "long_name": "time Omega_R t"}),
                "component": ("component", np.array(["x", "y", "z"], dtype=object))},
        attrs={"model": "Rabi-coupled bosonic Josephson junction (Farolfi 2023 Eq. 1, homogeneous)",
               "Lambda": float(Lambda), "Z0": float(Z0), "phi0": float(phi0),
               "H": "(-Omega_R, 0, kappa s_z)"},
    )


def measured_frequency(Lambda: float, *, n_periods: int = 6, rtol: float = 1e-12, atol: float = 1e-14) -> float:
    """Angular frequency of Z(t) from direct ODE integration (independent of the closed form): times where
    u_y crosses zero downwards (Z has a minimum there since dZ/dt = -u_y, so these recur once per period),
    located by solve_ivp's root finder; period = least-squares slope of t_k versus k.  Start s(0) = (0,0,-n).
    """
    from .frequency import period as exact_period

    Lambda = float(Lambda)
    T_guess = float(exact_period(Lambda))
    if not np.isfinite(T_guess):
        raise ValueError(f"Lambda = {Lambda!r}: no finite period at the separatrix |Lambda| = 2")

    def crossing(t, u, Lambda):
        return u[1]
    crossing.direction = -1.0

    t_end = (n_periods + 0.5) * T_guess
    sol = integrate(Lambda, np.array([t_end]), rtol=rtol, atol=atol, events=crossing)
    tk = sol.t_events[0]
    tk = tk[tk > 0.25 * T_guess]          # the start (t = 0) is itself such a point
    tk = np.concatenate([[0.0], tk])
    k = np.arange(tk.size)
    T = np.polyfit(k, tk, 1)[0]
    return 2.0 * np.pi / T
