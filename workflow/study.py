"""The ``Study`` seam: one record per study, read by the rules, the CLI, the schema and the report.

A study plugs in with exactly these files, and nothing else in the code base lists studies:

* ``workflow/studies/<name>.py``   -- defines ``STUDY = Study(...)`` and the study's stage functions (thin:
  stores in and out; physics lives in ``solvers`` and ``analysis``);
* ``config/schema/<name>.schema.yaml`` -- ``$defs: {<name>: <section schema>, <name>_point: <point schema>}``
  merged into the configuration schema (the allowed range of each physical parameter is written once);
* ``workflow/rules/<name>.smk``     -- its own rules (figures, panels, fits, ...); the generic sweep rules in
  ``common.smk`` compute its points through :attr:`Study.point`;
* ``workflow/report/<name>_<figure>.rst`` -- one caption per figure in :attr:`Study.figures`.

Figures are *requested*: a study whose section schema has a ``figures`` key builds only the figures listed
there (default: all of :attr:`Study.figures`), and its optional :attr:`Study.figure_needs` says, before
anything runs, whether the sweep can supply the points each requested figure draws.

:func:`studies` discovers the records by importing every module of :mod:`spinsweep.workflow.studies`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

ENGINES = ("plain", "dask", "threads", "mpi")

#: what a check found wrong: (key, value, what is allowed)
Problem = tuple[str, Any, str]


@dataclass(frozen=True)
class Study:
    """What the workflow needs to know about one study.

    ``point`` is ``"module:function"``, a pure function ``point(**params[, seed=][, client=]) -> Dataset``
    computing one sweep point (``None``: the study has no generic sweep).  ``engine`` says how a batch job runs
    its points: ``plain`` (one process), ``dask`` (the point function gets a ``distributed.Client``),
    ``threads`` or ``mpi`` (the study's own rules).  ``physics`` names the keys of the study's config section
    that define the results of its points: rules pass only those as ``params``, so engine settings never
    invalidate results.  ``figures`` are drawn under ``<results>/<name>/figures/<figure>.png``.
    """

    name: str
    title: str
    seed_paper: str
    figures: tuple[str, ...]
    point: str | None = None
    engine: str = "plain"
    seeded: bool = False
    physics: tuple[str, ...] = ("fixed", "sweep", "seed")
    paper_configs: tuple[str, ...] = ()
    extra_targets: Callable[[Mapping[str, Any]], list[str]] | None = None
    #: cross-parameter constraints, checked before anything runs: ``check(params) -> (key, value, what) | None``
    #: where ``params`` maps every parameter to a numpy array that broadcasts over the sweep dimensions
    #: (fixed values 0-d, zipped axes along one dimension), so a check costs the size of the axes it involves
    constraints: Callable[[Mapping[str, Any]], tuple[str, Any, str] | None] | None = None
    #: what the figures need from the sweep, checked before anything runs for the requested figures only:
    #: ``needs(section, params) -> {figure: (key, value, what) | None}`` with ``params`` as for
    #: :attr:`constraints` and ``key`` relative to the section (``sweep.axes.x`` or ``fixed.x``:
    #: :meth:`param_at`); a figure missing from the answer needs nothing.  ``None``: no figure needs anything
    #: from the sweep (the study validates as without the hook)
    figure_needs: Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Problem | None]] | None = None

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ValueError(f"study {self.name}: engine {self.engine!r} is not one of {ENGINES}")

    @staticmethod
    def at_least(key: str, other: str, why: str) -> Callable[[Mapping[str, Any]], tuple[str, Any, str] | None]:
        """A :attr:`constraints` check: parameter ``key`` >= parameter ``other`` at every sweep point."""
        return at_least(key, other, why)

    def point_function(self) -> Callable[..., Any]:
        if self.point is None:
            raise ValueError(f"study {self.name} computes no generic sweep points")
        module, name = self.point.split(":")
        return getattr(importlib.import_module(module), name)

    def physics_of(self, section: Mapping[str, Any]) -> dict[str, Any]:
        """The part of the study's config section that defines its sweep points' results."""
        return {k: section[k] for k in self.physics if k in section}

    def requested_figures(self, section: Mapping[str, Any] | None) -> tuple[str, ...]:
        """The figures the study's config section asks for (its ``figures`` list; default: all), in report
        order.  The rules declare outputs for these only, so the report holds these only."""
        asked = section.get("figures") if isinstance(section, Mapping) else None
        return self.figures if asked is None else tuple(f for f in self.figures if f in asked)

    @staticmethod
    def param_at(section: Mapping[str, Any], name: str) -> tuple[str, Any]:
        """Where parameter ``name`` sits in a (validated) study section and its value there, for a message:
        ``("fixed.<name>", value)`` or ``("sweep.axes.<name>", [the axis's values])``."""
        if name in section["fixed"]:
            return f"fixed.{name}", section["fixed"][name]
        from spinsweep.workflow.config import expand_axis

        return f"sweep.axes.{name}", list(expand_axis(section["sweep"]["axes"][name]))

    def figure_paths(self, results: str, section: Mapping[str, Any] | None = None) -> list[str]:
        """PNG paths of the requested figures (all figures when ``section`` is None)."""
        return [f"{results}/{self.name}/figures/{fig}.png" for fig in self.requested_figures(section)]

    def targets(self, config: Mapping[str, Any]) -> list[str]:
        """Final products built by ``rule all`` when the study is listed in ``config['studies']``."""
        extra = self.extra_targets(config) if self.extra_targets else []
        return self.figure_paths(config["results"], config.get(self.name)) + extra


def at_least(key: str, other: str, why: str) -> Callable[[Mapping[str, Any]], tuple[str, Any, str] | None]:
    """A :attr:`Study.constraints` check: parameter ``key`` >= parameter ``other`` at every sweep point."""

    def check(params: Mapping[str, Any]) -> tuple[str, Any, str] | None:
        import numpy as np

        big, small = np.broadcast_arrays(np.asarray(params[key]), np.asarray(params[other]))
        bad = np.flatnonzero(big < small)
        if not bad.size:
            return None
        i = int(bad[0])
        return key, big.flat[i], f"{key} must be >= {other} ({other} = {small.flat[i]} at this point; {why})"

    return check


@functools.lru_cache(maxsize=1)
def studies() -> dict[str, Study]:
    """Every study record, by name (the modules of :mod:`spinsweep.workflow.studies`)."""
    from spinsweep.workflow import studies as package

    found = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        record = getattr(module, "STUDY", None)
        if isinstance(record, Study):
            found[record.name] = record
    return found


def get(name: str) -> Study:
    try:
        return studies()[name]
    except KeyError:
        raise ValueError(f"unknown study {name!r}; known: {', '.join(studies())}") from None
