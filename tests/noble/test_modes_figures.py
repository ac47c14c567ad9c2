"""Modes part of the noble study end to end on tiny grids: runs -> stores (workflow stage) -> figures."""

from __future__ import annotations

import numpy as np

from spinsweep.analysis.noble import MODES_FIGURES
from spinsweep.solvers import store
from spinsweep.workflow.studies.noble import MODES_PARTS, modes_figures, modes_part

TINY = {"fig2_n_t": 200, "n_modes": 6, "n_t": 21, "convergence": [4, 8], "map_modes": 4, "map_n_t": 21,
        "p_a": [0.8, 1.0], "p_b": [0.7, 1.0], "B_mG": [85.0, 85.6], "n_a_cm3": [1e14, 3e14]}


def test_modes_parts_to_stores_and_figures(tmp_path):
    stores = {part: modes_part(TINY, part, tmp_path / f"{part}.zarr") for part in MODES_PARTS}
    for path in stores.values():
        assert store.is_complete(path)
    pol = store.open_dataset(stores["map_polarization"])
    assert pol["P2_max"].dims == ("p_a", "p_b")
    for name, var in pol.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    # a better alkali polarization transfers the Fock state better (fewer incoherent excitations, less noise)
    P = pol["P2_max"].values
    assert np.all(P[1] > P[0])
    outputs = {name: tmp_path / "figures" / f"{name}.png" for name in MODES_FIGURES}
    modes_figures(stores, outputs)
    for name, path in outputs.items():
        assert path.is_file() and path.stat().st_size > 5000, name
