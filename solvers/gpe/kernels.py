"""Fused element-wise kernels of the split-step loop (numba; arrays of shape (B, 2, M), contiguous)."""

from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def local_real(psi, V, g11, g22, g12, tau):
    """psi_a *= exp(-i tau (V + g_aa n_a + g12 n_b)): the exact local sub-step in real time."""
    B, _, M = psi.shape
    nv = V.shape[0]
    for b in range(B):
        vb = b if nv > 1 else 0
        ga, gb, gx = g11[b], g22[b], g12[b]
        for i in range(M):
            p = psi[b, 0, i]
            m = psi[b, 1, i]
            np_ = p.real * p.real + p.imag * p.imag
            nm_ = m.real * m.real + m.imag * m.imag
            v = V[vb, i]
            tp = tau * (v + ga * np_ + gx * nm_)
            tm = tau * (v + gb * nm_ + gx * np_)
            c, s = math.cos(tp), math.sin(tp)
            psi[b, 0, i] = complex(p.real * c + p.imag * s, p.imag * c - p.real * s)
            c, s = math.cos(tm), math.sin(tm)
            psi[b, 1, i] = complex(m.real * c + m.imag * s, m.imag * c - m.real * s)


@nb.njit(cache=True, nogil=True)
def local_imag(psi, V, g11, g22, g12, tau, mu):
    """Local sub-step in imaginary time, d_tau psi_a = -(V + g_aa n_a + g12 n_b) psi_a, over tau.

    Unlike real time the densities change during the sub-step, so the frozen-density factor would be only
    first-order accurate (and would make the imaginary-time fixed point O(dt) off the ground state).  Heun's
    predictor-corrector on the exponent (theta averaged over the start and the predicted end) is second
    order.  ``mu`` (B,) is subtracted from the exponent (the running chemical potential), so that the norm
    hardly changes within a step: otherwise the nonlinear terms of later sub-steps would see a density
    shrunk by exp(-mu dt) and the fixed point would be O(dt) off (normalised gradient flow, Bao & Du 2004).
    """
    B, _, M = psi.shape
    nv = V.shape[0]
    for b in range(B):
        vb = b if nv > 1 else 0
        ga, gb, gx = g11[b], g22[b], g12[b]
        for i in range(M):
            p = psi[b, 0, i]
            m = psi[b, 1, i]
            np_ = p.real * p.real + p.imag * p.imag
            nm_ = m.real * m.real + m.imag * m.imag
            v = V[vb, i] - mu[b]
            tp = v + ga * np_ + gx * nm_
            tm = v + gb * nm_ + gx * np_
            fp, fm = math.exp(-2.0 * tau * tp), math.exp(-2.0 * tau * tm)  # predicted density factors
            np1, nm1 = np_ * fp, nm_ * fm
            tp1 = v + ga * np1 + gx * nm1
            tm1 = v + gb * nm1 + gx * np1
            psi[b, 0, i] = p * math.exp(-0.5 * tau * (tp + tp1))
            psi[b, 1, i] = m * math.exp(-0.5 * tau * (tm + tm1))


@nb.njit(cache=True, nogil=True)
def linear(psik, kin, U):
    """psik <- kin * U psik: kinetic phase (M,) times the exact 2x2 Rabi rotation U (B, 2, 2)."""
    B, _, M = psik.shape
    for b in range(B):
        u00, u01, u10, u11 = U[b, 0, 0], U[b, 0, 1], U[b, 1, 0], U[b, 1, 1]
        for i in range(M):
            p = psik[b, 0, i]
            m = psik[b, 1, i]
            k = kin[i]
            psik[b, 0, i] = k * (u00 * p + u01 * m)
            psik[b, 1, i] = k * (u10 * p + u11 * m)


def rabi_matrix(omega_R: np.ndarray, detuning: np.ndarray, tau: complex) -> np.ndarray:
    """exp(-i tau M) for M = [[delta/2, -Omega_R/2], [-Omega_R/2, -delta/2]], shape (B, 2, 2).

    M^2 = w^2 with w = sqrt(Omega_R^2 + delta^2)/2, so exp(-i tau M) = cos(w tau) - i sin(w tau) M / w
    (tau complex: tau = -i dt gives the imaginary-time factor exp(-dt M)).
    """
    w = 0.5 * np.hypot(omega_R, detuning)
    c = np.cos(w * tau)
    with np.errstate(divide="ignore", invalid="ignore"):
        sw = np.where(w > 0, np.sin(w * tau) / np.where(w > 0, w, 1.0), tau)  # sin(w tau)/w -> tau
    U = np.empty((omega_R.size, 2, 2), dtype=complex)
    U[:, 0, 0] = c - 1j * sw * (detuning / 2)
    U[:, 1, 1] = c + 1j * sw * (detuning / 2)
    U[:, 0, 1] = U[:, 1, 0] = 1j * sw * (omega_R / 2)
    return U
