"""The garbage-collector helpers: what they hide from the collector, and what they give back."""

from __future__ import annotations

import gc
import weakref

from kb.collector import collector_paused, heap_frozen


class Node:
    """Something that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.other: object = self


def test_collector_paused_restores_the_previous_state() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_heap_frozen_hides_what_lives_before_and_still_collects_new_cycles() -> None:
    before = Node()
    with heap_frozen():
        assert gc.get_freeze_count() > 0
        inside = Node()
        watched = weakref.ref(inside)
        del inside
        gc.collect()
        assert watched() is None  # a cycle made inside the block is still collected
    assert gc.get_freeze_count() == 0
    watched_before = weakref.ref(before)
    del before
    gc.collect()
    assert watched_before() is None  # and what was frozen is collectable again afterwards


def test_an_inner_heap_frozen_block_leaves_the_outer_freeze_in_place() -> None:
    with heap_frozen():
        outer = gc.get_freeze_count()
        with heap_frozen():
            assert gc.get_freeze_count() >= outer > 0
        assert gc.get_freeze_count() >= outer  # the page writers' block did not thaw the loaded base
    assert gc.get_freeze_count() == 0
