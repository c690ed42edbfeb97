"""Sweep files: the resolved :class:`SweepSpec`, grid axes, outputs, chunk size."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import SimInputError
from ..scenario import read_toml
from .population import Population, _number, parse_distribution

#: Default configurations per chunk (one kernel call, one zarr chunk per output) when every result is stored.
DEFAULT_CHUNK_CONFIGS = 2**17
#: Most values one grid axis may hold (a 10^7-value axis is 80 MB before a single configuration runs).
MAX_AXIS_VALUES = 10**7
#: Largest default chunk, when few results are stored (see :func:`default_chunk_configs`).
MAX_DEFAULT_CHUNK_CONFIGS = 2**20
_SWEEP_KEYS = ("scenario", "postures", "name", "description", "chunk_configs", "outputs")
_SECTIONS = ("sweep", "fixed", "grid", "population")
_POP_META = ("file", "size", "seed", "name", "description")


# ------------------------------------------------------------------- spec --
@dataclass
class SweepSpec:
    """A resolved sweep: base scenario, postures, grid axes, population, chunking."""

    name: str
    scenario: object  # sim.scenario.Scenario
    postures: tuple[str, ...]
    grid: dict[str, np.ndarray]
    population: Population | None = None
    chunk_configs: int = DEFAULT_CHUNK_CONFIGS
    description: str = ""
    source: str | None = None
    outputs: tuple[str, ...] = ()  # results to store; empty: all of sim.layout.OUTPUTS

    def __post_init__(self):
        from ..layout import OUTPUTS

        self.outputs = tuple(self.outputs) or OUTPUTS

    def resolved(self) -> dict:
        """Everything that fixes the numbers and the store layout, as plain JSON-able data (hashed into the store).

        Whatever has an order that fixes the layout or the random draws (postures,
        grid axes, population entries, outputs) is a list, so a reordering changes the
        hash; the model itself enters as the hash of its sources and data
        (:func:`model_sha256`), not only as the version string.
        """
        from ..about import __version__
        from ..engine import posture_table
        from ..referral import pack_coefficients

        table, names = posture_table(self.scenario.custom_postures)
        rows = [[n, table[names.index(n)].tolist()] for n in self.postures]
        return {
            "format": 2,
            "sim_version": __version__,
            "model_sha256": model_sha256(),
            "scenario": {k: _plain(v) for k, v in sorted(self.scenario.values.items())},
            "postures": rows,
            "grid": [[k, [_plain(x) for x in v]] for k, v in self.grid.items()],
            "population": self.population.as_dict() if self.population else None,
            "chunk_configs": int(self.chunk_configs),
            "outputs": list(self.outputs),
            "referral_coefficients": np.asarray(pack_coefficients(), float).tolist(),
        }

    def spec_hash(self) -> str:
        """SHA-256 hex digest of the resolved specification (identifies a store for resume)."""
        from .store import spec_json

        return hashlib.sha256(spec_json(self.resolved()).encode()).hexdigest()

    @property
    def n_configs(self) -> int:
        """Number of configurations: postures x population size x grid points."""
        n = len(self.postures) * (self.population.size if self.population else 1)
        for v in self.grid.values():
            n *= len(v)
        return n


#: Modules of the package that do not change a sweep's numbers (user interface, reports, checks).
_NOT_MODEL = frozenset({"cli.py", "report.py", "bodychart.py", "validation.py", "calibrate.py", "records.py",
                        "sweep_store.py", "run.py", "store.py"})


def model_sha256(root: Path | None = None) -> str:
    """SHA-256 of the model's sources and data: every ``sim/*.py`` and ``sim/sweep/*.py`` that can change
    a sweep's numbers or draws, and every ``sim/data/**/*.toml``, by relative path in sorted order.

    It guards ``--resume``: a store is continued only by the code that began it,
    whatever the file layout of the package.
    """
    if root is None:
        return _package_model_sha256()
    root = Path(root)
    files = [p for p in (*root.glob("*.py"), *root.glob("sweep/*.py")) if p.name not in _NOT_MODEL]
    files += list((root / "data").rglob("*.toml"))
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _package_model_sha256() -> str:
    return model_sha256(Path(__file__).resolve().parents[1])


def _plain(v):
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    return str(v) if isinstance(v, np.str_) else v


def _flatten(table: dict, where: str) -> dict:
    """``{"pathology": {"slip_mm": x}}`` (dotted TOML keys) -> ``{"pathology.slip_mm": x}``."""
    from ..params import SECTIONS

    out = {}
    for key, value in table.items():
        if key in SECTIONS and isinstance(value, dict) and "dist" not in value and not (
                {"start", "stop", "num", "values"} & set(value)):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        else:
            out[key] = value
    return out


def grid_axis(key: str, value) -> np.ndarray:
    """Values of one grid axis: a list, or ``{start, stop, num}`` (inclusive linspace), checked.

    >>> grid_axis("pathology.slip_mm", {"start": 0.0, "stop": 2.0, "num": 3}).tolist()
    [0.0, 1.0, 2.0]
    """
    from ..params import get_spec

    spec = get_spec(key)
    if isinstance(value, dict):
        if set(value) == {"values"}:
            value = value["values"]
        elif set(value) == {"start", "stop", "num"}:
            num = value["num"]
            if isinstance(num, bool) or not isinstance(num, int) or num < 1:
                raise SimInputError(f"grid.{spec.key}: num = {num!r} must be a positive integer")
            if num > MAX_AXIS_VALUES:
                raise SimInputError(f"grid.{spec.key}: num = {num} is more than {MAX_AXIS_VALUES} values on one axis")
            start = _number(spec.key, "start", value["start"], "grid")
            stop = _number(spec.key, "stop", value["stop"], "grid")
            value = np.linspace(start, stop, num)
        else:
            raise SimInputError(f"grid.{spec.key} = {value!r} must be a list of values or "
                                "{ start = ..., stop = ..., num = ... }")
    if isinstance(value, (str, int, float)) or value is None:
        raise SimInputError(f"grid.{spec.key} = {value!r} must be a list of values (a single value "
                            "goes in [fixed])")
    values = list(value)
    if not values:
        raise SimInputError(f"grid.{spec.key} = [] needs at least one value; allowed: {spec.allowed()}")
    if spec.categorical:
        arr = np.array([spec.check(v) for v in values])
    else:
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise SimInputError(f"grid.{spec.key} = {v!r} must be a number; allowed range {spec.allowed()}")
            spec.check(v)  # names the first value out of range (or too large for a float)
        arr = spec.check_array(np.asarray(values, dtype=float))
    if len(np.unique(arr)) != len(arr):
        raise SimInputError(f"grid.{spec.key} = {list(values)!r} repeats a value; give distinct values")
    return arr


def _population_from(table: dict, base_dir: Path) -> Population | None:
    table = dict(table)
    merged: dict = {}
    if "file" in table:
        path = Path(table.pop("file"))
        path = path if path.is_absolute() else base_dir / path
        data = read_toml(path, "population file")
        unknown = set(data) - {"population"}
        if unknown:
            raise SimInputError(f"population file {str(path)!r}: unknown section [{sorted(unknown)[0]}]; "
                                "allowed: population")
        base = data.get("population", {})
        if "file" in base:
            raise SimInputError(f"population file {str(path)!r} cannot itself name a file")
        merged.update(_flatten(base, "population"))
    merged.update(_flatten(table, "population"))
    dists = {k: v for k, v in merged.items() if k not in _POP_META}
    if not dists:
        if merged:
            raise SimInputError(f"[population] ({', '.join(sorted(merged))}) has no distributions; add "
                                "\"section.key\" = { dist = ... } entries or drop [population]")
        return None
    size, seed = merged.get("size"), merged.get("seed", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SimInputError(f"population.size = {size!r} must be a positive integer (number of samples)")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SimInputError(f"population.seed = {seed!r} must be a non-negative integer")
    parsed = tuple(parse_distribution(k, v) for k, v in dists.items())
    keys = [d.key for d in parsed]
    for i, d in enumerate(parsed):
        if d.partner and d.partner not in [q.key for q in parsed[:i] if q.kind != "choice"]:
            raise SimInputError(f"population.{d.key}: correlate_with = {d.partner!r} must be a numeric parameter "
                                "sampled above it in the population")
    if len(set(keys)) != len(keys):
        raise SimInputError(f"population: parameter {keys[0]!r} is given twice")
    return Population(size=size, seed=seed, dists=parsed, name=str(merged.get("name", "")))


def spec_from_dict(data: dict, base_dir=".", source: str | None = None, scenario=None) -> SweepSpec:
    """Resolve a parsed sweep mapping (the TOML's shape) into a :class:`SweepSpec`."""
    from ..params import get_spec
    from ..scenario import load_scenario

    base_dir = Path(base_dir)
    for section in data:
        if section not in _SECTIONS:
            raise SimInputError(f"unknown section [{section}] in sweep; allowed: {', '.join(_SECTIONS)}")
    head = data.get("sweep", {})
    for key in head:
        if key not in _SWEEP_KEYS:
            raise SimInputError(f"unknown key 'sweep.{key}'; allowed: {', '.join(_SWEEP_KEYS)}")
    fixed = _flatten(data.get("fixed", {}), "fixed")
    for key in fixed:
        get_spec(key)
    if scenario is None:
        if "scenario" not in head:
            raise SimInputError("sweep.scenario is missing: name the base scenario file (relative to the sweep file)")
        path = Path(head["scenario"])
        scenario = load_scenario(path if path.is_absolute() else base_dir / path, fixed or None)
    elif isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario, fixed or None)
    elif fixed:
        from ..scenario import scenario_from_dict

        sections: dict = {}
        for k, v in scenario.values.items():
            sec, name = k.split(".", 1)
            sections.setdefault(sec, {})[name] = v
        scenario = scenario_from_dict(sections, fixed, scenario.path)
    postures = head.get("postures", list(scenario.postures))
    if isinstance(postures, str):
        postures = [postures]
    if not isinstance(postures, (list, tuple)) or not postures or not all(isinstance(p, str) for p in postures):
        raise SimInputError(f"sweep.postures = {postures!r} must be a non-empty list of posture names")
    for p in postures:
        scenario.posture(p)  # unknown postures raise
    if len(set(postures)) != len(postures):
        raise SimInputError(f"sweep.postures = {list(postures)!r} repeats a posture")
    grid = {}
    for key, value in _flatten(data.get("grid", {}), "grid").items():
        if key == "posture":
            raise SimInputError("grid.posture: postures are listed in [sweep] postures = [...], not in [grid]")
        spec = get_spec(key)
        grid[spec.key] = grid_axis(spec.key, value)
    population = _population_from(data.get("population", {}), base_dir)
    if population:
        for d in population.dists:
            if d.key in grid:
                raise SimInputError(f"{d.key} is both in [grid] and in [population]; vary it in one of them")
    outputs = parse_outputs(head.get("outputs"))
    chunk = head.get("chunk_configs", default_chunk_configs(outputs))
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise SimInputError(f"sweep.chunk_configs = {chunk!r} must be a positive integer (configurations per chunk)")
    name = str(head.get("name") or (Path(source).stem if source else scenario.name))
    spec = SweepSpec(name=name, scenario=scenario, postures=tuple(postures), grid=grid, population=population,
                     chunk_configs=chunk, description=str(head.get("description", "")), source=source,
                     outputs=outputs)
    return spec


def parse_outputs(value) -> tuple[str, ...]:
    """``sweep.outputs``: the result names to store, in :data:`sim.layout.OUTPUTS` order (None: all).

    Storing fewer results is what makes very large sweeps cheap: the kernel
    computes every result anyway, but the store's bandwidth bounds the sweep
    (see ``benchmarks/README.md``).
    """
    from ..layout import OUTPUTS

    if value is None:
        return OUTPUTS
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise SimInputError(f"sweep.outputs = {value!r} must be a non-empty list of result names")
    for name in value:
        if name not in OUTPUTS:
            raise SimInputError(f"sweep.outputs: {name!r} is not a result name; allowed: {', '.join(OUTPUTS)}")
    return tuple(n for n in OUTPUTS if n in set(value))


def default_chunk_configs(outputs) -> int:
    """Configurations per chunk: the same bytes of results per chunk whatever ``outputs`` holds.

    With every result stored a chunk is :data:`DEFAULT_CHUNK_CONFIGS`
    configurations (about 86 MB of results); storing fewer results allows
    proportionally more configurations per chunk (a power of two, at most
    :data:`MAX_DEFAULT_CHUNK_CONFIGS`), so the store's fixed cost per written
    array (about a millisecond) stays small against the kernel time.
    """
    from ..layout import OUTPUTS

    ratio = len(OUTPUTS) / max(len(outputs), 1)
    return int(min(DEFAULT_CHUNK_CONFIGS * 2 ** math.floor(math.log2(ratio)), MAX_DEFAULT_CHUNK_CONFIGS))


def load_sweep(path) -> SweepSpec:
    """Read and check a sweep file; paths inside it are relative to the file.

    Raises
    ------
    SimInputError
        One line naming the key, the value and the allowed range.
    """
    path = Path(path)
    return spec_from_dict(read_toml(path, "sweep file"), path.parent, str(path))

