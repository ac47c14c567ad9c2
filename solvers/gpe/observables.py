"""Observables of the spinor hydrodynamics (seed farolfi2023, Eqs. 1-2 and 5-7), from psi and its x-derivatives.

n = |psi_+|^2 + |psi_-|^2,  s = Psi^dagger sigma Psi,  Z = s_z / n,  phi = atan2(s_y, s_x),
j = Im(Psi^dagger d_x Psi) (hbar/m = 1),  v = j / n,
spin current Eq. (7) along x:  j_s = v s  (advection)  +  (1/2n) d_x s x s  (spin twist),
quantum torque = -d_x (spin-twist current)  (the term of Eq. 1 that depends on hbar/m),
|H x s| with the local field of this GPE, H = (Omega_R, 0, -W_z),
W_z = (g11 - g12) n_+ - (g22 - g12) n_- + delta  (= kappa s_z + delta for g11 = g22): ds/dt|_local = -H x s.
The paper writes H = Omega_R x + kappa s_z z with a signed kappa ("|kappa n_0|"); |H x s| is the same.
Derivatives are spectral (x is the long axis; in 2D/3D currents are the x components).
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .fft import SlabFFT
from .grid import Grid, ordered_sum
from .params import GPEParams


def _cross(a: np.ndarray, b: np.ndarray, axis: int = 1) -> np.ndarray:
    return np.cross(a, b, axisa=axis, axisb=axis, axisc=axis)


class Observer:
    """Computes the observables of :mod:`spinsweep.solvers.gpe` on this rank's x-slab."""

    def __init__(self, params: GPEParams, grid: Grid, fft: SlabFFT, V: np.ndarray, comm=None) -> None:
        self.params, self.grid, self.fft, self.comm = params, grid, fft, comm
        self.B = params.batch_size
        ks = grid.spectral_k()
        self.kx = ks[0]
        self.k2 = grid.k2()
        self.V = V.reshape(grid.local_shape)
        self.Vflat = np.ascontiguousarray(self.V.reshape(1, -1))
        self.flat_params = [params.batch_array(n) for n in ("g11", "g22", "g12", "omega_R", "detuning")]
        self.g11, self.g22, self.g12, self.omega_R, self.delta = (
            params.batch_array(n).reshape((self.B,) + (1,) * grid.ndim)
            for n in ("g11", "g22", "g12", "omega_R", "detuning"))

    def global_max(self, x: np.ndarray) -> float:
        m = float(np.max(x))
        if self.comm is not None and self.comm.Get_size() > 1:
            from mpi4py import MPI
            m = self.comm.allreduce(m, op=MPI.MAX)
        return m

    def _sum_space(self, f: np.ndarray) -> np.ndarray:
        """Global spatial integral of f (B, *local) -> (B,), independent of the rank count."""
        return ordered_sum(f, self.B, 1, self.comm) * self.grid.cell_volume

    def energy(self, psi: np.ndarray, psik: np.ndarray | None = None) -> np.ndarray:
        """Total energy per batch point: kinetic (by Parseval) + V n + contact + Rabi + detuning."""
        if psik is None:
            psik = self.fft.forward(psi)
        dV, N = self.grid.cell_volume, self.grid.n_points
        pk = psik.real ** 2 + psik.imag ** 2
        # spectral layout is distributed along ky (axis 2 of (B, Nx, ny_local, ...)) in 2D/3D
        kin = ordered_sum(0.5 * self.k2 * (pk[:, 0] + pk[:, 1]), self.B, 2 if self.grid.ndim > 1 else 1,
                          self.comm) * dV / N
        a, b = psi[:, 0], psi[:, 1]
        na, nb = a.real ** 2 + a.imag ** 2, b.real ** 2 + b.imag ** 2
        ab = np.conj(a) * b
        dens = (self.V * (na + nb) + 0.5 * self.g11 * na ** 2 + 0.5 * self.g22 * nb ** 2 + self.g12 * na * nb
                - self.omega_R * ab.real + 0.5 * self.delta * (na - nb))
        return kin + self._sum_space(dens)

    def compute(self, psi: np.ndarray) -> dict[str, np.ndarray]:
        """All observables as fields on the local slab: (B, *local) or (B, 3, *local), plus (B,) scalars."""
        psik = self.fft.forward(psi)
        energy = self.energy(psi, psik)
        dpsi = self.fft.backward(1j * self.kx * psik)
        d2psi = self.fft.backward(-(self.kx ** 2) * psik)
        a, b = psi[:, 0], psi[:, 1]
        da, db = dpsi[:, 0], dpsi[:, 1]
        d2a, d2b = d2psi[:, 0], d2psi[:, 1]
        ca, cb = np.conj(a), np.conj(b)
        na, nb = (ca * a).real, (cb * b).real
        n = na + nb
        s = np.stack([2 * (ca * b).real, 2 * (ca * b).imag, na - nb], axis=1)
        ds = np.stack([2 * (np.conj(da) * b + ca * db).real, 2 * (np.conj(da) * b + ca * db).imag,
                       2 * (ca * da).real - 2 * (cb * db).real], axis=1)
        cross_ab = np.conj(d2a) * b + 2 * np.conj(da) * db + ca * d2b
        d2s = np.stack([2 * cross_ab.real, 2 * cross_ab.imag,
                        2 * (ca * d2a).real + 2 * np.abs(da) ** 2 - 2 * (cb * d2b).real - 2 * np.abs(db) ** 2], axis=1)
        dn = 2 * (ca * da).real + 2 * (cb * db).real
        j = (ca * da).imag + (cb * db).imag
        atom_number = self._sum_space(n)
        Wz = (self.g11 - self.g12) * na - (self.g22 - self.g12) * nb + self.delta
        H = np.stack([np.broadcast_to(self.omega_R, n.shape), np.zeros_like(n), -Wz], axis=1)
        return dict(n=n, s=s, j=j, dn=dn, ds=ds, d2s=d2s, H_cross_s=np.linalg.norm(_cross(H, s), axis=1),
                    energy=energy, atom_number=atom_number)


def derived(f: dict[str, np.ndarray], n_floor: float) -> dict[str, np.ndarray]:
    """Z, phi, v and the Eq. (7) currents from (n, s, j, dn, ds, d2s); zero where n < n_floor."""
    n, s, j, dn, ds, d2s = (f[k] for k in ("n", "s", "j", "dn", "ds", "d2s"))
    inv_n = np.where(n > n_floor, 1.0 / np.where(n > n_floor, n, 1.0), 0.0)
    v = j * inv_n
    twist_dir = _cross(ds, s)
    twist = 0.5 * twist_dir * inv_n[:, None]
    # -d_x [ (d_x s x s) / 2n ] = -[ (d2s x s) / 2n - (ds x s) dn / 2n^2 ]   (ds x ds = 0)
    torque = -0.5 * (_cross(d2s, s) * inv_n[:, None] - twist_dir * (dn * inv_n ** 2)[:, None])
    return dict(Z=s[:, 2] * inv_n, phi=np.arctan2(s[:, 1], s[:, 0]), v=v,
                spin_current_advection=v[:, None] * s, spin_current_twist=twist, quantum_torque=torque)


def radial_profile(field: np.ndarray, grid: Grid) -> np.ndarray:
    """Integrate a local field (..., nx, [ny, nz]) over the transverse axes: a 1D profile along x."""
    d = grid.ndim
    if d == 1:
        return field
    axes = tuple(range(field.ndim - d + 1, field.ndim))
    return field.sum(axis=axes) * float(np.prod(grid.dx[1:]))


def profiles(psi: np.ndarray, obs: Observer) -> dict[str, np.ndarray]:
    """All stored observables along x (radially integrated in 2D/3D) plus the scalars energy, atom_number.

    Fused numba kernel (:func:`spinsweep.solvers.gpe.kernels.fields`); :meth:`Observer.compute` with :func:`derived`
    is the plain-numpy reference of the same formulas (tests compare them).  In 2D/3D the densities, spin,
    currents, torque and |H x s| are integrated over (y, z); Z, phi and v are then formed from the integrated
    quantities (what an experiment integrating radially measures), and the full-grid n and Z are kept as
    ``n_full`` and ``Z_full``.
    """
    grid, B = obs.grid, obs.B
    M = int(np.prod(grid.local_shape))
    flat = (B, 2, M)
    psik = obs.fft.forward(psi)
    pk = psik.real ** 2
    pk += psik.imag ** 2
    kin = ordered_sum(0.5 * obs.k2 * (pk[:, 0] + pk[:, 1]), B, 2 if grid.ndim > 1 else 1,
                      obs.comm) * grid.cell_volume / grid.n_points
    ik = 1j * obs.kx
    dpsi = obs.fft.backward(ik * psik)
    psik *= ik * ik
    d2psi = obs.fft.backward(psik)
    peak = kernels.max_density(psi.reshape(flat))
    if obs.comm is not None and obs.comm.Get_size() > 1:
        peak = obs.global_max(np.array([peak]))
    out = np.empty((B, kernels.N_FIELDS, M))
    kernels.fields(psi.reshape(flat), dpsi.reshape(flat), d2psi.reshape(flat), obs.Vflat, *obs.flat_params,
                   1e-12 * max(peak, 1e-300), out)
    out = out.reshape((B, kernels.N_FIELDS) + grid.local_shape)
    f = {name: out[:, r] for name, r in kernels.FIELD_ROWS.items()}
    energy = kin + obs._sum_space(f.pop("energy_density"))
    atom_number = obs._sum_space(f["n"])
    if grid.ndim > 1:
        prof = {k: radial_profile(f[k], grid) for k in ("n", "s", "j", "H_cross_s", "spin_current_advection",
                                                          "spin_current_twist", "quantum_torque")}
        n1 = prof["n"]
        floor = 1e-12 * max(obs.global_max(n1), 1e-300)
        inv = np.where(n1 > floor, 1.0 / np.where(n1 > floor, n1, 1.0), 0.0)
        prof["Z"] = prof["s"][:, 2] * inv
        prof["phi"] = np.arctan2(prof["s"][:, 1], prof["s"][:, 0])
        prof["v"] = prof["j"] * inv
        prof["n_full"] = f["n"]
        prof["Z_full"] = f["Z"]
        f = prof
    f["energy"] = energy
    f["atom_number"] = atom_number
    return f


def profiles_reference(psi: np.ndarray, obs: Observer) -> dict[str, np.ndarray]:
    """1D observables with plain numpy (:meth:`Observer.compute` + :func:`derived`), for cross-checks."""
    f = obs.compute(psi)
    peak = obs.global_max(f["n"])
    out = {k: f[k] for k in ("n", "s", "j", "H_cross_s", "energy", "atom_number")}
    out.update(derived(f, n_floor=1e-12 * max(peak, 1e-300)))
    return out
