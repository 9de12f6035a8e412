"""Shared test helpers and fixtures: real corpora on disk and a `kb` runner (conftest.py re-exports the fixtures)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pytest
from click.testing import CliRunner, Result

from kb.cli import main

CORPORA = Path(__file__).parent / "corpora"

# A claim whose front matter passes every schema rule; tests fill in the title-specific parts.
CLAIM_FRONT = """\
---
type: claim
domain: ai-alignment
description: {description}
confidence: likely
source: "Tester (2025)"
created: 2026-01-15
---
"""


def claim_text(body: str = "", description: str = "a mechanism this test needs, stated at length") -> str:
    """A valid claim file: complete front matter, then `body`."""
    return CLAIM_FRONT.format(description=description) + body


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write {"rel/path.md": text or bytes} under root (text as UTF-8, verbatim newlines)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


@pytest.fixture
def write_corpus() -> Callable[[Path, Mapping[str, str | bytes]], Path]:
    """`write_corpus(tmp_path, {"rel/path.md": "text" or b"bytes"})` writes real files, returns root."""
    return write_files


def invoke_kb(*args: str) -> Result:
    """Run `kb ARGS...` in-process through click's CliRunner (stderr kept apart)."""
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 always keeps stderr apart
        runner = CliRunner()
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def run_kb() -> Callable[..., Result]:
    """`run_kb("check", str(root), "--format", "json")` -> click Result (exit_code, stdout, stderr)."""
    return invoke_kb


def run_kb_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m kb.cli`-equivalent `kb` as a real process, for behaviour that needs one."""
    code = "import sys; from kb.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def run_kb_subprocess() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_kb_subprocess("check", root, cwd=...)`: the real process, real cwd and exit status."""
    return run_kb_process


# --- the one Chromium of a test session (Playwright allows one sync session per process) ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    # WebGL without a GPU: let Chromium fall back to SwiftShader (software WebGL through ANGLE),
    # which sigma.js needs. (--use-angle=swiftshader also works but makes every navigation
    # away from a WebGL page take seconds.)
    "--enable-unsafe-swiftshader",
]


def _browser_missing(reason: str) -> None:
    if os.environ.get("KB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"KB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright, launched once per session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the playwright package is not installed")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(str(CHROMIUM)):
        _browser_missing(f"{CHROMIUM} is not installed")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001 - any launch failure means "no browser here"
        manager.stop()
        _browser_missing(f"Chromium would not start: {error}")
    yield launched
    launched.close()
    manager.stop()


