"""The command line explains itself: --version, --help on every command with every option described."""

import re

import pytest

from sim import __version__
from sim.cli import _build_parser, main

COMMANDS = ("run", "sweep", "report", "validate", "timeline")


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"sim {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_described_and_there_is_an_example(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "example:" in text and f"sim {command}" in text.split("example:")[1]
    sub = _build_parser()._subparsers._group_actions[0].choices[command]
    for action in sub._actions:
        assert action.help, f"sim {command}: option {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("command", ("run", "report"))
def test_repeatable_options_say_so(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "--set SECTION.KEY=VALUE override one scenario value" in text and "(repeatable" in text


def test_sign_conventions_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = re.sub(r"\s+", " ", capsys.readouterr().out)
    assert "positive lateral_moment_nm bends to the right" in text
    assert "lateral_bend_left bends toward the left and narrows the left foramen" in text


def test_validate_table_fits_100_columns(capsys):
    from sim.validation import TABLE_WIDTH

    main(["validate"])
    text = capsys.readouterr().out
    assert TABLE_WIDTH == 100
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "calibration" in text and "independent" in text
