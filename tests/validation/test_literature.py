"""Every literature target of ``sim validate`` as a test: model value inside the published spread.

A target with a written ``reason`` is known to fail (the reason says why) and runs as a
non-strict xfail; every other target must pass.
"""

import json
import math

import pytest

from sim.validation import KINDS, Result, counts, format_csv, format_json, run_validation, targets

TARGETS = targets()


def _param(t):
    marks = [pytest.mark.xfail(strict=True, reason=t.reason)] if t.reason else []
    return pytest.param(t, id=t.id, marks=marks)


@pytest.mark.parametrize("target", [_param(t) for t in TARGETS])
def test_target(target):
    value = float(target.compute())
    result = Result(target, value)
    assert result.passed, (f"{target.quantity}: model {value:.4g} {target.unit}, published {target.expected} "
                           f"(accepted {target.low:g} to {target.high:g}); {target.source}")


def test_targets_are_well_formed():
    ids = [t.id for t in TARGETS]
    assert len(ids) == len(set(ids))
    for t in TARGETS:
        assert t.kind in KINDS and t.source and t.quantity and t.low <= t.high, t.id
        if t.kind == "calibration":
            assert t.sets, f"calibration target {t.id} must name the parameter it set"
    assert sum(t.kind == "independent" for t in TARGETS) > sum(t.kind == "calibration" for t in TARGETS)


def test_validate_command_prints_every_target_and_both_counts(capsys):
    from sim.cli import main

    code = main(["validate"])
    out = capsys.readouterr().out
    flat = " ".join(out.split())  # sources are wrapped onto indented lines
    for t in TARGETS:
        assert t.id in out and " ".join(t.source.split()) in flat
    lines = out.strip().splitlines()
    counts_at = [i for i, line in enumerate(lines) if line.startswith(("calibration ", "independent ", "total "))]
    assert [lines[i].split()[0] for i in counts_at] == ["calibration", "independent", "total"]
    assert all(" pass" in " ".join(lines[i:i + 4]) for i in counts_at)
    assert code == (0 if all(Result(t, float(t.compute())).passed or t.reason for t in TARGETS) else 1)


def test_counts_and_machine_formats():
    results = run_validation("calibration")
    assert results and all(r.target.kind == "calibration" for r in results)
    passed, total = counts(results)["calibration"]
    assert total == len(results) and passed == sum(r.passed for r in results)
    data = json.loads(format_json(results))
    assert data["summary"]["calibration"] == {"passed": passed, "total": total}
    assert data["summary"]["independent"] == {"passed": 0, "total": 0}
    assert [row["id"] for row in data["targets"]] == [r.target.id for r in results]
    lines = format_csv(results).strip().splitlines()
    assert lines[0].startswith("id,quantity,model") and len(lines) == len(results) + 1


def test_a_target_can_fail():
    """A target outside its band reports FAIL (the bands are not tautologies)."""
    t = TARGETS[0]
    assert not Result(t, t.high + 1.0 if math.isfinite(t.high) else math.nan).passed
