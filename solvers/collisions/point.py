"""One sweep point of the noble study: a collision ensemble on a time grid scaled to the exchange period.

Sweeps run over <phi>, delta_phi/<phi>, N_a, N_b, the detuning Delta/(2J) and the initial state; the time
grid of each point covers ``periods`` exchange half-periods pi/J (2J = sqrt(N_a/N_b)<phi>/tau, Katz et al.
SI section 1), so points with very different J share one ``record`` dimension.  The physical time of each
record is the (non-index) coordinate ``t`` (units of tau), which a sweep store holds per point.  The derived
ensemble parameters (delta_phi, Delta, the step counts) are scalar variables of the point, so that
:func:`spinsweep.analysis.noble.fit_exchange` reads a point in this layout as it is (``t`` along ``record``).
"""

from __future__ import annotations

import math

from .ensemble import ensemble
from .params import exchange_rate, record_grid

#: ensemble parameters derived per point, stored as scalar variables (the swept ones are sweep coordinates)
_DERIVED = {"phi_std": "rad", "detuning": "1/tau", "n_steps": "1", "record_every": "1"}


def point(n_alkali: int, n_noble: int, phi_mean: float, phi_std_ratio: float, detuning_over_2J: float,
          initial: str, periods: float, n_records: int, n_traj: int, *, seed: int, client=None):
    """Ensemble mean/standard error of F10, F01, ... for one sweep point (see module docstring).

    ``phi_std_ratio`` = delta_phi/<phi>; ``detuning_over_2J`` = Delta/(2J); ``seed`` is the root of the
    point's trajectory seeds; ``client`` a ``distributed.Client`` (None: serial).
    """
    if not (isinstance(n_records, int) and n_records >= 2):
        raise ValueError(f"n_records={n_records!r} is not allowed: must be an integer >= 2")
    if not (periods > 0 and math.isfinite(periods)):
        raise ValueError(f"periods={periods!r} is not allowed: must be a finite number > 0")
    J = exchange_rate(int(n_alkali), int(n_noble), float(phi_mean))
    params = {"n_alkali": int(n_alkali), "n_noble": int(n_noble), "phi_mean": float(phi_mean),
              "phi_std": float(phi_std_ratio) * float(phi_mean), "detuning": float(detuning_over_2J) * 2 * J,
              "initial": str(initial), **record_grid(n_alkali, n_noble, phi_mean, periods, n_records)}
    ds = ensemble(params, int(n_traj), int(seed), client=client)
    t = ds["t"]
    ds = ds.drop_vars("t").rename_dims({"t": "record"})
    ds = ds.assign_coords(record=("record", range(t.size), {"units": "1", "long_name": "sample index on the "
                                                             "point's time grid"}),
                          t=("record", t.values, dict(t.attrs)))
    for name, units in _DERIVED.items():
        ds[name] = ((), params[name], {"units": units, "long_name": f"ensemble parameter {name}"})
    ds["J_formula"] = ((), J, {"units": "1/tau", "long_name": "exchange rate J = sqrt(N_a/N_b)<phi>/2"})
    return ds
