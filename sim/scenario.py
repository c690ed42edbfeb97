"""Scenario files (TOML): loading, ``--set`` overrides and validation with one-line errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import params as prm
from .errors import SimInputError
from .postures import BUILTIN_POSTURES, STATIC_POSTURES, Posture, builtin_postures, custom_posture

PARAMETER_SETS = ("default",)
_SCENARIO_KEYS = ("name", "description")


@dataclass
class Scenario:
    """A validated scenario: full flat parameter values, postures to run, custom postures."""

    name: str
    description: str = ""
    values: dict = field(default_factory=prm.defaults)
    postures: tuple[str, ...] = STATIC_POSTURES
    custom_postures: dict[str, Posture] = field(default_factory=dict)
    path: str | None = None
    #: Named interventions (sim.procedures), checked: ((name, {key: value}), ...); already in ``values``.
    interventions: tuple = ()

    def before(self) -> Scenario:
        """The same scenario before surgery: every ``intervention.*`` parameter at its default."""
        from dataclasses import replace

        base = prm.defaults()
        values = {k: (base[k] if k.startswith("intervention.") else v) for k, v in self.values.items()}
        return replace(self, values=values, interventions=())

    def posture(self, name: str) -> Posture:
        """Posture ``name``, custom or built-in; an unknown name raises SimInputError."""
        if name in self.custom_postures:
            return self.custom_postures[name]
        if name in builtin_postures():
            return builtin_postures()[name]
        allowed = ", ".join(list(BUILTIN_POSTURES) + list(self.custom_postures))
        raise SimInputError(f"posture {name!r} is unknown; allowed: {allowed}")

    def changed(self) -> dict:
        """Parameters that differ from the default set."""
        base = prm.defaults()
        return {k: v for k, v in self.values.items() if base[k] != v}


def parse_override(text: str) -> tuple[str, object]:
    """``"section.key=value"`` -> (key, value); the value is read as a TOML literal."""
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise SimInputError(f"--set {text!r} contains a line break or control character; give one "
                            "section.key=value on one line")
    if "=" not in text:
        raise SimInputError(f"--set {text!r} must look like section.key=value")
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise SimInputError(f"--set {text!r}: the value nests too deeply") from None
    return key, value


#: Largest input file (scenario, sweep, population) read, in bytes; real ones are a few kB.
MAX_INPUT_BYTES = 1 << 20


def read_toml(path: Path, what: str = "scenario file") -> dict:
    """Parse a TOML file; a missing, unreadable or invalid one is one SimInputError line naming ``what``.

    Only regular files up to :data:`MAX_INPUT_BYTES` are read: a FIFO, a device
    (``/dev/zero``) or a directory is refused before it is opened, so nothing
    blocks or reads without end.
    """
    import os
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SimInputError(f"{what} {str(path)!r} does not exist") from None
    except (OSError, ValueError) as exc:
        raise SimInputError(f"{what} {str(path)!r} cannot be read: {exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SimInputError(f"{what} {str(path)!r} is not a regular file (a directory, FIFO or device); "
                            "give a TOML file")
    if info.st_size > MAX_INPUT_BYTES:
        raise SimInputError(f"{what} {str(path)!r} is {info.st_size} bytes; input files are limited to "
                            f"{MAX_INPUT_BYTES} bytes (1 MiB)")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise SimInputError(f"{what} {str(path)!r} grew beyond {MAX_INPUT_BYTES} bytes while read")
        return tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise SimInputError(f"{what} {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SimInputError(f"{what} {str(path)!r} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SimInputError(f"{what} {str(path)!r} is not valid TOML: {exc}") from None
    except RecursionError:
        raise SimInputError(f"{what} {str(path)!r} nests tables or arrays too deeply") from None


def scenario_from_dict(data: dict, overrides=None, path: str | None = None, interventions=None) -> Scenario:
    """Build and validate a :class:`Scenario` from a parsed TOML mapping.

    ``interventions`` (``"NAME:key=value,..."`` strings or checked pairs) add to the file's
    ``[interventions]`` table; see :mod:`sim.procedures`.
    """
    from . import procedures
    values = prm.defaults()
    meta = data.get("scenario", {})
    if not isinstance(meta, dict):
        raise SimInputError("[scenario] must be a table with name and description")
    for key in meta:
        if key not in _SCENARIO_KEYS:
            raise SimInputError(f"unknown key 'scenario.{key}'; allowed: {', '.join(_SCENARIO_KEYS)}")
    postures = STATIC_POSTURES
    custom: dict[str, Posture] = {}
    named = []
    for section, table in data.items():
        if section == "scenario":
            continue
        if section == "interventions":
            if not isinstance(table, dict):
                raise SimInputError("[interventions] must be a table: NAME = {key = value, ...}")
            named += [procedures.check(name, sub) for name, sub in table.items()]
            continue
        if section == "postures":
            postures, custom = _postures(table)
            continue
        if section not in prm.SECTIONS:
            allowed = ", ".join(("scenario",) + prm.SECTIONS + ("postures", "interventions"))
            raise SimInputError(f"unknown section [{section}]; allowed: {allowed}")
        if not isinstance(table, dict):
            raise SimInputError(f"[{section}] must be a table of key = value")
        for key, value in table.items():
            if section == "anatomy" and key == "parameter_set":
                if value not in PARAMETER_SETS:
                    raise SimInputError(
                        f"anatomy.parameter_set = {value!r} is unknown; allowed: {', '.join(PARAMETER_SETS)}")
                continue
            _check_hip_key(f"{section}.{key}", value)
            spec = prm.get_spec(f"{section}.{key}")
            values[spec.key] = spec.check(value)
    named += [procedures.parse_intervention(t) if isinstance(t, str) else tuple(t) for t in interventions or ()]
    given = set()
    for key, value in _normalise_overrides(overrides):
        given.add(prm.RENAMED_KEYS.get(key, key))
        if key.startswith("scenario."):
            name = key.split(".", 1)[1]
            if name not in _SCENARIO_KEYS:
                raise SimInputError(f"unknown key {key!r}; allowed: "
                                    f"{', '.join('scenario.' + k for k in _SCENARIO_KEYS)}")
            meta = {**meta, name: value}
            continue
        _check_hip_key(key, value)
        spec = prm.get_spec(key)
        values[spec.key] = spec.check(value)
    if named:  # explicit --set values win over the named interventions' defaults
        values.update({k: v for k, v in procedures.parameters(named, values).items() if k not in given})
    prm.check_consistency(values)
    name = str(meta.get("name", Path(path).stem if path else "scenario"))
    return Scenario(name=name, description=str(meta.get("description", "")), values=values,
                    postures=tuple(postures), custom_postures=custom, path=path, interventions=tuple(named))


def _check_hip_key(key: str, value) -> None:
    """An unknown key of the ``[hip]`` section raises one line naming it, its value and the allowed keys."""
    if not key.startswith("hip.") or key in prm.spec_map():
        return
    allowed = "; ".join(f"{s.key} ({s.allowed()})" for s in prm.all_specs() if s.section == "hip")
    raise SimInputError(f"unknown key {key!r} = {value!r}; allowed: {allowed}")


def _normalise_overrides(overrides):
    if not overrides:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    return [parse_override(o) if isinstance(o, str) else tuple(o) for o in overrides]


def _postures(table) -> tuple[tuple[str, ...], dict[str, Posture]]:
    if not isinstance(table, dict):
        raise SimInputError("[postures] must be a table: run = [...] and optional [postures.NAME] tables")
    custom = {}
    for name, sub in table.items():
        if name == "run":
            continue
        if not isinstance(sub, dict):
            raise SimInputError(f"unknown key 'postures.{name}'; use run = [...] or a [postures.{name}] table")
        custom[name] = custom_posture(name, sub)
    run = table.get("run", list(STATIC_POSTURES) + list(custom))
    if not isinstance(run, list) or not all(isinstance(r, str) for r in run) or not run:
        raise SimInputError(f"postures.run = {run!r} must be a non-empty list of posture names")
    allowed = list(BUILTIN_POSTURES) + list(custom)
    if len(set(run)) != len(run):
        twice = next(r for r in run if run.count(r) > 1)
        raise SimInputError(f"postures.run repeats posture {twice!r}; list each posture once")
    for name in run:
        if name not in allowed:
            raise SimInputError(f"postures.run: posture {name!r} is unknown; allowed: {', '.join(allowed)}")
    return tuple(run), custom


def load_scenario(path, overrides=None, interventions=None) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        TOML file with ``[scenario]``, ``[anatomy]``, ``[pathology]``,
        optional ``[tissue]``, ``[lifting]``, ``[grading]`` and ``[postures]``.
    overrides : list of "section.key=value" strings or dict, optional
    interventions : list of "NAME:key=value,..." strings, optional
        Named interventions (:mod:`sim.procedures`), added to the file's ``[interventions]``.

    Raises
    ------
    SimInputError
        One line naming the key, the value and the allowed range.
    """
    path = Path(path)
    return scenario_from_dict(read_toml(path), overrides, str(path), interventions)
