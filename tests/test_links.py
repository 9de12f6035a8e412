"""Link resolution, table-driven: (files present, linking file, raw link) -> (target path, rule).

Every row builds a real corpus on disk, loads it with `kb.load` and looks at the one link the
linking file holds: where it resolved and which link rule (if any) it drew.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Callable, Mapping

import pytest

import kb
from kb.links import split_target
from kb.model import KnowledgeBase, LinkKind, ResolvedLink


LINK_RULES = {"broken-link", "ambiguous-link", "case-mismatch", "missing-heading", "self-link", "link-outside-root"}
NFC_TITLE = unicodedata.normalize("NFC", "Café théorie des marchés")
NFD_TITLE = unicodedata.normalize("NFD", NFC_TITLE)
assert NFC_TITLE != NFD_TITLE

WriteCorpus = Callable[[Path, Mapping[str, "str | bytes"]], Path]


def target_note(path: str) -> str:
    """A linkable note with two headings (one with punctuation, for slug tests)."""
    stem = path.rsplit("/", 1)[-1][:-3]
    return f"---\ntype: entity\n---\n# {stem}\n\n## Evidence Base\n\n## Counter-arguments & Rebuttals (2025)\n"


def origin_note(raw: str) -> str:
    """The linking note: its only link is `[[raw]]`, at line 5, column 5."""
    return f"---\ntype: entity\n---\n\nSee [[{raw}]] here.\n"


def load_with_link(tmp_path: Path, write: WriteCorpus, present: tuple[str, ...], origin: str, raw: str) -> tuple[ResolvedLink, set[str], KnowledgeBase]:
    files: dict[str, str] = {path: target_note(path) for path in present}
    files[origin] = origin_note(raw)
    base = kb.load(write(tmp_path, files))
    (link,) = [r for r in base.links if r.origin == origin]
    rules = {d.rule for d in base.diagnostics if d.path == origin and d.rule in LINK_RULES}
    return link, rules, base


ALPHA = "domains/x/Alpha claim.md"
MAPS = ("domains/x/_map.md", "domains/y/_map.md")
SHARED = ("domains/x/Shared title.md", "domains/y/Shared title.md")

# (files present, linking file, raw link text, expected target path or None, expected rule or None)
CASES = [
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim", ALPHA, None, id="title"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim.md", ALPHA, None, id="title-dot-md"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim.MD", ALPHA, None, id="title-dot-MD-upper"),
    pytest.param((ALPHA,), "maps/o.md", "  Alpha claim  ", ALPHA, None, id="title-padded-with-spaces"),
    pytest.param(MAPS, "maps/o.md", "domains/x/_map", MAPS[0], None, id="root-relative-path"),
    pytest.param(MAPS, "maps/o.md", "domains/x/_map.md", MAPS[0], None, id="root-relative-path-dot-md"),
    pytest.param(MAPS, "maps/o.md", "domains\\x\\_map", MAPS[0], None, id="root-relative-backslash-path"),
    pytest.param(("core/b/note.md",), "core/a/o.md", "../b/note", "core/b/note.md", None, id="file-relative-parent"),
    pytest.param(MAPS, "domains/x/o.md", "./_map", MAPS[0], None, id="file-relative-dot"),
    pytest.param(MAPS, "domains/y/o.md", "../x/_map", MAPS[0], None, id="file-relative-sibling-folder"),
    pytest.param(MAPS, "domains/y/o.md", "../x/_map.md", MAPS[0], None, id="file-relative-dot-md"),
    pytest.param(MAPS + ("core/y/_map.md",), "maps/o.md", "x/_map", MAPS[0], None, id="partial-path"),
    pytest.param(("a/b/c/Deep note.md",), "o.md", "b/c/Deep note", "a/b/c/Deep note.md", None, id="partial-path-two-folders"),
    pytest.param(MAPS, "maps/o.md", "/domains/x/_map", MAPS[0], None, id="absolute-path"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim|shown text", ALPHA, None, id="alias"),
    pytest.param(MAPS, "maps/o.md", "domains/x/_map|the map", MAPS[0], None, id="path-with-alias"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim\\|shown text", ALPHA, None, id="escaped-alias"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#Evidence Base", ALPHA, None, id="heading-by-text"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#EVIDENCE base", ALPHA, None, id="heading-any-case"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#evidence-base", ALPHA, None, id="heading-by-slug"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#Counter-arguments & Rebuttals (2025)", ALPHA, None, id="heading-punctuated-by-text"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#counter-arguments--rebuttals-2025", ALPHA, None, id="heading-punctuated-by-slug"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim.md#Evidence Base|see", ALPHA, None, id="heading-dot-md-and-alias"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#^block-id", ALPHA, None, id="block-reference"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha claim#No such heading", ALPHA, "missing-heading", id="heading-missing"),
    pytest.param(MAPS, "maps/o.md", "domains/x/_map#Nowhere", MAPS[0], "missing-heading", id="path-heading-missing"),
    pytest.param((ALPHA,), "maps/o.md", "alpha CLAIM", ALPHA, "case-mismatch", id="title-other-case"),
    pytest.param(MAPS, "maps/o.md", "Domains/X/_map", MAPS[0], "case-mismatch", id="path-other-case"),
    pytest.param(("domains/x/_map.md",), "maps/o.md", "X/_map", "domains/x/_map.md", "case-mismatch", id="partial-path-other-case"),
    pytest.param(SHARED, "domains/x/o.md", "Shared title", SHARED[0], None, id="shared-stem-same-folder"),
    pytest.param(SHARED, "domains/y/o.md", "Shared title", SHARED[1], None, id="shared-stem-same-folder-other"),
    pytest.param(SHARED, "domains/x/deep/er/o.md", "Shared title", SHARED[0], None, id="shared-stem-nearest-ancestor"),
    pytest.param(SHARED, "maps/o.md", "Shared title", None, "ambiguous-link", id="shared-stem-no-nearest"),
    pytest.param(SHARED, "o.md", "shared TITLE", None, "ambiguous-link", id="shared-stem-other-case-no-nearest"),
    pytest.param(("domains/x/Shared title.md", "domains/x/sub/Shared title.md"), "domains/x/o.md", "Shared title", "domains/x/Shared title.md", None, id="shared-stem-in-own-folder-beats-subfolder"),
    pytest.param(MAPS, "domains/x/o.md", "_map", MAPS[0], None, id="map-from-domain-folder"),
    pytest.param(MAPS, "domains/y/sub/o.md", "_map", MAPS[1], None, id="map-from-domain-subfolder"),
    pytest.param(MAPS, "o.md", "_map", None, "ambiguous-link", id="map-from-root"),
    pytest.param(MAPS + ("core/x/_map.md",), "maps/o.md", "x/_map", None, "ambiguous-link", id="partial-path-ambiguous"),
    pytest.param((f"domains/x/{NFD_TITLE}.md",), "o.md", NFC_TITLE, f"domains/x/{NFD_TITLE}.md", None, id="nfc-link-to-nfd-file"),
    pytest.param((f"domains/x/{NFC_TITLE}.md",), "o.md", NFD_TITLE, f"domains/x/{NFC_TITLE}.md", None, id="nfd-link-to-nfc-file"),
    pytest.param((f"domains/x/{NFD_TITLE}.md",), "o.md", f"domains/x/{NFC_TITLE}", f"domains/x/{NFD_TITLE}.md", None, id="nfc-path-to-nfd-file"),
    pytest.param((f"domains/x/{NFC_TITLE}.md",), "o.md", f"domains/x/{NFD_TITLE}", f"domains/x/{NFC_TITLE}.md", None, id="nfd-path-to-nfc-file"),
    pytest.param(MAPS, "domains/o.md", "../../outside", None, "link-outside-root", id="relative-climbs-above-root"),
    pytest.param(MAPS, "domains/x/o.md", "../../../etc/passwd", None, "link-outside-root", id="relative-climbs-three"),
    pytest.param(MAPS, "domains/x/o.md", "/../outside", None, "link-outside-root", id="absolute-climbs-above-root"),
    pytest.param(MAPS, "o.md", "C:/Windows/notes", None, "link-outside-root", id="drive-letter-path"),
    pytest.param(MAPS, "domains/x/o.md", "../../domains/y/_map", MAPS[1], None, id="relative-climbs-back-inside"),
    pytest.param((ALPHA,), "maps/o.md", "Nothing by this name", None, "broken-link", id="missing-title"),
    pytest.param(MAPS, "maps/o.md", "domains/z/_map", None, "broken-link", id="missing-path"),
    pytest.param((ALPHA,), "maps/o.md", "Alpha-claim", None, "broken-link", id="hyphen-spelling-is-broken"),
]


@pytest.mark.parametrize(("present", "origin", "raw", "expected_path", "expected_rule"), CASES)
def test_link_resolves_to_expected_target(
    tmp_path: Path, write_corpus: WriteCorpus, present: tuple[str, ...], origin: str, raw: str, expected_path: str | None, expected_rule: str | None
) -> None:
    link, rules, _ = load_with_link(tmp_path, write_corpus, present, origin, raw)
    assert link.target_path == expected_path
    assert rules == ({expected_rule} if expected_rule else set())


@pytest.mark.parametrize(("present", "origin", "raw", "expected_path", "expected_rule"), CASES)
def test_link_diagnostic_points_at_link_position(
    tmp_path: Path, write_corpus: WriteCorpus, present: tuple[str, ...], origin: str, raw: str, expected_path: str | None, expected_rule: str | None
) -> None:
    link, _, base = load_with_link(tmp_path, write_corpus, present, origin, raw)
    assert (link.link.line, link.link.col) == (5, 5)
    for item in base.diagnostics:
        if item.path == origin and item.rule in LINK_RULES:
            assert (item.line, item.col) == (5, 5)


def test_ambiguous_link_lists_every_candidate_in_hint(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    _, _, base = load_with_link(tmp_path, write_corpus, SHARED + ("core/z/Shared title.md",), "maps/o.md", "Shared title")
    (item,) = [d for d in base.diagnostics if d.rule == "ambiguous-link"]
    assert "3 notes" in item.message
    for path in SHARED + ("core/z/Shared title.md",):
        assert path in item.hint


def test_case_mismatch_hint_gives_exact_spelling(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    _, _, base = load_with_link(tmp_path, write_corpus, (ALPHA,), "maps/o.md", "alpha CLAIM")
    (item,) = [d for d in base.diagnostics if d.rule == "case-mismatch"]
    assert item.hint == "write [[Alpha claim]]"


def test_case_mismatch_hint_for_path_keeps_the_path(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    """`[[Domains/X/_map]]` must not be 'fixed' to `[[_map]]`, which is ambiguous between two maps."""
    _, _, base = load_with_link(tmp_path, write_corpus, MAPS, "maps/o.md", "Domains/X/_map")
    (item,) = [d for d in base.diagnostics if d.rule == "case-mismatch"]
    assert item.hint == "write [[domains/x/_map]]"


def test_missing_heading_hint_lists_existing_headings(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    _, _, base = load_with_link(tmp_path, write_corpus, (ALPHA,), "maps/o.md", "Alpha claim#Nope")
    (item,) = [d for d in base.diagnostics if d.rule == "missing-heading"]
    assert "Evidence Base" in item.hint and "`#Nope`" in item.message


# --- did-you-mean hints on broken links -------------------------------------------------------

TRUNCATED_FULL = "the long claim title that was cut short at the file name limit of the file system"
TRUNCATED_STEM = TRUNCATED_FULL[:45].rstrip()

HINTS = [
    pytest.param((f"domains/x/{TRUNCATED_STEM}.md",), TRUNCATED_FULL, f"did you mean [[{TRUNCATED_STEM}]]? (truncated title: domains/x/{TRUNCATED_STEM}.md)", id="truncated-title"),
    pytest.param(("domains/x/futarchy enables conditional ownership coins.md",), "futarchy-enables-conditional-ownership-coins", "did you mean [[futarchy enables conditional ownership coins]]? (hyphen/space spelling: domains/x/futarchy enables conditional ownership coins.md)", id="hyphen-for-space"),
    pytest.param(("domains/x/futarchy-enables-conditional-ownership-coins.md",), "futarchy enables conditional ownership coins", "did you mean [[futarchy-enables-conditional-ownership-coins]]? (hyphen/space spelling: domains/x/futarchy-enables-conditional-ownership-coins.md)", id="space-for-hyphen"),
    pytest.param((ALPHA,), "Alpha claimm", "did you mean [[Alpha claim]]? (close spelling: domains/x/Alpha claim.md)", id="close-spelling"),
    pytest.param((ALPHA,), "Completely unrelated words", "", id="no-suggestion"),
]


@pytest.mark.parametrize(("present", "raw", "hint"), HINTS)
def test_broken_link_hint_names_likely_file(tmp_path: Path, write_corpus: WriteCorpus, present: tuple[str, ...], raw: str, hint: str) -> None:
    _, _, base = load_with_link(tmp_path, write_corpus, present, "maps/o.md", raw)
    (item,) = [d for d in base.diagnostics if d.path == "maps/o.md" and d.rule in LINK_RULES]
    assert item.rule == "broken-link"
    assert item.hint == hint


# --- links that are not links: code ----------------------------------------------------------

CODE_BODIES = [
    pytest.param("```\n[[Nope]]\n```\n", id="backtick-fence"),
    pytest.param("~~~\n[[Nope]]\n~~~\n", id="tilde-fence"),
    pytest.param("```markdown\n- [[Nope]]\n```\n", id="fence-with-info-string"),
    pytest.param("````\n```\n[[Nope]]\n```\n[[Nope]]\n````\n", id="longer-fence-holds-shorter"),
    pytest.param("~~~\n```\n[[Nope]]\n~~~\n", id="tilde-fence-ignores-backticks"),
    pytest.param("   ```\n[[Nope]]\n   ```\n", id="indented-fence"),
    pytest.param("Text `[[Nope]]` text.\n", id="inline-code"),
    pytest.param("Text ``a `[[Nope]]` b`` text.\n", id="double-backtick-inline-code"),
    pytest.param("```\nnever closed\n[[Nope]]\n", id="unclosed-fence-runs-to-end"),
]


@pytest.mark.parametrize("body", CODE_BODIES)
def test_link_in_code_is_not_a_link(tmp_path: Path, write_corpus: WriteCorpus, body: str) -> None:
    base = kb.load(write_corpus(tmp_path, {"o.md": "---\ntype: entity\n---\n" + body}))
    assert base.links == ()
    assert not [d for d in base.diagnostics if d.rule in LINK_RULES]


def test_link_after_closed_fence_is_a_link(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\ntype: entity\n---\n```\n[[In code]]\n```\nAfter `code` comes [[Nope]].\n"
    base = kb.load(write_corpus(tmp_path, {"o.md": text}))
    assert [(r.link.target, r.link.line, r.link.col) for r in base.links] == [("Nope", 7, 20)]
    assert [d.rule for d in base.diagnostics] == ["broken-link"]


def test_escaped_pipe_in_table_row_is_an_alias(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    table = "| Claim | Why |\n|---|---|\n| [[Alpha claim\\|the claim]] | it matters |\n"
    base = kb.load(write_corpus(tmp_path, {ALPHA: target_note(ALPHA), "o.md": "---\ntype: entity\n---\n" + table}))
    (resolved,) = [r for r in base.links if r.origin == "o.md"]
    assert (resolved.link.target, resolved.link.alias, resolved.target_path) == ("Alpha claim", "the claim", ALPHA)
    assert (resolved.link.line, resolved.link.col) == (6, 3)
    assert [d for d in base.diagnostics if d.path == "o.md"] == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Title", ("Title", "", "")),
        ("Title.md", ("Title", "", "")),
        ("./Title.md", ("Title", "", "")),
        ("Title|Alias", ("Title", "", "Alias")),
        ("Title\\|Alias", ("Title", "", "Alias")),
        ("Title#Head|Alias", ("Title", "Head", "Alias")),
        ("Title.md#Head", ("Title", "Head", "")),
        ("#Head", ("", "Head", "")),
        (" a/b/c ", ("a/b/c", "", "")),
        (NFD_TITLE, (NFC_TITLE, "", "")),
    ],
)
def test_split_target_separates_target_heading_alias(raw: str, expected: tuple[str, str, str]) -> None:
    assert split_target(raw) == expected


def test_heading_only_link_checks_own_headings(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\ntype: entity\n---\n# Own\n\n## Part\n\nSee [[#Part]] and [[#part]] and [[#Gone]].\n"
    base = kb.load(write_corpus(tmp_path, {"o.md": text}))
    assert [(d.rule, d.line, d.col) for d in base.diagnostics] == [("missing-heading", 8, 33)]


def test_heading_inside_code_fence_is_not_a_heading(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = {"T.md": "---\ntype: entity\n---\n```\n# Fenced\n```\n", "o.md": origin_note("T#Fenced")}
    base = kb.load(write_corpus(tmp_path, files))
    assert [d.rule for d in base.diagnostics] == ["missing-heading"]


# --- front-matter relation lists --------------------------------------------------------------


def _fm_links(base: KnowledgeBase, origin: str) -> list[tuple[str, str, int, int, str | None]]:
    return [
        (r.link.kind.value, r.link.target, r.link.line, r.link.col, r.target_path)
        for r in base.links
        if r.origin == origin and r.link.kind is not LinkKind.BODY
    ]


def _claims(*titles: str) -> dict[str, str]:
    return {f"domains/x/{t}.md": target_note(f"domains/x/{t}.md") for t in titles}


def test_depends_on_flow_list_resolves_bare_titles(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = _claims("Alpha claim", "Beta claim") | {"o.md": "---\ntype: entity\ndepends_on: [Alpha claim, Beta claim]\n---\n"}
    base = kb.load(write_corpus(tmp_path, files))
    assert _fm_links(base, "o.md") == [
        ("depends_on", "Alpha claim", 3, 14, "domains/x/Alpha claim.md"),
        ("depends_on", "Beta claim", 3, 27, "domains/x/Beta claim.md"),
    ]
    assert [d for d in base.diagnostics if d.path == "o.md"] == []


def test_depends_on_block_list_resolves_bare_titles(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = _claims("Alpha claim", "Beta claim") | {"o.md": "---\ntype: entity\ndepends_on:\n  - Alpha claim\n  - 'Beta claim'\n---\n"}
    base = kb.load(write_corpus(tmp_path, files))
    assert _fm_links(base, "o.md") == [
        ("depends_on", "Alpha claim", 4, 5, "domains/x/Alpha claim.md"),
        ("depends_on", "Beta claim", 5, 6, "domains/x/Beta claim.md"),  # a quoted item points at its text
    ]
    assert [d for d in base.diagnostics if d.path == "o.md"] == []


def test_depends_on_single_string_resolves(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = _claims("Alpha claim") | {"o.md": "---\ntype: entity\ndepends_on: Alpha claim\n---\n"}
    base = kb.load(write_corpus(tmp_path, files))
    assert _fm_links(base, "o.md") == [("depends_on", "Alpha claim", 3, 13, "domains/x/Alpha claim.md")]


def test_depends_on_quoted_bracketed_item_resolves(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = _claims("Alpha claim", "Beta claim") | {"o.md": '---\ntype: entity\ndepends_on:\n  - "[[Alpha claim]]"\n  - "[[Beta claim|B]]"\n---\n'}
    base = kb.load(write_corpus(tmp_path, files))
    assert [t[4] for t in _fm_links(base, "o.md")] == ["domains/x/Alpha claim.md", "domains/x/Beta claim.md"]
    assert [d for d in base.diagnostics if d.path == "o.md"] == []


def test_depends_on_unquoted_bracketed_item_resolves(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    """`- [[Alpha claim]]` is YAML for a nested list ['Alpha claim']; it is still that link."""
    files = _claims("Alpha claim") | {"o.md": "---\ntype: entity\ndepends_on:\n  - [[Alpha claim]]\n---\n"}
    base = kb.load(write_corpus(tmp_path, files))
    assert [t[4] for t in _fm_links(base, "o.md")] == ["domains/x/Alpha claim.md"]


def test_front_matter_bracketed_link_column_points_at_brackets(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = '---\ntype: entity\ndepends_on:\n  - "[[Nope one]]"\n  - see [[Nope two]]\n---\n'
    base = kb.load(write_corpus(tmp_path, {"o.md": text}))
    broken = [(d.line, d.col) for d in base.diagnostics if d.rule == "broken-link"]
    assert broken == [(4, 6), (5, 9)]


def test_challenged_by_free_text_is_not_reported(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\ntype: entity\nchallenged_by:\n  - Large deployments in 2024 showed the opposite effect across three markets\n---\n"
    base = kb.load(write_corpus(tmp_path, _claims("Alpha claim") | {"o.md": text}))
    assert [d for d in base.diagnostics if d.path == "o.md"] == []
    (resolved,) = [r for r in base.links if r.origin == "o.md"]
    assert resolved.target_path is None


def test_challenged_by_misspelt_title_is_broken_with_hint(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\ntype: entity\nchallenged_by: [Alpha claimm]\n---\n"
    base = kb.load(write_corpus(tmp_path, _claims("Alpha claim") | {"o.md": text}))
    (item,) = [d for d in base.diagnostics if d.path == "o.md"]
    assert (item.rule, item.line, item.col) == ("broken-link", 3, 17)
    assert "did you mean [[Alpha claim]]?" in item.hint


def test_challenged_by_bracketed_unknown_title_is_broken(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = '---\ntype: entity\nchallenged_by: ["[[Some claim nobody wrote down]]"]\n---\n'
    base = kb.load(write_corpus(tmp_path, _claims("Alpha claim") | {"o.md": text}))
    assert [d.rule for d in base.diagnostics if d.path == "o.md"] == ["broken-link"]


def test_depends_on_unknown_title_is_broken_without_hint(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\ntype: entity\ndepends_on: [Some claim nobody wrote down]\n---\n"
    base = kb.load(write_corpus(tmp_path, _claims("Alpha claim") | {"o.md": text}))
    (item,) = [d for d in base.diagnostics if d.path == "o.md"]
    assert (item.rule, item.hint) == ("broken-link", "")


# --- the whole promise: no valid form is ever called broken -----------------------------------


def test_every_valid_link_form_checks_without_errors(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    body = f"""# Every valid form

Title [[Alpha claim]], with suffix [[Alpha claim.md]], aliased [[Alpha claim|the claim]].
Headings [[Alpha claim#Evidence Base]], [[Alpha claim#evidence base]], [[Alpha claim#evidence-base]].
Paths [[domains/x/_map]], [[/domains/x/_map]], [[domains/x/_map.md]], [[x/_map]], [[../y/_map]], [[./Beta claim]].
Own folder [[_map]] and [[Shared title]]; NFD spelling [[{NFD_TITLE}]]; other case [[ALPHA CLAIM]].
A source [[2026-03-03-futardio-launch]].

| Claim | Note |
|---|---|
| [[Alpha claim\\|the claim]] | table alias |

```
[[Not a link at all]]
```

Relevant Notes:
- [[Beta claim]] — it builds on this
- [[Shared title]]

Topics:
- [[domains/x/_map]]
"""
    front = (
        '---\ntype: entity\ndepends_on: [Alpha claim, "[[Beta claim]]"]\n'
        "challenged_by:\n  - Beta claim\n  - Field data from 2024 point the other way entirely\n---\n"
    )
    files = {
        "domains/x/Alpha claim.md": target_note("domains/x/Alpha claim.md"),
        "domains/x/Beta claim.md": target_note("domains/x/Beta claim.md"),
        "domains/x/_map.md": target_note("domains/x/_map.md"),
        "domains/y/_map.md": target_note("domains/y/_map.md"),
        "domains/x/Shared title.md": target_note("domains/x/Shared title.md"),
        "domains/y/Shared title.md": target_note("domains/y/Shared title.md"),
        f"domains/y/{NFC_TITLE}.md": target_note(f"domains/y/{NFC_TITLE}.md"),
        "inbox/archive/2026-03-03-futardio-launch.md": "---\ntype: source\ntitle: Futardio launch\n---\n",
        "domains/x/every form.md": front + body,
    }
    base = kb.load(write_corpus(tmp_path, files))
    mine = [d for d in base.diagnostics if d.path == "domains/x/every form.md"]
    assert [(d.rule, d.line) for d in mine] == [("case-mismatch", 13)]
    assert not [d for d in base.diagnostics if d.rule in ("broken-link", "ambiguous-link", "link-outside-root", "missing-heading")]
    unresolved = [r.link.raw for r in base.links if r.origin == "domains/x/every form.md" and r.target_path is None]
    assert unresolved == ["Field data from 2024 point the other way entirely"]
    assert len([r for r in base.links if r.origin == "domains/x/every form.md"]) == 25
