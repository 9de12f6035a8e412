"""`kb serve`: the served pages carry the reload script, rebuild on change, and show errors in the page.

The browser test runs `kb serve` as a real process on a copy of claims/, opens a claim page in
Debian's Chromium through Playwright, edits the claim on disk and waits for the page to reload
by itself; then breaks a file's YAML and waits for the diagnostics overlay.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import kb
from kb.config import load_settings
from kb.serve import inject_reload, start_server, stop_server, watch_and_rebuild
from kb.site_model import SiteModel

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
CHROMIUM = Path("/usr/bin/chromium")
TITLE = "AI alignment is a coordination problem not a technical problem"
BROKEN_YAML = "---\ntype: claim\ndomain: [unclosed\n---\n# a broken claim\n"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, bytes]:
    """Status and body of a GET."""
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read()


def wait_for(predicate: Any, seconds: float = 15.0) -> bool:
    """Poll until predicate() is true or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def claim_path(root: Path) -> tuple[str, str]:
    """The note path and site path of the claim the tests edit."""
    base = kb.load(root)
    path = next(p for p, n in base.notes.items() if n.title == TITLE)
    return path, SiteModel(base).urls[path]


def _write_until_rebuilt(server: Any, path: Path, text: str) -> bool:
    """Write a file (again, if the watcher was not yet watching) until the server rebuilds."""
    for _ in range(3):
        path.write_text(text, encoding="utf-8")
        if wait_for(lambda: server.state.number >= 2, 10):
            return True
    return False


def test_inject_reload_goes_before_head_end() -> None:
    page = b"<html><head><title>x</title></HEAD><body></body></html>"
    assert inject_reload(page, 7) == b'<html><head><title>x</title><meta name="kb-build" content="7"><script src="/__kb/reload.js"></script></HEAD><body></body></html>'


def test_server_rebuilds_on_change_and_reports_errors(tmp_path: Path) -> None:
    root = Path(shutil.copytree(CLAIMS, tmp_path / "claims"))
    server = start_server(root, load_settings(root), port=0)
    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, args=(server, lambda state: None, stop), daemon=True)
    watcher.start()
    try:
        status, page = fetch(server.url)
        assert status == 200 and b'<script src="/__kb/reload.js"></script>' in page
        assert b"Content-Security-Policy" in page
        assert b"EventSource" in fetch(server.url + "__kb/reload.js")[1]
        assert json.loads(fetch(server.url + "__kb/diagnostics.json")[1]) == {"build": 1, "error": None, "diagnostics": []}
        assert _write_until_rebuilt(server, root / "domains/ai-alignment/broken.md", BROKEN_YAML)
        report = json.loads(fetch(server.url + "__kb/diagnostics.json")[1])
        assert [(d["path"], d["rule"]) for d in report["diagnostics"]] == [("domains/ai-alignment/broken.md", "yaml-error")]
        assert fetch(server.url)[0] == 200
        assert not (server.out / "index.html").read_bytes().count(b"reload.js")  # injected when served, not built in
    finally:
        stop.set()
        watcher.join(timeout=10)
        stop_server(server)
    assert not server.workdir.exists()


@pytest.fixture
def chromium(browser: Any) -> Any:
    """The session's shared Chromium (see kbtest.browser)."""
    return browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    """`kb serve` running as a process on a copy of claims/: (root, base URL, process)."""
    root = Path(shutil.copytree(CLAIMS, tmp_path / "claims"))
    port = free_port()
    code = "import sys; from kb.cli import main; sys.exit(main())"
    process = subprocess.Popen([sys.executable, "-c", code, "serve", str(root), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    if not wait_for(lambda: _answers(url) or process.poll() is not None, 60) or process.poll() is not None:
        process.kill()
        pytest.fail(f"kb serve did not start:\n{process.communicate()[0]}")
    yield root, url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def _answers(url: str) -> bool:
    """Whether the server answers with a page."""
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


@pytest.mark.browser
def test_page_reloads_itself_on_edit_and_shows_broken_yaml(chromium: Any, served: tuple[Path, str, subprocess.Popen[str]]) -> None:
    root, url, process = served
    path, site_path = claim_path(root)
    page = chromium.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(url + site_path)
    page.wait_for_function("() => document.querySelector('script[src=\"/__kb/reload.js\"]') !== null")
    page.wait_for_timeout(500)  # let the event stream connect
    edited = "A sentence added while kb serve was watching."
    file = root / path
    file.write_text(file.read_text(encoding="utf-8").replace("\n---\n\nRelevant Notes:", f"\n{edited}\n\n---\n\nRelevant Notes:"), encoding="utf-8")
    page.wait_for_selector(f"text={edited}", timeout=15_000)
    (root / "domains/ai-alignment/broken.md").write_text(BROKEN_YAML, encoding="utf-8")
    overlay = page.wait_for_selector("#kb-serve-overlay", timeout=15_000)
    assert "domains/ai-alignment/broken.md:4:1" in overlay.inner_text() and "yaml-error" in overlay.inner_text()
    assert _answers(url) and process.poll() is None
    assert not [text for text in console if "Content Security Policy" in text]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
