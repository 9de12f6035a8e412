"""Cross-site scripting: claim text is untrusted, so no attack vector in it may run in the site.

`xss_corpus/` holds one claim file per family of attack vectors (scripts, event handlers,
javascript:/data:/vbscript: URLs in links, images, wiki-link aliases, front matter, SVG and
MathML, comment and attribute break-outs, CSS, frames, objects, forms, meta refresh, base
href, entity-encoded schemes, autolinks, reference definitions, table cells, code). Hostile
*file names* (titles) are added at test time, since `<`, `>`, `"` and `:` cannot be checked out
on every system. Every vector, if it ran, would call `window.__xss(...)` or `alert(...)`, or
fetch from 203.0.113.1 (TEST-NET-3: never reachable; requests are only observed).

The corpus is built with kb, served on 127.0.0.1 and EVERY page is opened in Debian's
Chromium: no dialog may open, `window.__xss` may never be called and no request may leave
127.0.0.1, even while the mouse moves over every element of the page. Static checks over the
built HTML back this up: no script that is not a file of the site, no `on...=` attribute, no
javascript:/data:/vbscript: URL in any href/src/action.
"""

from __future__ import annotations

import html
import importlib.util
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import kb
from kb.build import BuildOptions, build_site
from kb.model import KnowledgeBase
from kb.site_model import SiteModel

CORPUS = Path(__file__).parent / "xss_corpus"
OUTSIDE_HOST = "203.0.113.1"

# Titles that are themselves attacks; written at test time (not checked in, see the docstring).
HOSTILE_NAMES = {
    "\"><img src=x onerror=window.__xss('filename')>.md": "a title that breaks out of an attribute",
    "<svg onload=window.__xss('svg-title')>.md": "a title that is an SVG element",
    "javascript:window.__xss('title-url').md": "a title that looks like a javascript URL",
    "<textarea><img src=x onerror=window.__xss('title-tag')>.md": "a title that opens a raw-text element",
}

# ------------------------------------------------------------------ browser fixtures, reused
# `browser` (Debian's Chromium, one per session) comes from tests/conftest.py. `serve` lives in
# tests/browser/conftest.py: load that module under its own name to reuse the fixture here.
_spec = importlib.util.spec_from_file_location(
    "kb_browser_fixtures", Path(__file__).parents[1] / "browser" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_browser_fixtures = sys.modules.setdefault(
    "kb_browser_fixtures", importlib.util.module_from_spec(_spec)
)
if not hasattr(_browser_fixtures, "serve"):
    _spec.loader.exec_module(_browser_fixtures)
serve = _browser_fixtures.serve


def _claim(description: str) -> str:
    return (
        "---\ntype: claim\ndomain: xss\n"
        f'description: "{description}"\nconfidence: likely\nsource: "Tester (2025)"\ncreated: 2026-01-15\n---\n'
        "Links [[target note]].\n"
    )


@dataclass
class XssSite:
    """The attack corpus, loaded and built."""

    base: KnowledgeBase
    folder: Path
    pages: list[str] = field(default_factory=list)  # site paths of every HTML page

    def html_of(self, page: str) -> str:
        return (self.folder / page).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> XssSite:
    """Copy the corpus, add hostile file names, build the site (with search) once."""
    work = tmp_path_factory.mktemp("xss")
    root = work / "kb"
    shutil.copytree(CORPUS, root)
    for name, description in HOSTILE_NAMES.items():
        (root / name).write_text(_claim(description), encoding="utf-8")
    base = kb.load(root)
    out = work / "site"
    build_site(base, BuildOptions(out=out))
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    return XssSite(base, out, pages)


def test_corpus_holds_at_least_30_vectors() -> None:
    """The corpus is real: 30+ attack files, each with a payload that would call home."""
    attacks = [
        p for p in CORPUS.rglob("*.md") if p.stem not in ("target note", "normal claim")
    ]
    assert len(attacks) >= 30, len(attacks)
    for path in attacks:
        text = path.read_text(encoding="utf-8")
        assert "alert(" in text or "__xss(" in text or OUTSIDE_HOST in text, path.name


def test_every_attack_file_gets_a_page(xss_site: XssSite) -> None:
    """Sanitising never drops a note: every file of the corpus (and the normal claim) has its page."""
    urls = SiteModel(xss_site.base).urls
    assert len(xss_site.base.notes) >= 30 + len(HOSTILE_NAMES)
    for path, url in urls.items():
        assert (xss_site.folder / unquote(url)).is_file(), (path, url)
    normal = xss_site.html_of(unquote(urls["normal claim.md"]))
    assert "Nothing to see" in normal and 'class="wikilink"' in normal


# ------------------------------------------------------------------ static checks of the HTML

DANGEROUS_SCHEME = re.compile(
    r"^(?:javascript|data|vbscript|livescript):", re.IGNORECASE
)
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "srcset",
    "ping",
    "codebase",
    "cite",
    "longdesc",
    "manifest",
    "icon",
}
TAG = re.compile(r"<[a-zA-Z][^>]*>")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
HANDLER = re.compile(r"[\s/]on[a-z]+\s*=", re.IGNORECASE)


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    in_body: bool  # inside <section class="body">


class PageParser(HTMLParser):
    """Collect every start tag with its attributes, noting which sit inside the rendered body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.body_depth = 0  # >0 while inside the rendered body section
        self.section_stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            is_body = ("class", "body") in attrs
            self.section_stack.append(is_body)
            self.body_depth += is_body
        self.elements.append(Element(tag, attrs, self.body_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.section_stack:
            self.body_depth -= self.section_stack.pop()


def parse(text: str) -> list[Element]:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser.elements


def normalised_url(value: str) -> str:
    """A URL as a browser parses it (WHATWG): entities decoded, leading/trailing C0 controls and
    spaces stripped, tabs and newlines removed anywhere."""
    text = html.unescape(value).strip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", text)


def test_no_script_except_the_sites_own_files(xss_site: XssSite) -> None:
    """Every <script> has a src that is a file of the built site; no inline script anywhere."""
    problems = []
    for page in xss_site.pages:
        for element in parse(xss_site.html_of(page)):
            if element.tag != "script":
                continue
            src = dict(element.attrs).get("src")
            if not src:
                problems.append(f"{page}: inline <script> {element.attrs}")
                continue
            parts = urlsplit(src)
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(page), unquote(parts.path))
            )
            if (
                parts.scheme
                or parts.netloc
                or target.startswith("..")
                or not (xss_site.folder / target).is_file()
            ):
                problems.append(f"{page}: script src {src!r} is not a file of the site")
    assert not problems, "\n".join(problems[:40])


def test_no_event_handler_attributes(xss_site: XssSite) -> None:
    """No on...= attribute anywhere (the rendered .body sections included, checked twice)."""
    problems = []
    for page in xss_site.pages:
        text = xss_site.html_of(page)
        for element in parse(text):
            for name, value in element.attrs:
                if name.lower().startswith("on"):
                    problems.append(
                        f"{page}: <{element.tag} {name}={value!r}> (in body: {element.in_body})"
                    )
        for body in re.findall(
            r'<section class="body"[^>]*>(.*?)</section>', text, re.DOTALL
        ):
            for tag in TAG.findall(body):
                if HANDLER.search(QUOTED.sub('""', tag)):
                    problems.append(f"{page}: handler in body: {tag}")
    assert not problems, "\n".join(problems[:40])


def test_no_dangerous_url_schemes(xss_site: XssSite) -> None:
    """No href/src/action/... starts with javascript:, data: or vbscript: (after HTML-unescaping)."""
    problems = []
    for page in xss_site.pages:
        for element in parse(xss_site.html_of(page)):
            for name, value in element.attrs:
                if name.lower() in URL_ATTRIBUTES and value is not None:
                    for candidate in (
                        value.split(",") if name.lower() == "srcset" else [value]
                    ):
                        if DANGEROUS_SCHEME.match(normalised_url(candidate)):
                            problems.append(f"{page}: <{element.tag} {name}={value!r}>")
    assert not problems, "\n".join(problems[:40])


def test_no_dangerous_elements_in_rendered_bodies(xss_site: XssSite) -> None:
    """Inside the rendered argument: no element that runs code, loads frames or changes the page."""
    forbidden = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "meta",
                 "base", "link", "svg", "math", "noscript", "template", "button", "select", "textarea", "keygen",
                 "video", "audio", "source", "marquee", "xmp", "plaintext", "listing"}  # fmt: skip
    problems = []
    for page in xss_site.pages:
        for element in parse(xss_site.html_of(page)):
            if element.in_body and (
                element.tag in forbidden
                or any(n.lower() == "style" for n, _ in element.attrs)
            ):
                problems.append(f"{page}: <{element.tag} {element.attrs}>")
    assert not problems, "\n".join(problems[:40])


def test_wiki_links_in_code_stay_text(xss_site: XssSite) -> None:
    """`[[...]]` inside inline code, fences and indented code is shown as text, never a link."""
    urls = SiteModel(xss_site.base).urls
    text = xss_site.html_of(unquote(urls["31 code keeps brackets.md"]))
    body = re.search(r'<section class="body"[^>]*>(.*?)</section>', text, re.DOTALL)
    assert body is not None
    codes = re.findall(r"<code[^>]*>(.*?)</code>", body.group(1), re.DOTALL)
    assert any("[[target note|" in html.unescape(c) for c in codes), codes
    assert any("[[normal claim]]" in html.unescape(c) for c in codes), codes
    assert any("[[indented code]]" in html.unescape(c) for c in codes), codes
    assert all("<a " not in c for c in codes), codes
    assert "&lt;script&gt;" in body.group(1)  # the script in the fence is shown escaped


def test_template_syntax_in_claims_stays_text(xss_site: XssSite) -> None:
    """Jinja syntax written in a claim is shown literally, never evaluated."""
    urls = SiteModel(xss_site.base).urls
    text = xss_site.html_of(unquote(urls["37 template injection.md"]))
    assert "{{ 7*7 }}" in html.unescape(text)
    body = re.search(r'<section class="body"[^>]*>(.*?)</section>', text, re.DOTALL)
    assert body is not None
    shown = html.unescape(body.group(1))
    assert (
        "{{ 7*7 }}" in shown
        and "{{ config }}" in shown
        and "{% for x in range(3) %}" in shown
    )


# ------------------------------------------------------------------ in a real browser

INIT_SCRIPT = "window.__xss = (...a) => { window.__xssCalls = (window.__xssCalls||[]).concat([a]); };"
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-error", "devtools"}

# Hover: real mouse moves over a grid of the viewport (so :hover and real mouseover fire), plus
# pointer, mouse and focus events dispatched to every element of the page (so nothing is missed).
# A few points per page (each move costs ~30 ms while the local graph animates); points over graph
# canvases are left out. The dispatched events below reach every element anyway.
HOVER_POINTS = """() => {
  const grid = [];
  for (const y of [120, 600]) for (const x of [200, 900]) grid.push([x, y]);
  const body = Array.from(document.querySelectorAll('section.body *, .description, .source-citation'))
    .map(el => el.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0)
    .slice(0, 8).map(r => [r.left + r.width / 2, r.top + r.height / 2]);
  return grid.concat(body).filter(([x, y]) => {
    const hit = document.elementFromPoint(x, y);
    return hit && !hit.closest('canvas, [class*=graph], [id*=graph]');
  });
}"""
TOUCH_EVERY_ELEMENT = """() => {
  const kinds = ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove', 'mouseout', 'mouseleave'];
  for (const el of document.querySelectorAll('body *')) {
    for (const kind of kinds) el.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
    el.dispatchEvent(new FocusEvent('focus'));
  }
  window.scrollTo(0, document.body.scrollHeight);
}"""


@dataclass
class Observed:
    dialogs: list[str] = field(default_factory=list)
    requests: list[tuple[Any, str]] = field(
        default_factory=list
    )  # (request, page it came from)
    csp_blocked: set[int] = field(
        default_factory=set
    )  # ids of requests the page's CSP refused to send
    calls: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Outside requests that were really sent (CSP-refused ones never leave the browser)."""
        return [
            f"{r.url} (from {page})"
            for r, page in self.requests
            if id(r) not in self.csp_blocked
        ]

    def refused(self) -> list[str]:
        return [
            f"{r.url} (from {page})"
            for r, page in self.requests
            if id(r) in self.csp_blocked
        ]

    def problems(self) -> list[str]:
        return (
            [f"dialog: {d}" for d in self.dialogs]
            + [f"outside request: {u}" for u in self.outside()]
            + [f"window.__xss called: {c}" for c in self.calls]
            + [f"navigated away: {n}" for n in self.navigations]
        )


def _is_outside(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    if parts.scheme == "javascript":
        return True  # a javascript: navigation is itself an attack that got through
    return (parts.hostname or "") not in LOCAL


def _abort_outside(context: Any) -> None:
    """Requests off this machine are recorded by the page watcher, then failed at once (no waiting)."""
    context.route(lambda url: _is_outside(url), lambda route: route.abort())


def _watch(page: Any, seen: Observed) -> None:
    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    def on_failed(request: Any) -> None:
        if "csp" in (request.failure or "").lower():
            seen.csp_blocked.add(id(request))

    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda r: seen.requests.append((r, page.url)) if _is_outside(r.url) else None,
    )
    page.on("requestfailed", on_failed)


def _collect_calls(page: Any, seen: Observed, where: str) -> None:
    for frame in page.frames:
        try:
            calls = frame.evaluate("window.__xssCalls || []")
        except Exception:  # noqa: BLE001, S112 - a cross-origin or detached frame cannot be read
            continue
        seen.calls += [f"{where}: {c}" for c in calls]


def _visit(page: Any, url: str, seen: Observed, hover: bool = True) -> None:
    page.goto(url, wait_until="load")
    if hover:
        for x, y in page.evaluate(HOVER_POINTS):
            page.mouse.move(x, y)
        page.evaluate(TOUCH_EVERY_ELEMENT)
    page.wait_for_timeout(50)  # timers, meta refresh, media errors
    if page.url.split("#")[0] != url.split("#")[0]:
        seen.navigations.append(f"{url} -> {page.url}")
    _collect_calls(page, seen, url)


@pytest.mark.browser
def test_no_vector_runs_in_chromium(
    xss_site: XssSite, serve: Any, browser: Any
) -> None:
    """Open every page, move the mouse over every element: no dialog, no __xss call, no outside request."""
    base_url = serve(xss_site.folder)
    seen = Observed()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(INIT_SCRIPT)
    _abort_outside(context)
    try:
        page = context.new_page()
        _watch(page, seen)
        # Graph pages draw with WebGL and hold no claim HTML beyond what note pages show; they
        # are opened too, without hovering the canvas element by element.
        for site_path in xss_site.pages:
            _visit(page, base_url + site_path, seen, hover=site_path != "graph.html")
        # Search results render claim text in the browser: search for payload words.
        page.goto(base_url + "search.html", wait_until="load")
        for query in ("script", "onerror", "alert", "img"):
            box = page.locator("#search-input")
            box.fill(query)
            page.wait_for_timeout(600)
            for x, y in page.evaluate(HOVER_POINTS):
                page.mouse.move(x, y)
            page.evaluate(TOUCH_EVERY_ELEMENT)
        _collect_calls(page, seen, "search.html")
    finally:
        context.close()
    problems = seen.problems()
    if seen.refused():
        print(
            "refused by the pages' Content-Security-Policy (never sent):",
            *seen.refused(),
            sep="\n  ",
        )
    assert len(xss_site.pages) > 40
    assert not problems, (
        f"{len(problems)} problem(s) over {len(xss_site.pages)} pages:\n"
        + "\n".join(problems[:60])
    )


@pytest.mark.browser
def test_the_harness_sees_an_attack(tmp_path: Path, serve: Any, browser: Any) -> None:
    """Control: the same watchers do catch a dialog, an __xss call and an outside request."""
    site = tmp_path / "control"
    site.mkdir()
    (site / "index.html").write_text(
        "<!doctype html><p id=x>hi</p><script>window.__xss('control'); alert('control');</script>"
        f"<img src='http://{OUTSIDE_HOST}/control.png'>",
        encoding="utf-8",
    )
    base_url = serve(site)
    seen = Observed()
    context = browser.new_context()
    context.add_init_script(INIT_SCRIPT)
    _abort_outside(context)
    try:
        page = context.new_page()
        _watch(page, seen)
        page.goto(base_url + "index.html", wait_until="domcontentloaded")
        page.wait_for_timeout(200)
        _collect_calls(page, seen, "control")
    finally:
        context.close()
    assert (
        seen.dialogs and seen.calls and any(OUTSIDE_HOST in u for u in seen.outside())
    ), seen
