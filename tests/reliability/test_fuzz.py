"""Property-based fuzzing: whatever the bytes of a claim base, kb reports problems, never raises.

Hypothesis generates single files and whole claim bases (2–6 files with random front matter and
bodies that link each other through wild wiki-link syntax: `[[`, `]]`, `|`, `#`, `\\`, nested
brackets, deep nesting, very long lines, names near the 255-byte limit, NFC/NFD spellings,
right-to-left and zero-width characters, control characters, random bytes). Reading, resolving,
checking and rendering (`kb.build.build_site` into a temporary folder) must never raise, and
every problem must come out as a diagnostic at line >= 1, col >= 1.

CI runs a few hundred examples per property (default 200, set by KB_FUZZ_EXAMPLES; the property
that builds a whole site runs a third as many because each example writes a site). A dedicated run
uses thousands:

    KB_FUZZ_EXAMPLES=5000 python -m pytest tests/reliability/test_fuzz.py
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import kb
from kb.build import BuildOptions, build_site
from kb.config import Settings
from kb.links import scan_body, split_target
from kb.model import Diagnostic, KnowledgeBase
from kb.read import read_note
from kb.resolve import build_index, resolve
from kb.site_model import SiteModel

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree; failures print their example
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
        Phase.target,
        Phase.shrink,
    ],  # no slow "explain"
)
BUILD_FUZZ = settings(FUZZ, max_examples=max(10, EXAMPLES // 3))

MAX_NAME_BYTES = 255
STATUSES = {"ok", "case", "missing", "ambiguous", "outside", "text"}

# ---------------------------------------------------------------- strategies: characters and text

WEIRD_CHARS = [
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",
    "\u061c",  # bidi overrides and marks
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",  # zero-width characters, BOM
    "\u0301",
    "\u0308",
    "\u0327",  # combining marks (NFD pieces)
    "\u00e9",
    "e\u0301",
    "\u212b",
    "A\u030a",
    "\u00c5",  # NFC vs NFD spellings, Angstrom sign
    "\u05d0\u05d1",
    "\u0627\u0644",
    "\u4e2d",
    "\U0001f600",
    "\U0001d400",  # RTL scripts, CJK, emoji, math
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",  # controls
    "\r",
    "\r\n",
    "\t",
    "\\",
    "`",
    "~",
    "*",
    "_",
    "<",
    ">",
    "&",
    '"',
    "'",
]
LINK_PIECES = [
    "[[",
    "]]",
    "[",
    "]",
    "|",
    "\\|",
    "#",
    "\\",
    "^",
    "/",
    "../",
    "./",
    "..\\",
    "%2e%2e%2f",
    ".md",
    ".MD",
    "[[[[x]]]]",
    "[[a|b|c]]",
    "[[#]]",
    "[[|]]",
    "[[]]",
    "[[ ]]",
    "[[#h|al]]",
    "[[/etc/passwd]]",
    "[[../../x]]",
    "[[C:\\Windows\\x]]",
    "`[[code]]`",
    "```\n[[fenced]]\n```\n",
    "~~~\n[[t]]\n",
    "<script>",
    "<!--",
    "-->",
    "](javascript:x)",
    "![i](data:x)",
    "\n",
    "\n\n",
    "\n- ",
    "\n# ",
    "\n---\n",
    "\nRelevant Notes:\n- ",
    "\nTopics:\n- ",
    "\n### Additional Evidence (confirm)\n*Source: ",
]
FOLDERS = [
    "",
    "",
    "domains/ai",
    "domains/AI",
    "inbox/archive",
    "a/b/c",
    "core/x",
    "Ωmega",
    "e\u0301cole",
]


def _name_piece() -> st.SearchStrategy[str]:
    """Pieces of a Linux file name (no NUL, no slash), weighted towards trouble."""
    plain = st.characters(blacklist_characters="\x00/", blacklist_categories=("Cs",))
    return st.one_of(
        plain,
        plain,
        st.sampled_from([c for c in WEIRD_CHARS if c not in ("\x00", "\r\n")]),
    )


@st.composite
def titles(draw: st.DrawFn) -> str:
    """A file stem: short, or long enough to meet the 255-byte file-name limit."""
    text = "".join(draw(st.lists(_name_piece(), min_size=1, max_size=30)))
    if draw(st.integers(0, 5)) == 0:
        text = (
            text
            + draw(
                st.sampled_from(
                    ["long title words ", "\u00e9\u0301 ", "\u4e2d\u6587", "x"]
                )
            )
        ) * 200
    # Room for ".md": cut to at most 252 UTF-8 bytes, never inside a character.
    text = text.encode("utf-8")[: MAX_NAME_BYTES - 3].decode("utf-8", errors="ignore")
    text = text.strip() or "t"
    if text in (".", "..") or text.startswith("."):
        text = "n" + text  # hidden files are skipped on purpose; keep the file visible
    text = draw(
        st.sampled_from(
            [
                text,
                unicodedata.normalize("NFD", text),
                unicodedata.normalize("NFC", text),
            ]
        )
    )
    while (
        len((text + ".md").encode("utf-8")) > MAX_NAME_BYTES
    ):  # NFD spellings can be longer
        text = text[:-1]
    return text.rstrip() or "t"


def wild_text(
    link_targets: list[str] | None = None, max_size: int = 30
) -> st.SearchStrategy[str]:
    """Prose made of pieces of wiki-link syntax, Markdown, weird characters and other titles."""
    pieces: list[st.SearchStrategy[str]] = [
        st.text(max_size=20),
        st.sampled_from(LINK_PIECES),
        st.sampled_from(WEIRD_CHARS),
        st.integers(1, 3000).map(
            lambda n: "[" * n + "x" + "]" * (n // 2)
        ),  # deep nesting
        st.integers(1, 3000).map(lambda n: "[[" * n),
        st.integers(1, 20_000).map(lambda n: "a" * n),  # very long line
        st.integers(1, 200).map(
            lambda n: "> " * n + "- " * n + "x"
        ),  # deeply nested quotes/lists
    ]
    if link_targets:
        targets = st.sampled_from(link_targets)
        pieces.append(
            st.builds(
                lambda t, h, a: f"[[{t}{h}{a}]]",
                targets,
                st.sampled_from(["", "#x", "#", "#Heading"]),
                st.sampled_from(["", "|alias", "\\|al", "|"]),
            )
        )
        pieces.append(
            st.builds(lambda t: f"[[{unicodedata.normalize('NFD', t)}]]", targets)
        )
        pieces.append(st.builds(lambda t: f"[[{t.upper()}.md]]", targets))
    return st.lists(st.one_of(*pieces), max_size=max_size).map("".join)


def yaml_values(targets: list[str] | None = None) -> st.SearchStrategy[object]:
    """Values for front-matter keys: scalars, dates, lists, nested mappings, titles."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=40),
        st.dates(),
        st.sampled_from(
            [
                "likely",
                "proven",
                "2026-02-00",
                "2026-13-45",
                "[[x]]",
                "javascript:alert(1)",
            ]
        ),
        st.sampled_from(targets) if targets else st.just("t"),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text(max_size=8), inner, max_size=3),
        ),
        max_leaves=12,
    )


KEYS = ["type", "domain", "description", "confidence", "source", "created", "last_evaluated", "depends_on",
        "challenged_by", "secondary_domains", "status", "title", "author", "url", "date", "claims_extracted",
        "enrichments", "tags"]  # fmt: skip


@st.composite
def front_matter(draw: st.DrawFn, targets: list[str] | None = None) -> str:
    """A front-matter block: well-formed YAML of random values, or YAML-shaped junk."""
    choice = draw(st.integers(0, 6))
    if choice <= 2:
        meta = draw(
            st.dictionaries(
                st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
                yaml_values(targets),
                max_size=8,
            )
        )
        if choice == 0:
            meta["type"] = draw(
                st.sampled_from(["claim", "source", "map", "Claim", "", "weird"])
            )
        try:
            text = yaml.safe_dump(
                meta,
                allow_unicode=draw(st.booleans()),
                default_flow_style=draw(st.sampled_from([None, True, False])),
            )
        except yaml.YAMLError:
            text = "type: claim\n"
        return f"---\n{text}---\n"
    if (
        choice == 3
    ):  # YAML-shaped lines with duplicate keys, anchors, tags, bad indentation
        lines = draw(st.lists(st.one_of(
            st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(KEYS), wild_text(targets, 4)),
            st.sampled_from(["type: claim", "type: claim", "- [[a]]", "  - x", "a: &x [1]", "b: *x", "c: *nope",
                             "!!python/object:os.system ls", "? complex", ": x", "\t- tab", "{", "]", "%YAML 1.1", "...",
                             "d: !!binary aGk=", "e: !!timestamp 2026-99-99", "created: 2026-02-30", "f: |", "  block"]),
        ), max_size=10))  # fmt: skip
        closing = draw(st.sampled_from(["---\n", "...\n", "", "--- \n"]))
        return "---\n" + "\n".join(lines) + "\n" + closing
    if choice == 4:  # deep flow nesting inside the front matter
        depth = draw(st.integers(1, 2000))
        return "---\nx: " + "[" * depth + "]" * draw(st.integers(0, depth)) + "\n---\n"
    if (
        choice == 5
    ):  # alias fan-out, small enough to stay fast, large enough to cross limits
        return "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n"
    return ""  # no front matter


@st.composite
def claim_file(draw: st.DrawFn, targets: list[str] | None = None) -> bytes:
    """The bytes of one file: text (front matter + wild body), sometimes mangled or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    text = draw(front_matter(targets)) + draw(wild_text(targets))
    data = text.encode("utf-8", errors="surrogatepass")
    mangle = draw(st.integers(0, 7))
    if mangle == 0:
        data = b"\xef\xbb\xbf" + data  # a BOM
    elif mangle == 1 and data:
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        )  # stray bytes
    elif mangle == 2:
        data = data.replace(b"\n", b"\r\n")
    elif mangle == 3:
        data = data.replace(b"\n", b"\r")
    return data


@st.composite
def claim_bases(draw: st.DrawFn) -> dict[str, bytes]:
    """A whole claim base: 2–6 files in a few folders whose bodies and front matter link each other."""
    count = draw(st.integers(2, 6))
    names = draw(st.lists(titles(), min_size=count, max_size=count))
    paths: list[str] = []
    for name in names:
        folder = draw(st.sampled_from(FOLDERS))
        suffix = draw(st.sampled_from([".md", ".md", ".md", ".MD"]))
        path = f"{folder}/{name}{suffix}" if folder else f"{name}{suffix}"
        if path not in paths and path.casefold() != "kb.toml":
            paths.append(path)
    targets = (
        names
        + [p.rsplit(".", 1)[0] for p in paths]
        + ["_map", "missing title", "../outside", "/etc/passwd"]
    )
    return {path: draw(claim_file(targets)) for path in paths}


# ---------------------------------------------------------------- checks shared by the properties


def line_bound(data: bytes) -> int:
    """An upper bound on the number of lines of a file, whatever its newline style."""
    return data.count(b"\n") + data.count(b"\r") + 2


def assert_well_placed(
    diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], files: dict[str, bytes]
) -> None:
    """Every diagnostic names a place: line >= 1, col >= 1, and no line past the end of its file."""
    for item in diagnostics:
        assert isinstance(item.line, int) and isinstance(item.col, int), item
        assert item.line >= 1 and item.col >= 1, item
        assert item.rule and item.code.startswith("KB"), item
        if item.path in files:
            assert item.line <= line_bound(files[item.path]), (
                item,
                files[item.path][:200],
            )


def write_base(root: Path, files: dict[str, bytes]) -> None:
    """Write the generated files (folders created as needed)."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def md_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The generated files kb reads: names ending in .md (any case)."""
    return {rel: data for rel, data in files.items() if rel.lower().endswith(".md")}


def assert_base_consistent(base: KnowledgeBase, files: dict[str, bytes]) -> None:
    """Every file became a note, every link resolved to a status, every target is a real note."""
    assert set(base.notes) == set(md_files(files)), (sorted(base.notes), sorted(files))
    for resolved in base.links:
        assert resolved.resolution.status in STATUSES, resolved
        assert resolved.link.line >= 1 and resolved.link.col >= 1, resolved.link
        if resolved.target_path is not None:
            assert resolved.target_path in base.notes, resolved
    assert_well_placed(base.diagnostics, files)


# ---------------------------------------------------------------- properties


@FUZZ
@given(data=claim_file(["a title", "x/y", "_map"]), name=titles())
def test_read_note_never_raises(data: bytes, name: str) -> None:
    """One file's bytes, however broken, give a note and placed diagnostics."""
    path = f"domains/{name}.md"
    result = read_note(path, data, Settings())
    assert result.note is not None and result.note.path == path
    assert result.note.title == unicodedata.normalize("NFC", name)
    assert_well_placed(list(result.diagnostics), {path: data})
    for link in result.note.links:
        assert link.line >= 1 and link.col >= 1, link
        assert link.line <= line_bound(data), link


@FUZZ
@given(raw=wild_text(["t"], max_size=12))
def test_split_target_and_scan_body_never_raise(raw: str) -> None:
    """Link text and body scanning accept any string; columns stay on their line."""
    target, heading, alias = split_target(raw)
    assert (
        isinstance(target, str) and isinstance(heading, str) and isinstance(alias, str)
    )
    scan = scan_body(raw.replace("\r\n", "\n").replace("\r", "\n"), 1)
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for link in scan.links:
        assert 1 <= link.line <= len(lines), link
        assert 1 <= link.col <= len(lines[link.line - 1]), link


@FUZZ
@given(paths=st.lists(st.builds(lambda f, t: f"{f}/{t}.md" if f else f"{t}.md", st.sampled_from(FOLDERS), titles()), min_size=1, max_size=6, unique=True),
       target=wild_text(["t"], max_size=6), origin_index=st.integers(0, 5))  # fmt: skip
def test_resolve_never_raises_and_stays_inside(
    paths: list[str], target: str, origin_index: int
) -> None:
    """Any target, written in any note, resolves to a status; an "ok" path is always one of the notes."""
    index = build_index(paths)
    origin = paths[origin_index % len(paths)]
    normalised, _, _ = split_target(target.replace("\n", " ")[:2000])
    found = resolve(index, normalised, origin)
    assert found.status in STATUSES
    if found.status in ("ok", "case"):
        assert found.path in paths
    for candidate in found.candidates:
        assert candidate in paths


@FUZZ
@given(files=claim_bases())
def test_load_and_check_whole_base_never_raises(files: dict[str, bytes]) -> None:
    """Loading, resolving and checking a generated base: no exception, every problem placed."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "kb"
        write_base(root, files)
        base = kb.load(root)
        assert_base_consistent(base, files)
        base.graph()  # the graph view of the same base builds too


# Found by this property: a scalar where a list is expected crashed the claim page.
SCALAR_LIST_FIELD = {
    "a.md": b"---\ntype: claim\nsecondary_domains: 2026-01-01\n---\n# a\n",
    "b.md": b"---\ntype: claim\nsecondary_domains: 7\n---\n[[a]]\n",
}


@BUILD_FUZZ
@given(files=claim_bases())
@example(files=SCALAR_LIST_FIELD)
def test_build_site_from_whole_base_never_raises(files: dict[str, bytes]) -> None:
    """Rendering a generated base into a site never raises, and every note gets its page."""
    with tempfile.TemporaryDirectory() as folder:
        root, out = Path(folder) / "kb", Path(folder) / "site"
        write_base(root, files)
        base = kb.load(root)
        assert_base_consistent(base, files)
        result = build_site(base, BuildOptions(out=out, search=False))
        assert (out / "index.html").is_file()
        assert result.pages >= len(base.notes)
        for path, url in SiteModel(base).urls.items():
            assert (out / unquote(url)).is_file(), (
                path,
                url,
            )  # page URLs are percent-encoded
        leftovers = [
            p.name for p in Path(folder).iterdir() if p.name.startswith(".site.")
        ]
        assert not leftovers, leftovers
