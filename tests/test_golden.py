"""Golden numbers: every ready scenario, every posture, both engines, against tests/data/golden.json.

The file is written by ``tests/make_golden.py`` and is regenerated only when
the physics changes on purpose; a refactor must leave these numbers alone.
"""

import json

import pytest
from make_golden import GOLDEN, PINNED, SCENARIOS, golden_records

RTOL = 1e-9
ATOL = 1e-12  # floor for outputs whose value is exactly zero
GOLD = json.loads(GOLDEN.read_text())


def test_golden_file_covers_every_ready_scenario():
    assert sorted(GOLD) == sorted(p.stem for p in SCENARIOS)


@pytest.mark.parametrize("engine", ["numba", "reference"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_outputs_match_golden(path, engine):
    got, want = golden_records(path, engine), GOLD[path.stem]
    assert [(r["posture"], r["side"]) for r in got] == [(r["posture"], r["side"]) for r in want]
    for g, w in zip(got, want):
        for name in PINNED:
            where = f"{path.stem} {w['posture']} {w['side']} {name}"
            if isinstance(w[name], str):
                assert g[name] == w[name], where
            else:
                assert g[name] == pytest.approx(w[name], rel=RTOL, abs=ATOL), where
