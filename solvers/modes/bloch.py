"""Mean-field Bloch equations of the mixture (Eq. 1) with SEOP transfer, an axial field and relaxation.

Per-atom mean spins f = <f_a> (alkali, f = q s) and k = <k_b> (noble gas):

    df/dt = n_b zeta k x f + n_b k_se (q k - f) + omega_a z x f - Gamma_a (f - f_p),
    dk/dt = n_a zeta f x k + n_a k_se (f/q - k) + omega_b z x k - gamma_b k,

with omega_{a,b} = g_{a,b} B.  The first two terms on each line are Eq. (1); the field, the alkali
relaxation towards the optically pumped spin f_p (rate Gamma_a, zero by default) and the noble-gas
relaxation gamma_b (Eq. 17) are optional additions.  With Gamma_a > 0 and f_p along z the k_se terms
polarize the noble gas (spin-exchange optical pumping): k_z -> f_pz/q * n_a k_se / (n_a k_se + gamma_b).

For small tilts about f_z = -q p_a/2, k_z = -p_b/2 the linearised equations are Eq. (2) with
a = sqrt(N_a/(q p_a)) f_-, b = sqrt(N_b/p_b) k_- (main text), coupling J and detuning -Delta(B)
(this frame is the complex conjugate of Eq. 2's, which leaves populations unchanged).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from .params import Mixture


def bloch_rhs(y, n_a, n_b, zeta, k_se, q, omega_a=0.0, omega_b=0.0, Gamma_a=0.0, f_p=(0, 0, 0), gamma_b=0.0):
    f, k = y[:3], y[3:]
    z = np.array([0.0, 0.0, 1.0])
    df = n_b * zeta * np.cross(k, f) + n_b * k_se * (q * k - f) + omega_a * np.cross(z, f) \
        - Gamma_a * (f - np.asarray(f_p, float))
    dk = n_a * zeta * np.cross(f, k) + n_a * k_se * (f / q - k) + omega_b * np.cross(z, k) - gamma_b * k
    return np.r_[df, dk]


def solve_bloch(mix: Mixture, f0, k0, t, B_G: float = 0.0, Gamma_a_per_s: float = 0.0, f_p=(0, 0, 0),
                gamma_b_per_s: float = 0.0, rtol: float = 1e-10, atol: float = 1e-13,
                method: str = "DOP853") -> np.ndarray:
    """Integrate Eq. (1) (+ options) on the grid t (s); returns (nt, 6) = (f_x, f_y, f_z, k_x, k_y, k_z).
    ``method``: a scipy solve_ivp method ("Radau" for stiff pumping, Gamma_a >> 1/t)."""
    args = (mix.n_a_cm3, mix.n_b_cm3, mix.zeta_cm3_s, mix.k_se_cm3_s, mix.q, mix.g_a_rad_s_G * B_G,
            mix.g_b_rad_s_G * B_G, Gamma_a_per_s, f_p, gamma_b_per_s)
    t = np.asarray(t, float)
    sol = solve_ivp(lambda _t, y: bloch_rhs(y, *args), (t[0], t[-1]), np.r_[f0, k0], t_eval=t, method=method,
                    rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"Bloch integration failed: {sol.message}")
    return sol.y.T


def tilted_state(mix: Mixture, a0: complex, b0: complex, N_a: float, N_b: float):
    """Mean spins (f, k) of coherent excitations a0, b0 on the polarized ensembles (z along -z), with the
    main text's a = sqrt(N_a/(q p_a)) f_-, b = sqrt(N_b/p_b) k_-; lengths |f| = q p_a/2, |k| = p_b/2 kept.
    N_a, N_b are atom numbers in one volume (N_a/N_b = n_a/n_b, else J of Eq. 2 does not follow)."""
    fm = a0 / np.sqrt(N_a / (mix.q * mix.p_a))
    km = b0 / np.sqrt(N_b / mix.p_b)
    fz = -np.sqrt((mix.q * mix.p_a / 2) ** 2 - abs(fm) ** 2)
    kz = -np.sqrt((mix.p_b / 2) ** 2 - abs(km) ** 2)
    return np.array([fm.real, -fm.imag, fz]), np.array([km.real, -km.imag, kz])


def amplitudes(mix: Mixture, y, N_a: float, N_b: float):
    """(a, b) of Bloch solutions y (nt, 6) by the main text's transformation."""
    fm = y[:, 0] - 1j * y[:, 1]
    km = y[:, 3] - 1j * y[:, 4]
    return np.sqrt(N_a / (mix.q * mix.p_a)) * fm, np.sqrt(N_b / mix.p_b) * km
