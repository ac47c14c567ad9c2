"""What a camera sees of a (truncated-Wigner) GPE shot: Z from blurred, symmetric-ordering-corrected densities.

A truncated-Wigner field psi_W samples the Wigner distribution, whose moments are *symmetrically* ordered:
<|psi_W(x)|^2> = <psi^dagger psi> + 1/(2 dx) per component on a grid of spacing dx (half a particle per mode,
:mod:`spinsweep.solvers.gpe.noise`).  The atom density of a shot is therefore |psi_W|^2 - 1/(2 dx) per
component, n = |psi_W,+|^2 + |psi_W,-|^2 - 1/dx in total; s_z needs no correction (the two 1/(2 dx) cancel).
A deterministic run (no noise) gets no correction.

The grid-scale part of that noise (k up to pi/dx) is not resolved by absorption imaging.  The imaging model of
the seed comparison (Fig. 3a, Fig. 4) is a Gaussian blur of rms width ``sigma_um`` along x applied to the
column densities, after which Z = (G * s_z)/(G * n): :func:`imaged_Z`.  It is what the front detector and the
"with resolution model" correlations read (seed text after Fig. 3: std of the magnetisation in 5 um windows).
"""

from __future__ import annotations

import xarray as xr

from .correlations import blur


def imaged_Z(ds: xr.Dataset, sigma_um: float = 0.0, *, wigner: bool = False) -> xr.DataArray:
    """Z = (G * s_z)/(G * n_atoms) of a GPE dataset in lab units (``s`` with a ``component`` dim, ``n`` in 1/um,
    ``x`` in um), G a Gaussian of rms ``sigma_um`` (none for 0); ``wigner``: subtract the symmetric-ordering
    density 1/dx (both components) from n first.  Lazy: per time chunk.  With sigma 0 and no correction this is
    the stored Z (up to rounding)."""
    if sigma_um < 0:
        raise ValueError(f"imaged_Z: sigma_um = {sigma_um!r} must be >= 0")
    sz = ds["s"].sel(component="z", drop=True).astype("float64")
    n = ds["n"].astype("float64")
    if wigner:
        dx = float(abs(ds.x[1] - ds.x[0]))
        n = n - 1.0 / dx
    Z = blur(sz, sigma_um) / blur(n, sigma_um)
    Z = Z.where(n > 0)
    return Z.assign_attrs(units="1", long_name="Z of the imaging model" + (f" (blur {sigma_um:g} um)" if sigma_um else ""),
                          blur_sigma_um=float(sigma_um), wigner_corrected=bool(wigner))
