"""Independent dense-matrix implementation of the collision model on the full 2^(N_a+N_b) Hilbert space.

Each collision is scipy.linalg.expm(-i phi s_a . k_b) built from Pauli matrices with Kronecker products, the
Zeeman step is expm(-i theta sum_a s_az); nothing is shared with spinsweep.solvers.collisions except the conventions
(spin order: alkali 0..N_a-1, then noble gas; local basis [down, up]).
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from scipy.linalg import expm

SZ = np.diag([-0.5, 0.5]).astype(complex)
SP = np.array([[0, 0], [1, 0]], dtype=complex)  # |down> -> |up>
SM = SP.T.copy()
SX = (SP + SM) / 2
SY = (SP - SM) / 2j
ID = np.eye(2, dtype=complex)


def site_op(op, i, n):
    return reduce(np.kron, [op if k == i else ID for k in range(n)])


def index_of(up_spins, n):
    """Basis index of the product state with the given spins up."""
    return sum(1 << (n - 1 - i) for i in up_spins)


def dense_evolve(psi, partners, phi, theta, n_alkali, n_noble):
    """psi (2^N vector) after the collision steps (lab frame): psi <- Z prod_i U(i, partner_i) psi."""
    n = n_alkali + n_noble
    spin = [[site_op(op, i, n) for op in (SX, SY, SZ)] for i in range(n)]
    zeeman = expm(-1j * theta * sum(spin[i][2] for i in range(n_alkali)))
    for s in range(partners.shape[0]):
        for i in range(n_alkali):
            b = n_alkali + partners[s, i]
            sdotk = sum(spin[i][k] @ spin[b][k] for k in range(3))
            psi = expm(-1j * phi[s, i] * sdotk) @ psi
        psi = zeeman @ psi
    return psi
