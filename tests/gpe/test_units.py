"""Paper route -> solver units (spinsweep.solvers.gpe.units via spinsweep.solvers.rabi): the numbers the paper quotes survive."""

import numpy as np

from spinsweep.solvers.gpe.units import preset


def test_paper118_preset_reproduces_the_papers_numbers():
    p, units, rp = preset("paper118")
    u = rp.units()
    mu, n_peak, radii = p.thomas_fermi()
    # polarised cloud: g n0 = mu and the 1D Thomas-Fermi radius is R_x = 210 um (Methods)
    assert abs(radii[0][0] * u.length * 1e6 / 210.0 - 1) < 2e-2
    # kappa n0 = Omega_R / 0.33 (Fig. 3): kappa = g - g12 in solver units, Omega_R = 1
    assert abs(p.kappa[0] * n_peak[0] * 0.33 - 1) < 2e-2
    # xi_s ~ 0.8 um (text after Fig. 4) and the grid resolves it
    assert abs(p.xi_s()[0] * u.length * 1e6 - 0.8) < 0.05
    p.check_preconditions(0.004)
    # stored units: x in um, t in ms
    fac, unit = units.factor("length")
    assert unit == "um" and abs(p.box[0] * fac - 2.5 * 210.0) < 1.0
    fac, unit = units.factor("time")
    assert unit == "ms" and abs(2 * np.pi * fac - 1e3 / 118.0) < 1e-9  # one Rabi period = 1/118 s
