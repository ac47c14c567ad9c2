"""One stochastic trajectory of random spin-exchange collisions (Katz et al., SI section 1, Eq. S1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from . import kernels
from .params import CollisionParams, check_steps
from .states import initial_double, initial_single

#: random numbers are drawn per block of about this many collisions (two float64 arrays of 256 KiB)
BLOCK_COLLISIONS = 1 << 15

OBSERVABLES = {
    "single": ("F10", "F01", "P_nonsym", "norm", "P_alkali"),
    "double": ("P20", "P02", "P11", "P_nonsym", "norm"),
}

#: long_name of every observable (units are "1": populations and fidelities)
LONG_NAMES = {
    "F10": "fidelity |<1_a 0_b|psi>|^2 (excitation in the symmetric alkali state)",
    "F01": "fidelity |<0_a 1_b|psi>|^2 (excitation in the symmetric noble-gas state)",
    "P20": "probability of |2_a 0_b> (both excitations in the symmetric alkali state)",
    "P02": "probability of |0_a 2_b> (both excitations in the symmetric noble-gas state)",
    "P11": "probability of |1_a 1_b> (one excitation in each symmetric state)",
    "P_nonsym": "population outside the symmetric (collective) states",
    "norm": "norm of the state in the excitation subspace",
    "P_alkali": "population of the excitation on alkali spins, symmetric or not (sum_a |c_a|^2)",
}


@dataclass
class Trajectory(Mapping):
    """Observables of one trajectory on the time grid ``t`` (units of tau); also a read-only mapping."""

    t: np.ndarray
    observables: dict[str, np.ndarray]
    params: CollisionParams
    final_state: np.ndarray = field(repr=False)

    def __getitem__(self, key):
        if key == "t":
            return self.t
        return self.observables[key]

    def __iter__(self):
        yield "t"
        yield from self.observables

    def __len__(self):
        return 1 + len(self.observables)

    def __getattr__(self, name):
        obs = self.__dict__.get("observables")
        if obs is not None and name in obs:
            return obs[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r} "
                             f"(observables: {sorted(obs) if obs else []})")


def draw_block(rng: np.random.Generator, u: np.ndarray, z: np.ndarray, params: CollisionParams) -> None:
    """Fill the bulk random numbers of ``u.shape[0]`` steps: uniforms (pairing), then normals (phi)."""
    rng.random(out=u)
    if params.phi_std > 0:
        rng.standard_normal(out=z)
    else:
        z[...] = 0.0


def evolve(params: CollisionParams, state: np.ndarray, n_steps: int, record_every: int,
           rng: np.random.Generator) -> np.ndarray:
    """Evolve ``state`` in place for ``n_steps``; return the observables recorded at t = 0, record_every, ...

    The random stream is consumed in blocks (uniforms, then normals) whose size depends only on N_a and
    n_steps, so a trajectory is a pure function of (params, initial state, n_steps, seed).
    """
    check_steps(n_steps, record_every)
    names = OBSERVABLES[params.subspace]
    n_rec = n_steps // record_every + 1
    obs = np.empty((n_rec, len(names)))
    if params.subspace == "single":
        kernel, observe = kernels.evolve_single, kernels._observables_single
    else:
        kernel, observe = kernels.evolve_double, kernels._observables_double
    observe(state, params.n_alkali, obs[0])
    perm = np.arange(params.n_noble, dtype=np.int64)
    block = min(max(1, BLOCK_COLLISIONS // params.n_alkali), n_steps)
    u_buf = np.empty((block, params.n_alkali))
    z_buf = np.empty((block, params.n_alkali))
    step, rec = 0, 1
    while step < n_steps:
        nb = min(block, n_steps - step)
        u, z = u_buf[:nb], z_buf[:nb]
        draw_block(rng, u, z, params)
        rec = kernel(state, perm, u, z, params.phi_mean, params.phi_std, params.theta, step, record_every,
                     obs, rec)
        step += nb
    assert rec == n_rec
    return obs


def run_trajectory(n_alkali, n_noble, phi_mean, phi_std, n_steps, record_every, seed, initial="collective",
                   *, detuning=0.0, subspace="single", compensation="exact") -> Trajectory:
    """Simulate one trajectory of random spin-exchange collisions (SI section 1, Eq. S1).

    Every step tau each of the N_a alkali spins collides with a different, uniformly random noble-gas spin
    with angle phi ~ N(<phi>=phi_mean, delta_phi=phi_std); the pair evolves by the exact unitary of Eq. S1;
    a Zeeman phase keeps the two ensembles at the compensation point (Delta = ``detuning`` in 1/tau).

    ``seed``: int, SeedSequence or Generator.  ``initial``: "collective" (|1>_a|0>_b, Fig. 3a,c),
    "localized" (Fig. 3b,d), "noble" or amplitudes (single subspace); "pair" (|1>_a|1>_b, Fig. 3e),
    "collective" (|2>_a|0>_b), "noble" or a symmetric matrix (``subspace="double"``).

    Returns a :class:`Trajectory` with ``t`` (units of tau) and the observables of ``OBSERVABLES[subspace]``:
    F10, F01, P_nonsym, norm, P_alkali (single) or P20, P02, P11, P_nonsym, norm (double), at
    t = 0, record_every, ..., n_steps.
    """
    params = CollisionParams(n_alkali, n_noble, phi_mean, phi_std, detuning=detuning,
                             compensation=compensation, subspace=subspace)
    check_steps(n_steps, record_every)
    state = (initial_single if subspace == "single" else initial_double)(params, initial)
    rng = np.random.default_rng(seed)
    obs = evolve(params, state, int(n_steps), int(record_every), rng)
    t = np.arange(obs.shape[0], dtype=float) * record_every
    names = OBSERVABLES[subspace]
    return Trajectory(t=t, observables={k: obs[:, i].copy() for i, k in enumerate(names)}, params=params,
                      final_state=state)
