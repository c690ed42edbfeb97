"""numba's on-disk cache cannot serve a stale kernel: editing a twin in another file changes the result.

numba checks only the file of the function it cached (``sim/pipeline.py``),
so ``sim.jit`` keys the cache directory on a hash of every physics source.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim import jit

PACKAGE = Path(__file__).resolve().parents[1] / "sim"
SCRIPT = """
from sim import jit
from sim.engine import pack, run_engine
from sim.layout import OUT_L5_PRESSURE_KPA
m, t, *_ = pack({"posture": "standing", "pathology.herniation_zone": "subarticular",
                 "pathology.herniation_size_mm": 4.0, "pathology.herniation_side": "right"})
print(repr(float(run_engine(m, t, "numba")[0, 1, OUT_L5_PRESSURE_KPA])), jit.physics_hash())
"""
PRESSURE_LAW = "return min(p, ROOT_PRESSURE_LIMIT_KPA)"


def _run(root: Path, cache: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "SIM_AUTO_NUMBA_CACHE_DIR")}
    env.update(PYTHONPATH=str(root), XDG_CACHE_HOME=str(cache))
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=root, capture_output=True, text=True, check=True)
    value, key = out.stdout.split()
    return float(value), key


def test_physics_hash_follows_the_sources(tmp_path):
    copy = tmp_path / "sim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert jit.physics_hash(copy) == jit.physics_hash()
    (copy / "geometry.py").write_text((copy / "geometry.py").read_text() + "\n# edited\n")
    assert jit.physics_hash(copy) != jit.physics_hash()


@pytest.mark.slow
def test_edited_twin_in_another_file_recompiles(tmp_path):
    root, cache = tmp_path / "src", tmp_path / "cache"
    shutil.copytree(PACKAGE, root / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    before, key_before = _run(root, cache)
    again, key_again = _run(root, cache)  # served from the cache written by the first run
    assert (again, key_again) == (before, key_before)
    assert before > 0.0

    source = root / "sim" / "compression.py"
    text = source.read_text()
    assert text.count(PRESSURE_LAW) == 1  # the twin (the reference uses np.minimum)
    head, tail = text.split(PRESSURE_LAW)
    source.write_text(head + PRESSURE_LAW.replace("return ", "return 2.0 * ") + tail)
    after, key_after = _run(root, cache)
    assert key_after != key_before
    assert after == pytest.approx(2.0 * before, rel=1e-12)
    assert sorted(p.name for p in (cache / "sim" / "numba").iterdir()) == sorted([key_before, key_after])
