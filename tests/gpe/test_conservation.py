"""Real-time conservation laws of the split-step solver, per scheme and time step.

Every sub-step is unitary (exact phases, exact 2x2 rotation, FFTs), so the total atom number is conserved to
round-off; the energy is not exactly conserved by a splitting scheme, but its error is bounded and scales as
dt^order (no secular drift): halving dt must shrink the maximum energy deviation by ~2^order.
"""

import pytest

from gpe_helpers import machinery, quench_ground, small_trapped


@pytest.fixture(scope="module")
def system():
    p = small_trapped()
    return p, quench_ground(p)


def _energy_deviation(p, psi0, scheme, dt, t_final=10.0, checks=20):
    _, _, prop, obs = machinery(p, scheme, dt)
    E0, N0 = obs.energy(psi0)[0], prop.total_number(psi0)[0]
    psi, dev = psi0.copy(), 0.0
    for _ in range(checks):
        psi = prop.advance(psi, int(round(t_final / checks / dt)))
        dev = max(dev, abs(obs.energy(psi)[0] - E0) / abs(E0))
    return dev, abs(prop.total_number(psi)[0] - N0) / N0


@pytest.mark.parametrize("scheme, order, dt, e_tol", [
    # measured: strang 3.7e-6 at dt=0.01 (mu dt = 0.2); yoshida4 5.9e-8.  Tolerances ~3x above.
    ("strang", 2, 0.01, 1e-5),
    ("yoshida4", 4, 0.01, 2e-7),
])
def test_atom_number_and_energy(system, scheme, order, dt, e_tol):
    p, psi0 = system
    dev, dN = _energy_deviation(p, psi0, scheme, dt)
    dev2, dN2 = _energy_deviation(p, psi0, scheme, dt / 2)
    # N: unitary sub-steps, only round-off (~1e-16 per operation, ~1e4 FFT pairs): 1e-11 is generous
    assert dN < 1e-11 and dN2 < 1e-11
    # E: bounded splitting error at the stated level
    assert dev < e_tol
    # and it scales as dt^order: ratio 2^order within a factor 1.5 either way
    ratio = dev / dev2
    assert 2 ** order / 1.5 < ratio < 2 ** order * 1.5, (dev, dev2, ratio)
