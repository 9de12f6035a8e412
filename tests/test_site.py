"""The built site without a browser: determinism, links, wiki links, slugs, output folder, CSP."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from kbtest import write_files

import kb
import kb.build
from kb.build import BuildOptions, build_site
from kb.graph import edges_of
from kb.model import FRONT_MATTER_KINDS, KnowledgeBase
from kb.output import OutputError
from kb.render import CSP
from kb.site_files import write_text_file
from kb.site_model import SiteModel
from kb.urls import MAX_SLUG_BYTES, assign_slugs, note_urls, short_hash, slugify

CLAIMS = Path(__file__).resolve().parent.parent / "claims"

FRONT = """\
---
type: claim
domain: {domain}
description: a claim written for the site tests, with enough words to pass
confidence: likely
source: "Tester (2025)"
created: 2026-01-15
---
"""


write = write_files  # kbtest.write_files: {"rel/path.md": text} under root


def claim(title: str, body: str, domain: str = "test-domain") -> str:
    """A valid claim file titled `title` with `body` after its heading."""
    return FRONT.format(domain=domain) + f"# {title}\n\n{body}\n"


# A corpus with a broken link, a heading link and non-ASCII titles (accents, Cyrillic).
EXTRA = {
    "domains/test-domain/alpha claim.md": claim(
        "alpha claim",
        "Leans on [[no such claim]], on [[beta claim#Why it holds]] and on [[école des données ouvertes]].\n\n"
        "`[[inside code]]` is not a link.",
    ),
    "domains/test-domain/beta claim.md": claim("beta claim", "## Why it holds\n\nBecause [[alpha claim]] says so."),
    "domains/test-domain/école des données ouvertes.md": claim(
        "école des données ouvertes", "Compare [[другое утверждение о данных]] and [[alpha claim|the first claim]]."
    ),
    "domains/test-domain/другое утверждение о данных.md": claim("другое утверждение о данных", "See [[beta claim]]."),
}


@dataclass
class Built:
    """A knowledge base and the site built from it."""

    kb: KnowledgeBase
    model: SiteModel
    site: Path


def build(root: Path, out: Path) -> Built:
    """Load and build `root` into `out`."""
    base = kb.load(root)
    build_site(base, BuildOptions(out=out))
    return Built(base, SiteModel(base), out)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled claims/ built once for this module."""
    return build(CLAIMS, tmp_path_factory.mktemp("bundled") / "site")


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The EXTRA corpus built once for this module."""
    folder = tmp_path_factory.mktemp("extra")
    return build(write(folder / "kb", EXTRA), folder / "site")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative POSIX path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def page_file(site: Path, url: str) -> Path:
    """The file of a page's site path (decoded; the literal name as a fallback, see test_every_page_file_name_decodes_to_itself)."""
    decoded = site / unquote(url)
    return decoded if decoded.is_file() else site / url


def html_pages(site: Path) -> Iterator[Path]:
    """Every HTML page of a site."""
    yield from sorted(site.rglob("*.html"))


# ---------------------------------------------------------------------------------- parsing


@dataclass
class Tag:
    """One start tag as parsed."""

    name: str
    attrs: dict[str, str]
    line: int


class PageParse(HTMLParser):
    """Start tags, ids, inline scripts and the tags inside the body section of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.ids: set[str] = set()
        self.inline_scripts: list[str] = []
        self.body_tags: list[Tag] = []  # tags inside <section class="body">
        self._in_script = False
        self._body_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = Tag(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.tags.append(found)
        if "id" in found.attrs:
            self.ids.add(found.attrs["id"])
        if tag == "script" and "src" not in found.attrs:
            self._in_script = True
            self.inline_scripts.append("")
        if self._body_depth:
            self.body_tags.append(found)
            if tag == "section":
                self._body_depth += 1
        elif tag == "section" and "body" in found.attrs.get("class", "").split():
            self._body_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "section" and self._body_depth:
            self._body_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data


def parse(page: Path) -> PageParse:
    parser = PageParse()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def link_values(parsed: PageParse) -> Iterator[tuple[Tag, str]]:
    """(tag, value) of every href and src."""
    for tag in parsed.tags:
        for attribute in ("href", "src"):
            if attribute in tag.attrs:
                yield tag, tag.attrs[attribute]


def resolve_internal(site: Path, page: Path, value: str) -> tuple[Path, str] | None:
    """The file an internal href/src names and its fragment; None for external or same-page links."""
    if value.startswith(("http://", "https://", "mailto:", "#")):
        return None
    parts = urlsplit(value)
    path = unquote(parts.path)
    target = (page.parent / path) if path else page
    if path.endswith("/"):
        target = target / "index.html"
    return Path(os.path.normpath(target)), unquote(parts.fragment)


# ------------------------------------------------------------------------------ determinism

def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = build(CLAIMS, tmp_path / "one" / "site").site
    second = build(CLAIMS, tmp_path / "two" / "site").site
    a, b = tree(first), tree(second)
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []
    assert any(p.startswith("search/terms-") for p in a), "the search index is compared too"
    assert len([p for p in a if p.endswith(".html")]) > 40


def test_parallel_and_serial_builds_write_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = kb.load(CLAIMS)
    build_site(base, BuildOptions(out=tmp_path / "serial", workers=1))
    monkeypatch.setattr("kb.writer.PARALLEL_MIN_PAGES", 0)  # fork workers even for 28 notes
    build_site(base, BuildOptions(out=tmp_path / "parallel", workers=2))
    serial, parallel = tree(tmp_path / "serial"), tree(tmp_path / "parallel")
    assert sorted(serial) == sorted(parallel)
    assert [p for p in serial if serial[p] != parallel[p]] == []
    assert "convergence/index.html" in serial and "health.html" in serial


def test_page_files_hold_the_text_as_utf8_with_the_usual_mode(tmp_path: Path) -> None:
    text = "é → 語 " * 50_000 + "end"  # several writes' worth of bytes, none of them ASCII-only
    write_text_file(tmp_path / "new.html", text)
    Path(tmp_path / "usual.html").write_text(text, encoding="utf-8")
    assert (tmp_path / "new.html").read_bytes() == text.encode("utf-8")
    assert (tmp_path / "new.html").stat().st_mode == (tmp_path / "usual.html").stat().st_mode
    os.link(tmp_path / "usual.html", tmp_path / "linked.html")  # as a page of the last site, linked into the new one
    with pytest.raises(FileExistsError):
        write_text_file(tmp_path / "linked.html", "another page")
    assert (tmp_path / "usual.html").read_text(encoding="utf-8") == text
    with pytest.raises(FileNotFoundError):
        write_text_file(tmp_path / "missing" / "page.html", text)


def test_no_note_takes_the_path_of_a_site_page_or_another_notes_links_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim titled "Index", a domain named "index", and a claim and a source both named "hub"
    with more relations than a page lists: every page keeps a path of its own."""
    monkeypatch.setattr(kb.pages, "LIST_LIMIT", 1)
    source = "---\ntype: source\ntitle: The hub source\nauthor: Tester\ndate: 2025-01-01\n---\n# hub\n\nA source.\n"
    files = {"domains/test-domain/Index.md": claim("Index", "A claim named like an index page."),
             "domains/index/a claim of the index domain.md": claim("a claim of the index domain", "Sits in domain index.", domain="index"),
             "domains/test-domain/hub.md": claim("hub", "Stands alone."), "inbox/archive/hub.md": source}
    files |= {f"domains/test-domain/linker {n}.md": claim(f"linker {n}", "On [[domains/test-domain/hub]] and [[inbox/archive/hub]].") for n in range(3)}
    built = build(write(tmp_path / "kb", files), tmp_path / "site")
    assert "<h1>All claims</h1>" in (built.site / "claims" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Domains</h1>" in (built.site / "domains" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Index</h1>" in page_file(built.site, built.model.urls["domains/test-domain/Index.md"]).read_text(encoding="utf-8")
    assert built.model.domain_urls["index"] != "domains/index.html"
    claim_links, source_links = (built.site / "links" / "claims" / "hub.html", built.site / "links" / "sources" / "hub.html")
    assert "All relations of hub" in claim_links.read_text(encoding="utf-8")
    assert "All relations of The hub source" in source_links.read_text(encoding="utf-8")


def test_page_writers_make_each_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Path] = []
    mkdir = Path.mkdir
    monkeypatch.setattr(Path, "mkdir", lambda self, *a, **k: (made.append(self), mkdir(self, *a, **k))[1])
    out = build(CLAIMS, tmp_path / "site").site
    folders = [p for p in made if tmp_path in p.parents and "claims" in p.parts]
    assert (out / "claims").is_dir() and len(list((out / "claims").glob("*.html"))) > 10
    assert len(folders) == len(set(folders)), "no folder is made twice"


def test_rebuilding_in_place_gives_the_same_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = tree(build(CLAIMS, out).site)
    marker = (out / ".kb-site").stat().st_ino
    second = tree(build(CLAIMS, out).site)
    assert first == second
    assert (out / ".kb-site").stat().st_ino == marker, "an unchanged marker is linked from the last site, not rewritten"


# ---------------------------------------------------------------------------- internal links


@pytest.mark.parametrize("which", ["bundled", "extra"])
def test_every_internal_href_and_src_resolves(request: pytest.FixtureRequest, which: str) -> None:
    built: Built = request.getfixturevalue(which)
    site = built.site.resolve()
    ids: dict[Path, set[str]] = {}
    missing, bad_fragments, checked = [], [], 0
    for page in html_pages(site):
        for tag, value in link_values(parse(page)):
            found = resolve_internal(site, page, value)
            if found is None:
                continue
            target, fragment = found
            checked += 1
            where = f"{page.relative_to(site)}:{tag.line} <{tag.name}> {value!r}"
            if site not in target.parents or not target.is_file():
                missing.append(where)
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                if fragment not in ids[target]:
                    bad_fragments.append(where)
    assert checked > 100
    assert missing == [], f"{len(missing)} links name no file, e.g. {missing[:5]}"
    assert bad_fragments == [], f"links to missing #ids: {bad_fragments[:5]}"


@pytest.mark.parametrize("which", ["bundled", "extra"])
def test_no_javascript_or_data_urls(request: pytest.FixtureRequest, which: str) -> None:
    built: Built = request.getfixturevalue(which)
    bad = [
        f"{page.relative_to(built.site)}:{tag.line} {value!r}"
        for page in html_pages(built.site)
        for tag, value in link_values(parse(page))
        if value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    ]
    assert bad == []


def test_every_page_file_name_decodes_to_itself(extra: Built) -> None:
    """Pages are written under their decoded names: a link `caf%C3%A9.html` must find `café.html`."""
    on_disk = [p.relative_to(extra.site).as_posix() for p in html_pages(extra.site)]
    encoded = [p for p in on_disk if unquote(p) != p]
    assert encoded == [], f"file names holding percent-escapes (unreachable over HTTP): {encoded}"
    for path, url in extra.model.urls.items():
        assert (extra.site / unquote(url)).is_file(), f"{path}: no file for {url}"


def test_long_non_ascii_title_builds(tmp_path: Path) -> None:
    """A 240-byte Cyrillic title (a legal file name) must give a page whose name fits 255 bytes."""
    title = ("данные " * 19).strip()  # 12 bytes a word, 13 with its space: 246 bytes
    assert 200 < len(title.encode()) < 255
    root = write(tmp_path / "kb", {f"domains/test-domain/{title}.md": claim(title, "A body."), **{k: v for k, v in EXTRA.items() if "beta" in k}})
    built = build(root, tmp_path / "site")
    url = built.model.urls[f"domains/test-domain/{title}.md"]
    assert (built.site / unquote(url)).is_file()
    assert len(unquote(url).rsplit("/", 1)[1].encode()) <= 255


# ------------------------------------------------------------------------------- wiki links


def body_link_counts(built: Built, note_path: str) -> tuple[Counter[str], int]:
    """Expected page paths of a note's resolved body wiki links, and its unresolved body links."""
    resolved: Counter[str] = Counter()
    unresolved = 0
    for link in built.kb.links:
        if link.origin != note_path or link.link.kind in FRONT_MATTER_KINDS:
            continue
        if link.target_path is not None:
            resolved[built.model.urls[link.target_path]] += 1
        elif link.resolution.status in ("missing", "ambiguous", "outside"):
            unresolved += 1
    return resolved, unresolved


@pytest.mark.parametrize("which", ["bundled", "extra"])
def test_resolved_wiki_links_become_relative_wikilink_anchors(request: pytest.FixtureRequest, which: str) -> None:
    """Counted per note against kb.load(...).links; hrefs followed in URL space (site paths)."""
    built: Built = request.getfixturevalue(which)
    total_links = total_anchors = 0
    for path, url in built.model.urls.items():
        parsed = parse(page_file(built.site, url))
        expected, unresolved = body_link_counts(built, path)
        anchors = [t for t in parsed.body_tags if t.name == "a" and "wikilink" in t.attrs.get("class", "").split()]
        broken = [t for t in parsed.body_tags if t.name == "span" and "broken-link" in t.attrs.get("class", "").split()]
        found: Counter[str] = Counter()
        for anchor in anchors:
            href = anchor.attrs["href"]
            assert not urlsplit(href).scheme and not href.startswith("/"), f"{url}: {href!r} is not relative"
            found[posixpath.normpath(posixpath.join(posixpath.dirname(url), urlsplit(href).path))] += 1
        assert found == expected, url
        assert len(broken) == unresolved, url
        total_links += sum(expected.values())
        total_anchors += len(anchors)
    assert total_anchors == total_links > 0


def test_broken_link_is_marked_text_not_an_anchor(extra: Built) -> None:
    page = page_file(extra.site, extra.model.urls["domains/test-domain/alpha claim.md"])
    text = page.read_text(encoding="utf-8")
    assert '<span class="broken-link"' in text and "[[no such claim]]" in text
    parsed = parse(page)
    assert not [t for t in parsed.tags if t.name == "a" and "no-such-claim" in t.attrs.get("href", "")]
    assert "<code>[[inside code]]</code>" in text  # code keeps its brackets, no link


# ------------------------------------------------------------------------------------ slugs

FORBIDDEN = set("/#%?\\")
titles = st.text(min_size=0, max_size=300)


def check_slug(slug: str) -> None:
    assert slug
    assert not FORBIDDEN & set(slug), slug
    assert not any(c.isspace() for c in slug), slug
    assert len(slug.encode("utf-8")) <= MAX_SLUG_BYTES
    assert slug not in (".", "..")


@settings(max_examples=300, deadline=None)
@given(titles)
def test_slugify_output_is_a_safe_file_name(title: str) -> None:
    slug = slugify(title)
    check_slug(slug)
    assert unicodedata.normalize("NFC", slug) == slug
    assert slugify(slug) == slug  # idempotent


@settings(max_examples=300, deadline=None)
@given(titles)
def test_slugify_ignores_unicode_normalisation_form(title: str) -> None:
    forms = {slugify(unicodedata.normalize(form, title)) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    assert slugify(unicodedata.normalize("NFC", title)) == slugify(unicodedata.normalize("NFD", title))
    assert len(forms) <= 2  # compatibility forms may differ (e.g. "ﬁ" vs "fi"), canonical ones never


def test_slugify_examples() -> None:
    assert slugify("Café au lait") == slugify("Cafe\u0301 au lait") == "café-au-lait"
    assert slugify("") == slugify("???") == slugify("   ") == "note"
    assert slugify("a/b#c%d?e f") == "a-b-c-d-e-f"
    assert slugify("Berlin's sense") == "berlin-s-sense"


@st.composite
def long_titles(draw: st.DrawFn) -> str:
    """Titles of 200 to 255 UTF-8 bytes (file names of up to 255 bytes are legal)."""
    alphabet = draw(st.sampled_from(["abc def", "é à ü", "данные", "数据 知识", "🙂 x", "ά ή ί"]))
    text = draw(st.text(alphabet=alphabet, min_size=60, max_size=255))
    data = text.encode("utf-8")[:255]
    title = data.decode("utf-8", errors="ignore")
    assume(len(title.encode("utf-8")) >= 200)
    return title


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(long_titles())
def test_titles_near_255_bytes(title: str) -> None:
    slug = slugify(title)
    check_slug(slug)
    urls = note_urls({"a.md": ("claim", title), "b.md": ("claim", title.upper()), "c.md": ("claim", title + "!")})
    for url in urls.values():
        name = unquote(url.split("/", 1)[1])
        assert len(name.encode("utf-8")) <= 255, name  # a legal file name, hash suffix included
        assert not FORBIDDEN & set(name) and not any(c.isspace() for c in name)
    assert len(set(urls.values())) == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=12, unique=True), st.randoms(use_true_random=False))
def test_note_urls_are_distinct_and_order_independent(labels: list[str], rnd: random.Random) -> None:
    notes = {f"folder/{i}.md": (["claim", "source", "claim", "note"][i % 4], label) for i, label in enumerate(labels)}
    urls = note_urls(notes)
    assert set(urls) == set(notes)
    assert len(set(urls.values())) == len(urls)
    for url in urls.values():
        section, name = url.split("/")
        assert section in ("claims", "sources", "notes")
        check_slug(unquote(name)[: -len(".html")])
    shuffled = list(notes.items())
    rnd.shuffle(shuffled)
    assert note_urls(dict(shuffled)) == urls
    pairs = [(p, t) for p, (_, t) in notes.items()]
    rnd.shuffle(pairs)
    assert assign_slugs(pairs) == assign_slugs(sorted(pairs))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aAbB -_.'é\u0301", min_size=1, max_size=6), min_size=2, max_size=10, unique=True))
def test_titles_sharing_a_slug_get_distinct_urls(labels: list[str]) -> None:
    """Titles made of few characters collide often ("a b", "A-B", "a_b"): each keeps its own page."""
    urls = note_urls({f"{i}.md": ("claim", label) for i, label in enumerate(labels)})
    assert len(set(urls.values())) == len(labels)


def test_hash_suffix_cannot_collide_with_a_title() -> None:
    """`a` and `A` become `a-<hash>`; a third note titled exactly `a-<hash>` must not take that URL."""
    suffix = short_hash("x/A.md")
    urls = note_urls({"x/A.md": ("claim", "A"), "x/a.md": ("claim", "a"), "x/third.md": ("claim", f"a-{suffix}")})
    assert len(set(urls.values())) == 3, urls


# ---------------------------------------------------------------------------- output folder


@pytest.fixture
def small_root(tmp_path: Path) -> Path:
    return write(tmp_path / "kb", {k: v for k, v in EXTRA.items() if "beta" in k or "alpha" in k})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def test_refuses_the_root_and_its_parents(small_root: Path) -> None:
    base = kb.load(small_root)
    before = tree(small_root.parent)
    for out in (small_root, small_root.parent, small_root / ".." / small_root.name):
        with pytest.raises(OutputError):
            build_site(base, BuildOptions(out=out))
    assert tree(small_root.parent) == before


def test_refuses_the_home_folder(small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert Path.home() == home
    with pytest.raises(OutputError):
        build_site(kb.load(small_root), BuildOptions(out=home))
    assert list(home.iterdir()) == [] and leftovers(tmp_path) == []


def test_refuses_a_folder_holding_markdown(small_root: Path, tmp_path: Path) -> None:
    notes = write(tmp_path / "notes", {"deep/inside/mine.md": "# my notes\n"})
    before = tree(notes)
    with pytest.raises(OutputError, match="Markdown"):
        build_site(kb.load(small_root), BuildOptions(out=notes))
    assert tree(notes) == before and leftovers(tmp_path) == []


def test_failed_build_leaves_the_previous_site_intact(small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build_site(kb.load(small_root), BuildOptions(out=out))
    before = tree(out)
    assert "index.html" in before

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("export failed")

    monkeypatch.setattr(kb.build, "write_exports", explode)
    write(small_root, {"domains/test-domain/gamma claim.md": claim("gamma claim", "New, see [[alpha claim]].")})
    with pytest.raises(RuntimeError, match="export failed"):
        build_site(kb.load(small_root), BuildOptions(out=out))
    assert tree(out) == before
    assert leftovers(tmp_path) == []


# -------------------------------------------------------------------------------------- CSP


@pytest.mark.parametrize("which", ["bundled", "extra"])
def test_every_page_carries_the_csp_and_no_inline_code(request: pytest.FixtureRequest, which: str) -> None:
    built: Built = request.getfixturevalue(which)
    claim_pages = {unquote(built.model.urls[n.path]) for n in built.kb.claims}
    seen_claims = 0
    for page in html_pages(built.site):
        rel = page.relative_to(built.site).as_posix()
        parsed = parse(page)
        metas = [t for t in parsed.tags if t.name == "meta" and t.attrs.get("http-equiv", "").lower() == "content-security-policy"]
        assert [m.attrs.get("content") for m in metas] == [CSP], rel
        # the policy must come before anything it governs
        first_loading = next((i for i, t in enumerate(parsed.tags) if t.name in ("script", "link", "style", "img")), len(parsed.tags))
        assert parsed.tags.index(metas[0]) < first_loading, rel
        assert parsed.inline_scripts == [], f"{rel}: inline <script>"
        handlers = [f"<{t.name} {k}>" for t in parsed.tags for k in t.attrs if k.startswith("on")]
        assert handlers == [], f"{rel}: inline event handlers {handlers}"
        styles = [f"<{t.name}> line {t.line}" for t in parsed.tags if "style" in t.attrs or t.name == "style"]
        assert styles == [], f"{rel}: inline styles, blocked by style-src 'self': {styles}"
        if unquote(rel) in claim_pages:
            seen_claims += 1
            assert all("src" in t.attrs for t in parsed.tags if t.name == "script")
    assert seen_claims == len(built.kb.claims) > 0


def test_csp_forbids_what_the_site_never_needs() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert "'self'" in directives["default-src"]


def test_sha_of_static_assets_matches_templates(bundled: Built) -> None:
    """The static folder is copied byte for byte (vendored libraries included)."""
    from kb.templates_folder import templates_dir

    source = templates_dir() / "static"
    for path in sorted(source.rglob("*")):
        if path.is_file():
            copied = bundled.site / "static" / path.relative_to(source)
            assert hashlib.sha256(copied.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest(), path


def test_graph_json_names_edge_ends_by_their_place_among_the_nodes(bundled: Built) -> None:
    """graph.json's edges are [source, target, type] with both ends indices into `nodes`, and they
    are exactly the base's typed edges (the graph view turns them back into ids)."""
    graph = json.loads((bundled.site / "graph.json").read_text(encoding="utf-8"))
    ids = [node["id"] for node in graph["nodes"]]
    assert sorted(ids) == sorted(bundled.kb.notes)
    assert graph["edges"] and all(len(edge) == 3 and isinstance(edge[0], int) and isinstance(edge[1], int) for edge in graph["edges"])
    written = Counter((ids[source], ids[target], kind) for source, target, kind in graph["edges"])
    assert written == Counter((edge.source, edge.target, edge.type) for edge in edges_of(bundled.kb.links))
    assert {kind for *_, kind in graph["edges"]} >= {"relates", "topic"}


def test_health_page_lists_the_first_diagnostics_of_a_rule_and_links_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule with more diagnostics than the health page lists gets its own page with all of them."""
    monkeypatch.setattr(kb.indexes, "HEALTH_SHOWN", 2)
    body = "Leans on [[gone one]], [[gone two]], [[gone three]] and [[gone four]]."
    built = build(write(tmp_path / "kb", {"domains/test-domain/lonely claim.md": claim("lonely claim", body)}), tmp_path / "site")
    broken = [d for d in built.kb.diagnostics if d.rule == "broken-link"]
    assert len(broken) == 4
    health = (built.site / "health.html").read_text(encoding="utf-8")
    section = health[health.index("broken-link") : health.index("</section>", health.index("broken-link"))]
    assert section.count("<li><code>") == 2 and '<span class="count">4</span>' in section
    assert 'href="health/broken-link.html"' in section
    full = (built.site / "health" / "broken-link.html").read_text(encoding="utf-8")
    assert "<h1>Health: broken-link</h1>" in full and full.count("<li><code>") == 4
    assert all(f"gone {n}" in full for n in ("one", "two", "three", "four"))
    assert not (built.site / "health" / "orphan.html").exists()  # a rule within the limit has no page of its own


def test_a_hub_page_lists_the_first_relations_and_its_links_page_all_of_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past LIST_LIMIT a note page counts the rest of a group and links the page listing every relation."""
    monkeypatch.setattr(kb.pages, "LIST_LIMIT", 3)
    twice = "Builds on [[hub claim]] — as its premise.\n\nAgain: [[hub claim]] — as its premise."  # the same relation twice: listed once
    files = {f"domains/test-domain/linker {n}.md": claim(f"linker {n}", twice) for n in range(5)}
    files["domains/test-domain/hub claim.md"] = claim("hub claim", "Stands alone.")
    built = build(write(tmp_path / "kb", files), tmp_path / "site")
    hub = built.model.urls["domains/test-domain/hub claim.md"]
    page = page_file(built.site, hub).read_text(encoding="utf-8")
    listed = page[page.index('<ul class="links backlinks">') : page.index("</section>", page.index('<ul class="links backlinks">'))]
    assert listed.count("<li>") == 3 and [f"linker {n}</a>" in listed for n in range(5)] == [True] * 3 + [False] * 2
    assert '<a href="../links/claims/hub-claim.html">and 2 more…</a>' in listed
    everything = (built.site / "links" / "claims" / "hub-claim.html").read_text(encoding="utf-8")
    assert all(f"linker {n}</a>" in everything for n in range(5))
