"""Parameter sets for Fig. 3 of Katz et al. 2022 (main-text caption, SI section 1), default and paper scale.

Each entry is (params for :func:`spinsweep.solvers.collisions.ensemble`, n_traj).  Times are in units of tau; the
record grid has ~300-400 points and n_steps covers a few exchange periods pi/J, 2J = sqrt(N_a/N_b)<phi>/tau.

* "default": minutes on 2 cores in total (measured ~1 min for a-e on the shared CI machine): the weak-collision
  panels (c-e) use <phi> = 1e-3 instead of 1e-5, which keeps gamma/J ~ <phi>/sqrt(N_a/N_b) small (nearly no
  decay, as in the paper) with 100x fewer steps;
* "paper": the seed's values (<phi> = 2e-2 and 1e-5, N_a = 100, N_b = 1e4; N_a = 30, N_b = 300 for e);
  c, d take ~30 s per trajectory and e ~3 min per trajectory on one core (2 exchange periods).
"""

from __future__ import annotations

from .params import record_grid as _grid


def fig3(scale: str = "default") -> dict[str, tuple[dict, int]]:
    """{"fig3a": (params, n_traj), ..., "fig3e": ...} at ``scale`` "default" or "paper"."""
    if scale not in ("default", "paper"):
        raise ValueError(f"scale={scale!r} is not allowed: choose 'default' or 'paper'")
    weak = 1e-3 if scale == "default" else 1e-5
    n_mod, n_weak, n_pair = (32, 8, 4) if scale == "default" else (128, 16, 8)
    out = {}
    for key, initial in (("fig3a", "collective"), ("fig3b", "localized")):
        out[key] = ({"n_alkali": 100, "n_noble": 10_000, "phi_mean": 2e-2, "phi_std": 2e-2, "initial": initial,
                     **_grid(100, 10_000, 2e-2, 4, 400)}, n_mod)
    for key, initial in (("fig3c", "collective"), ("fig3d", "localized")):
        out[key] = ({"n_alkali": 100, "n_noble": 10_000, "phi_mean": weak, "phi_std": weak, "initial": initial,
                     **_grid(100, 10_000, weak, 3 if scale == "default" else 1.5, 300)}, n_weak)
    out["fig3e"] = ({"n_alkali": 30, "n_noble": 300, "phi_mean": weak, "phi_std": weak, "initial": "pair",
                     "subspace": "double", **_grid(30, 300, weak, 2, 300)}, n_pair)
    return out
