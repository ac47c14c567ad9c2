"""What the rule files compute at planning time: the validated config, targets, params and thread counts.

Kept out of the .smk files (Snakemake's lint wants rules and functions apart) and light to import: nothing
here loads numba, matplotlib or the solvers.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from spinsweep.workflow.config import ConfigError, coerce, fill_defaults, validate
from spinsweep.workflow.engines import n_workers
from spinsweep.workflow.study import get, studies
from spinsweep.workflow.sweep import Sweep

#: the software environment of every rule (for `--sdm conda`), relative to the rule files
ENV = "../envs/spinsweep.yaml"


def prepare_config(config: dict) -> str:
    """Fill in default sections and validate, in place; exit with one line if invalid.  Returns ``results``."""
    fill_defaults(config)
    try:
        if "__use_yte__" in config:
            raise ConfigError("config key '__use_yte__': value true is not allowed: configuration files are "
                              "data, YTE templates are not evaluated (see README)")
        config.update(validate(coerce(config)))
    except ConfigError as err:
        sys.exit(f"spinsweep: invalid configuration: {err}")
    return str(config["results"]).rstrip("/")


def study_targets_of(config: Mapping[str, Any]) -> list[str]:
    """Final products of every study listed in ``config['studies']``."""
    return [target for name in config["studies"] for target in studies()[name].targets(config)]


def study_physics(config: Mapping[str, Any], study: str) -> dict[str, Any]:
    """The physics of a study's section: what a rule passes as ``params`` (engine settings excluded)."""
    return get(study).physics_of(config[study])


def study_threads(config: Mapping[str, Any], study: str) -> int:
    """Cores of one sweep-batch job: the dask workers for dask studies, else one."""
    return n_workers(config) if get(study).engine == "dask" else 1


def batch_stores(config: Mapping[str, Any], study: str) -> list[str]:
    sweep = Sweep.from_section(config[study])
    results = str(config["results"]).rstrip("/")
    return [f"{results}/{study}/points/batch-{batch}.zarr" for batch in range(sweep.n_batches)]
