"""Compiled collision kernels against independent implementations (dense matrices, plain numpy)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spinsweep.solvers.collisions import CollisionParams, run_trajectory
from spinsweep.solvers.collisions import kernels
from spinsweep.solvers.collisions.ensemble import trajectory_seed
from spinsweep.solvers.collisions.reference import evolve_single_numpy
from spinsweep.solvers.collisions.states import initial_double, initial_single

from .dense_reference import dense_evolve, index_of


def _draws(rng, n_steps, n_alkali, n_noble, phi_mean, phi_std):
    u = rng.random((n_steps, n_alkali))
    z = rng.standard_normal((n_steps, n_alkali))
    perm = np.arange(n_noble, dtype=np.int64)
    partners = np.empty((n_steps, n_alkali), dtype=np.int64)
    for s in range(n_steps):
        kernels.draw_partners(u[s], perm, n_alkali, partners[s])
    return u, z, partners, phi_mean + phi_std * z


def test_collision_coefficients_are_exact_sin_cos():
    # the branch-free Taylor polynomial must equal libm's sin/cos to rounding (a few ulp: 5e-16 absolute
    # for values <= 1) on both sides of X_TAYLOR, where the second loop switches to libm
    z = np.linspace(-8, 8, 4001)
    p_re, p_im, m_re = (np.empty_like(z) for _ in range(3))
    kernels.collision_coefficients(z, 0.1, 0.2, p_re, p_im, m_re)
    half = 0.5 * (0.1 + 0.2 * z)
    np.testing.assert_allclose(p_re, np.cos(half) ** 2, rtol=0, atol=5e-16)
    np.testing.assert_allclose(p_im, np.sin(half) * np.cos(half), rtol=0, atol=5e-16)
    np.testing.assert_allclose(m_re, np.sin(half) ** 2, rtol=0, atol=5e-16)
    assert np.any(np.abs(half) > kernels.X_TAYLOR)


def test_pairing_injective_and_uniform():
    # every step is an injective map alkali -> noble gas; over many steps each (alkali, noble) pair is
    # equally likely: chi^2 of the 4 x 10 contingency table, 40 - 1 dof; the 1e-4 quantile bound is ~ 80
    rng = np.random.default_rng(3)
    n_a, n_b, n_steps = 4, 10, 20000
    _, _, partners, _ = _draws(rng, n_steps, n_a, n_b, 0.0, 0.0)
    assert all(len(set(row)) == n_a for row in partners)
    counts = np.zeros((n_a, n_b))
    for i in range(n_a):
        counts[i] = np.bincount(partners[:, i], minlength=n_b)
    expected = n_steps / n_b
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < 80, chi2


@pytest.mark.parametrize("compensation", ["exact", "paper"])
def test_single_excitation_kernel_matches_dense_hilbert_space(compensation):
    # N_a = 2, N_b = 3: the full 32-dim state evolved with expm(-i phi s.k) and the Zeeman step must give
    # the kernel's amplitudes (rotating frame undone, common phase of |all down> removed) to 1e-12;
    # angles up to ~1 rad exercise the libm branch and the exact (not small-angle) unitary
    n_a, n_b, n_steps = 2, 3, 12
    params = CollisionParams(n_a, n_b, 0.3, 0.4, detuning=0.07, compensation=compensation)
    rng = np.random.default_rng(11)
    u, z, partners, phi = _draws(rng, n_steps, n_a, n_b, params.phi_mean, params.phi_std)
    c0 = rng.normal(size=n_a + n_b) + 1j * rng.normal(size=n_a + n_b)
    c0 /= np.linalg.norm(c0)
    c = c0.copy()
    obs = np.empty((n_steps + 1, 5))
    kernels.evolve_single(c, np.arange(n_b), u, z, params.phi_mean, params.phi_std, params.theta, 0, 1,
                          obs, 0)
    n = n_a + n_b
    psi = np.zeros(2 ** n, complex)
    for i in range(n):
        psi[index_of([i], n)] = c0[i]
    vac = np.zeros(2 ** n, complex)
    vac[0] = 1.0
    psi = dense_evolve(psi, partners, phi, params.theta, n_a, n_b)
    g = dense_evolve(vac, partners, phi, params.theta, n_a, n_b)[0]  # phase of |all down>
    lab = c * np.exp(-1j * params.theta * n_steps * (np.arange(n) < n_a))
    dense = np.array([psi[index_of([i], n)] for i in range(n)]) / g
    np.testing.assert_allclose(lab, dense, rtol=0, atol=1e-12)
    # the numpy reference implementation agrees as well
    np.testing.assert_allclose(evolve_single_numpy(c0, partners, phi, params.theta), c, rtol=0, atol=1e-13)


def test_two_excitation_kernel_matches_dense_hilbert_space():
    # N_a = 2, N_b = 3 two-excitation sector (10 amplitudes) against the dense evolution, to 1e-12;
    # includes the colliding pair's own |up up> (invariant) and amplitudes across two collisions
    n_a, n_b, n_steps = 2, 3, 10
    params = CollisionParams(n_a, n_b, 0.5, 0.5, detuning=-0.03, subspace="double")
    rng = np.random.default_rng(5)
    u, z, partners, phi = _draws(rng, n_steps, n_a, n_b, params.phi_mean, params.phi_std)
    n = n_a + n_b
    A = np.triu(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)), 1)
    A /= np.sqrt(np.sum(np.abs(A) ** 2))
    C0 = A + A.T
    C = C0.copy()
    obs = np.empty((n_steps + 1, 5))
    kernels.evolve_double(C, np.arange(n_b), u, z, params.phi_mean, params.phi_std, params.theta, 0, 1,
                          obs, 0)
    psi = np.zeros(2 ** n, complex)
    for i in range(n):
        for j in range(i + 1, n):
            psi[index_of([i, j], n)] = C0[i, j]
    vac = np.zeros(2 ** n, complex)
    vac[0] = 1.0
    psi = dense_evolve(psi, partners, phi, params.theta, n_a, n_b)
    g = dense_evolve(vac, partners, phi, params.theta, n_a, n_b)[0]
    is_alk = (np.arange(n) < n_a).astype(int)
    for i in range(n):
        for j in range(i + 1, n):
            lab = C[i, j] * np.exp(-1j * params.theta * n_steps * (is_alk[i] + is_alk[j]))
            assert abs(lab - psi[index_of([i, j], n)] / g) < 1e-12, (i, j)
    assert np.all(np.diagonal(C) == 0)


def test_norm_conserved_over_long_runs():
    # the maps are unitary: after 2e5 single-excitation steps (4e6 collisions) and 3000 two-excitation
    # steps the norm may drift only by accumulated rounding, < 1e-10
    tr = run_trajectory(20, 200, 0.02, 0.02, 200_000, 20_000, seed=1)
    assert np.max(np.abs(tr.norm - 1)) < 1e-10
    tr2 = run_trajectory(8, 40, 0.05, 0.05, 3000, 500, seed=2, initial="pair", subspace="double")
    assert np.max(np.abs(tr2.norm - 1)) < 1e-10
    # populations add up: F10 + F01 + P_nonsym = norm by construction of P_nonsym, and all are >= 0
    assert np.all(tr.P_nonsym > -1e-12) and np.all(tr2.P_nonsym > -1e-12)


def test_trajectory_seed_is_spawned_child():
    children = np.random.SeedSequence(1234).spawn(7)
    for i in (0, 3, 6):
        assert np.array_equal(trajectory_seed(1234, i).generate_state(4), children[i].generate_state(4))


def test_reproducible_and_seed_dependent():
    a = run_trajectory(10, 100, 0.01, 0.01, 2000, 100, seed=7)
    b = run_trajectory(10, 100, 0.01, 0.01, 2000, 100, seed=7)
    c = run_trajectory(10, 100, 0.01, 0.01, 2000, 100, seed=8)
    assert np.array_equal(a.F10, b.F10) and not np.array_equal(a.F10, c.F10)
    assert set(a) == {"t", "F10", "F01", "P_nonsym", "norm", "P_alkali"} and a["t"][-1] == 2000


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_alkali=11, n_noble=10), "n_noble=10 is not allowed with n_alkali=11"),
    (dict(phi_std=-1.0), "phi_std=-1.0"),
    (dict(subspace="triple"), "subspace='triple'"),
    (dict(n_steps=1001), "multiple of record_every"),
    (dict(initial="vacuum"), "initial='vacuum'"),
])
def test_parameter_errors_name_the_parameter(kwargs, match):
    args = dict(n_alkali=3, n_noble=10, phi_mean=0.01, phi_std=0.0, n_steps=1000, record_every=100, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        run_trajectory(**args)


def test_initial_states_normalised():
    p1 = CollisionParams(5, 20, 0.1, 0.0)
    for name in ("collective", "localized", "noble"):
        assert math.isclose(np.sum(np.abs(initial_single(p1, name)) ** 2), 1.0)
    p2 = CollisionParams(5, 20, 0.1, 0.0, subspace="double")
    for name in ("pair", "collective", "noble"):
        C = initial_double(p2, name)
        assert math.isclose(np.sum(np.abs(np.triu(C, 1)) ** 2), 1.0) and np.allclose(C, C.T)
    with pytest.raises(ValueError, match="normalised"):
        initial_single(p1, np.ones(25))


def test_fig3_presets_are_valid_and_cover_the_exchange():
    # every preset passes the parameter checks and runs >= 1.5 exchange periods pi/J; the paper scale uses
    # the seed's numbers
    from spinsweep.solvers.collisions import ensemble_params, exchange_rate, fig3_presets

    for scale in ("default", "paper"):
        presets = fig3_presets(scale)
        assert set(presets) == {"fig3a", "fig3b", "fig3c", "fig3d", "fig3e"}
        for name, (params, n_traj) in presets.items():
            model, run = ensemble_params(params)
            J = exchange_rate(model.n_alkali, model.n_noble, model.phi_mean)
            assert run["n_steps"] * J / math.pi >= 1.49, name
            assert n_traj >= 4
    paper = fig3_presets("paper")
    assert paper["fig3c"][0]["phi_mean"] == 1e-5 and paper["fig3a"][0]["phi_mean"] == 2e-2
    assert (paper["fig3e"][0]["n_alkali"], paper["fig3e"][0]["n_noble"]) == (30, 300)
