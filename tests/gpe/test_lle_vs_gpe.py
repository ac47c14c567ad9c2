"""GPE vs the 1D Landau-Lifshitz reduction (spinsweep.solvers.lle) in the paper's regime (seed Methods, Extended Data
Fig. 1: density and velocity barely matter, the LLE with quantum torque reproduces Z(x, t)).

Paper route Omega_R = 2pi x 118 Hz = 0.33 kappa n0, delta g/g = 0.07, with a shorter cloud (R_x = 60 um instead
of 210 um) to keep the LLE integration within the test budget; same Lambda0, hence same x_c/R_x.
"""

import numpy as np

from spinsweep.solvers import lle
from spinsweep.solvers.gpe import profiles
from spinsweep.solvers.gpe.units import from_rabi
from spinsweep.solvers.rabi import RabiParams
from gpe_helpers import machinery, quench_ground


def test_gpe_z_matches_lle_with_quantum_torque():
    rp = RabiParams.from_paper(omega_R_hz=118.0, omega_R_over_kappa_n0=0.33, R_x_um=60.0, N=1.5e5)
    p, _ = from_rabi(rp)
    u = rp.units()
    dt = 0.004
    psi = quench_ground(p, dt=0.01)
    _, _, prop, obs = machinery(p, "strang", dt)
    t_out = np.array([0.0, 2.0, 4.0])  # Omega_R t: interfaces forming (t = 2) and formed, about to break (t = 4)
    Zg = [profiles(psi, obs)["Z"][0]]
    for i in range(1, len(t_out)):
        psi = prop.advance(psi, int(round((t_out[i] - t_out[i - 1]) / dt)))
        Zg.append(profiles(psi, obs)["Z"][0])
    Zg = np.array(Zg)
    x = np.arange(p.shape[0]) * p.dx[0] - p.box[0] / 2
    with_torque = lle.evolve(rp, x * u.length, t_out * u.time).Z.values
    without = lle.evolve(rp, x * u.length, t_out * u.time, quantum_torque=False).Z.values
    inside = np.abs(x) < 0.9 * rp.R_x / u.length  # the LLE regularises the Thomas-Fermi edge
    err = np.max(np.abs(Zg - with_torque)[:, inside], axis=1)
    err_no_torque = np.max(np.abs(Zg - without)[:, inside], axis=1)
    # measured 3.1e-3 and 4.7e-2 (the residual: density modulation / velocity, absent from the LLE)
    assert err[1] < 1e-2 and err[2] < 0.08, err
    # the quantum torque matters: without it the LLE is 3x further from the GPE at the interfaces
    assert err_no_torque[2] > 2 * err[2], (err, err_no_torque)
    # interfaces are there: the centre is self-trapped (Z < 0), outside x_c the spin has flipped (Z > 0)
    xc = rp.x_c / u.length
    assert np.all(Zg[2, np.abs(x) < 0.5 * xc] < 0)
    assert np.max(Zg[2, (np.abs(x) > 1.1 * xc) & inside]) > 0.5
