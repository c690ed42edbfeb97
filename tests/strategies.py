"""Hypothesis strategies: random valid configurations of the whole parameter set."""

import numpy as np
from hypothesis import strategies as st

from sim import params as prm
from sim.layout import HERNIATION_SIDES, HERNIATION_ZONES
from sim.loads import BUILTIN_POSTURES

# Physiological sub-ranges where the full range is wider than anything a sweep would use.
NARROW = {
    "grading.mild_pressure_mmhg": (20.0, 40.0),
    "grading.moderate_pressure_mmhg": (45.0, 80.0),
    "grading.severe_pressure_mmhg": (90.0, 200.0),
    "grading.mild_deformation_pct": (5.0, 15.0),
    "grading.moderate_deformation_pct": (16.0, 30.0),
    "grading.severe_deformation_pct": (31.0, 60.0),
}


def _numeric_keys():
    return [k for k in prm.numeric_keys()]


@st.composite
def configurations(draw, n=6, interventions=False):
    """A batch of ``n`` valid configurations drawn across every parameter's allowed range.

    Hypothesis draws a seed; values come from it uniformly, with each range's
    end points drawn one time in ten so edges are exercised.  The
    ``intervention.*`` parameters keep their defaults (no intervention) unless
    ``interventions`` is true (:func:`intervention_values`).
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch = {}
    for key in _numeric_keys():
        if key.startswith("intervention.") and not interventions:
            continue
        spec = prm.get_spec(key)
        lo, hi = NARROW.get(key, (spec.min, spec.max))
        v = rng.uniform(lo, hi, n)
        edge = rng.random(n)
        v[edge < 0.05] = lo
        v[edge > 0.95] = hi
        batch[key] = v
    hp = batch["anatomy.disc_height_posterior_mm"]
    batch["anatomy.foraminal_height_mm"] = np.maximum(batch["anatomy.foraminal_height_mm"], hp + 0.5)
    ha = batch["anatomy.disc_height_anterior_mm"]
    batch["pathology.disc_height_loss_mm"] = np.minimum(batch["pathology.disc_height_loss_mm"],
                                                        np.minimum(hp, ha) - 1.0)
    depth = batch["anatomy.disc_depth_mm"]
    batch["pathology.slip_mm"] = np.minimum(batch["pathology.slip_mm"],
                                            depth - batch["pathology.slip_instability_mm"] - 1e-9)
    batch["pathology.herniation_zone"] = rng.choice(HERNIATION_ZONES, n)
    batch["pathology.herniation_side"] = rng.choice(HERNIATION_SIDES, n)
    for i, zone in enumerate(batch["pathology.herniation_zone"]):
        one = {k: v[i] for k, v in batch.items()}
        one["pathology.herniation_zone"] = str(zone)
        limit = prm.herniation_limit_mm({**prm.defaults(), **one})
        batch["pathology.herniation_size_mm"][i] = min(batch["pathology.herniation_size_mm"][i], float(limit))
    batch["posture"] = rng.choice(BUILTIN_POSTURES, n)
    if interventions:
        intervention_values(batch, rng, n)
    return batch


def intervention_values(batch, rng, n):
    """Make drawn intervention values consistent: half the rows fused, half with a spacer, a
    post-operative height loss that leaves at least 1 mm of disc."""
    hp, ha = batch["anatomy.disc_height_posterior_mm"], batch["anatomy.disc_height_anterior_mm"]
    room = np.minimum(hp, ha) - 1.0 - batch["pathology.disc_height_loss_mm"]
    batch["intervention.postop_height_loss_mm"] = np.clip(batch["intervention.postop_height_loss_mm"], 0.0, room)
    fused = rng.random(n) < 0.5
    batch["intervention.cage_height_mm"] = np.where(fused, rng.uniform(6.0, 16.0, n), 0.0)
    batch["intervention.spacer_height_mm"] = np.where(~fused & (rng.random(n) < 0.6), rng.uniform(6.0, 16.0, n),
                                                      0.0)


def packed_rows(batch):
    """The posture table and, per configuration, its packed row as a name -> float mapping."""
    from sim.engine import pack
    from sim.layout import COLUMNS

    matrix, table, *_ = pack(batch)
    return table, [{name: float(row[i]) for i, name in enumerate(COLUMNS)} for row in matrix]


def section(v, name):
    """The ``name.*`` entries of a packed row without their prefix (``tissue``, ``grading``)."""
    return {k[len(name) + 1:]: x for k, x in v.items() if k.startswith(name + ".")}
