"""Models of the modes solver against analytic solutions, QuTiP and each other (Eqs. 1, 2, 18, S2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from spinsweep.solvers.modes import (GaussianState, Mixture, coupled_modes, evolve, fig2_regimes,
                                     interface_transfer, k39_he3, master_equation, mode_convergence, solve_bloch,
                                     two_mode)
from spinsweep.solvers.modes.bloch import amplitudes, tilted_state
from spinsweep.solvers.modes.fock import fock2_probability, fock_state, noble_number_distribution
from spinsweep.solvers.modes.protocols import diffusion_system


def _analytic_two_mode(J, g, t, a0, b0):
    """Eq. (2) at Delta = 0: a, b = e^{-gt/2}[...] with Omega = sqrt(J^2 - g^2/4) (S5 for J >> g)."""
    W = np.sqrt(complex(J ** 2 - g ** 2 / 4))
    e = np.exp(-g * t / 2)
    c, s = np.cos(W * t), np.sin(W * t) / W
    a = e * ((c - g / 2 * s) * a0 - 1j * J * s * b0)
    b = e * ((c + g / 2 * s) * b0 - 1j * J * s * a0)
    return a, b


@pytest.mark.parametrize("J,g", [(1.0, 0.05), (1.0, 20.0)])  # strong coupling and overdamped
def test_gaussian_two_mode_vs_analytic(J, g):
    t = np.linspace(0, 6, 61)
    a0, b0 = 1.3 + 0.2j, -0.4j
    excess = 0.07
    st = GaussianState(np.array([a0, b0]), np.diag([0.1, 0.2]).astype(complex), np.zeros((2, 2), complex))
    r = evolve(two_mode(J, g, 0.0, excess), st, t)
    a, b = _analytic_two_mode(J, g, t, a0, b0)
    # means: exact propagators, agreement to rounding (1e-12)
    np.testing.assert_allclose(r["mean"][:, 0], a, atol=1e-12)
    np.testing.assert_allclose(r["mean"][:, 1], b, atol=1e-12)
    # <b^dag b>: initial thermal part + excess noise e int_0^t |G_ba(s)|^2 ds (quad to 1e-11)
    Gaa = lambda s: _analytic_two_mode(J, g, s, 1.0, 0.0)  # noqa: E731
    Gab = lambda s: _analytic_two_mode(J, g, s, 0.0, 1.0)  # noqa: E731
    for i in (10, 35, 60):
        ti = t[i]
        noise = excess * quad(lambda s: abs(Gaa(s)[1]) ** 2, 0, ti, epsabs=1e-13)[0]
        expect = 0.1 * abs(Gaa(ti)[1]) ** 2 + 0.2 * abs(Gab(ti)[1]) ** 2 + noise
        assert r["N"][i, 1, 1].real == pytest.approx(expect, abs=1e-10)


def test_vanloan_and_eig_propagators_agree():
    # the two exact propagators, with a detuning switch between grid points, on 12 + 12 diffusion modes
    # and random initial moments: 1e-10 relative (both exact; differences are rounding in eig/expm)
    mix = k39_he3()
    sys, _ = diffusion_system(mix, 12)
    rng = np.random.default_rng(7)
    n = sys.n
    st = GaussianState.thermal(0.2 * rng.random(n), 2)
    st.mean[:] = rng.normal(size=(n, 2))
    X = 0.05 * rng.normal(size=(n, n))
    st.A = (X + X.T).astype(complex)
    ts = math.pi / (2 * mix.J_per_s)
    t = np.linspace(0, 2.5 * ts, 31)
    sched = [(0.0, 0.0), (1.013 * ts, float(mix.detuning_per_s(0.18)))]
    a = evolve(sys, st, t, sched, observe=[0, 12, 13], method="vanloan")
    b = evolve(sys, st, t, sched, observe=[0, 12, 13], method="eig")
    for key in ("mean", "N", "A"):
        np.testing.assert_allclose(b[key], a[key], atol=1e-10 * np.abs(a[key]).max())


def test_fock_master_equation_vs_qutip():
    qutip = pytest.importorskip("qutip")
    n_max, J, g, e, D, gb = 3, 1.0, 0.15, 0.04, 0.6, 0.01
    t = np.linspace(0, 4, 21)
    rho0 = fock_state(n_max, 2, 0)
    ours = master_equation(rho0, t, n_max, J, g, ((0.0, D),), gamma_b=gb, excess_a=e)
    a = qutip.tensor(qutip.destroy(n_max + 1), qutip.qeye(n_max + 1))
    b = qutip.tensor(qutip.qeye(n_max + 1), qutip.destroy(n_max + 1))
    H = -D * a.dag() * a + J * (a.dag() * b + b.dag() * a)
    c_ops = [np.sqrt(2 * g + e) * a, np.sqrt(e) * a.dag(), np.sqrt(2 * gb) * b]
    psi0 = qutip.tensor(qutip.basis(n_max + 1, 2), qutip.basis(n_max + 1, 0))
    res = qutip.mesolve(H, psi0 * psi0.dag(), t, c_ops, options={"atol": 1e-10, "rtol": 1e-9})
    theirs = np.array([s.full() for s in res.states])
    # same truncated model, two integrators (expm_multiply vs QuTiP's ODE at rtol 1e-9): 1e-7
    np.testing.assert_allclose(ours, theirs, atol=1e-7)
    # trace preserved
    np.testing.assert_allclose(np.trace(ours, axis1=1, axis2=2).real, 1.0, atol=1e-10)


def test_fock_master_equation_vs_gaussian_channel():
    # P(n_b = 2) from |2>_a: truncated master equation (n_max = 10, excess noise makes the cutoff matter at
    # ~1e-12 here) vs the exact passive Gaussian channel (eta = |u|^2, n_env) of the Gaussian model: 1e-9
    J, g, e = 1.0, 0.08, 0.05
    t = np.linspace(0, 3, 31)
    n_max = 10
    P = noble_number_distribution(master_equation(fock_state(n_max, 2, 0), t, n_max, J, g, ((0.0, 0.3),),
                                                  excess_a=e), n_max)
    st = GaussianState(np.array([1.0, 0.0], complex), np.zeros((2, 2), complex), np.zeros((2, 2), complex))
    r = evolve(two_mode(J, g, 0.0, e), st, t, ((0.0, 0.3),))
    np.testing.assert_allclose(P[:, 2], fock2_probability(np.abs(r["mean"][:, 1]) ** 2, r["N"][:, 1, 1].real),
                               atol=1e-9)


def test_lossless_exchange_conserves_excitations_and_swaps():
    # gamma = 0, perfect polarization: <a^dag a> + <b^dag b> is conserved and |2>_a -> |2>_b at J t = pi/2
    J = 2.0
    t = np.linspace(0, math.pi / J, 41)
    rho = master_equation(fock_state(2, 2, 0), t, 2, J, 0.0)
    P = noble_number_distribution(rho, 2)
    assert P[20, 2] == pytest.approx(1.0, abs=1e-10)
    d = 3
    na = np.kron(np.diag(np.arange(d)), np.eye(d))
    nb = np.kron(np.eye(d), np.diag(np.arange(d)))
    tot = np.einsum("ij,tji->t", na + nb, rho).real
    np.testing.assert_allclose(tot, 2.0, atol=1e-10)


def test_fig2_regimes_known_limits():
    out = fig2_regimes(n0=1000.0, n_t=600)
    # a: decoupled, Delta = 10J: the noble gas takes at most (2J)^2/((2J)^2 + Delta^2) = 4/104 of the excitations
    # (lossless bound); the alkali decays as e^{-2 gamma t} (amplitude rate gamma, Eq. 2) up to the admixed
    # noble-like dressed mode (O((J/Delta)^2), nearly undamped): relative beating <= 4 (J/Delta)^2 e^{gamma t}
    d = out["decoupled"]
    assert d["n_b"].max() / 1000 < 4 / 104
    gt = d["gamma"] * d["t"]
    dev = np.abs(d["n_a"] / (1000 * np.exp(-2 * gt)) - 1)
    assert np.all(dev[gt <= 1] <= 4 * (d["J"] / d["Delta"]) ** 2 * np.exp(gt[gt <= 1]) + 1e-3)
    # b: overdamped gamma = 10 J: partial transfer, n_b stays below (J/gamma)^2 x ... of n0: < 5%
    assert 0 < out["overdamped"]["n_b"].max() / 1000 < 0.05
    # c: strong coupling J = 57 gamma: full exchange reduced by e^{-gamma pi/(2J)} at the first transfer (S5)
    s = out["strong"]
    i = np.argmin(np.abs(s["t"] - math.pi / (2 * s["J"])))
    assert s["n_b"][i] / 1000 == pytest.approx(math.exp(-s["gamma"] * math.pi / (2 * s["J"])), rel=2e-3)
    # storage: after the switch the noble gas keeps its excitations (noble-gas decay omitted, as in Fig. 2)
    st = out["strong_stored"]
    after = st["t"] > 1.5 * math.pi / (2 * st["J"])
    assert np.all(st["n_b"][after] > 0.95 * st["n_b"][i])


def test_diffusion_model_reduces_to_two_mode():
    # Neumann alkali walls (Robin number 0): c_mn = identity, the uniform alkali mode (k = 0) couples only to
    # the uniform noble-gas mode, so the multi-mode model equals Eq. (2) with gamma = gamma_a (no diffusion)
    mix = k39_he3(alkali_wall_biot=0.0)
    ts = math.pi / (2 * mix.J_per_s)
    t = np.linspace(0, 2 * ts, 41)
    multi = interface_transfer(mix, t, "diffusion", n_modes=8, imperfect=False)
    two = interface_transfer(mix.replace(D_a_cm2_s=1e-30), t, "two-mode", imperfect=False)
    # (D_a -> 0 removes the D pi^2/R^2 the two-mode gamma adds): 1e-9
    np.testing.assert_allclose(multi["P2"], two["P2"], atol=1e-9)
    np.testing.assert_allclose(multi["sq_Ky_db"], two["sq_Ky_db"], atol=1e-7)


def test_mode_count_convergence():
    # Fig. 4 quantities at the transfer time vs modes per species (imperfect polarization, the preset):
    # the changes shrink and stay < 0.01 in P2 and < 0.05 dB beyond 50 modes
    res = mode_convergence(k39_he3(), (12, 25, 50, 100), n_t=13)
    P = res["P2_transfer"]
    dP = np.abs(np.diff(P))
    assert dP[-1] < dP[0]
    assert dP[-1] < 0.01
    assert abs(np.diff(res["sq_Ky_db_transfer"])[-1]) < 0.05
    assert np.all(np.diff(res["uniform_captured"]) > 0)


def test_perfect_two_mode_storage_of_fock2_and_squeezing():
    # two-mode, perfect polarization: P2 = eta^2 with eta = |u|^2, and after the switch at pi/(2J) the stored
    # state stays (gamma_b ~ 1e-5 1/s); 7 dB input -> 7 dB transferred up to the loss e^{-gamma t}
    mix = k39_he3()
    ts = math.pi / (2 * mix.J_per_s)
    t = np.r_[np.linspace(0, ts, 11), np.linspace(1.2 * ts, 3 * ts, 5)]
    r = interface_transfer(mix, t, "two-mode", t_switch=ts)
    np.testing.assert_allclose(r["P2"], r["eta"] ** 2, atol=1e-12)
    eta = math.exp(-mix.gamma_per_s * ts)   # |u|^2 at Delta = 0 from S5 (J >> gamma) to O(gamma/J)^2
    assert r["eta"][10] == pytest.approx(eta, rel=1e-3)
    assert r["P2"][-1] == pytest.approx(r["P2"][10], rel=1e-4)
    v = eta * 10 ** (-0.7) + (1 - eta)       # loss channel on the squeezed variance (vacuum units)
    assert r["sq_Ky_db"][10] == pytest.approx(10 * math.log10(v), abs=0.01)


def test_bloch_linearises_to_two_mode():
    # Eq. (1) at small tilt (V = 1e-2 cm^3: N_a = 3e12 atoms, tilt ~ 1e-6 rad) reproduces Eq. (2)'s populations
    # with the mixture's J and Delta(B): k_se = 0 (no incoherent terms), B at and off compensation; rtol 1e-5
    # (linearisation O(tilt^2), ODE rtol 1e-10)
    mix = k39_he3(k_se_cm3_s=0.0)
    Na, Nb = 1e-2 * mix.n_a_cm3, 1e-2 * mix.n_b_cm3  # same volume: N_a/N_b = n_a/n_b
    ts = math.pi / (2 * mix.J_per_s)
    t = np.linspace(0, 1.2 * ts, 13)
    for B in (mix.B_compensation_G, mix.B_compensation_G * 1.0002):
        f0, k0 = tilted_state(mix, 1.0, 0.0, Na, Nb)
        y = solve_bloch(mix, f0, k0, t, B_G=B)
        a, b = amplitudes(mix, y, Na, Nb)
        Delta = float(mix.detuning_per_s(B))
        st = GaussianState(np.array([1.0, 0.0], complex), np.zeros((2, 2), complex), np.zeros((2, 2), complex))
        r = evolve(two_mode(mix.J_per_s, 0.0), st, t, ((0.0, Delta),))
        np.testing.assert_allclose(np.abs(a) ** 2, np.abs(r["mean"][:, 0]) ** 2, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.abs(b) ** 2, np.abs(r["mean"][:, 1]) ** 2, rtol=1e-5, atol=1e-6)


def test_bloch_seop_and_conservation():
    # I = 0 (q = 1), no relaxation: n_a f + n_b k is conserved by Eq. (1) (precession and k_se transfer): 1e-9
    mix = Mixture(n_a_cm3=1e14, n_b_cm3=1e15, p_a=1.0, p_b=1.0, I=0, v_sigma_phi_cm3_s=1e-15, k_se_cm3_s=1e-15)
    f0, k0 = np.array([0.3, 0.0, -0.4]), np.array([0.0, 0.2, 0.1])
    t = np.linspace(0, 5, 11)
    y = solve_bloch(mix, f0, k0, t)
    tot = mix.n_a_cm3 * y[:, :3] + mix.n_b_cm3 * y[:, 3:]
    np.testing.assert_allclose(tot, np.broadcast_to(tot[0], tot.shape), rtol=1e-9, atol=1e-9 * np.abs(tot[0]).max())
    # SEOP: alkali pumped towards f_p = -z q/2 at Gamma_a, noble gas relaxing at gamma_b: the z components reach
    # the steady state of the linear pair 0 = n_b k_se (q k - f) - Gamma_a (f - f_p), 0 = n_a k_se (f/q - k) - gamma_b k
    # (stiff: Radau, rtol 1e-8; after 150 s = 10 noble-gas build-up times the residual is e^-10 ~ 5e-5, so 2e-4)
    mix = Mixture(n_a_cm3=1e14, n_b_cm3=1e15, p_a=0.9, p_b=0.5, I=1.5, v_sigma_phi_cm3_s=1e-16, k_se_cm3_s=1e-15)
    q, G, gb = mix.q, 200.0, 0.05
    fp = np.array([0, 0, -q / 2])
    t = np.linspace(0, 150, 4)
    y = solve_bloch(mix, fp, np.zeros(3), t, Gamma_a_per_s=G, f_p=fp, gamma_b_per_s=gb, rtol=1e-8, atol=1e-12,
                    method="Radau")
    ra, rb = mix.n_a_cm3 * mix.k_se_cm3_s, mix.n_b_cm3 * mix.k_se_cm3_s
    A = np.array([[-(rb + G), rb * q], [ra / q, -(ra + gb)]])
    f_ss, k_ss = np.linalg.solve(A, [-G * fp[2], 0.0])
    assert y[-1, 2] == pytest.approx(f_ss, rel=2e-4)
    assert y[-1, 5] == pytest.approx(k_ss, rel=2e-4)
    # and the noble gas carries the alkali's polarization, reduced by its own relaxation: k_z/(f_z/q) = ra/(ra + gb)
    assert k_ss / (f_ss / q) == pytest.approx(ra / (ra + gb), rel=1e-12)


def test_density_radius_map_follows_the_coupling_and_diffusion_formulas():
    """The (n_b, R) map: J = zeta sqrt(q p_a p_b n_a n_b)/2 (Eq. 12) grows as sqrt(n_b) and does not depend on
    the cell radius; a larger cell relaxes the alkali uniform mode's partners more slowly (D pi^2/R^2), so gamma
    falls with R towards the bulk value; every point is at its own compensation field (Delta = 0)."""
    from spinsweep.solvers.modes import runs
    ds = runs.density_radius_map([1e20, 4e20], [1.27, 5.08], n_modes=12, n_t=41)
    J = ds.J_per_s.values
    assert J[1, 0] / J[0, 0] == pytest.approx(2.0, rel=1e-12)      # sqrt(4)
    assert J[:, 0] == pytest.approx(J[:, 1], rel=1e-12)             # no R dependence
    assert (ds.gamma_per_s.values[:, 0] > ds.gamma_per_s.values[:, 1]).all()
    assert np.all(ds.Delta_per_s.values == 0.0)
    assert ds.n_b_cm3.attrs["units"] == "cm^-3" and ds.R_cm.attrs["units"] == "cm"
