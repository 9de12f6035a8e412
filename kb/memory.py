"""Handing freed memory back to the operating system, where the C library allows it."""

from __future__ import annotations

import ctypes
import ctypes.util


def release_free_memory() -> None:
    """Ask glibc to return the free pages of its heap (malloc_trim); a no-op elsewhere.

    After a large base is dropped, most of its memory stays mapped in the process as free
    heap, and whatever comes next (printing tens of thousands of diagnostics) would be added
    on top of it in the peak resident size.
    """
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
