"""Running a sweep: store creation or resume, the local writer thread, Dask, opening the result."""

from __future__ import annotations

import logging
import math
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


#: Seconds a scheduler (``--scheduler``) or a new local cluster has to answer before the sweep gives up.
SCHEDULER_TIMEOUT_S = 10.0


def _connect(scheduler=None, workers=None):
    """A dask.distributed client (and the local cluster it runs on, if started here), or one line.

    The connection runs in a daemon thread with a deadline of
    :data:`SCHEDULER_TIMEOUT_S` (plus start-up time for a local cluster), so an
    address that answers with something other than Dask cannot hang the sweep.
    A local cluster and its dashboard listen on loopback only.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the environment
        raise SimInputError("--workers/--scheduler need dask.distributed: pip install 'sim[distributed]'") from None
    import threading

    result: dict = {}

    def connect():
        try:
            if scheduler:
                result["client"] = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S:g}s")
            else:
                result["cluster"] = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                 silence_logs=logging.ERROR)  # Ctrl-C: one line, not warnings
                result["client"] = Client(result["cluster"])
        except BaseException as exc:  # noqa: BLE001 - any failure to connect is reported as one line
            result["error"] = exc

    thread = threading.Thread(target=connect, name="sim-dask-connect", daemon=True)
    thread.start()
    thread.join(SCHEDULER_TIMEOUT_S + (0 if scheduler else 60))
    what = f"--scheduler {scheduler!r}" if scheduler else f"--workers {workers}"
    if thread.is_alive():
        raise SimInputError(f"{what}: no Dask scheduler answered within {SCHEDULER_TIMEOUT_S:g} s; "
                            "check the address (tcp://HOST:PORT of a dask scheduler)")
    if "error" in result:
        exc = result["error"]
        text = str(exc).splitlines()[0] if str(exc) else ""
        raise SimInputError(f"{what}: cannot connect ({type(exc).__name__}: {text[:200]})")
    return result["client"], result.get("cluster")


def _run_dask(plan: Plan, todo, writer, bar, client, cluster=None) -> None:
    """Chunks as tasks on a dask.distributed cluster; results come back and are written here.

    Writing from the client keeps the store on this machine (workers need no
    shared file system) and the done markers in one process; at most two
    tasks per worker are in flight, so memory stays bounded.
    """
    from dask.distributed import as_completed

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


#: Sweeps of more configurations than this need ``--yes`` (``confirm=True``): minutes to hours and many GB.
CONFIRM_CONFIGS = 10**8
#: Stored bytes per written byte of results: LZ4 of the results, measured on configs/sweeps (about 0.4).
STORE_COMPRESSION = 0.5


def store_bytes_estimate(plan: Plan) -> int:
    """Bytes a complete store of ``plan`` takes on disk (results, both sides, compressed)."""
    from ..layout import CATEGORICAL_OUTPUTS

    per_config = 2 * sum(1 if name in CATEGORICAL_OUTPUTS else 8 for name in plan.outputs)
    return int(math.prod(plan.shape) * per_config * STORE_COMPRESSION)


def check_resources(spec: SweepSpec, plan: Plan, out, confirm: bool) -> None:
    """Refuse, in one line, a sweep that needs confirming or that the disk under ``out`` cannot hold."""
    import shutil

    n = spec.n_configs
    if n > CONFIRM_CONFIGS and not confirm:
        raise SimInputError(f"the sweep has {n:.3g} configurations (more than {CONFIRM_CONFIGS:.0e}); "
                            "add --yes (confirm=True) to run it")
    if out is None:
        return
    need = store_bytes_estimate(plan)
    where = Path(out).resolve()
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return
    if need > free:
        raise SimInputError(f"store {str(out)!r} needs about {need / 1e9:.3g} GB and {str(where)!r} has "
                            f"{free / 1e9:.3g} GB free; free space, store fewer results (sweep.outputs) or "
                            "give another --out")


LOCK_NAME = "sim-sweep.lock"


def _lock(store: Path) -> Path:
    """Take the store's lock file (pid and host of the writer); a stale lock of a dead process is taken over."""
    import socket

    lock = store / LOCK_NAME
    me = f"{os.getpid()} {socket.gethostname()}"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid_text, host = (lock.read_text().split() + ["", ""])[:2]
                pid = int(pid_text)
            except (OSError, ValueError):
                pid, host = -1, ""
            if host == socket.gethostname() and pid > 0 and _alive(pid):
                raise SimInputError(f"store {str(store)!r} is being written by another sim sweep (pid {pid}); "
                                    "wait for it to end or give another --out") from None
            if host and host != socket.gethostname():
                raise SimInputError(f"store {str(store)!r} is locked by a sim sweep on host {host!r} "
                                    f"(remove {str(lock)!r} if that sweep is gone)") from None
            lock.unlink(missing_ok=True)  # stale: its process is gone
            continue
        except OSError as exc:
            raise SimInputError(f"store {str(store)!r} cannot be written: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(me)
        return lock
    raise SimInputError(f"store {str(store)!r}: could not take its lock file {str(lock)!r}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
              scheduler: str | None = None, progress: bool = False, confirm: bool = False) -> SweepRun:
    """Run a sweep into a zarr store (a directory path, or memory if ``out`` is None).

    ``confirm`` must be True for more than :data:`CONFIRM_CONFIGS`
    configurations; a store the disk cannot hold, a store another sweep is
    writing (its lock file), a path that cannot be written and a scheduler that
    does not answer are each refused with one line, before anything is written.
    """
    from ..about import DISCLAIMER
    from . import store as st

    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise SimInputError(f"--workers {workers!r} must be a positive integer")
    if workers and scheduler:
        raise SimInputError("give either --workers (start a local cluster) or --scheduler (use one), not both")
    t0 = time.perf_counter()
    plan = make_plan(spec)
    spec_hash = spec.spec_hash()
    create = True
    if out is not None:
        out = Path(out)
        if out.exists():
            if not resume:
                raise SimInputError(f"store {str(out)!r} already exists; add --resume to continue it "
                                    "or give a new --out")
            st.check_resumable(out, spec_hash, f"store {str(out)!r}", spec.resolved())
            create = False
    check_resources(spec, plan, out if create else None, confirm)
    if create:
        check_plan(plan, spec)
    client = cluster = None
    if workers or scheduler:
        client, cluster = _connect(scheduler, workers)  # before the store: a failure leaves nothing behind
    lock = None
    try:
        if create:
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
                store = _writing(out, lambda: st.create_store(out, plan, attrs))
        else:
            store = str(out)
        if out is not None:
            lock = _lock(out)
        writer = _writing(out, lambda: st.ChunkWriter(store, plan))
        done = st.done_chunks(writer.group)
        todo = [k for k in range(plan.n_chunks) if not done[k]]
        done_configs = plan.n_configs - sum(plan.chunk_size(k) for k in todo)
        bar = _progress(plan, done_configs, progress, spec.name)
        try:
            if client is not None:
                _writing(out, lambda: _run_dask(plan, todo, writer, bar, client, cluster))
            else:
                _writing(out, lambda: _run_local(plan, todo, writer, bar))
        finally:
            bar.close()
        _writing(out, lambda: writer.finish({"sweep_complete": 1}))
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        if lock is not None:
            lock.unlink(missing_ok=True)
    return SweepRun(store=store, n_configs=plan.n_configs, computed_configs=plan.n_configs - done_configs,
                    chunks=plan.n_chunks, computed_chunks=len(todo), seconds=time.perf_counter() - t0,
                    spec_hash=spec_hash)


def _writing(out, action):
    """Run ``action``; a file-system error on the store (read-only, full disk, a file in the way) is one line."""
    try:
        return action()
    except OSError as exc:
        if out is None:
            raise
        raise SimInputError(f"store {str(out)!r} cannot be written: {exc.strerror or exc}; "
                            "fix the path or the disk and run again (add --resume to continue)") from None


def open_sweep(store):
    """Open a sweep store as an xarray Dataset (lazily)."""
    import warnings

    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return xr.open_zarr(store)

