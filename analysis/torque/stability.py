"""Modulational (parametric) instability of the self-trapped Josephson orbit (why noisy shots break in the bulk).

The seed's self-trapped centre precesses on a homogeneous Josephson orbit that never changes the sign of Z
(text before Fig. 2; Eqs. 4-6 with the gradient terms dropped).  Linearising the two coupled GPEs (Methods,
the GPE behind Eqs. 1-3; hbar = m = 1, time 1/Omega_R, length xi_R = sqrt(hbar/(m Omega_R)), density n)

    i d psi_j/dt = [-d_x^2/2 + g |psi_j|^2 + g12 |psi_l|^2] psi_j - (Omega_R/2) psi_l,     kappa n = (g - g12) n,

around the homogeneous orbit psi_j(t) (all atoms in |1,-1> at t = 0) with fluctuations
(u_1, u_2, v_1, v_2) e^{ikx} gives the Bogoliubov-Floquet problem i dw/dt = L_k(t) w,

    L_k = [[k^2/2 + M, N], [-N^*, -(k^2/2 + M^*)]],
    M_jj = 2 g |psi_j|^2 + g12 |psi_l|^2,  M_jl = g12 psi_j psi_l^* - Omega_R/2,  N_jj = g psi_j^2,  N_jl = g12 psi_j psi_l.

:func:`floquet_growth` integrates the orbit and the 4x4 propagator W_k(t) (RK4) and returns the Lyapunov rate
lim (1/t) ln ||W_k(t)|| per k (the largest |Floquet multiplier|^(1/T) of the periodic orbit, without having to
find the period and the global phase).  For the seed's centre (Lambda0 = kappa n0/Omega_R = 3.03, delta_g/g =
0.07) a narrow band around k = 1.55/xi_R is unstable with rate 0.34 Omega_R: fluctuations grow by e^{0.34 x 2 pi}
~ 8.5 per Rabi period at a wavelength 2 pi xi_R/1.55 ~ 7.8 um.  A deterministic GPE has no seed in that band
(only round-off), so its centre stays quiet (the paper's simulation, Fig. 3b); a truncated-Wigner shot seeds it
with half an atom per mode and the centre breaks by itself after ~2 Rabi periods
(:mod:`spinsweep.solvers.gpe.noise`, where the measured numbers are written down).  Across the reduced sweep
(118 Hz cloud, Omega_R/(kappa n0) = 0.25, 0.33, 0.40: rates 0.244, 0.338, 0.432 Omega_R) and the 62 Hz cloud
(0.277), the measured centre breaking times (2-4 truncated-Wigner shots: 4.65, 3.32, 2.01 and 3.55 Rabi periods)
correspond to 2 pi x rate x t = 7.1, 7.1, 5.5 and 6.2 e-folds: the same vacuum seed amplified to saturation
(the 0.40 point's smaller quiet centre is reached by the fronts earlier).
"""

from __future__ import annotations

import math

import numpy as np


def _generator(psi: np.ndarray, k2: np.ndarray, g: float, g12: float, omega: float) -> np.ndarray:
    """L_k (nk, 4, 4) of the module docstring at the orbit point psi = (psi_1, psi_2)."""
    p1, p2 = psi
    M = np.array([[2 * g * abs(p1) ** 2 + g12 * abs(p2) ** 2, g12 * p1 * np.conj(p2) - 0.5 * omega],
                  [g12 * p2 * np.conj(p1) - 0.5 * omega, 2 * g * abs(p2) ** 2 + g12 * abs(p1) ** 2]])
    N = np.array([[g * p1 ** 2, g12 * p1 * p2], [g12 * p1 * p2, g * p2 ** 2]])
    eye = np.eye(2)
    L = np.empty((k2.size, 4, 4), dtype=complex)
    L[:, :2, :2] = M + 0.5 * k2[:, None, None] * eye
    L[:, :2, 2:] = N
    L[:, 2:, :2] = -np.conj(N)
    L[:, 2:, 2:] = -(np.conj(M) + 0.5 * k2[:, None, None] * eye)
    return L


def _orbit_rhs(psi: np.ndarray, g: float, g12: float, omega: float) -> np.ndarray:
    n = np.abs(psi) ** 2
    return -1j * np.array([(g * n[0] + g12 * n[1]) * psi[0] - 0.5 * omega * psi[1],
                           (g * n[1] + g12 * n[0]) * psi[1] - 0.5 * omega * psi[0]])


def floquet_growth(Lambda0: float, dg_over_g: float, k_xi_R, *, periods: float = 8.0,
                   dt: float | None = None) -> dict:
    """Growth rates (units Omega_R) of fluctuations of wave number ``k_xi_R`` (units 1/xi_R) on the homogeneous
    orbit that starts with all atoms in one component (module docstring), at Lambda0 = kappa n/Omega_R.

    Returns {"k": k (1/xi_R), "rate": Lyapunov rate per k (Omega_R), "k_max", "rate_max", "Z_range": (min, max)
    of Z on the orbit, "norm_drift": |n(t_end) - 1|}.  The rate is the slope of ln ||W_k(t)|| over the second
    half of ``periods`` Rabi periods (shorter runs read transients; the sampling error is ~0.05 Omega_R for 8
    periods at rates near 0)."""
    if not (Lambda0 > 0 and 0 < dg_over_g < 1):
        raise ValueError(f"floquet_growth: Lambda0 = {Lambda0!r} must be > 0 and dg_over_g = {dg_over_g!r} in (0, 1)")
    k = np.atleast_1d(np.asarray(k_xi_R, dtype=float))
    g = Lambda0 / dg_over_g
    g12 = g * (1.0 - dg_over_g)
    omega = 1.0
    if dt is None:
        dt = min(0.002, 0.1 / g)
    t_end = periods * 2 * math.pi
    nsteps = int(math.ceil(t_end / dt))
    dt = t_end / nsteps
    k2 = k ** 2
    psi = np.array([0j, 1.0 + 0j])
    W = np.tile(np.eye(4, dtype=complex), (k.size, 1, 1))
    log_norm = np.zeros(k.size)
    renorm = max(1, int(round(0.05 * 2 * math.pi / dt)))  # renormalise W every 0.05 Rabi periods
    times, logs, zs = [], [], []
    for i in range(nsteps):
        a1 = _orbit_rhs(psi, g, g12, omega)
        p2 = psi + 0.5 * dt * a1
        a2 = _orbit_rhs(p2, g, g12, omega)
        p3 = psi + 0.5 * dt * a2
        a3 = _orbit_rhs(p3, g, g12, omega)
        p4 = psi + dt * a3
        a4 = _orbit_rhs(p4, g, g12, omega)
        L1, L2, L3, L4 = (_generator(p, k2, g, g12, omega) for p in (psi, p2, p3, p4))
        b1 = -1j * L1 @ W
        b2 = -1j * L2 @ (W + 0.5 * dt * b1)
        b3 = -1j * L3 @ (W + 0.5 * dt * b2)
        b4 = -1j * L4 @ (W + dt * b3)
        W = W + dt / 6 * (b1 + 2 * b2 + 2 * b3 + b4)
        psi = psi + dt / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
        n1, n2 = abs(psi[0]) ** 2, abs(psi[1]) ** 2
        zs.append((n1 - n2) / (n1 + n2))
        if (i + 1) % renorm == 0 or i == nsteps - 1:
            s = np.linalg.norm(W, ord=2, axis=(1, 2))
            log_norm += np.log(s)
            W = W / s[:, None, None]
            times.append((i + 1) * dt)
            logs.append(log_norm.copy())
    t = np.asarray(times)
    ln = np.asarray(logs)
    late = t >= 0.5 * t[-1]
    rate = np.polyfit(t[late], ln[late], 1)[0]
    j = int(np.argmax(rate))
    return {"k": k, "rate": rate, "k_max": float(k[j]), "rate_max": float(rate[j]),
            "Z_range": (float(min(zs)), float(max(zs))), "norm_drift": float(abs(np.sum(np.abs(psi) ** 2) - 1.0))}


def centre_instability(params, *, k_xi_R=None, periods: float = 6.0) -> dict:
    """:func:`floquet_growth` at the cloud centre of ``params`` (RabiParams): the fastest-growing wave number in
    1/um and as a wavelength, its rate in Omega_R and as e-folds per Rabi period."""
    if k_xi_R is None:
        k_xi_R = np.linspace(0.9, 2.6, 18)
    out = floquet_growth(params.Lambda0, params.dg_over_g, k_xi_R, periods=periods)
    xi_R_um = params.xi_R * 1e6
    return {"floquet_rate_omega_R": out["rate_max"], "floquet_efolds_per_period": 2 * math.pi * out["rate_max"],
            "floquet_k_per_um": out["k_max"] / xi_R_um, "floquet_wavelength_um": 2 * math.pi * xi_R_um / out["k_max"]}
