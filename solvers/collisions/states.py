"""Initial states of the collision simulator (Katz et al., Fig. 3 caption and SI section 1).

Single-excitation subspace: amplitudes c_i, i < N_a alkali spin i up, i >= N_a noble-gas spin i - N_a up.
Two-excitation subspace: symmetric N x N matrix C with zero diagonal, c_ij = C[i, j] (i < j) the amplitude of
spins i and j up; the norm is sum_{i<j} |c_ij|^2.
"""

from __future__ import annotations

import math

import numpy as np

from .params import NAMED_INITIAL, CollisionParams

NORM_TOL = 1e-10


def initial_single(params: CollisionParams, initial) -> np.ndarray:
    """|1>_a|0>_b ("collective"), f+_{a=1}|0>_a|0>_b ("localized"), |0>_a|1>_b ("noble") or given amplitudes."""
    na, n = params.n_alkali, params.n_spins
    c = np.zeros(n, dtype=np.complex128)
    if isinstance(initial, str):
        if initial == "collective":
            c[:na] = 1.0 / math.sqrt(na)
        elif initial == "localized":
            c[0] = 1.0
        elif initial == "noble":
            c[na:] = 1.0 / math.sqrt(params.n_noble)
        else:
            raise ValueError(f"initial={initial!r} is not allowed in the single-excitation subspace: choose "
                             f"one of {NAMED_INITIAL['single']} or pass {n} complex amplitudes")
        return c
    given = np.asarray(initial, dtype=np.complex128)
    if given.shape != (n,):
        raise ValueError(f"initial amplitudes of shape {given.shape} are not allowed: the single-excitation "
                         f"subspace needs shape ({n},) (N_a + N_b)")
    _check_norm(np.sum(np.abs(given) ** 2))
    c[:] = given
    return c


def initial_double(params: CollisionParams, initial) -> np.ndarray:
    """|1>_a|1>_b ("pair"), |2>_a|0>_b ("collective"), |0>_a|2>_b ("noble") or a given symmetric matrix."""
    na, nb, n = params.n_alkali, params.n_noble, params.n_spins
    C = np.zeros((n, n), dtype=np.complex128)
    if isinstance(initial, str):
        if initial == "pair":
            C[:na, na:] = 1.0 / math.sqrt(na * nb)
        elif initial == "collective":
            if na < 2:
                raise ValueError("initial='collective' in the double subspace needs n_alkali >= 2 "
                                 f"(got {na})")
            C[:na, :na] = 1.0 / math.sqrt(na * (na - 1) / 2)
        elif initial == "noble":
            C[na:, na:] = 1.0 / math.sqrt(nb * (nb - 1) / 2)
        else:
            raise ValueError(f"initial={initial!r} is not allowed in the two-excitation subspace: choose "
                             f"one of {NAMED_INITIAL['double']} or pass a symmetric ({n}, {n}) matrix")
        C = np.triu(C, 1)
        return C + C.T
    given = np.asarray(initial, dtype=np.complex128)
    if given.shape != (n, n):
        raise ValueError(f"initial matrix of shape {given.shape} is not allowed: the two-excitation "
                         f"subspace needs a symmetric ({n}, {n}) matrix, c_ij = C[i, j] for i < j")
    if np.any(np.diagonal(given) != 0) or not np.allclose(given, given.T, atol=1e-14):
        raise ValueError("initial matrix is not allowed: it must be symmetric with a zero diagonal "
                         "(spin-1/2: no double occupation)")
    _check_norm(np.sum(np.abs(np.triu(given, 1)) ** 2))
    C[:] = given
    return C


def _check_norm(norm: float) -> None:
    if abs(norm - 1.0) > NORM_TOL:
        raise ValueError(f"initial state with norm {norm:.12g} is not allowed: it must be normalised to 1 "
                         f"within {NORM_TOL}")
