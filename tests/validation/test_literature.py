"""Every literature target of ``sim validate`` as a test: model value inside the published spread."""

import pytest

from sim.validation import Result, targets

TARGETS = targets()


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_target(target):
    value = float(target.compute())
    result = Result(target, value)
    assert result.passed, (f"{target.quantity}: model {value:.4g} {target.unit}, published {target.expected} "
                           f"(accepted {target.low:g} to {target.high:g}); {target.source}")


def test_validate_command_prints_every_target_with_its_source(capsys):
    from sim.cli import main

    code = main(["validate"])
    out = capsys.readouterr().out
    for t in TARGETS:
        assert t.id in out and t.source in out
    assert ("passed" in out.splitlines()[-1]) and code in (0, 1)
