"""Straightforward per-step vectorised numpy implementation of the single-excitation collision step.

Slow reference for tests and for ``benchmarks/bench_collisions.py`` (the compiled kernels live in
:mod:`.kernels`).  Same physics and frame as :func:`.kernels.evolve_single`: at step n alkali i collides with
noble-gas spin partners[n, i] with angle phi[n, i]; the 2x2 map of Eq. S1 is written with numpy's sin/cos and
fancy indexing, one numpy expression per step.
"""

from __future__ import annotations

import numpy as np


def evolve_single_numpy(c: np.ndarray, partners: np.ndarray, phi: np.ndarray, theta: float,
                        step0: int = 0) -> np.ndarray:
    """Return the amplitudes after ``len(partners)`` steps (``c`` is not modified)."""
    c = np.array(c, dtype=np.complex128)
    n_alkali = partners.shape[1]
    a = np.arange(n_alkali)
    for s in range(partners.shape[0]):
        b = n_alkali + partners[s]
        half = 0.5 * phi[s]
        p = np.exp(1j * half) * np.cos(half)
        m = -1j * np.exp(1j * half) * np.sin(half)
        rot = np.exp(1j * theta * (step0 + s))
        ca, cb = c[a], c[b]
        c[a] = p * ca + m * rot * cb
        c[b] = m * np.conj(rot) * ca + p * cb
    return c
