"""Compiled (numba) kernels: random pairing and the exact spin-exchange unitary of Eq. S1.

Katz et al., Supplementary section 1.  Every time step tau each alkali electron spin a collides with one
noble-gas spin b, no noble-gas spin twice in a step.  The pair evolves by exp(-i phi s_a.k_b) (the exchange
Hamiltonian of Eq. S1 integrated over the sudden collision).  Relative to the pair state |down down> (whose
phase exp(-i phi/4) is common to every basis state and dropped), the exact unitary of Eq. S1 is

    |up down> (excitation on a)  ->  p |up down> + m |down up>
    |down up> (excitation on b)  ->  m |up down> + p |down up>
    |down down>, |up up>         ->  unchanged

with p = exp(i phi/2) cos(phi/2) = cos^2(phi/2) + i sin(phi/2)cos(phi/2),
     m = -i exp(i phi/2) sin(phi/2) = sin^2(phi/2) - i sin(phi/2)cos(phi/2)
(so p + m = 1 and p - m = exp(i phi)).  Writing p and m through sin and cos of phi/2 avoids the
cancellation in 1 - cos(phi) for phi ~ 1e-5.  (The seed's text of Eq. S1 is garbled by extraction; the form
above follows from its exchange Hamiltonian V_ab directly, and tests/noble checks it against a dense
expm(-i phi s_a.k_b) on the full Hilbert space.  A different sign convention for phi only conjugates m.)

The alkali Zeeman term (gamma_a B_z sum_a s_az in the SI) gives the alkali excitation a phase
exp(-i theta) per step.  It is applied in a frame rotating with it: amplitudes with n alkali excitations are
stored as c~ = c exp(+i n theta step), which turns the collision into the same 2x2 map with the off-diagonal
elements multiplied by exp(+-i theta step).  Populations of the symmetric states (all observables here) are the
same in both frames.

Random numbers are drawn by numpy in bulk and handed to the kernels: one uniform per collision (partner
choice, a partial Fisher-Yates shuffle of a persistent permutation of the N_b noble-gas spins, so each step is
a uniformly random injective pairing) and one standard normal per collision (phi = <phi> + delta_phi z).
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Taylor coefficients of sin(x)/x and cos(x) in powers of x^2.  For |x| <= X_TAYLOR the truncation error of
# these polynomials is below 1e-19 relative, i.e. they are the exact functions in double precision.
X_TAYLOR = 0.4
_SIN_C = np.array([1.0 / math.factorial(2 * k + 1) * (-1) ** k for k in range(8)])
_COS_C = np.array([1.0 / math.factorial(2 * k) * (-1) ** k for k in range(9)])
S0, S1, S2, S3, S4, S5, S6, S7 = (float(c) for c in _SIN_C)
C0, C1, C2, C3, C4, C5, C6, C7, C8 = (float(c) for c in _COS_C)


@numba.njit(cache=True)
def draw_partners(u, perm, n_alkali, partners):
    """Uniformly random injective pairing alkali i -> noble-gas spin partners[i] in [0, N_b).

    Partial Fisher-Yates on the persistent permutation ``perm`` (any starting order gives a uniform
    sample without replacement); ``u`` holds n_alkali uniforms in [0, 1).
    """
    n_noble = perm.shape[0]
    for i in range(n_alkali):
        j = i + int(u[i] * (n_noble - i))
        if j >= n_noble:  # u rounds to 1.0 only with probability ~1e-16; keep the index valid
            j = n_noble - 1
        tmp = perm[j]
        perm[j] = perm[i]
        perm[i] = tmp
        partners[i] = tmp


@numba.njit(cache=True)
def _observables_single(c, n_alkali, out):
    """F10, F01, population outside the two symmetric states, norm, alkali population (single subspace)."""
    n = c.shape[0]
    n_noble = n - n_alkali
    sa = 0j
    sb = 0j
    norm = 0.0
    for i in range(n_alkali):
        sa += c[i]
        norm += c[i].real * c[i].real + c[i].imag * c[i].imag
    p_alkali = norm
    for i in range(n_alkali, n):
        sb += c[i]
        norm += c[i].real * c[i].real + c[i].imag * c[i].imag
    f10 = (sa.real * sa.real + sa.imag * sa.imag) / n_alkali
    f01 = (sb.real * sb.real + sb.imag * sb.imag) / n_noble
    out[0] = f10
    out[1] = f01
    out[2] = norm - f10 - f01
    out[3] = norm
    out[4] = p_alkali


@numba.njit(cache=True)
def collision_coefficients(z_row, phi_mean, phi_std, p_re, p_im, m_re):
    """p = cos^2(phi/2) + i sin cos, m = sin^2(phi/2) - i sin cos for phi = <phi> + delta_phi z.

    m_im = -p_im.  The polynomial loop has no branch so that it vectorises; angles beyond the Taylor range
    are redone with libm in a second loop.
    """
    n = z_row.shape[0]
    for i in range(n):
        x = 0.5 * (phi_mean + phi_std * z_row[i])
        x2 = x * x
        sh = x * (S0 + x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * (S5 + x2 * (S6 + x2 * S7)))))))
        ch = C0 + x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * (C5 + x2 * (C6 + x2 * (C7 + x2 * C8)))))))
        p_re[i] = ch * ch
        p_im[i] = sh * ch
        m_re[i] = sh * sh
    for i in range(n):
        x = 0.5 * (phi_mean + phi_std * z_row[i])
        if abs(x) > X_TAYLOR:
            sh = math.sin(x)
            ch = math.cos(x)
            p_re[i] = ch * ch
            p_im[i] = sh * ch
            m_re[i] = sh * sh


@numba.njit(cache=True)
def evolve_single(c, perm, u, z, phi_mean, phi_std, theta, step0, record_every, obs, rec0):
    """Advance the single-excitation amplitudes ``c`` (length N_a + N_b) by ``u.shape[0]`` steps.

    c[0:N_a] are alkali excitations, c[N_a:] noble-gas excitations (rotating frame, see module doc).
    ``u``, ``z``: uniforms / standard normals of shape (steps, N_a).  ``step0`` is the global index of the
    first step.  After every global step count divisible by ``record_every`` the observables are written to
    obs[rec0 + k]; returns the next record index.
    """
    n_steps, n_alkali = u.shape
    partners = np.empty(n_alkali, dtype=np.int64)
    p_re = np.empty(n_alkali)
    p_im = np.empty(n_alkali)
    m_re = np.empty(n_alkali)
    rec = rec0
    for s in range(n_steps):
        step = step0 + s
        draw_partners(u[s], perm, n_alkali, partners)
        collision_coefficients(z[s], phi_mean, phi_std, p_re, p_im, m_re)
        ang = theta * step
        rot = complex(math.cos(ang), math.sin(ang))  # exp(+i theta step)
        rotc = rot.conjugate()
        for i in range(n_alkali):
            b = n_alkali + partners[i]
            p = complex(p_re[i], p_im[i])
            m = complex(m_re[i], -p_im[i])
            ca = c[i]
            cb = c[b]
            c[i] = p * ca + (m * rot) * cb
            c[b] = (m * rotc) * ca + p * cb
        if (step + 1) % record_every == 0:
            _observables_single(c, n_alkali, obs[rec])
            rec += 1
    return rec


@numba.njit(cache=True)
def _observables_double(C, n_alkali, out):
    """:func:`_observables_double_split` of a complex amplitude matrix (the t = 0 record)."""
    _observables_double_split(np.ascontiguousarray(C.real), np.ascontiguousarray(C.imag), n_alkali, out)


@numba.njit(cache=True)
def _observables_double_split(Cr, Ci, n_alkali, out):
    """P(2_a 0_b), P(0_a 2_b), P(1_a 1_b), population outside them, norm (two-excitation subspace).

    C = Cr + i Ci is the symmetric N x N amplitude matrix, c_ij = C[i, j] for i < j, zero diagonal; the norm
    is sum_{i<j} |c_ij|^2 = sum |C|^2 / 2.
    """
    n = Cr.shape[0]
    n_noble = n - n_alkali
    saa_r = saa_i = sbb_r = sbb_i = sab_r = sab_i = 0.0
    norm = 0.0
    for i in range(n):
        for j in range(n):
            vr = Cr[i, j]
            vi = Ci[i, j]
            norm += vr * vr + vi * vi
            if i < n_alkali:
                if j < n_alkali:
                    saa_r += vr
                    saa_i += vi
                else:
                    sab_r += vr
                    sab_i += vi
            elif j >= n_alkali:
                sbb_r += vr
                sbb_i += vi
    norm *= 0.5
    saa2 = 0.25 * (saa_r * saa_r + saa_i * saa_i)  # each unordered alkali pair counted twice
    sbb2 = 0.25 * (sbb_r * sbb_r + sbb_i * sbb_i)
    p20 = saa2 / (n_alkali * (n_alkali - 1) / 2) if n_alkali > 1 else 0.0
    p02 = sbb2 / (n_noble * (n_noble - 1) / 2) if n_noble > 1 else 0.0
    p11 = (sab_r * sab_r + sab_i * sab_i) / (n_alkali * n_noble)
    out[0] = p20
    out[1] = p02
    out[2] = p11
    out[3] = norm - p20 - p02 - p11
    out[4] = norm


@numba.njit(inline="always")
def _pair_update(pr, pi, xr, xi, yr, yi, ar, ai, br, bi):
    """(a, b) <- (p a + x b, y a + p b) for complex numbers given as (real, imaginary) parts: the pair matrix
    of Eq. S1 acting on one pair of amplitudes (returns new a.re, a.im, b.re, b.im)."""
    return ((pr * ar - pi * ai) + (xr * br - xi * bi), (pr * ai + pi * ar) + (xr * bi + xi * br),
            (yr * ar - yi * ai) + (pr * br - pi * bi), (yr * ai + yi * ar) + (pr * bi + pi * br))


@numba.njit(cache=True)
def evolve_double(C, perm, u, z, phi_mean, phi_std, theta, step0, record_every, obs, rec0):
    """Advance the two-excitation amplitude matrix ``C`` (N x N symmetric) by ``u.shape[0]`` steps.

    The step map is C -> M C M^T with M the single-spin map (2x2 blocks of the module doc on every colliding
    pair, identity elsewhere), except on the colliding pair itself: |up_a up_b> is invariant (a triplet
    state of the pair), so c_ab keeps its value and no amplitude goes to the (unphysical) diagonal.
    Entries (i, j) with i, j in different pairs or untouched spins only involve C_kl with k, l in different
    pairs, so M C M^T is exact for them.

    Implementation: C is held as separate real and imaginary matrices (the row updates then vectorise);
    rows of the 2 N_a colliding spins are mixed (C1 = M C), the colliding rows are mixed at the colliding
    columns (C1 M^T there), and for every other row k the new C[k, r] equals the new C[r, k] (symmetry; column
    r of an untouched row only changes through M^T), so columns are written by copying rows.
    """
    n_steps, n_alkali = u.shape
    n = C.shape[0]
    Cr = np.empty((n, n))
    Ci = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            Cr[i, j] = C[i, j].real
            Ci[i, j] = C[i, j].imag
    partners = np.empty(n_alkali, dtype=np.int64)
    coll = np.empty(2 * n_alkali, dtype=np.int64)
    p_re = np.empty(n_alkali)
    p_im = np.empty(n_alkali)
    m_re = np.empty(n_alkali)
    xr = np.empty(n_alkali)  # m exp(+i theta step): alkali <- noble
    xi = np.empty(n_alkali)
    yr = np.empty(n_alkali)  # m exp(-i theta step): noble <- alkali
    yi = np.empty(n_alkali)
    keep_r = np.empty(n_alkali)
    keep_i = np.empty(n_alkali)
    rec = rec0
    for s in range(n_steps):
        step = step0 + s
        draw_partners(u[s], perm, n_alkali, partners)
        ang = theta * step
        cr = math.cos(ang)
        sr = math.sin(ang)
        collision_coefficients(z[s], phi_mean, phi_std, p_re, p_im, m_re)
        for i in range(n_alkali):
            mr = m_re[i]
            mi = -p_im[i]
            xr[i] = mr * cr - mi * sr
            xi[i] = mr * sr + mi * cr
            yr[i] = mr * cr + mi * sr
            yi[i] = mi * cr - mr * sr
            b = n_alkali + partners[i]
            coll[i] = i
            coll[n_alkali + i] = b
            keep_r[i] = Cr[i, b]
            keep_i[i] = Ci[i, b]
        # rows of the colliding spins: C <- M C
        for i in range(n_alkali):
            b = n_alkali + partners[i]
            pr = p_re[i]
            pi = p_im[i]
            axr = xr[i]
            axi = xi[i]
            byr = yr[i]
            byi = yi[i]
            rar = Cr[i]
            rai = Ci[i]
            rbr = Cr[b]
            rbi = Ci[b]
            for k in range(n):
                ar = rar[k]
                ai = rai[k]
                br = rbr[k]
                bi = rbi[k]
                rar[k], rai[k], rbr[k], rbi[k] = _pair_update(pr, pi, axr, axi, byr, byi, ar, ai, br, bi)
        # colliding rows at the colliding columns: C <- C M^T there
        for q in range(2 * n_alkali):
            r = coll[q]
            rr = Cr[r]
            ri = Ci[r]
            for j in range(n_alkali):
                b = n_alkali + partners[j]
                ar = rr[j]
                ai = ri[j]
                br = rr[b]
                bi = ri[b]
                pr = p_re[j]
                pi = p_im[j]
                rr[j], ri[j], rr[b], ri[b] = _pair_update(pr, pi, xr[j], xi[j], yr[j], yi[j], ar, ai, br, bi)
        # every other row: new C[k, r] = new C[r, k]
        for q in range(2 * n_alkali):
            r = coll[q]
            for k in range(n):
                Cr[k, r] = Cr[r, k]
                Ci[k, r] = Ci[r, k]
        # the colliding pair's own |up up> amplitude is invariant; nothing sits on the diagonal
        for i in range(n_alkali):
            b = n_alkali + partners[i]
            Cr[i, b] = keep_r[i]
            Ci[i, b] = keep_i[i]
            Cr[b, i] = keep_r[i]
            Ci[b, i] = keep_i[i]
            Cr[i, i] = 0.0
            Ci[i, i] = 0.0
            Cr[b, b] = 0.0
            Ci[b, b] = 0.0
        if (step + 1) % record_every == 0:
            _observables_double_split(Cr, Ci, n_alkali, obs[rec])
            rec += 1
    for i in range(n):
        for j in range(n):
            C[i, j] = complex(Cr[i, j], Ci[i, j])
    return rec
