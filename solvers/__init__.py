"""spinsweep.solvers: the physics that produces data (GPE, LLE, Josephson, collisions, modes, magnons, stores).

Importing this package sets one process-wide numba code-generation choice before any kernel compiles
(:func:`_prefer_wide_vectors`).
"""

from __future__ import annotations

import os


def _prefer_wide_vectors() -> None:
    """Let LLVM use 512-bit vectors on AVX-512 CPUs (numba's ``NUMBA_CPU_FEATURES``: the host's features plus
    ``-prefer-256-bit``).

    LLVM tunes Intel AVX-512 server cores to *prefer* 256-bit vectors (a guard against clock throttling in
    code that mixes a little vector work with scalar work); the split-step kernels are long vector loops that
    are compute-bound (the sin/cos polynomials of :mod:`spinsweep.solvers.gpe.kernels`), and with 512-bit vectors
    the 1D local sub-step runs 1.6x faster (3.8 vs 6.2 us at Nx 1728, measured on the development VM).  Results do
    not change: no kernel uses fastmath, so LLVM vectorises only element-wise arithmetic (each element gets the
    same operations at any width) and never reorders a floating-point reduction.  The setting is also put into
    the environment, so dask workers and MPI ranks started from here compile the same code.  Nothing happens when
    ``NUMBA_CPU_FEATURES`` is already set, on CPUs without AVX-512, with ``SPINSWEEP_WIDE_VECTORS=0``, or when
    numba has already compiled something in this process (its target machine is then fixed).
    """
    if os.environ.get("NUMBA_CPU_FEATURES") or os.environ.get("SPINSWEEP_WIDE_VECTORS", "1") == "0":
        return
    try:
        import llvmlite.binding as llvm
        features = llvm.get_host_cpu_features()
    except Exception:  # noqa: BLE001 -- an exotic llvmlite: keep numba's defaults
        return
    if not features.get("avx512f"):
        return
    flat = features.flatten() + ",-prefer-256-bit"
    os.environ["NUMBA_CPU_FEATURES"] = flat
    import numba.core.config

    numba.core.config.CPU_FEATURES = flat


_prefer_wide_vectors()
