"""Packages whose public names load from their submodules on first use (PEP 562).

A package that the workflow imports for light data (study discovery, the configuration check: figure lists,
presets) must not pay for its heavy submodules (scipy, numba, matplotlib) at every Snakemake start; it declares
where each public name lives and calls :func:`lazy_package` at its end.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping


def lazy_package(package: str, where: Mapping[str, tuple[str, str]]) -> None:
    """Give the package ``package`` a module ``__getattr__``/``__dir__`` that load ``where[name] = (submodule,
    name there)`` on first use.

    A public name that is also the name of its submodule (``collisions.ensemble``, ``torque.correlations``)
    stays the object, as after an eager ``from .ensemble import ensemble``: loading the submodule makes the
    import system set the package attribute to the module, so such names are properties of the package's
    module class, which ignore that assignment.
    """
    module = sys.modules[package]

    def load(name: str):
        submodule, attr = where[name]
        return getattr(importlib.import_module(f"{package}.{submodule}"), attr)

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = load(name)
        setattr(module, name, value)  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(where))

    module.__getattr__, module.__dir__ = __getattr__, __dir__
    shadowed = {name: property(lambda self, name=name: load(name), lambda self, value: None)
                for name, (submodule, _) in where.items() if name == submodule}
    if shadowed:
        module.__class__ = type("LazyPackage", (types.ModuleType,), shadowed)
