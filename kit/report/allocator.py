"""Memory reuse for a report run: large arrays are freed and allocated again many times, keep their pages.

A report on a large business allocates and frees arrays of the order log's length (80 MB for 10M orders) hundreds
of times: sorts, masks, per-period selections. By default glibc gives each such array its own ``mmap`` and
returns it to the system when it is freed, and NumPy asks for transparent huge pages on it (``madvise``), so every
new array faults fresh pages in and the kernel may compact memory to find huge pages. On the 2-core virtual
machine of the benchmarks that was a third of the run's CPU time, as system time.

:func:`tune_this_process` and :func:`kernel_env` change that where the kit owns the process:

- ``tune_this_process()``, called once by the ``loyalty-kit`` command at its start (glibc only, through
  ``mallopt``): large blocks come from the heap and freed memory stays there for the next array
  (``M_MMAP_MAX=0``, ``M_TRIM_THRESHOLD`` of 128 MB, ``M_TOP_PAD`` of 64 MB), Arrow allocates through
  the same allocator (its system pool; its own mimalloc pool gives freed pages back), and NumPy asks for no huge
  pages (in threads other than the main one, glibc still maps a block over 64 MB by itself). It is not undone:
  glibc has no way back to its adaptive defaults (setting any of these turns them off),
  so a user's own Python process (``run_report`` called in a notebook) is left alone;
- ``kernel_env()``, around a report run: the same settings as environment variables for the kernels it starts
  (``MALLOC_MMAP_MAX_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``, ``ARROW_DEFAULT_MEMORY_POOL``,
  ``NUMPY_MADVISE_HUGEPAGE``), which glibc, Arrow and NumPy read when a process starts. A kernel ends with the
  run, and its memory with it. They are set in this process's environment while the run lasts, so any other
  process started meanwhile (by another thread) gets them too.

The run gives its memory back where it drops its tables (:func:`kit.report.pages.return_memory` trims the heap).
A setting the user made (any of these variables, or ``GLIBC_TUNABLES``, already in the environment) stands:
nothing is changed then. Values are not affected, only where memory comes from.

Measured on the benchmark machine (2 cores, Firecracker VM), see benchmarks/README.md (session 9).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Iterator

__all__ = ["KERNEL_ENV", "glibc", "kernel_env", "tune_this_process"]

# glibc's mallopt parameters (malloc.h, mallopt(3))
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX = -1, -2, -4
# freed memory goes back to the system only when 128 MB are free at the top of the heap (glibc's default is
# 128 kB, and large blocks are mapped apart and given back at once); 64 MB more are asked for at each growth.
# With no trim at all, the 1M report's peak across processes was 6.15-6.19 GB; with these, 5.93-6.08 GB (same speed)
_TRIM, _PAD = 128 << 20, 64 << 20
_TUNED = {_M_MMAP_MAX: 0, _M_TRIM_THRESHOLD: _TRIM, _M_TOP_PAD: _PAD}

#: what a kernel started by the run gets in its environment (read by glibc and NumPy at process start)
KERNEL_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(_TRIM), "MALLOC_TOP_PAD_": str(_PAD),
              "ARROW_DEFAULT_MEMORY_POOL": "system", "NUMPY_MADVISE_HUGEPAGE": "0"}


def glibc() -> ctypes.CDLL | None:
    """The process's C library when it is glibc (Linux, not musl), else None (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None)   # the symbols of the process, libc's among them
    return libc if hasattr(libc, "gnu_get_libc_version") else None


def _mallopt() -> ctypes._CFuncPtr | None:
    """glibc's ``mallopt`` when the kit may tune the allocator: glibc, and no setting of the user's (module doc)."""
    libc = glibc()
    if libc is None or any(name in os.environ for name in (*KERNEL_ENV, "GLIBC_TUNABLES")):
        return None
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


def _numpy_hugepages(enabled: bool) -> None:
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        try:
            from numpy.core.multiarray import _set_madvise_hugepage  # NumPy 1.x
        except ImportError:   # a NumPy without the switch: its default stays
            return
    _set_madvise_hugepage(enabled)


def tune_this_process() -> bool:
    """Keep freed memory in this process for reuse (module docstring); for a process the kit owns, not undone.

    Returns whether the allocator was tuned: False on a platform without glibc, or when the user set the
    variables (their choice stands).
    """
    mallopt = _mallopt()
    if mallopt is None:
        return False
    import pyarrow as pa

    if not all(mallopt(param, value) == 1 for param, value in _TUNED.items()):   # 1 = accepted
        return False
    pa.set_memory_pool(pa.system_memory_pool())
    _numpy_hugepages(False)
    return True


_ENV_LOCK = threading.Lock()
_ENV_STATE = {"depth": 0, "set": False}   # runs in progress in this process; whether the first set the variables


@contextlib.contextmanager
def kernel_env() -> Iterator[None]:
    """Within the block, the kernels (and any process) started get the allocator settings in their environment.

    Changes nothing when the user has set any of the variables (their choice stands) or glibc is missing.
    Blocks may nest or overlap (two runs in threads of one process): the variables stay until the last one ends.

    Examples
    --------
    >>> with kernel_env():
    ...     pass   # start the kernels here
    """
    with _ENV_LOCK:
        if _ENV_STATE["depth"] == 0:
            _ENV_STATE["set"] = _mallopt() is not None
            if _ENV_STATE["set"]:
                os.environ.update(KERNEL_ENV)
        _ENV_STATE["depth"] += 1
    try:
        yield
    finally:
        with _ENV_LOCK:
            _ENV_STATE["depth"] -= 1
            if _ENV_STATE["depth"] == 0 and _ENV_STATE["set"]:
                for name in KERNEL_ENV:
                    os.environ.pop(name, None)
                _ENV_STATE["set"] = False
