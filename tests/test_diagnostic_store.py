"""The diagnostics a build keeps while writing pages: packed by rule, given back unchanged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import kb
from kb import diagnostic_store
from kb.diagnostic_store import DiagnosticStore
from kb.indexes import healthsite_page, homesite_page
from kb.model import Severity
from kb.rules import diagnostic
from kb.site_model import SiteModel

CLAIMS = Path(__file__).resolve().parents[1] / "claims"

MIXED = (
    diagnostic("broken-link", "a.md", 3, 1, "no note [[x]]", "did you mean [[y]]?"),
    diagnostic("yaml-error", "a.md", 1, 1, "front matter is not valid YAML"),
    diagnostic("orphan", "b.md", 1, 1, "no other note links here"),
    diagnostic("broken-link", "b.md", 7, 4, "no note [[z]]"),
    diagnostic("orphan", "c.md", 1, 1, "no other note links here")._replace(severity=Severity.ERROR),
)


@pytest.mark.parametrize("packed", [True, False])
def test_store_gives_back_every_diagnostic_in_order_packed_or_not(packed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnostic_store, "CHUNK", 1)  # several chunks per rule
    store = DiagnosticStore(MIXED, packed=packed)
    assert store.all() == MIXED and len(store) == 5
    assert [type(d.severity) for d in store] == [Severity] * 5
    assert list(store.of_rule("broken-link")) == [MIXED[0], MIXED[3]] and list(store.of_rule("missing")) == []
    assert store.counts == {"broken-link": 2, "yaml-error": 1, "orphan": 2}
    assert store.heads == {"broken-link": MIXED[0], "yaml-error": MIXED[1], "orphan": MIXED[2]}
    assert store.errors == 4  # two broken links, the YAML error and the orphan made an error


def test_store_knows_which_notes_a_reading_rule_reported() -> None:
    store = DiagnosticStore(MIXED)
    assert not store.is_clean("a.md") and store.is_clean("b.md") and store.is_clean("elsewhere.md")


def test_store_packs_into_bytes_and_an_empty_store_is_empty() -> None:
    assert all(type(chunk) is bytes for chunks in DiagnosticStore(MIXED).chunks.values() for chunk in chunks)
    empty = DiagnosticStore(())
    assert empty.all() == () and empty.errors == 0 and empty.heads == {}


def test_site_pages_are_the_same_from_a_packed_store_without_the_base_s_diagnostics() -> None:
    base = kb.load(CLAIMS)
    base = replace(base, diagnostics=base.diagnostics + MIXED)
    plain = SiteModel(base).prepare()
    packed = SiteModel(replace(base, diagnostics=()), store=DiagnosticStore(base.diagnostics)).prepare()
    for make in (healthsite_page, homesite_page):
        assert repr(make(packed).context) == repr(make(plain).context)
    assert plain.diagnostics.all() == packed.diagnostics.all() == base.diagnostics
