"""Fixtures for the real-browser tests: built sites served on 127.0.0.1 and Debian's Chromium.

Every site is built once per session into a temporary folder and served by
`python -m http.server` on a free local port. The browser is /usr/bin/chromium
driven by Playwright (never a downloaded browser). Without it the tests are
skipped, unless KB_REQUIRE_BROWSER=1 asks for them to fail instead.

The `page` fixture watches the page: console errors, uncaught page errors,
CSP violations and every request that leaves 127.0.0.1/localhost are recorded
and, after the test, must be absent (`browser_log.relax_console()` lets one
test expect console errors, e.g. pages opened from file://).
"""

from __future__ import annotations

from kbtest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (the `browser` fixture comes from tests/conftest.py: one Chromium per session)

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

import kb
from kb.build import BuildOptions, build_site
from kb.model import KnowledgeBase
from kb.site_model import SiteModel

REPO = Path(__file__).resolve().parents[2]
CLAIMS = REPO / "claims"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Schemes that never reach the network.
LOCAL_SCHEMES = {"data", "blob", "file", "about", "chrome", "chrome-error", "devtools"}


# A small extra knowledge base whose first claim holds a broken wiki link in its body.
_FRONT = """\
---
type: claim
domain: test-domain
description: {description}
confidence: {confidence}
source: "Tester (2025)"
created: 2026-01-{day:02d}
---
"""
EXTRA_FILES = {
    "domains/test-domain/alpha claim with a broken link.md": _FRONT.format(
        description="a claim whose argument cites a note that does not exist", confidence="likely", day=10
    )
    + "# alpha claim with a broken link\n\nThis argument leans on [[no such claim]] and on [[beta claim that exists]].\n",
    "domains/test-domain/beta claim that exists.md": _FRONT.format(
        description="the target of a working link from the alpha claim", confidence="experimental", day=11
    )
    + "# beta claim that exists\n\nIt answers [[alpha claim with a broken link]].\n",
}
BROKEN_TARGET = "no such claim"


@dataclass(frozen=True)
class BuiltSite:
    """A site built from a knowledge base and served over HTTP."""

    kb: KnowledgeBase
    model: SiteModel
    folder: Path
    url: str  # base URL ending in "/"

    def page_url(self, site_path: str) -> str:
        """HTTP URL of a page given its site path (e.g. "claims/index.html")."""
        return self.url + site_path

    def file_url(self, site_path: str) -> str:
        """file:// URL of a page of the built site."""
        return (self.folder / site_path).resolve().as_uri()

    def note_path(self, title: str) -> str:
        """The note path of the note with this title."""
        return next(path for path, note in self.kb.notes.items() if note.title == title)

    def url_of(self, title: str) -> str:
        """Site path of the page of the note with this title."""
        return self.model.urls[self.note_path(title)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def serve() -> Iterator[Any]:
    """`serve(folder)` -> base URL of an http.server subprocess serving it (killed at teardown)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(folder: Path) -> str:
        last_error: Exception | None = None
        for _ in range(5):  # the free port may be taken between probing and binding
            port = _free_port()
            command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port), "-d", str(folder)]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(process)
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    with urllib.request.urlopen(url + "index.html", timeout=1) as answer:
                        if answer.status == 200:
                            return url
                except (urllib.error.URLError, OSError) as error:
                    last_error = error
                    time.sleep(0.05)
            process.kill()
            process.wait()
        raise RuntimeError(f"http.server did not answer for {folder}: {last_error}")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _build(root: Path, out: Path) -> tuple[KnowledgeBase, SiteModel]:
    base = kb.load(root)
    result = build_site(base, BuildOptions(out=out))
    assert result.search_indexed, result.search_message
    return base, SiteModel(base)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory, serve: Any) -> BuiltSite:
    """The bundled claims/ built once per session and served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("bundled") / "site"
    base, model = _build(CLAIMS, out)
    return BuiltSite(base, model, out, serve(out))


@pytest.fixture(scope="session")
def extra_site(tmp_path_factory: pytest.TempPathFactory, serve: Any) -> BuiltSite:
    """A two-claim knowledge base with a broken `[[no such claim]]`, built and served."""
    folder = tmp_path_factory.mktemp("extra")
    root = folder / "kb"
    for rel, text in EXTRA_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    base, model = _build(root, folder / "site")
    return BuiltSite(base, model, folder / "site", serve(folder / "site"))


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class BrowserLog:
    """What a page did that a test must not see: errors, CSP violations, requests off this machine."""

    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url), every message
    page_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed_responses: list[tuple[int, str]] = field(default_factory=list)
    check_console: bool = True

    def relax_console(self) -> None:
        """This test expects console errors (the other checks stay on)."""
        self.check_console = False

    def errors(self) -> list[str]:
        """Console errors, except the browser's own /favicon.ico probe (test_no_request_fails checks it)."""
        return [
            f"{text} ({url})"
            for kind, text, url in self.console
            if kind == "error" and not (url.endswith("/favicon.ico") and "404" in text)
        ]

    def csp_violations(self) -> list[str]:
        """Console messages reporting a Content Security Policy violation."""
        return [text for _, text, _ in self.console if "Content Security Policy" in text]

    def problems(self) -> list[str]:
        """Everything that should not have happened."""
        found = [f"request left 127.0.0.1: {url}" for url in self.external]
        found += [f"page error: {error}" for error in self.page_errors]
        if self.check_console:
            found += [f"console error: {text}" for text in self.errors()]
        return found


@pytest.fixture
def browser_log() -> BrowserLog:
    """The record the `page` fixture keeps of one test."""
    return BrowserLog()


def _watch(page: Any, log: BrowserLog) -> None:
    page.on("console", lambda m: log.console.append((m.type, m.text, (m.location or {}).get("url", ""))))
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: None if _is_local(r.url) else log.external.append(r.url))
    page.on("response", lambda r: log.failed_responses.append((r.status, r.url)) if r.status >= 400 else None)


@pytest.fixture
def new_page(browser: Any, browser_log: BrowserLog) -> Iterator[Any]:
    """`new_page(width=, height=)`: a watched page in a fresh context.

    After the test: no console or page errors, no request off 127.0.0.1.
    """
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 800, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        _watch(page, browser_log)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = browser_log.problems()
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page: Any) -> Any:
    """A watched 1280x800 page (see `new_page`)."""
    return new_page()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
