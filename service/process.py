"""Process-wide tuning of a server process: BLAS threads, and glibc's ``malloc`` for request-sized arrays.

Both change the whole process, so :func:`tune` runs where a server process
starts (:mod:`service.server`), never in :func:`service.app.create_app`:
tests and the command line's in-process transport keep the defaults.

**BLAS threads.** OpenBLAS starts one thread per core in every process. With
one worker per core, each worker's threads then fight the others' and the
small matrix products of a request pay for waking them: the benchmark
(``bench/blas.py``) measures the difference. :func:`tune` limits each process
to ``blas_threads`` (threadpoolctl), one by default.

**Freed memory.**

By default glibc serves an allocation of 128 KiB or more with a fresh
``mmap`` and gives it back to the system when it is freed, and trims the top
of its heap as soon as more than a little is free there. A request makes and
drops arrays of megabytes (a 2048 × 128 matrix is 2 MiB), so every request
then touches new pages, each a page fault: some 4000 on the benchmark's large
request, a large share of its time (``bench/``).

:func:`keep_freed_memory` raises both thresholds with ``mallopt``, once per
process: allocations up to 32 MiB (glibc's largest mmap threshold) come from
the heap, and up to ``mib`` MiB of freed heap stay mapped for the next request.
The process then keeps its high-water mark of memory, up to that much, instead
of returning it. Without glibc (musl, macOS) nothing changes.

**After a burst.** Kept memory is for the next request, not for a burst's: after a flood of large bodies the
heap is full of freed holes that glibc keeps whatever the thresholds say (only its top is ever trimmed).
:func:`trim_freed_memory` (``malloc_trim(0)``) returns every free page of every arena to the system;
:class:`service.http.compute.Pool` calls it once a burst is over (no request admitted for a second after
requests that reserved 64 MiB or more), so RSS comes back to its baseline within seconds (``bench/floods.py``).
"""

from __future__ import annotations

import ctypes

from threadpoolctl import threadpool_limits

from service.domain.settings import Settings

MiB = 1024 * 1024
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters, from glibc's ``malloc.h``."""
MMAP_THRESHOLD_MAX = 32 * MiB
"""glibc's largest ``M_MMAP_THRESHOLD`` on 64-bit systems."""


def keep_freed_memory(mib: int) -> bool:
    """Keep up to ``mib`` MiB of freed memory for reuse; ``False`` if ``mib`` is 0 or there is no ``mallopt``."""
    if mib <= 0:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    keep = min(mib * MiB, 2**31 - 1)
    return bool(mallopt(M_MMAP_THRESHOLD, min(keep, MMAP_THRESHOLD_MAX))) and bool(mallopt(M_TRIM_THRESHOLD, keep))


def trim_freed_memory() -> bool:
    """Return the free memory of every malloc arena to the system (glibc's ``malloc_trim(0)``); ``False`` without
    glibc, or when there was nothing to return."""
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    return bool(malloc_trim(0))


def limit_blas_threads(threads: int) -> None:
    """Let the BLAS library use at most ``threads`` threads in this process; 0 leaves its default."""
    if threads > 0:
        threadpool_limits(limits=threads, user_api="blas")


def tune(settings: Settings) -> None:
    """Apply the process-wide settings: BLAS threads and kept freed memory."""
    limit_blas_threads(settings.blas_threads)
    keep_freed_memory(settings.keep_freed_mib)
