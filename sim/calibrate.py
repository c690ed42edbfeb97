"""How the tissue constants in ``parameters.toml`` were identified (run ``python -m sim.calibrate``).

Each constant is fixed by one published measurement, stated here, and the
printed values are those stored in the parameter file.  Validation targets
that are calibrations are marked so in ``sim validate``.

* Facet tip contact (stiffness, gap), first: pure compression of 700 N at a
  held 2 deg of extension (the lordotic erect posture of the cadaver tests),
  no shear; the facets carry 16 % of it in a healthy segment and 70 % with a
  3 mm narrowed disc (adams_hutton1980).  With the remodelled rest state the
  narrowed facets touch without force before the load comes on.
* Moment-rotation law per direction (k0, B): the rotation of the law alone at
  0.5 N m is half the neutral zone (the contacts are open there); B then puts
  the rotation of the whole segment (law, facet contacts, shear) at 10 N m on
  the range of motion (yamamoto1989: flexion 8.9, extension 5.8, lateral 5.7,
  axial 2.2 deg; NZ 1.8 flexion-extension, 1.6 lateral, 0.4 axial).  Pure
  moments, no preload.  Lateral and axial laws are fitted alone.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, fsolve

from . import mechanics as mech
from . import params as prm
from .loads import LAW_KEYS

YAMAMOTO_ROM_DEG = {"flexion": 8.9, "extension": 5.8, "lateral": 5.7, "axial": 2.2}
YAMAMOTO_NZ_DEG = {"flexion": 1.8, "extension": 1.8, "lateral": 1.6, "axial": 0.4}
NZ_MOMENT_NM = 0.5
ROM_MOMENT_NM = 10.0
ERECT_EXTENSION_DEG = -2.0
ERECT_FORCE_N = 700.0
FACET_SHARE_ERECT = 0.16
FACET_SHARE_NARROW = 0.70
NARROW_DISC_LOSS_MM = 3.0


def _values() -> dict:
    return dict(prm.defaults())


def analytic_law(nz_half_deg, rom_deg):
    """(k0, B) with angle(0.5 N m) = nz_half and angle(10 N m) = rom for the pure law."""

    def residual(x):
        k0, b = np.exp(x)
        return [math.log1p(NZ_MOMENT_NM * b / k0) / b - nz_half_deg,
                math.log1p(ROM_MOMENT_NM * b / k0) / b - rom_deg]

    k0, b = np.exp(fsolve(residual, [math.log(NZ_MOMENT_NM / nz_half_deg), math.log(0.3)], xtol=1e-13))
    return float(k0), float(b)


def _solve(v: dict, force, moment, imposed, angle):
    return mech.segment_equilibrium(force, 0.0, moment, 0.0, 0.0, imposed, angle, 0.0, 0.0,
                                    *[v[k] for k in LAW_KEYS], *[v[k] for k in mech.SOLVE_KEYS])


def facet_share(v: dict, force_n, angle_deg, height_loss_mm) -> float:
    """Facet (tip) share of a pure compression at a held sagittal angle."""
    r = _solve({**v, "pathology.disc_height_loss_mm": height_loss_mm}, force_n, 0.0, 1.0, angle_deg)
    return (r[5] + r[6]) / force_n


def pure_moment_angle(v: dict, moment_nm) -> float:
    """Sagittal rotation of the whole segment under a pure moment, no preload [deg]."""
    return _solve(v, 0.0, moment_nm, 0.0, 0.0)[0]


def calibrate() -> dict:
    """The calibrated tissue constants, keyed without the ``tissue.`` prefix."""
    v = _values()
    out = {}
    for key in ("lateral", "axial"):
        k0, b = analytic_law(YAMAMOTO_NZ_DEG[key] / 2, YAMAMOTO_ROM_DEG[key])
        out[f"{key}_toe_stiffness_nm_per_deg"], out[f"{key}_stiffening_per_deg"] = k0, b

    def facet_residual(x):
        v["tissue.facet_stiffness_n_per_mm"], v["tissue.facet_gap_mm"] = x
        return [facet_share(v, ERECT_FORCE_N, ERECT_EXTENSION_DEG, 0.0) - FACET_SHARE_ERECT,
                facet_share(v, ERECT_FORCE_N, ERECT_EXTENSION_DEG, NARROW_DISC_LOSS_MM) - FACET_SHARE_NARROW]

    kf, gap = fsolve(facet_residual, [160.0, 1.6], xtol=1e-13)
    v["tissue.facet_stiffness_n_per_mm"], v["tissue.facet_gap_mm"] = kf, gap
    out["facet_stiffness_n_per_mm"], out["facet_gap_mm"] = float(kf), float(gap)

    for key, sign in (("flexion", 1.0), ("extension", -1.0)):
        k0, _ = analytic_law(YAMAMOTO_NZ_DEG[key] / 2, YAMAMOTO_ROM_DEG[key])
        v[f"tissue.{key}_toe_stiffness_nm_per_deg"] = k0

        def rom_residual(b, key=key, sign=sign):
            v[f"tissue.{key}_stiffening_per_deg"] = b
            return sign * pure_moment_angle(v, sign * ROM_MOMENT_NM) - YAMAMOTO_ROM_DEG[key]

        b = brentq(rom_residual, 1e-3, 3.0, xtol=1e-13)
        v[f"tissue.{key}_stiffening_per_deg"] = b
        out[f"{key}_toe_stiffness_nm_per_deg"], out[f"{key}_stiffening_per_deg"] = k0, float(b)
    return out


if __name__ == "__main__":  # pragma: no cover
    for key, value in calibrate().items():
        print(f"tissue.{key} = {value:.6g}")
