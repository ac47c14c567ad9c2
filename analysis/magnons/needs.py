"""What each magnon figure needs from the sweep -- the one owner of those needs.

Every figure is drawn over the two sweep dimensions ``h_over_T`` and ``bias`` (seed slides 16, 24-26): both
must be sweep axes of their own (not fixed, not zipped together), and every other parameter takes one value
(a further dimension is one no figure draws).  Beyond that:

* ``conductances``, ``relaxation_times``: curves against h/T (slides 16, 24), so >= 2 distinct h_over_T;
* ``traces``: one sweep point where both protocols have a gapped initial state (slide 25), judged by
  :func:`spinsweep.solvers.magnons.point.initial_state` -- the function that sets the stored ``valid`` flag;
* ``fits``: nothing more (left panel at the smallest bias, right panel against the swept bias).

Two users, one code path: :func:`spinsweep.analysis.magnons.make_figures` refuses a figure whose need the
sweep store does not meet, and the configuration check (``spinsweep.workflow.studies.magnon``) asks
:func:`unmet` the same about the sweep a configuration declares, before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

#: the sweep dimensions every magnon figure is drawn over
DIMS = ("h_over_T", "bias")
#: figures drawn as curves against h/T
CURVES_IN_H = ("conductances", "relaxation_times")


def unmet(figure: str, dims: Mapping[str, Sequence], zipped: Mapping[str, str]) -> tuple[str, str] | None:
    """``(parameter, what)`` when a sweep cannot supply ``figure``, else None.

    ``dims``: {sweep dimension: its values} (a zip group is one dimension, named after its first axis);
    ``zipped``: {axis: the dimension it is zipped into} for the other axes of zip groups.
    """
    for name in DIMS:
        if name in zipped:
            return name, (f"{figure} is drawn over h_over_T and bias as sweep dimensions of their own, but {name} "
                          f"is zipped with {zipped[name]}; take it out of sweep.zip")
        if name not in dims:
            return name, f"{figure} is drawn against the {name} sweep axis; make {name} a sweep axis"
    others = {**{k: len(v) for k, v in dims.items() if k not in DIMS},
              **{k: len(dims[d]) for k, d in zipped.items()}}
    for name, n in others.items():
        if n > 1:
            return name, (f"{figure} draws the sweep over h_over_T and bias only; give {name} one value "
                          f"(fixed or a one-value axis)")
    if figure in CURVES_IN_H and np.unique(np.asarray(dims["h_over_T"], float)).size < 2:
        return "h_over_T", f"{figure} is a curve against h/T and needs >= 2 distinct values; sweep more values"
    if figure == "traces" and _example_point(dims["h_over_T"], dims["bias"]) is None:
        return "bias", (f"traces needs a sweep point where both protocols start gapped (spin: bias < 2 h/T; "
                        f"thermal: roughly bias < 0.9 sqrt(h/T)), none at the smallest bias "
                        f"{float(np.min(dims['bias'])):g}; sweep a smaller bias or a larger h_over_T")
    return None


def _example_point(h_over_T: Sequence, bias: Sequence) -> float | None:
    """Some h/T at which both protocols are feasible at the smallest bias, else None.  Feasibility only gets
    harder with the bias (spin: bias < 2x, thermal: bias below a supremum, spinsweep.solvers.magnons.max_bias),
    so the smallest bias decides; the largest h/T is tried first (the easiest).  A point that
    :func:`_surely_feasible` clears is taken without the exact check, whose imports (numba, scipy) would cost
    every Snakemake start about 2 s."""
    b = float(np.min(bias))
    xs = sorted((float(v) for v in h_over_T), reverse=True)
    for x in xs:
        if _surely_feasible(x, b):
            return x
    from spinsweep.solvers.magnons.point import PROTOCOLS, initial_state

    for x in xs:
        if all(initial_state(p, x, b) is not None for p in PROTOCOLS):
            return x
    return None


def _surely_feasible(x: float, bias: float) -> bool:
    """A sufficient condition (math only) for both protocols to start gapped at h/T = x and ``bias``.

    spin: x - bias/2 > 0 (exact, as in :func:`spinsweep.solvers.magnons.point.initial_state`).  thermal
    (T_L,R = 1 +- bias/2, equal densities, h_L + h_R = 2x): feasible iff the left reservoir at the limit h_L -> 2x
    holds fewer magnons than the right one at h_R -> 0+, theta_L^{3/2} Li_{3/2}(e^{-2x/theta_L}) < theta_R^{3/2}
    zeta(3/2).  Since Li_{3/2}(z) = sum z^k / k^{3/2} <= z zeta(3/2) for 0 < z <= 1, it suffices that
    theta_L^{3/2} e^{-2x/theta_L} < theta_R^{3/2}; the exact condition (polylog) also admits the rest.
    """
    if not (x - 0.5 * bias > 0 and 0 <= bias < 2):
        return False
    theta_l, theta_r = 1 + 0.5 * bias, 1 - 0.5 * bias
    return theta_l ** 1.5 * math.exp(-2 * x / theta_l) < theta_r ** 1.5


def store_dims(sweep) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``(dims, zipped)`` of :func:`unmet` for a sweep store (dims other than ``protocol`` and ``t``)."""
    dims = {d: sweep[d].values for d in sweep.dims if d not in ("protocol", "t")}
    zipped = {str(c): sweep[c].dims[0] for c in sweep.coords
              if c not in sweep.dims and sweep[c].ndim == 1 and sweep[c].dims[0] in dims}
    return dims, zipped


def section_dims(sweep) -> tuple[dict[str, list], dict[str, str]]:
    """``(dims, zipped)`` of :func:`unmet` for a :class:`spinsweep.workflow.sweep.Sweep`."""
    return ({group[0]: sweep.axes[group[0]] for group in sweep.dims},
            {name: group[0] for group in sweep.dims for name in group[1:]})
