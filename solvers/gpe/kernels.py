"""Fused element-wise kernels of the split-step loop (numba; arrays of shape (B, 2, M), contiguous)."""

from __future__ import annotations

import math

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic


# -- sin/cos that LLVM can vectorise ---------------------------------------------------------------------------
# libm's sin/cos are opaque calls (no SVML here), which made the local sub-step cost as much as the two FFTs.
# Cody-Waite reduction by pi/2 (three-part constant) and the Cephes minimax polynomials on [-pi/4, pi/4]:
# measured max |error| vs libm 1.1e-16 for |x| <= 1e4 (tests/gpe/test_kernels.py); branch-free quadrant logic.
#
# Everything stays in floating point / 64-bit lanes so that LLVM keeps the whole loop in SIMD registers on AVX2:
# ``math.floor`` returns an int64 in numba, and double -> int64 has no AVX2 instruction (only AVX-512DQ), so the
# old ``k = math.floor(...)`` scalarised every lane of the loop (the 1D step / FFT-pair regression from 1.43
# to 1.72 on the AVX2 machines).  The quadrant comes from the bits of the round-to-nearest shifter instead, and
# the polynomials use *explicit* fused multiply-adds (:func:`fma`, llvm.fma): fused in the SIMD body and in the
# scalar tail alike (and correctly rounded in software on a CPU without FMA), so a point gives bitwise the same
# result wherever it falls in a loop (threads, ranks) -- which ``fastmath={'contract'}`` would not promise.
_PIO2_1 = 2 * 7.85398125648498535156E-1
_PIO2_2 = 2 * 3.77489470793079817668E-8
_PIO2_3 = 2 * 2.69515142907905952645E-15
_TWO_OVER_PI = 0.63661977236758134308
_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: x + _SHIFTER rounds x to an integer, whose low bits end the mantissa
_S0, _S1, _S2, _S3, _S4, _S5 = (1.58962301576546568060E-10, -2.50507477628578072866E-8,
                                2.75573136213857245213E-6, -1.98412698295895385996E-4,
                                8.33333333332211858878E-3, -1.66666666666666307295E-1)
_C0, _C1, _C2, _C3, _C4, _C5 = (-1.13585365213876817300E-11, 2.08757008419747316778E-9,
                                -2.75573141792967388112E-7, 2.48015872888517045348E-5,
                                -1.38888888888730564116E-3, 4.16666666666665929218E-2)
_SIGN = np.int64(-0x8000000000000000)  # the sign bit of a float64, as an int64


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with one rounding (llvm.fma.f64): fused on every lane, vectorisable."""
    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.DoubleType(), [ir.DoubleType()] * 3),
                                            "llvm.fma.f64")
        return builder.call(fn, args)
    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def _bits(typingctx, x):
    """The bits of a float64 as an int64 (a bitcast, no conversion)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, i):
    """The float64 whose bits are the int64 ``i``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@nb.njit(inline="always")
def sincos(x):
    """(sin x, cos x) to ~1 ulp for |x| up to ~1e5 (phases of a split step are far smaller)."""
    t = fma(x, _TWO_OVER_PI, _SHIFTER)          # _SHIFTER + round(x 2/pi)
    k = t - _SHIFTER
    q = _bits(t)                                # low bits: k mod 4 (two's complement for k < 0)
    r = fma(-k, _PIO2_3, fma(-k, _PIO2_2, fma(-k, _PIO2_1, x)))
    z = r * r
    ps = fma(fma(fma(fma(fma(_S0, z, _S1), z, _S2), z, _S3), z, _S4), z, _S5)
    pc = fma(fma(fma(fma(fma(_C0, z, _C1), z, _C2), z, _C3), z, _C4), z, _C5)
    sr = fma(r * z, ps, r)
    cr = fma(z * z, pc, fma(-0.5, z, 1.0))
    swap = (q & 1) != 0                         # odd quadrants: sin <-> cos
    s = cr if swap else sr
    c = sr if swap else cr
    s = _from_bits(_bits(s) ^ ((q << 62) & _SIGN))        # quadrants 2, 3: -sin
    c = _from_bits(_bits(c) ^ (((q + 1) << 62) & _SIGN))  # quadrants 1, 2: -cos
    return s, c


@nb.njit(cache=True)
def sincos_array(x, out):
    """out[0] = sin(x), out[1] = cos(x) with :func:`sincos` (for tests)."""
    for i in range(x.size):
        out[0, i], out[1, i] = sincos(x[i])


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
            np_ = fma(p.real, p.real, p.imag * p.imag)
            nm_ = fma(m.real, m.real, m.imag * m.imag)
            v = V[vb, i]
            tp = tau * fma(gx, nm_, fma(ga, np_, v))
            tm = tau * fma(gx, np_, fma(gb, nm_, v))
            s, c = sincos(tp)
            psi[b, 0, i] = complex(fma(p.real, c, p.imag * s), fma(p.imag, c, -(p.real * s)))
            s, c = sincos(tm)
            psi[b, 1, i] = complex(fma(m.real, c, m.imag * s), fma(m.imag, c, -(m.real * s)))


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
    """psik <- kin * U psik: kinetic phase (M,) times the exact 2x2 Rabi rotation U (B, 2, 2).

    Written out in real arithmetic with explicit fused multiply-adds (see :func:`sincos`): 12 FMA-class
    operations per point and component instead of the 18 of numba's complex products.
    """
    B, _, M = psik.shape
    for b in range(B):
        u00, u01, u10, u11 = U[b, 0, 0], U[b, 0, 1], U[b, 1, 0], U[b, 1, 1]
        for i in range(M):
            p = psik[b, 0, i]
            m = psik[b, 1, i]
            k = kin[i]
            psik[b, 0, i] = _rotate(k, u00, u01, p, m)
            psik[b, 1, i] = _rotate(k, u10, u11, p, m)


@nb.njit(inline="always")
def _rotate(k, u, w, p, m):
    """k (u p + w m) for complex numbers, with fused multiply-adds."""
    xr = fma(u.real, p.real, fma(-u.imag, p.imag, fma(w.real, m.real, -(w.imag * m.imag))))
    xi = fma(u.real, p.imag, fma(u.imag, p.real, fma(w.real, m.imag, w.imag * m.real)))
    return complex(fma(k.real, xr, -(k.imag * xi)), fma(k.real, xi, k.imag * xr))


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


#: rows of the observables kernel output (B, N_FIELDS, M)
FIELD_ROWS = {"n": 0, "s": slice(1, 4), "j": 4, "H_cross_s": 5, "Z": 6, "phi": 7, "v": 8,
              "spin_current_advection": slice(9, 12), "spin_current_twist": slice(12, 15),
              "quantum_torque": slice(15, 18), "energy_density": 18}
N_FIELDS = 19


@nb.njit(cache=True, nogil=True)
def max_density(psi):
    """max over points of |psi_+|^2 + |psi_-|^2, shape (B, 2, M) -> float."""
    B, _, M = psi.shape
    m = 0.0
    for b in range(B):
        for i in range(M):
            p, q = psi[b, 0, i], psi[b, 1, i]
            n = p.real * p.real + p.imag * p.imag + q.real * q.real + q.imag * q.imag
            m = max(m, n)
    return m


@nb.njit(cache=True, nogil=True)
def fields(psi, dpsi, d2psi, V, g11, g22, g12, omega_R, delta, n_floor, out):
    """All local observables from psi and its first/second x-derivatives, fused (seed Eqs. 1-2, 5-7).

    n = |a|^2 + |b|^2 (a = psi_+1, b = psi_-1), s = (2 Re a*b, 2 Im a*b, |a|^2 - |b|^2), j = Im(a* a' + b* b'),
    Z = s_z/n, phi = atan2(s_y, s_x), v = j/n, advection v s, twist (s' x s)/2n,
    torque = -d_x twist = -[(s'' x s)/2n - (s' x s) n'/2n^2], |H x s| with H = (Omega_R, 0, -W_z),
    W_z = (g11 - g12)|a|^2 - (g22 - g12)|b|^2 + delta.  Quantities divided by n are 0 where n <= n_floor.
    Row 18: the local (non-kinetic) energy density V n + g11 |a|^4/2 + g22 |b|^4/2 + g12 |a b|^2
    - Omega_R Re(a* b) + delta (|a|^2 - |b|^2)/2.
    """
    B, _, M = psi.shape
    nv = V.shape[0]
    for bb in range(B):
        vb = bb if nv > 1 else 0
        for i in range(M):
            a, b = psi[bb, 0, i], psi[bb, 1, i]
            da, db = dpsi[bb, 0, i], dpsi[bb, 1, i]
            d2a, d2b = d2psi[bb, 0, i], d2psi[bb, 1, i]
            ca, cb = a.conjugate(), b.conjugate()
            na = a.real * a.real + a.imag * a.imag
            nb_ = b.real * b.real + b.imag * b.imag
            n = na + nb_
            ab = ca * b
            sx, sy, sz = 2 * ab.real, 2 * ab.imag, na - nb_
            t1 = da.conjugate() * b + ca * db
            dsx, dsy = 2 * t1.real, 2 * t1.imag
            ada, bdb = ca * da, cb * db
            dsz = 2 * ada.real - 2 * bdb.real
            dn = 2 * ada.real + 2 * bdb.real
            j = ada.imag + bdb.imag
            t2 = d2a.conjugate() * b + 2 * da.conjugate() * db + ca * d2b
            d2sx, d2sy = 2 * t2.real, 2 * t2.imag
            d2sz = (2 * (ca * d2a).real + 2 * (da.real * da.real + da.imag * da.imag)
                    - 2 * (cb * d2b).real - 2 * (db.real * db.real + db.imag * db.imag))
            wz = (g11[bb] - g12[bb]) * na - (g22[bb] - g12[bb]) * nb_ + delta[bb]
            hx, hz = omega_R[bb], -wz
            cx, cy, cz = -hz * sy, hz * sx - hx * sz, hx * sy  # H x s with H_y = 0
            inv = 1.0 / n if n > n_floor else 0.0
            v = j * inv
            # (ds x s) and (d2s x s)
            tx, ty, tz = dsy * sz - dsz * sy, dsz * sx - dsx * sz, dsx * sy - dsy * sx
            ux, uy, uz = d2sy * sz - d2sz * sy, d2sz * sx - d2sx * sz, d2sx * sy - d2sy * sx
            w = dn * inv * inv
            o = out[bb]
            o[0, i] = n
            o[1, i], o[2, i], o[3, i] = sx, sy, sz
            o[4, i] = j
            o[5, i] = math.sqrt(cx * cx + cy * cy + cz * cz)
            o[6, i] = sz * inv
            o[7, i] = math.atan2(sy, sx)
            o[8, i] = v
            o[9, i], o[10, i], o[11, i] = v * sx, v * sy, v * sz
            o[12, i], o[13, i], o[14, i] = 0.5 * tx * inv, 0.5 * ty * inv, 0.5 * tz * inv
            o[15, i] = -0.5 * (ux * inv - tx * w)
            o[16, i] = -0.5 * (uy * inv - ty * w)
            o[17, i] = -0.5 * (uz * inv - tz * w)
            o[18, i] = (V[vb, i] * n + 0.5 * g11[bb] * na * na + 0.5 * g22[bb] * nb_ * nb_ + g12[bb] * na * nb_
                        - omega_R[bb] * ab.real + 0.5 * delta[bb] * (na - nb_))
