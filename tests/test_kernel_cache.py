"""numba's on-disk cache cannot serve a stale kernel: editing a twin in another file changes the result.

numba checks only the file of the function it cached (``sim/pipeline.py``),
so ``sim.jit`` keys the cache directory on a hash of every physics source.

The edit-and-recompile check compiles a small probe (a cached function in its
own file calling the pressure twin of ``sim/compression.py``, as the kernel in
``sim/pipeline.py`` does) in a copy of the package: the cache-key machinery is
the same for every function, and compiling the whole kernel twice more would
cost a minute and a half of the suite.  The real kernel is checked to be served
from the keyed directory.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim import jit

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
PROBE = """
from sim.jit import njit
from sim import compression as cmp


@njit(cache=True)
def probe(strain):
    return cmp._root_pressure_kpa(strain, 100.0, 0.0)
"""
PROBE_SCRIPT = """
from sim import jit
from sim._cache_probe import probe
value = probe(0.5)
stats = probe.stats
print(repr(float(value)), jit.physics_hash(), sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""
KERNEL_SCRIPT = """
import numba
from sim import jit, pipeline
from sim.engine import pack, run_engine
from sim.layout import OUT_L5_PRESSURE_KPA
m, t, *_ = pack({"posture": "standing", "pathology.herniation_zone": "subarticular",
                 "pathology.herniation_size_mm": 4.0, "pathology.herniation_side": "right"})
value = float(run_engine(m, t, "numba")[0, 1, OUT_L5_PRESSURE_KPA])
stats = pipeline.evaluate_batch_into.stats
print(repr(value), numba.config.CACHE_DIR, sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""
PRESSURE_LAW = "return min(p, ROOT_PRESSURE_LIMIT_KPA)"


def _run(script: str, root: Path, cache: Path | None = None):
    """Run ``script`` in a fresh interpreter on the package in ``root``; its printed words."""
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "SIM_AUTO_NUMBA_CACHE_DIR")}
    env["PYTHONPATH"] = str(root)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_physics_hash_follows_the_sources(tmp_path):
    copy = tmp_path / "sim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert jit.physics_hash(copy) == jit.physics_hash()
    (copy / "geometry.py").write_text((copy / "geometry.py").read_text() + "\n# edited\n")
    assert jit.physics_hash(copy) != jit.physics_hash()


def test_every_compiled_module_is_hashed():
    """A module that compiles with ``sim.jit`` but is missing from the hash would leave a stale kernel."""
    compiled = {p.name for p in PACKAGE.glob("*.py") if re.search(r"^from \.jit import", p.read_text(), re.M)}
    assert compiled and compiled <= set(jit.PHYSICS_SOURCES)


def test_edited_twin_in_another_file_recompiles(tmp_path):
    root, cache = tmp_path / "src", tmp_path / "cache"
    shutil.copytree(PACKAGE, root / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "sim" / "_cache_probe.py").write_text(PROBE)

    def run():
        value, key, hits, misses = _run(PROBE_SCRIPT, root, cache)
        return float(value), key, int(hits), int(misses)

    before, key_before, hits, misses = run()
    assert (hits, misses) == (0, 1) and before > 0.0  # compiled and written to the cache
    again, key_again, hits, misses = run()
    assert (again, key_again, hits, misses) == (before, key_before, 1, 0)  # served from the cache

    source = root / "sim" / "compression.py"  # the probe's own file is unchanged, as pipeline.py would be
    text = source.read_text()
    assert text.count(PRESSURE_LAW) == 1  # the twin (the reference uses np.minimum)
    head, tail = text.split(PRESSURE_LAW)
    source.write_text(head + PRESSURE_LAW.replace("return ", "return 2.0 * ") + tail)
    after, key_after, hits, misses = run()
    assert key_after != key_before and (hits, misses) == (0, 1)
    assert after == pytest.approx(2.0 * before, rel=1e-12)
    assert sorted(p.name for p in (cache / "sim" / "numba").iterdir()) == sorted([key_before, key_after])


def test_the_kernel_is_served_from_the_keyed_directory(tmp_path):
    """The real kernel: compiled (or loaded) here, then loaded by a fresh process from ``jit.cache_dir()``."""
    from sim.engine import pack, run_engine
    from sim.layout import OUT_L5_PRESSURE_KPA

    if os.environ.get("NUMBA_CACHE_DIR") != os.environ.get(jit._AUTO_MARK):
        pytest.skip("NUMBA_CACHE_DIR set by the user: sim does not key that directory")
    m, t, *_ = pack({"posture": "standing", "pathology.herniation_zone": "subarticular",
                     "pathology.herniation_size_mm": 4.0, "pathology.herniation_side": "right"})
    here = float(run_engine(m, t, "numba")[0, 1, OUT_L5_PRESSURE_KPA])  # the cache now holds this kernel
    value, cache_dir, hits, misses = _run(KERNEL_SCRIPT, PACKAGE.parent)
    assert float(value) == here > 0.0
    assert Path(cache_dir) == jit.cache_dir() and Path(cache_dir).name == jit.physics_hash()
    assert (int(hits), int(misses)) == (1, 0)
