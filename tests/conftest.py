"""Shared fixtures: real corpora on disk and a `kb` runner over the click entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping

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
