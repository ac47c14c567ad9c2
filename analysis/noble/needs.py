"""What each collision figure needs from the runs of the fit table -- the one owner of those needs.

The sweep figures (``sweep_J``, ``sweep_gamma``, ``contrast_vs_detuning``, ``collective_vs_localized``) draw
selections of the runs in ``fits.zarr``: the Fig. 3 panels and the sweep points.  A selection is a chain of
:class:`Step` s on columns every run has before it is computed -- initial state, subspace, the detuning
Delta/(2J) and the formula rates J_f = sqrt(N_a/N_b)<phi>/2 and gamma_f = alpha <phi^2>/4 (SI section 1;
:mod:`.formulas`) -- and a figure needs enough runs (or enough distinct values of a column) in it.

Two users, one code path:

* :func:`spinsweep.analysis.noble.make_figures` draws a figure only when :func:`unmet` says its need is met
  on the runs of the fit table (:func:`table_runs`), and draws exactly the runs :func:`select` picks;
* the configuration check (``spinsweep.workflow.studies.noble``) asks :func:`unmet` the same about the runs a
  sweep *will* produce (:func:`sweep_runs`, :func:`panel_runs`), before anything runs.

Fig. 3a-e need only their preset panel (always computed), so they have no entry in :data:`NEEDS`; the modes
figures need only their store of the modes part (:data:`MODES_PART`), nothing from the sweep.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: runs whose formula decay over half an exchange period is below this: gamma_f pi/(2 J_f) < WEAK_DECAY
WEAK_DECAY = 0.05
#: distinct Delta/(2J) are counted after rounding to this many decimals (the figure's abscissa)
DECIMALS = 6


@dataclass(frozen=True)
class Runs:
    """A block of ``n`` runs as columns that broadcast against each other (a column 1-d in the fit table; in
    a sweep, one axis of the sweep per dimension, so a mask costs the size of the axes it involves)."""

    columns: Mapping[str, Any]
    n: int

    def count(self, mask) -> int:
        """Runs where ``mask`` holds (each element of a broadcast mask stands for n / mask.size runs)."""
        mask = np.asarray(mask, bool)
        return int(mask.sum()) * (self.n // mask.size) if mask.size else 0

    def values(self, mask, column: str) -> np.ndarray:
        """The values of ``column`` where ``mask`` holds (one per distinct combination of the axes involved)."""
        col, mask = np.broadcast_arrays(np.asarray(self.columns[column]), np.asarray(mask, bool))
        return col[mask]


@dataclass(frozen=True)
class Step:
    """One filter of a selection: ``keep(columns) -> mask``; ``key`` is the sweep parameter that decides it
    (named when the step leaves too few runs), ``words`` what it keeps, ``remedy`` what to change."""

    key: str
    keep: Callable[[Mapping[str, Any]], Any]
    words: str
    remedy: str


@dataclass(frozen=True)
class Need:
    """At least ``at_least`` runs pass every step (or, with ``distinct``, that many distinct values of that
    column among them)."""

    steps: tuple[Step, ...]
    at_least: int
    distinct: str | None = None


def weak_decay(c: Mapping[str, Any]):
    """gamma_f pi/(2 J_f) < :data:`WEAK_DECAY`: nearly lossless over half an exchange period (Eq. 3's limit)."""
    return np.asarray(c["gamma_formula"]) * math.pi / (2 * np.asarray(c["J_formula"])) < WEAK_DECAY


SINGLE = Step("initial", lambda c: np.asarray(c["subspace"]) == "single", "single-excitation",
              "sweep points are single-excitation runs")
COLLECTIVE = Step("initial", lambda c: np.asarray(c["initial"]) == "collective", "collective",
                  "include initial: collective")
LOCALIZED = Step("initial", lambda c: np.asarray(c["initial"]) == "localized", "localized",
                 "include initial: localized")
RESONANT = Step("detuning_over_2J", lambda c: np.asarray(c["detuning_over_2J"]) == 0, "zero-detuning",
                "include detuning_over_2J: 0")
WEAK = Step("phi_mean", weak_decay, f"weak-decay (gamma_f pi/(2J_f) < {WEAK_DECAY})",
            "smaller phi_mean or phi_std_ratio, or larger n_alkali/n_noble, make the decay weak")
STRONG = Step("phi_mean", lambda c: np.asarray(c["J_formula"]) > 3 * np.asarray(c["gamma_formula"]),
              "strong-coupling (J_f > 3 gamma_f)",
              "smaller phi_mean or phi_std_ratio, or larger n_alkali/n_noble, make J > 3 gamma")

#: figure -> the needs it has (all must hold); figures not listed need nothing from the sweep
NEEDS: dict[str, tuple[Need, ...]] = {
    "sweep_J": (Need((SINGLE, COLLECTIVE, RESONANT), 2),),
    "sweep_gamma": (Need((SINGLE, COLLECTIVE, RESONANT, STRONG), 2),),
    "contrast_vs_detuning": (Need((SINGLE, COLLECTIVE, WEAK), 2, distinct="detuning_over_2J"),),
    "collective_vs_localized": (Need((SINGLE, COLLECTIVE, RESONANT, WEAK), 1),
                                Need((SINGLE, LOCALIZED, RESONANT, WEAK), 1)),
}


#: modes figure -> the store of the modes part it is drawn from (spinsweep.workflow.studies.noble.MODES_PARTS)
MODES_PART = {"fig2a": "fig2", "fig2b": "fig2", "fig2c": "fig2", "fig4a": "fig4", "fig4b": "fig4",
              "modes_convergence": "convergence", "map_polarization": "map_polarization",
              "map_field_density": "map_field_density", "map_density_radius": "map_density_radius"}


def _mask(need: Need, columns: Mapping[str, Any], upto: int | None = None):
    mask = np.asarray(True)
    for step in need.steps[:upto]:
        mask = mask & np.asarray(step.keep(columns), bool)
    return mask


def select(figure: str, columns: Mapping[str, Any]) -> tuple:
    """The masks of the runs ``figure`` draws, one per :class:`Need` (the fit table's columns, 1-d)."""
    return tuple(_mask(need, columns) for need in NEEDS[figure])


def _distinct(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return np.unique(np.round(values.astype(float), DECIMALS) if values.dtype.kind in "fiu" else values)


def unmet(figure: str, blocks: Sequence[Runs]) -> tuple[str, str] | None:
    """``(key, what)`` when the runs of ``blocks`` cannot supply ``figure``, else None.

    The last block is the one a configuration controls (the sweep points; the Fig. 3 panels are fixed):
    ``key`` is the parameter of the first step that leaves it no run, or, when some of its runs pass every
    step, the counted column (``distinct``) or the last step -- the sweep then needs more such points.
    """
    for need in NEEDS.get(figure, ()):
        words = " ".join(step.words for step in need.steps)
        total = sum(b.count(_mask(need, b.columns)) for b in blocks)
        found = None
        if need.distinct and total:
            found = _distinct(np.concatenate([b.values(_mask(need, b.columns), need.distinct) for b in blocks]))
        if (found.size if found is not None else total) >= need.at_least:
            continue
        what = (f"{figure} needs >= {need.at_least} distinct values of {need.distinct} among the {words} runs "
                f"(sweep points and Fig. 3 panels), found {found.tolist()}" if found is not None else
                f"{figure} needs >= {need.at_least} {words} run(s) (sweep points and Fig. 3 panels), found {total}")
        own = blocks[-1]
        for i, step in enumerate(need.steps, 1):
            if not own.count(_mask(need, own.columns, i)):
                return step.key, f"{what}; no sweep point is {step.words}: {step.remedy}"
        if need.distinct:
            return need.distinct, f"{what}; sweep more values"
        return need.steps[-1].key, f"{what}; sweep more such points"
    return None


def table_runs(tab) -> Runs:
    """The runs of a fit table (:func:`spinsweep.analysis.noble.fit_table`) as one block."""
    J = tab.J_formula.values
    return Runs({"initial": tab.initial.values, "subspace": tab.subspace.values, "J_formula": J,
                 "gamma_formula": tab.gamma_formula.values,
                 "detuning_over_2J": tab.detuning.values / (2 * J)}, tab.sizes["run"])


def _formula_runs(n_alkali, n_noble, phi_mean, phi_std, initial, subspace, detuning_over_2J, n: int) -> Runs:
    from .formulas import J_formula, gamma_formula

    return Runs({"initial": initial, "subspace": subspace, "J_formula": J_formula(n_alkali, n_noble, phi_mean),
                 "gamma_formula": gamma_formula(phi_mean, phi_std), "detuning_over_2J": detuning_over_2J}, n)


def sweep_runs(params: Mapping[str, Any]) -> Runs:
    """The sweep points as one block, from the parameters of the noble point schema as arrays broadcasting
    over the sweep dimensions (fixed ones 0-d); the fit table gets the same J_f, gamma_f from them."""
    arrays = {k: np.asarray(v) for k, v in params.items()}
    n = math.prod(np.broadcast_shapes(*(a.shape for a in arrays.values())))
    phi = arrays["phi_mean"].astype(float)
    return _formula_runs(arrays["n_alkali"], arrays["n_noble"], phi, arrays["phi_std_ratio"] * phi,
                         arrays["initial"], np.asarray("single"), arrays["detuning_over_2J"], n)


def panel_runs(presets: Mapping[str, tuple[Mapping[str, Any], int]]) -> Runs:
    """The Fig. 3 panels (``spinsweep.solvers.collisions.fig3_presets``: ensemble parameters, detuning in 1/tau,
    default 0) as one block."""
    from .formulas import J_formula

    rows = [p for p, _n_traj in presets.values()]

    def col(key, default=None):
        return np.asarray([r.get(key, default) for r in rows])

    phi = col("phi_mean").astype(float)
    x = col("detuning", 0.0).astype(float) / (2 * J_formula(col("n_alkali"), col("n_noble"), phi))
    return _formula_runs(col("n_alkali"), col("n_noble"), phi, col("phi_std").astype(float), col("initial"),
                         col("subspace", "single"), x, len(rows))
