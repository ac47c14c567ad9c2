"""Figures of spinsweep.analysis.noble on small ensembles and their fit table (drawing only; physics is in
test_physics, the fits in test_fits)."""

from __future__ import annotations

import numpy as np

from spinsweep.analysis.noble import COLLISION_FIGURES, J_formula, fit_table, make_figures
from spinsweep.solvers.collisions import ensemble
from spinsweep.solvers.collisions.params import record_grid


def _params(phi, dphi, periods=1.5, n_rec=120, **kw):
    return dict(n_alkali=10, n_noble=1000, phi_mean=phi, phi_std=dphi, **record_grid(10, 1000, phi, periods, n_rec),
                **kw)


def test_make_figures_writes_every_figure(tmp_path):
    panels = {
        "fig3a": ensemble(_params(2e-2, 2e-2), 3, 1, keep_trajectories=2),
        "fig3b": ensemble(_params(2e-2, 2e-2, initial="localized"), 3, 2),
        "fig3c": ensemble(_params(2e-3, 2e-3), 3, 3),
        "fig3d": ensemble(_params(2e-3, 2e-3, initial="localized"), 3, 4),
        "fig3e": ensemble(dict(n_alkali=4, n_noble=20, phi_mean=0.05, phi_std=0.0, n_steps=400, record_every=10,
                               subspace="double", initial="pair"), 2, 5),
    }
    sweep = {
        "sweep0": ensemble(_params(2e-3, 0.0), 3, 6),
        "sweep1": ensemble(_params(2e-3, 0.0, detuning=2 * float(J_formula(10, 1000, 2e-3))), 3, 7),
    }
    fits = fit_table({**panels, **sweep})
    assert fits.sizes["run"] == 7 and list(fits.subspace.values).count("double") == 1
    figs = make_figures(panels, fits, tmp_path)
    assert set(figs) == set(COLLISION_FIGURES)
    for name, path in figs.items():
        assert path.is_file() and path.stat().st_size > 5000, name
    # the figure code draws by the needs the configuration check uses (spinsweep.analysis.noble.needs): without
    # the detuned sweep point, every run is resonant and the contrast curve is neither drawn nor allowed
    from spinsweep.analysis.noble.needs import table_runs, unmet

    resonant = fits.isel(run=fits.run.values != "sweep1")
    single = resonant.isel(run=resonant.subspace.values == "single")
    assert unmet("contrast_vs_detuning", [table_runs(single)])[0] == "detuning_over_2J"
    assert set(make_figures(panels, resonant, tmp_path / "resonant")) == set(COLLISION_FIGURES) - {
        "contrast_vs_detuning"}
    # the localized runs' lossless prediction is F10(0) = 1/N_a
    loc = fits.initial.values == "localized"
    np.testing.assert_allclose(fits.contrast_formula.values[loc], 0.1, rtol=1e-12)
