"""numba for the physics layer, with an on-disk cache that cannot go stale.

numba's cache checks the source file of the function it compiled, not the
files of the functions that function calls: after an edit to a twin in
``sim/geometry.py`` the cached batch kernel in ``sim/pipeline.py`` would still
run the old code.  So, unless the user set ``NUMBA_CACHE_DIR``, the cache lives
in a directory keyed on a hash of every source a compiled kernel reads
(``PHYSICS_SOURCES``): any edit there compiles afresh into a new directory.
Every physics module imports ``njit``/``prange`` from here, so the directory
is set before numba compiles or loads anything of sim.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numba
from numba import prange  # noqa: F401  (re-exported to the physics layer)
from numba.core.cpu import CPUTargetOptions

#: Options a numba version may lack (``_nrt``: private and long-standing, no reference counting;
#: ``forceinline``: LLVM's alwaysinline): without them the kernels are only slower.
_MISSING_OPTIONS = tuple(o for o in ("_nrt", "forceinline") if not hasattr(CPUTargetOptions, o))


def njit(*args, **options):
    """``numba.njit`` with IEEE division and no reference counting, unless told otherwise.

    numba's default ("python") tests every division for a zero divisor so that it can raise
    ZeroDivisionError: a branch per division in the kernel's hot loop, and about 8 % of the
    kernel's time on the benchmark population.  Inputs are range-checked before they reach a
    kernel (``sim.params``), the twin tests hold every kernel to its reference, and a division
    by zero would give inf/nan here, as it does in NumPy.

    Without ``_nrt=False`` every call that passes arrays increments and decrements their
    reference counts (atomic operations, on cache lines that both threads share): the physics
    functions only read and write arrays their caller owns, so they need none.  A function that
    allocates (``np.empty``, a slice assignment) says ``_nrt=True``; numba refuses to compile it
    otherwise, so none can be missed.  About 6 % of kernel time on one thread.
    """
    options.setdefault("error_model", "numpy")
    options.setdefault("_nrt", False)
    for name in _MISSING_OPTIONS:
        options.pop(name, None)
    return numba.njit(*args, **options)


#: Modules whose code or constants end up in a compiled kernel: every module that compiles with
#: this ``njit`` (tests/test_kernel_cache.py checks that none is missing) and the constants they read.
PHYSICS_SOURCES = ("jit.py", "layout.py", "data/outputs.toml", "units.py", "postures.py", "loads.py",
                   "mechanics.py", "geometry.py", "compression.py", "referral.py", "interventions.py",
                   "claudication.py", "canal.py", "codes.py", "pipeline.py")


def physics_hash(package_dir: Path | None = None) -> str:
    """First 16 hex digits of the SHA-256 of the physics sources, in ``PHYSICS_SOURCES`` order."""
    package_dir = Path(__file__).parent if package_dir is None else package_dir
    digest = hashlib.sha256()
    for name in PHYSICS_SOURCES:
        digest.update(name.encode())
        digest.update((package_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def _user_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sim" / "numba"


def cache_dir() -> Path:
    """The kernel cache directory of this source tree (created if needed)."""
    key = physics_hash()
    for root in (_user_cache_root(), Path(tempfile.gettempdir()) / f"sim-numba-{os.getuid()}"):
        path = root / key
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:  # read-only home: fall back to the temporary directory
            continue
        return path
    raise OSError("no writable directory for numba's cache")  # pragma: no cover


#: Marks a ``NUMBA_CACHE_DIR`` that sim set itself (inherited by a child process), not the user.
_AUTO_MARK = "SIM_AUTO_NUMBA_CACHE_DIR"


def _configure() -> None:
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user and user != os.environ.get(_AUTO_MARK):
        return  # the user's choice wins (and the user owns its staleness)
    path = str(cache_dir())
    # in the environment too: numba re-reads it when any NUMBA_ variable changes
    os.environ["NUMBA_CACHE_DIR"] = os.environ[_AUTO_MARK] = path
    numba.config.CACHE_DIR = path


_configure()


def _prefetch(write):
    """An intrinsic ``prefetch(arr, index)``: LLVM's ``llvm.prefetch`` of ``arr.flat[index]``, for a
    read (``write`` 0) or a write (1), kept in every cache level.  ``arr`` must be C-contiguous."""
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def prefetch(typingctx, arr, index):
        """Ask the cache for ``arr.flat[index]`` ahead of use (a hint: no effect on any value)."""
        if not isinstance(arr, types.Array):
            return None

        def codegen(context, builder, sig, args):
            ary = context.make_array(sig.args[0])(context, builder, args[0])
            ptr = builder.gep(ary.data, [args[1]])
            i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
                                                "llvm.prefetch.p0i8")  # the typed-pointer name: newer LLVM upgrades it
            builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, write), ir.Constant(i32, 3),
                              ir.Constant(i32, 1)])
            return context.get_dummy_value()

        return types.void(arr, index), codegen

    return prefetch


#: Cache hints for the batch loop (sim.pipeline): they change no value, only when memory arrives.
prefetch_read, prefetch_write = _prefetch(0), _prefetch(1)
