"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore its previous state.

    Worth it where a step allocates many small containers while a loaded knowledge base holds
    millions of objects: each full collection they trigger walks every one of those objects.
    Only for code that makes no reference cycles (reference counting still frees everything).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep every object alive now out of the collector's sight for the block (gc.freeze).

    For the stages after loading: the loaded base's millions of objects stay alive throughout,
    and each full collection would otherwise walk all of them again. Cycles made inside the
    block are still collected; on leaving the outermost such block, the frozen objects are
    collectable again (an inner block does not thaw what an outer one froze).
    """
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


WRITER_THRESHOLDS = (10_000, 20, 20)  # Python's defaults are 700, 10, 10


def collect_less_often() -> None:
    """Collect after 10,000 new objects instead of 700, and the older generations after 20 younger
    collections instead of 10.

    For page writers: rendering makes no reference cycles (not one object collected at 10,000
    notes), and each writer's some 900 collections at the default thresholds walked its young
    objects for nothing.
    """
    gc.set_threshold(*WRITER_THRESHOLDS)
