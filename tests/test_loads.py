"""Stage 1: each numba twin in sim.loads equals its reference to 1e-9 on random valid inputs."""

import numpy as np
import pytest
from hypothesis import given

from sim import loads
from strategies import configurations, packed_rows

RTOL = 1e-9


@given(configurations(n=6))
def test_posture_loads_twin(batch):
    table, rows = packed_rows(batch)
    for v in rows:
        lift = np.array([v[k] for k in loads.LIFTING_KEYS])
        row = table[int(v["posture"])]
        want = loads.posture_loads(row, v["anatomy.body_mass_kg"], list(lift))
        got = loads._posture_loads(row, v["anatomy.body_mass_kg"], lift)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-12)


@given(configurations(n=6))
def test_lifting_loads_twin(batch):
    _, rows = packed_rows(batch)
    for v in rows:
        args = (v["anatomy.body_mass_kg"], *(v[k] for k in loads.LIFTING_KEYS))
        want = [float(x) for x in loads.lifting_loads(*args)]
        assert loads._lifting_loads(*args) == pytest.approx(want, rel=RTOL)


def test_lifting_twin_changes_with_hand_load():
    """The comparison can fail: a heavier load gives a larger force in both engines."""
    light = loads._lifting_loads(70.0, 60.0, 5.0, 0.55, 200.0, 450.0, 100.0, 55.0, 0.05)[0]
    heavy = loads._lifting_loads(70.0, 60.0, 20.0, 0.55, 200.0, 450.0, 100.0, 55.0, 0.05)[0]
    assert heavy > light
