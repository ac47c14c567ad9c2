"""The seed's protocols on top of the two-mode and diffusion-mode models (Figs. 2 and 4, Methods, SI sec. 2).

* :func:`coherent_two_mode` -- Eq. (2) from a coherent alkali state (Fig. 2): <a^dag a>, <b^dag b>;
* :func:`fig2_regimes` -- the three regimes of Fig. 2 (decoupled, overdamped, strong coupling + storage);
* :func:`diffusion_system` -- SI Eq. (S2) for a :class:`~.params.Mixture`: spherical Robin/Neumann modes,
  overlaps c_mn, excess noise of imperfect polarization;
* :func:`interface_transfer` -- Fig. 4: the alkali's uniform excitation in |2> or in 7 dB squeezed vacuum,
  read out in the noble gas's uniform mode: P(exactly 2), K_y squeezing; two-mode (perfect polarization)
  or diffusion modes (imperfect polarization: (1-p)/(2p) incoherent excitations per mode + excess noise);
* :func:`sweep_point` -- the per-point numbers of the sweep maps.

Time in s, rates in 1/s.  The transfer time is pi/(2J); "storage" switches the field at t_switch to B_store.
"""

from __future__ import annotations

import math

import numpy as np

from .fock import fock2_probability
from .gaussian import GaussianState, LinearModes, coupled_modes, evolve, quadrature_variances, two_mode
from .params import Mixture
from .spherical import SphereModes

MODELS = ("two-mode", "diffusion")


def coherent_two_mode(J, gamma, t, schedule=((0.0, 0.0),), n0=1000.0, gamma_b=0.0) -> dict:
    """Eq. (2) from |alpha = sqrt(n0)>_a |0>_b: coherent states stay coherent (vacuum noise adds nothing in
    normal order), so <a^dag a> = |<a>|^2 exactly.  Returns {"t", "n_a", "n_b", "a", "b"}."""
    sys = two_mode(J, gamma, gamma_b)
    st = GaussianState(np.array([math.sqrt(n0), 0.0], complex), np.zeros((2, 2), complex),
                       np.zeros((2, 2), complex))
    r = evolve(sys, st, t, schedule)
    a, b = r["mean"][:, 0], r["mean"][:, 1]
    return {"t": np.asarray(t), "a": a, "b": b, "n_a": np.abs(a) ** 2 + r["N"][:, 0, 0].real,
            "n_b": np.abs(b) ** 2 + r["N"][:, 1, 1].real}


def fig2_regimes(gamma=17.5, n0=1000.0, n_t=1500) -> dict:
    """Fig. 2a-c: {"decoupled", "overdamped", "strong", "strong_stored"} -> coherent_two_mode dicts with
    "J", "Delta", "gamma" attrs.  a: Delta = 10 J = 600 gamma; b: Delta = 0, gamma = 10 J; c: J = 57 gamma,
    Delta = 0, and (stored) Delta -> 100 J at t = pi/(2J).  Time spans: 3/gamma (a, b), 6 pi/J (c)."""
    out = {}
    J = 60 * gamma
    t = np.linspace(0, 3 / gamma, n_t)
    out["decoupled"] = {**coherent_two_mode(J, gamma, t, ((0.0, 10 * J),), n0), "J": J, "Delta": 10 * J}
    J = gamma / 10
    out["overdamped"] = {**coherent_two_mode(J, gamma, t, ((0.0, 0.0),), n0), "J": J, "Delta": 0.0}
    J = 57 * gamma
    t = np.linspace(0, 6 * math.pi / J, n_t)
    out["strong"] = {**coherent_two_mode(J, gamma, t, ((0.0, 0.0),), n0), "J": J, "Delta": 0.0}
    ts = math.pi / (2 * J)
    out["strong_stored"] = {**coherent_two_mode(J, gamma, t, ((0.0, 0.0), (ts, 100 * J)), n0), "J": J,
                            "Delta": 100 * J, "t_switch": ts}
    for v in out.values():
        v["gamma"] = gamma
    return out


def diffusion_system(mix: Mixture, n_modes: int, imperfect: bool = True) -> tuple[LinearModes, SphereModes]:
    """SI Eq. (S2) with the first ``n_modes`` radial alkali (Robin) and noble-gas (Neumann) modes.

    Mode decay: gamma_am = gamma_a + D_a k_m^2 (gamma_a: bulk, Eq. 16 / q), gamma_bn = gamma_b + D_b k_n^2.
    ``imperfect``: the alkali Langevin force carries the excess noise (2 - p_a - p_b)/(4 p_a) 2 gamma_ex
    (Methods); otherwise vacuum noise.
    """
    sm = SphereModes(mix.R_cm, n_modes, n_modes, mix.alkali_wall_biot)
    sys = coupled_modes(mix.J_per_s, sm.c, sm.decay_a(mix.gamma_a_per_s, mix.D_a_cm2_s),
                        sm.decay_b(mix.gamma_b_per_s, mix.D_b_cm2_s),
                        mix.excess_noise_a_per_s if imperfect else 0.0)
    return sys, sm


def interface_transfer(mix: Mixture, t, model: str = "diffusion", n_modes: int = 100, imperfect: bool | None = None,
                       t_switch: float | None = None, B_store_G: float = 0.18, squeeze_db: float = 7.0,
                       detuning_per_s: float = 0.0) -> dict:
    """Fig. 4: the alkali's spatially uniform excitation a_U = sum_m c_m0 a_m is prepared in |2> (a) or in
    squeezed vacuum with ``squeeze_db`` of S_x squeezing (b); the noble-gas uniform mode b_0 is read out.

    model "two-mode": Eq. (2) with the mixture's J and gamma (c_00 = 1), perfect polarization by default;
    model "diffusion": SI Eq. (S2) with ``n_modes`` modes per species, imperfect polarization by default:
    every mode starts with (1-p)/(2p) incoherent excitations (the prepared state rides on top of the alkali
    background) and the alkali force carries the excess noise.  The detuning is ``detuning_per_s`` until
    ``t_switch`` (None: never) and Delta(B_store_G) after it.

    One propagation gives everything (the dynamics is linear and passive): the transfer amplitude
    u(t) = [G(t) w]_{b0} of the signal mode and the background occupation n_env(t) of b_0, so
    P2 = P(n_b0 = 2) of |2> through (eta = |u|^2, n_env) and, for the squeezed input, N_b0 = n_env + sinh^2 r
    |u|^2, <b0 b0> = -sinh r cosh r u^2.  K_y ~ i(b0^dag - b0) carries the S_x squeezing after a transfer.
    """
    if model not in MODELS:
        raise ValueError(f"model={model!r} is not allowed: choose one of {MODELS}")
    imperfect = (model == "diffusion") if imperfect is None else bool(imperfect)
    t = np.asarray(t, float)
    if model == "two-mode":
        sys = two_mode(mix.J_per_s, mix.gamma_per_s, mix.gamma_b_per_s,
                       mix.excess_noise_a_per_s if imperfect else 0.0)
        w = np.array([1.0])
        n_a_modes = 1
        captured = 1.0
    else:
        sys, sm = diffusion_system(mix, n_modes, imperfect)
        w = sm.uniform_weights
        n_a_modes = sm.k_a.size
        captured = sm.uniform_captured
    nbar = np.zeros(sys.n)
    if imperfect:
        nbar[:n_a_modes] = mix.nbar_a
        nbar[n_a_modes:] = mix.nbar_b
    st = GaussianState.thermal(nbar)
    st.mean = np.zeros((sys.n, 2), complex)
    st.mean[:n_a_modes, 0] = w          # signal (transfer) vector
    schedule = [(0.0, float(detuning_per_s))]
    if t_switch is not None:
        schedule.append((float(t_switch), float(mix.detuning_per_s(B_store_G))))
    ib0 = n_a_modes
    r = evolve(sys, st, t, schedule, observe=[ib0])
    u = r["mean"][:, ib0, 0]
    n_env = r["N"][:, 0, 0].real
    eta = np.abs(u) ** 2
    rsq = squeeze_db * math.log(10) / 20
    Nb = n_env + math.sinh(rsq) ** 2 * eta
    Ab = -math.sinh(rsq) * math.cosh(rsq) * u ** 2
    vx, vy, vmin = quadrature_variances(Nb, Ab)
    return {"t": t, "eta": eta, "u": u, "n_env": n_env, "P2": fock2_probability(eta, n_env),
            "var_Ky": vy, "var_min": vmin, "sq_Ky_db": 10 * np.log10(2 * vy), "sq_min_db": 10 * np.log10(2 * vmin),
            "uniform_captured": captured, "model": model, "imperfect": imperfect, "n_modes": int(n_a_modes),
            "t_switch": t_switch, "J": mix.J_per_s, "gamma": mix.gamma_per_s}


def fig4(mix: Mixture, n_modes: int = 100, n_t: int = 201, t_max_over_transfer: float = 2.5,
         B_store_G: float = 0.18) -> dict:
    """Fig. 4 curves: two-mode perfect polarization (black), diffusion modes with imperfect polarization
    on resonance (blue) and with the field switched to B_store at t = pi/(2J) (purple)."""
    ts = math.pi / (2 * mix.J_per_s)
    t = np.unique(np.r_[np.linspace(0, t_max_over_transfer * ts, n_t), ts])
    return {"two_mode": interface_transfer(mix, t, "two-mode"),
            "two_mode_stored": interface_transfer(mix, t, "two-mode", t_switch=ts, B_store_G=B_store_G),
            "diffusion": interface_transfer(mix, t, "diffusion", n_modes),
            "diffusion_stored": interface_transfer(mix, t, "diffusion", n_modes, t_switch=ts, B_store_G=B_store_G),
            "t_transfer": ts}


def mode_convergence(mix: Mixture, n_modes_list=(10, 25, 50, 100, 150), n_t: int = 121) -> dict:
    """P2 and K_y squeezing at the transfer time pi/(2J) and their maxima over [0, 1.5 pi/(2J)] vs the
    number of modes per species (diffusion model, imperfect polarization)."""
    ts = math.pi / (2 * mix.J_per_s)
    t = np.unique(np.r_[np.linspace(0, 1.5 * ts, n_t), ts])
    i = int(np.argmin(np.abs(t - ts)))
    rows = {"n_modes": [], "P2_transfer": [], "P2_max": [], "sq_Ky_db_transfer": [], "sq_Ky_db_best": [],
            "uniform_captured": []}
    for n in n_modes_list:
        r = interface_transfer(mix, t, "diffusion", int(n))
        rows["n_modes"].append(int(n))
        rows["P2_transfer"].append(float(r["P2"][i]))
        rows["P2_max"].append(float(r["P2"].max()))
        rows["sq_Ky_db_transfer"].append(float(r["sq_Ky_db"][i]))
        rows["sq_Ky_db_best"].append(float(r["sq_Ky_db"].min()))
        rows["uniform_captured"].append(r["uniform_captured"])
    return {k: np.asarray(v) for k, v in rows.items()}


def sweep_point(mix: Mixture, B_G: float | None = None, n_modes: int = 24, model: str = "diffusion",
                n_t: int = 121) -> dict:
    """Numbers of one sweep-map point: J, gamma, J/gamma (1/s, 1), the best storage time t* (s, the time of
    maximal P2 under a constant field, where switching the field off resonance stores the state), P2(t*),
    and the best K_y squeezing (dB, <0 = squeezed) over [0, 2 pi/(2J)].  ``B_G`` None: the compensation field."""
    J = mix.J_per_s
    Delta = 0.0 if B_G is None else float(mix.detuning_per_s(B_G))
    ts = math.pi / (2 * J)
    t = np.linspace(0, 2 * ts, n_t)
    r = interface_transfer(mix, t, model, n_modes, detuning_per_s=Delta)
    k = int(np.argmax(r["P2"]))
    return {"J_per_s": J, "gamma_per_s": mix.gamma_per_s, "J_over_gamma": mix.J_over_gamma,
            "Delta_per_s": Delta, "P2_max": float(r["P2"][k]), "t_store_s": float(t[k]),
            "sq_Ky_db_best": float(r["sq_Ky_db"].min()), "eta_max": float(r["eta"].max())}
