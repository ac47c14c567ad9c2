"""Figures and sweep table of spinsweep.analysis.noble on small ensembles (drawing only; physics is in test_physics)."""

from __future__ import annotations

import math

import numpy as np

from spinsweep.analysis.noble import COLLISION_FIGURES, J_formula, fit_table, make_figures
from spinsweep.solvers.collisions import ensemble


def _params(phi, dphi, periods=1.5, n_rec=120, **kw):
    J = float(J_formula(10, 1000, phi))
    re = max(1, int(periods * math.pi / J / n_rec))
    return dict(n_alkali=10, n_noble=1000, phi_mean=phi, phi_std=dphi, n_steps=re * n_rec, record_every=re, **kw)


def test_make_figures_writes_every_figure(tmp_path):
    data = {
        "fig3a": ensemble(_params(2e-2, 2e-2), 3, 1, keep_trajectories=2),
        "fig3b": ensemble(_params(2e-2, 2e-2, initial="localized"), 3, 2),
        "fig3c": ensemble(_params(2e-3, 2e-3), 3, 3),
        "fig3d": ensemble(_params(2e-3, 2e-3, initial="localized"), 3, 4),
        "fig3e": ensemble(dict(n_alkali=4, n_noble=20, phi_mean=0.05, phi_std=0.0, n_steps=400, record_every=10,
                               subspace="double", initial="pair"), 2, 5),
        "s0": ensemble(_params(2e-3, 0.0), 3, 6),
        "s1": ensemble(_params(2e-3, 0.0, detuning=2 * float(J_formula(10, 1000, 2e-3))), 3, 7),
    }
    figs = make_figures(data, tmp_path)
    assert set(figs) == set(COLLISION_FIGURES)
    for name, path in figs.items():
        assert path.is_file() and path.stat().st_size > 5000, name
    tab = fit_table(data)
    assert tab.sizes["run"] == 6  # the two-excitation run is not in the single-excitation table
    for name, var in tab.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    # the localized runs' lossless prediction is F10(0) = 1/N_a
    loc = tab.initial.values == "localized"
    np.testing.assert_allclose(tab.contrast_formula.values[loc], 0.1, rtol=1e-12)
