"""The garbage-collector helpers: what they hide from the collector, and what they give back."""

from __future__ import annotations

import gc
import weakref
from contextlib import ExitStack
from pathlib import Path

import pytest
from kbtest import claim_text, write_files

import kb
import kb.pipeline
import kb.writer
from kb.build import BuildOptions, build_site
from kb.collector import WRITER_THRESHOLDS, collector_paused, heap_frozen
from kb.config import load_settings
from kb.discover import discover
from kb.quick_build import _load_all

CLAIMS = Path(__file__).resolve().parents[1] / "claims"


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


def test_a_full_build_freezes_the_loaded_base_before_the_collector_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resumed with the base's objects still counted as young, the next collections would walk all of it."""
    files = {f"domains/d/claim number {n}.md": claim_text(f"See [[claim number {(n + 1) % 300}]].\n") for n in range(300)}
    root = write_files(tmp_path / "kb", files)
    settings = load_settings(root)
    collections: list[int] = []  # generations collected from the moment loading starts
    real_assemble = kb.pipeline.assemble

    def assemble(*args: object) -> object:
        gc.callbacks.append(watch)
        return real_assemble(*args)

    def watch(phase: str, info: dict) -> None:
        collections.extend([info["generation"]] if phase == "start" else [])

    monkeypatch.setattr(kb.pipeline, "assemble", assemble)
    try:
        with ExitStack() as frozen:
            base, _, _ = _load_all(root, settings, discover(root, settings), frozen)
            assert gc.isenabled() and len(base.notes) == 300
            assert gc.get_freeze_count() > 10 * len(base.notes)  # the base's objects are frozen ...
            assert gc.get_count()[0] < gc.get_threshold()[0]  # ... not left counted as young, which would start a collection
            assert collections == []  # none ran while loading, nor on resuming
        assert gc.get_freeze_count() == 0
    finally:
        if watch in gc.callbacks:  # (not there when loading failed before assembling)
            gc.callbacks.remove(watch)


def test_page_writers_collect_less_often_and_the_main_process_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    thresholds = tmp_path / "thresholds"
    real_run = kb.writer._run

    def run(*args: object) -> object:  # in a forked page writer (the worker's inherited module calls it)
        thresholds.write_text(repr(gc.get_threshold()))
        return real_run(*args)

    monkeypatch.setattr(kb.writer, "_run", run)
    monkeypatch.setattr(kb.writer, "PARALLEL_MIN_PAGES", 0)
    before = gc.get_threshold()
    build_site(kb.load(CLAIMS), BuildOptions(out=tmp_path / "site", workers=2))
    assert thresholds.read_text() == repr(WRITER_THRESHOLDS) and WRITER_THRESHOLDS != before
    assert gc.get_threshold() == before
