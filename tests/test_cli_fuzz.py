"""Property and fuzz tests of the whole command line: whatever the scenario file or ``--set`` value,
``sim run`` ends with exit 0 and complete output, or exit 2 with one line on stderr and nothing on
stdout; never a traceback, never exit 1 (an internal error)."""

import contextlib
import io
import json
import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sim import params as prm
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEALTHY = ROOT / "configs" / "scenarios" / "healthy.toml"
KEYS = [s.key for s in prm.all_specs()]


def toml_value(v) -> str:
    """A TOML literal of ``v`` (bool, int of any size, float incl. nan/inf, str, list, inline table)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"


scalars = st.one_of(st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**320),
                    st.floats(), st.floats(-100, 100), st.text(max_size=20),
                    st.sampled_from(["none", "foraminal", "central", "left", "right", "both", "standing"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12).map(lambda s: f"anatomy.{s}"),
                 st.sampled_from(["scenario.name", "scenario.description", "scenario.author", "postures.run"]))


@st.composite
def scenario_files(draw) -> str:
    entries = draw(st.dictionaries(keys, values, max_size=6))
    sections: dict = {}
    for key, value in entries.items():
        section, name = key.split(".", 1)
        sections.setdefault(section, {})[name] = value
    if draw(st.booleans()):  # a posture defined in the file, run alone
        from sim.postures import _RANGES as _LOAD_RANGES

        sections.pop("postures", None)
        table = draw(st.dictionaries(st.sampled_from(sorted(_LOAD_RANGES)), scalars, max_size=4))
        sections["postures"] = {"run": ["custom"]}
        sections["postures.custom"] = table
    return "\n".join(f"[{sec if sec == 'postures.custom' else json.dumps(sec)}]\n"
                     + "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in tab.items())
                     for sec, tab in sections.items()) + "\n"


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def check_outcome(code: int, out: str, err: str) -> None:
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err
    if code == 0:
        records = json.loads(out)
        assert records and all("l4_grade" in r for r in records)
    else:
        assert out == "" and len(err.strip().splitlines()) == 1, err


@given(text=scenario_files())
def test_generated_scenario_files(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(text, encoding="utf-8")
    postures = [] if "postures.custom" in text else ["--posture", "standing"]
    check_outcome(*run_cli("run", path, "--format", "json", *postures))


@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_scenario_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_bytes(data)
    check_outcome(*run_cli("run", path, "--format", "json", "--posture", "standing"))


@given(key=keys, value=st.one_of(values.map(toml_value), st.text(max_size=30)))
def test_generated_set_values(key, value):
    check_outcome(*run_cli("run", HEALTHY, "--format", "json", "--posture", "standing", "--set", f"{key}={value}"))
