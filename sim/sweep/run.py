"""Running a sweep: store creation or resume, the local writer thread, Dask, opening the result."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from ..errors import SimInputError
from .plan import Plan, check_plan, compute_chunk, make_plan
from .spec import SweepSpec, _plain


# -------------------------------------------------------------- execution --
def _progress(plan: Plan, done: int, enabled: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=plan.n_configs, initial=done, unit="config", unit_scale=True, desc=desc,
                file=sys.stderr, disable=not enabled, dynamic_ncols=True, smoothing=0.3)


def _run_local(plan: Plan, todo, writer, bar) -> None:
    """Compute chunk k+1 while a writer thread stores chunk k (the kernel releases the GIL).

    The queue holds one finished chunk, so at most three chunks are in memory;
    a chunk's done marker is still written after its data, so a kill loses at
    most the chunks not yet marked, which resume recomputes.
    """
    import queue
    import threading

    jobs: queue.Queue = queue.Queue(maxsize=1)
    failure: list = []

    def drain():
        while True:
            item = jobs.get()
            if item is None:
                return
            if failure:
                continue
            k, out, samples = item
            try:
                writer.write(k, out, samples)
                bar.update(plan.chunk_size(k))
            except BaseException as exc:  # handed to the main thread below
                failure.append(exc)

    thread = threading.Thread(target=drain, name="sim-sweep-writer", daemon=True)
    thread.start()
    try:
        for k in todo:
            if failure:
                break
            jobs.put(compute_chunk(plan, k))
    finally:
        jobs.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _run_dask(plan: Plan, todo, writer, bar, scheduler=None, workers=None) -> None:
    """Chunks as tasks on a dask.distributed cluster; results come back and are written here.

    Writing from the client keeps the store on this machine (workers need no
    shared file system) and the done markers in one process; at most two
    tasks per worker are in flight, so memory stays bounded.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the environment
        raise SimInputError("--workers/--scheduler need dask.distributed: pip install 'sim[distributed]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SimInputError(f"--scheduler {scheduler!r}: cannot connect ({type(exc).__name__}: {exc})") from None
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        threads = max(1, (os.cpu_count() or 1) // n_workers) if cluster is not None else None
        plan_f = client.scatter(plan, broadcast=True)
        it = iter(todo)
        futures = [client.submit(compute_chunk, plan_f, k, threads, pure=False) for k in islice(it, 2 * n_workers)]
        pending = as_completed(futures)
        for fut in pending:
            k, out, samples = fut.result()
            fut.release()
            writer.write(k, out, samples)
            bar.update(plan.chunk_size(k))
            nxt = next(it, None)
            if nxt is not None:
                pending.add(client.submit(compute_chunk, plan_f, nxt, threads, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass
class SweepRun:
    """What a sweep call did: where, how many configurations, how long."""

    store: object
    n_configs: int
    computed_configs: int
    chunks: int
    computed_chunks: int
    seconds: float
    spec_hash: str


def run_sweep(spec: SweepSpec, out=None, resume: bool = False, workers: int | None = None,
              scheduler: str | None = None, progress: bool = False) -> SweepRun:
    """Run a sweep into a zarr store (a directory path, or memory if ``out`` is None)."""
    from .. import DISCLAIMER
    from . import store as st

    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise SimInputError(f"--workers {workers!r} must be a positive integer")
    if workers and scheduler:
        raise SimInputError("give either --workers (start a local cluster) or --scheduler (use one), not both")
    t0 = time.perf_counter()
    plan = make_plan(spec)
    spec_hash = spec.spec_hash()
    where = repr(str(out)) if out is not None else "memory store"
    create = True
    if out is not None:
        out = Path(out)
        if out.exists():
            if not resume:
                raise SimInputError(f"store {str(out)!r} already exists; add --resume to continue it "
                                    "or give a new --out")
            st.check_resumable(out, spec_hash, f"store {str(out)!r}", spec.resolved())
            create = False
    if create:
        check_plan(plan, spec)
        import json

        attrs = {
            "title": spec.name, "description": spec.description, "scenario": spec.scenario.name,
            "sweep_file": spec.source or "", "disclaimer": DISCLAIMER,
            "kind": "population" if spec.population else "grid",
            "grid_parameters": list(spec.grid), "sampled_parameters": list(plan.sampled),
            "n_configurations": plan.n_configs, "chunk_configs": int(np.prod(plan.block)),
            "population_size": spec.population.size if spec.population else 0,
            "population_seed": spec.population.seed if spec.population else -1,
            st.HASH_ATTR: spec_hash, st.SPEC_ATTR: json.dumps(spec.resolved(), sort_keys=True),
            "sweep_complete": 0,
        }
        varied = set(spec.grid) | set(plan.sampled)
        attrs.update({k: _plain(v) for k, v in spec.scenario.values.items() if k not in varied})
        if out is None:
            import zarr

            store = st.create_store(zarr.storage.MemoryStore(), plan, attrs)
        else:
            store = st.create_store(out, plan, attrs)
    else:
        store = str(out)
    writer = st.ChunkWriter(store, plan)
    done = st.done_chunks(writer.group)
    todo = [k for k in range(plan.n_chunks) if not done[k]]
    done_configs = plan.n_configs - sum(plan.chunk_size(k) for k in todo)
    bar = _progress(plan, done_configs, progress, spec.name)
    try:
        if workers or scheduler:
            _run_dask(plan, todo, writer, bar, scheduler=scheduler, workers=workers)
        else:
            _run_local(plan, todo, writer, bar)
    finally:
        bar.close()
    writer.finish({"sweep_complete": 1})
    return SweepRun(store=store, n_configs=plan.n_configs, computed_configs=plan.n_configs - done_configs,
                    chunks=plan.n_chunks, computed_chunks=len(todo), seconds=time.perf_counter() - t0,
                    spec_hash=spec_hash)


def open_sweep(store):
    """Open a sweep store as an xarray Dataset (lazily)."""
    import warnings

    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return xr.open_zarr(store)

