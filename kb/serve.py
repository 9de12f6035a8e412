"""`kb serve`: build into a temporary folder, serve it on 127.0.0.1, rebuild and reload on change.

The site is built exactly as `kb build` builds it; serving adds one thing at request time: HTML
responses get `<meta name="kb-build">` and `<script src="/__kb/reload.js">` before `</head>`
(same origin, so the pages' Content-Security-Policy stays as it is). The script listens on
`/__kb/events` (server-sent events) and reloads the page when the build number changes, and
shows `/__kb/diagnostics.json` (errors of the last build, or the exception that stopped it) as
an overlay built with textContent only. A failed rebuild keeps the previous site and the server.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable

from kb.config import Settings
from kb.model import Severity

WATCHED_SUFFIXES = frozenset({".md", ".yaml", ".yml", ".toml"})
HEARTBEAT_SECONDS = 10.0  # an SSE comment this often lets a server notice a closed tab
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
EMPTY_PAGE = b"<!doctype html><html><head><title>kb serve</title></head><body><p>No site has been built yet.</p></body></html>"

RELOAD_JS = r"""// kb serve: reload when the site is rebuilt; show the last build's errors as an overlay.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="kb-build"]');
  var shown = meta ? meta.getAttribute("content") : null;

  function cell(tag, text, css) {
    var node = document.createElement(tag);
    node.textContent = text;
    Object.keys(css || {}).forEach(function (key) { node.style[key] = css[key]; });
    return node;
  }

  function overlay(report) {
    var old = document.getElementById("kb-serve-overlay");
    if (old) { old.remove(); }
    var rows = report.diagnostics || [];
    if (!report.error && rows.length === 0) { return; }
    var box = cell("div", "", {position: "fixed", left: "0", right: "0", bottom: "0", maxHeight: "50vh",
      overflow: "auto", zIndex: "2147483647", background: "#2b0d0d", color: "#ffe9e9",
      font: "13px/1.45 ui-monospace, monospace", padding: "12px 16px", borderTop: "3px solid #e5484d"});
    box.id = "kb-serve-overlay";
    box.setAttribute("role", "alert");
    var title = report.error ? "kb serve: the rebuild failed" : "kb serve: " + rows.length + " error(s) in the knowledge base";
    box.appendChild(cell("strong", title, {display: "block", marginBottom: "6px"}));
    if (report.error) { box.appendChild(cell("pre", report.error, {whiteSpace: "pre-wrap", margin: "0"})); }
    var list = cell("ul", "", {margin: "0", paddingLeft: "1.2em"});
    rows.forEach(function (d) {
      list.appendChild(cell("li", d.path + ":" + d.line + ":" + d.col + ": " + d.code + " [" + d.rule + "] " + d.message));
    });
    box.appendChild(list);
    var close = cell("button", "dismiss", {marginTop: "8px"});
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    document.body.appendChild(box);
  }

  function refresh() {
    fetch("/__kb/diagnostics.json", {cache: "no-store"})
      .then(function (answer) { return answer.json(); })
      .then(overlay)
      .catch(function () {});
  }

  var events = new EventSource("/__kb/events");
  events.addEventListener("message", function (event) {
    if (shown !== null && event.data !== shown) { window.location.reload(); return; }
    shown = event.data;
  });
  refresh();
})();
"""


@dataclass
class BuildState:
    """The last build's number and outcome, shared by the rebuild loop and request threads."""

    number: int = 0
    diagnostics: list[dict[str, Any]] = field(default_factory=list)  # errors of the last load
    error: str = ""  # the exception that stopped the last rebuild, "" if it succeeded
    stopping: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, diagnostics: list[dict[str, Any]], error: str) -> None:
        """Record a finished build (or failure) and wake every waiting event stream."""
        with self.changed:
            self.number += 1
            self.diagnostics, self.error = diagnostics, error
            self.changed.notify_all()

    def stop(self) -> None:
        """End every event stream."""
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def report(self) -> dict[str, Any]:
        """What /__kb/diagnostics.json answers."""
        with self.changed:
            return {"build": self.number, "error": self.error or None, "diagnostics": list(self.diagnostics)}


def inject_reload(html: bytes, number: int) -> bytes:
    """Add the build number and the reload script before </head> (else at the end)."""
    tag = f'<meta name="kb-build" content="{number}"><script src="/__kb/reload.js"></script>'.encode()
    match = _HEAD_END.search(html)
    if match is None:
        return html + tag
    return html[: match.start()] + tag + html[match.start() :]


def diagnostic_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Errors as JSON rows for the overlay (warnings are for `kb check`)."""
    return [
        {"path": d.path, "line": d.line, "col": d.col, "code": d.code, "rule": d.rule, "message": d.message, "hint": d.hint}
        for d in items
        if d.severity >= Severity.ERROR
    ]


def rebuild(root: Path, settings: Settings, out: Path, state: BuildState, search: bool = True) -> None:
    """Build into `out` (quickly after body-only edits); any failure is published, never raised."""
    from kb.build_options import BuildOptions
    from kb.quick_build import build

    try:
        built = build(root, settings, BuildOptions(out=out, search=search))
    except Exception:  # noqa: BLE001 - a rebuild must never stop the server
        state.publish([], traceback.format_exc(limit=8))
        return
    state.publish(diagnostic_rows(built.diagnostics()), "")


class ReloadingHandler(SimpleHTTPRequestHandler):
    """Serves the built site, /__kb/ endpoints, and HTML with the reload script added."""

    state: BuildState  # set on the subclass made by make_handler
    server_version = "kb-serve"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        """Route /__kb/ requests; inject into HTML; everything else as http.server does."""
        path = self.path.split("?", 1)[0]
        if path == "/__kb/reload.js":
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
        elif path == "/__kb/diagnostics.json":
            self._send(json.dumps(self.state.report()).encode(), "application/json")
        elif path == "/__kb/events":
            self._stream_events()
        elif not self._send_html(path):
            super().do_GET()

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        """A complete, uncached response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_html(self, path: str) -> bool:
        """Serve an HTML page with the reload script; False when the path is no HTML file."""
        local = Path(self.translate_path(path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if path == "/" and not local.is_file():
            self._send(inject_reload(EMPTY_PAGE, self.state.number), "text/html; charset=utf-8")
            return True
        if local.suffix != ".html" or not local.is_file():
            return False
        number = self.state.number  # read before the file: the page is never older than its number
        self._send(inject_reload(local.read_bytes(), number), "text/html; charset=utf-8")
        return True

    def _stream_events(self) -> None:
        """Server-sent events: the build number now and after every build, until stopping."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent = -1
        try:
            while True:
                with self.state.changed:
                    if self.state.number == sent and not self.state.stopping:
                        self.state.changed.wait(HEARTBEAT_SECONDS)
                    number, stopping = self.state.number, self.state.stopping
                if stopping:
                    return
                self.wfile.write(f"data: {number}\n\n".encode() if number != sent else b": ping\n\n")
                self.wfile.flush()
                sent = number
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        """Stay quiet: the terminal shows builds, not requests."""


def make_handler(folder: Path, state: BuildState) -> Callable[..., ReloadingHandler]:
    """A handler class serving `folder` with `state`."""

    class Handler(ReloadingHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

    Handler.state = state
    return Handler


def is_relevant(path: str, root: Path, out_parent: Path, exclude: Iterable[str]) -> bool:
    """Whether a changed path can change the site: content under ROOT, not our own output."""
    changed = Path(path)
    if changed.is_relative_to(out_parent):
        return False
    parts = changed.relative_to(root).parts if changed.is_relative_to(root) else changed.parts
    if any(part.startswith(".") or part in exclude for part in parts[:-1]):
        return False
    return changed.suffix.lower() in WATCHED_SUFFIXES or not changed.suffix


@dataclass
class Server:
    """A running `kb serve`: HTTP thread, temporary site folder and build state."""

    root: Path
    settings: Settings
    httpd: ThreadingHTTPServer
    workdir: Path
    state: BuildState
    search: bool = True

    @property
    def out(self) -> Path:
        """The folder the site is built into and served from."""
        return self.workdir / "site"

    @property
    def url(self) -> str:
        """Base URL of the site."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"


def start_server(root: Path, settings: Settings, port: int = 8000, search: bool = True) -> Server:
    """Bind the port (OSError when taken), build once, then serve in a background thread."""
    workdir = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    state = BuildState()
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), make_handler(workdir / "site", state))
    except OSError:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    httpd.daemon_threads = True
    rebuild(root, settings, workdir / "site", state, search)
    threading.Thread(target=httpd.serve_forever, name="kb-serve-http", daemon=True).start()
    return Server(root, settings, httpd, workdir, state, search)


def watch_and_rebuild(server: Server, on_build: Callable[[BuildState], None], stop: threading.Event | None = None) -> None:
    """Rebuild on every relevant change under ROOT until Ctrl-C or `stop` is set."""
    import watchfiles

    def relevant(_change: Any, path: str) -> bool:
        """watchfiles' filter: content under ROOT, never our own output."""
        return is_relevant(path, server.root, server.workdir, server.settings.exclude)

    for _changes in watchfiles.watch(server.root, watch_filter=relevant, stop_event=stop):
        rebuild(server.root, server.settings, server.out, server.state, server.search)
        on_build(server.state)


def stop_server(server: Server) -> None:
    """Stop serving, end event streams and remove the temporary site."""
    server.state.stop()
    server.httpd.shutdown()
    server.httpd.server_close()
    shutil.rmtree(server.workdir, ignore_errors=True)
