"""How the tissue constants in ``parameters.toml`` were identified (run ``python -m sim.calibrate``).

Each constant is fixed by one published measurement, stated here, and the
printed values are those stored in the parameter file.  Validation targets
that are calibrations are marked so in ``sim validate``.

* Moment-rotation law per direction (k0, B): the rotation at +/-0.5 N m is
  half the neutral zone and the rotation at 10 N m is the range of motion
  (yamamoto1989: flexion 8.9, extension 5.8, lateral 5.7, axial 2.2 deg;
  NZ 1.8 flexion-extension, 1.6 lateral, 0.4 axial).  Pure moments, no
  preload, facets included (they matter in extension only).
* Facet contact (stiffness, gap): in the erect posture, taken as 2 deg of
  extension under the 700 N standing load, the facets carry 16 % of the
  compressive force; with a 3 mm narrowed disc, 70 % (adams_hutton1980).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, fsolve

from . import mechanics as mech
from . import params as prm

YAMAMOTO_ROM_DEG = {"flexion": 8.9, "extension": 5.8, "lateral": 5.7, "axial": 2.2}
YAMAMOTO_NZ_DEG = {"flexion": 1.8, "extension": 1.8, "lateral": 1.6, "axial": 0.4}
NZ_MOMENT_NM = 0.5
ROM_MOMENT_NM = 10.0
ERECT_EXTENSION_DEG = -2.0
STANDING_FORCE_N = 700.0
FACET_SHARE_ERECT = 0.16
FACET_SHARE_NARROW = 0.70
NARROW_DISC_LOSS_MM = 3.0


def _tissue() -> dict:
    return {k.split(".", 1)[1]: v for k, v in prm.defaults().items() if k.startswith("tissue.")}


def analytic_law(nz_half_deg, rom_deg):
    """(k0, B) with angle(0.5 N m) = nz_half and angle(10 N m) = rom for the pure law."""

    def residual(x):
        k0, b = np.exp(x)
        return [math.log1p(NZ_MOMENT_NM * b / k0) / b - nz_half_deg,
                math.log1p(ROM_MOMENT_NM * b / k0) / b - rom_deg]

    k0, b = np.exp(fsolve(residual, [math.log(NZ_MOMENT_NM / nz_half_deg), math.log(0.3)], xtol=1e-13))
    return float(k0), float(b)


def facet_share(tissue, force_n, angle_deg, height_loss_mm):
    w = mech.axial_compression_mm(force_n, angle_deg, height_loss_mm, tissue)
    c = mech.facet_closure_mm(w, height_loss_mm, angle_deg, tissue["facet_lever_arm_mm"], tissue["facet_gap_mm"])
    return float(mech.facet_force_n(c, tissue["facet_stiffness_n_per_mm"], tissue["facet_contact_smoothing_mm"])) / force_n


def calibrate() -> dict:
    t = _tissue()
    out = {}
    for key, name in (("flexion", "flexion"), ("lateral", "lateral"), ("axial", "axial")):
        k0, b = analytic_law(YAMAMOTO_NZ_DEG[key] / 2, YAMAMOTO_ROM_DEG[key])
        out[f"{name}_toe_stiffness_nm_per_deg"], out[f"{name}_stiffening_per_deg"] = k0, b
    t.update(out)

    def facet_residual(x):
        t["facet_stiffness_n_per_mm"], t["facet_gap_mm"] = x
        return [facet_share(t, STANDING_FORCE_N, ERECT_EXTENSION_DEG, 0.0) - FACET_SHARE_ERECT,
                facet_share(t, STANDING_FORCE_N, ERECT_EXTENSION_DEG, NARROW_DISC_LOSS_MM) - FACET_SHARE_NARROW]

    kf, gap = fsolve(facet_residual, [150.0, 1.0], xtol=1e-13)
    t["facet_stiffness_n_per_mm"], t["facet_gap_mm"] = kf, gap
    out["facet_stiffness_n_per_mm"], out["facet_gap_mm"] = float(kf), float(gap)

    # extension: toe stiffness from the NZ (facets are open there), stiffening from the ROM with facets
    k0e, _ = analytic_law(YAMAMOTO_NZ_DEG["extension"] / 2, YAMAMOTO_ROM_DEG["extension"])
    t["extension_toe_stiffness_nm_per_deg"] = k0e

    def ext_residual(b):
        t["extension_stiffening_per_deg"] = b
        return -mech.sagittal_equilibrium(0.0, -ROM_MOMENT_NM, 0.0, t)[0] - YAMAMOTO_ROM_DEG["extension"]

    be = brentq(ext_residual, 1e-3, 3.0, xtol=1e-13)
    out["extension_toe_stiffness_nm_per_deg"], out["extension_stiffening_per_deg"] = k0e, float(be)
    return out


if __name__ == "__main__":  # pragma: no cover
    for key, value in calibrate().items():
        print(f"tissue.{key} = {value:.6g}")
