"""Beyond one machine: the same chunks on a dask.distributed cluster give identical numbers."""

import numpy as np
import pytest

from sim import layout
from sim.sweep import sweep

distributed = pytest.importorskip("distributed")

from pathlib import Path  # noqa: E402

HEALTHY = Path(__file__).resolve().parents[1] / "configs" / "scenarios" / "healthy.toml"
SPEC = dict(scenario=HEALTHY, postures=["standing", "extension"], chunk_configs=64,
            grid={"pathology.slip_mm": [0.0, 5.0, 10.0]},
            population={"size": 50, "seed": 9,
                        "anatomy.foraminal_height_mm": {"dist": "normal", "mean": 20.0, "sd": 2.0},
                        "pathology.herniation_zone": {"dist": "choice", "values": ["none", "foraminal"],
                                                      "p": [0.5, 0.5]},
                        "pathology.herniation_size_mm": {"dist": "uniform", "min": 0.0, "max": 2.0}})


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        yield c


def _same(a, b):
    for name in list(layout.OUTPUTS) + ["anatomy.foraminal_height_mm", "pathology.herniation_zone", "chunk_done"]:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_dask_equals_local(cluster, tmp_path):
    local = sweep(**SPEC)
    remote = sweep(**SPEC, scheduler=cluster.scheduler_address, out=tmp_path / "dask.zarr")
    assert remote.sizes["chunk"] > 2
    _same(local, remote)


def test_dask_resume(cluster, tmp_path):
    from sim.sweep_store import DONE_VAR, open_group

    out = tmp_path / "r.zarr"
    first = sweep(**SPEC, scheduler=cluster.scheduler_address, out=out)
    group = open_group(str(out))
    group[DONE_VAR][1] = 0
    group["l4_pressure_kpa"][:] = -1.0
    group[DONE_VAR][:] = 0
    again = sweep(**SPEC, scheduler=cluster.scheduler_address, out=out, resume=True)
    _same(first.load(), again)


@pytest.mark.slow
def test_local_cluster_workers(tmp_path):
    """``--workers N`` starts a process LocalCluster (slower: process start-up)."""
    _same(sweep(**SPEC), sweep(**SPEC, workers=2, out=tmp_path / "w.zarr"))
