"""Interrupted and failed builds never damage the previous site; same input, same bytes.

`kb build` writes into a staging folder beside --out and swaps it in atomically. Here a real
`kb build` of a ~2,000-claim generated codex is killed with SIGKILL at seeded random moments
spread over the length of a build; after each kill the previous site must be byte-identical
and servable. A normal build afterwards succeeds and removes what the killed ones left.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import kb
from kb.build import BuildOptions, build_site

REPO = Path(__file__).resolve().parents[2]
CLAIMS = REPO / "claims"
KILLS = int(os.environ.get("KB_INTERRUPT_KILLS", "5"))
HORIZON = float(
    os.environ.get("KB_INTERRUPT_HORIZON", "16")
)  # seconds: about one full build of the codex here
SEED = 20260115
KB = "import sys; from kb.cli import main; sys.exit(main())"


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> blake2b of the bytes, for every file under a folder."""
    return {
        path.relative_to(folder).as_posix(): hashlib.blake2b(
            path.read_bytes(), digest_size=16
        ).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(out: Path) -> list[str]:
    """Staging or moved-aside folders of killed builds, beside the output folder."""
    return sorted(
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith((f".{out.name}.tmp-", f".{out.name}.old-"))
    )


def kb_build(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KB, "build", str(root), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        check=False,
    )


def fetch(folder: Path, name: str) -> bytes:
    """GET a file of the folder through `python -m http.server` on a free port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            str(port),
            "-d",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/{name}", timeout=2
                ) as answer:
                    assert answer.status == 200
                    return answer.read()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def codex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated codex of ~2,000 claims (plus sources and maps)."""
    out = tmp_path_factory.mktemp("codex") / "codex"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.generate",
            "--claims",
            "2000",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_killed_builds_leave_the_previous_site_intact(
    codex: Path, tmp_path: Path
) -> None:
    """SIGKILL a large build at seeded random moments: the old site stays byte-identical and servable.

    A kill after the new site was swapped in (while the old one is deleted or the build's state
    is saved) leaves that new site whole: it must then equal a finished build of the codex.
    """
    assert kb_build(codex, tmp_path / "reference").returncode == 0
    finished = snapshot(tmp_path / "reference")
    out = tmp_path / "site"
    first = kb_build(CLAIMS, out)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    assert "index.html" in before and len(before) > 20

    rng = random.Random(SEED)
    horizon, kills, slot = HORIZON, 0, 0
    while slot < KILLS:
        # One kill per slice of the horizon, at a random point inside it: spread over the whole build.
        delay = horizon * (slot + rng.random()) / KILLS
        process = subprocess.Popen([sys.executable, "-c", KB, "build", str(codex), "--out", str(out)], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < delay:
            time.sleep(0.01)
        if (
            process.poll() is not None
        ):  # faster machine: the build finished first; shorten the horizon
            took = time.monotonic() - started
            print(
                f"build finished in {took:.2f} s before its kill at {delay:.2f} s; horizon now {0.95 * took:.2f} s"
            )
            assert process.returncode == 0 and horizon > 1
            horizon = 0.95 * took
            assert kb_build(CLAIMS, out).returncode == 0  # put the previous site back
            before = snapshot(out)
            continue
        os.killpg(
            process.pid, signal.SIGKILL
        )  # the build and its workers (process pool)
        process.wait()
        kills, slot = kills + 1, slot + 1
        print(
            f"killed after {time.monotonic() - started:.2f} s; left beside the output: {leftovers(out)}"
        )
        assert out.is_dir(), f"output folder gone after a kill at {delay:.2f} s"
        after = snapshot(out)
        if after == finished:  # killed after the swap: the new site is whole
            assert kb_build(CLAIMS, out).returncode == 0  # put the previous site back
            before = snapshot(out)
            continue
        changed = sorted(
            k for k in set(before) | set(after) if before.get(k) != after.get(k)
        )
        assert not changed, (
            f"kill at {delay:.2f} s changed the previous site: {changed[:10]} ({len(changed)} files)"
        )
    assert kills >= 5
    assert b"<html" in fetch(out, "index.html")

    # A normal build succeeds and removes everything the killed builds left.
    final = kb_build(CLAIMS, out)
    assert final.returncode == 0, final.stderr
    assert leftovers(out) == []
    # Same input as the first build: the same files, search index included.
    assert snapshot(out) == before


def test_failed_build_leaves_previous_site_and_no_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception halfway through a build removes its staging folder and keeps the old site."""
    out = tmp_path / "site"
    base = kb.load(CLAIMS)
    build_site(base, BuildOptions(out=out, search=False))
    before = snapshot(out)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kb.build.write_exports", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_site(base, BuildOptions(out=out, search=False))
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_build_restores_a_site_moved_aside_by_a_killed_swap(tmp_path: Path) -> None:
    """A kill between moving the old site aside and moving the new one in: the next build recovers."""
    out = tmp_path / "site"
    base = kb.load(CLAIMS)
    build_site(base, BuildOptions(out=out, search=False))
    out.rename(
        tmp_path / ".site.old-4242"
    )  # the state a kill mid-swap leaves on a non-Linux fallback
    staging = tmp_path / ".site.tmp-killed"
    staging.mkdir()
    (staging / "half.html").write_text("<p>half", encoding="utf-8")
    build_site(base, BuildOptions(out=out, search=False))
    assert (out / "index.html").is_file()
    assert leftovers(out) == []


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Same input, same bytes: every file of two builds (search index included) compared."""
    root = tmp_path / "kb"
    shutil.copytree(CLAIMS, root)
    extra = {
        "domains/unicode/caf\u00e9 claims need NFC.md": "caf\u00e9",
        "domains/unicode/\u05e9\u05dc\u05d5\u05dd right to left.md": "rtl",
        "domains/unicode/emoji \U0001f600 title.md": "emoji",
    }
    for rel, word in extra.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'---\ntype: claim\ndomain: unicode\ndescription: {word} in a title\nconfidence: likely\nsource: "T (2025)"\ncreated: 2026-01-15\n---\nSee [[caf\u00e9 claims need NFC]].\n',
            encoding="utf-8",
        )
    first, second = tmp_path / "one", tmp_path / "two"
    assert kb_build(root, first).returncode == 0
    time.sleep(1.1)  # a clock in the output would now differ
    assert kb_build(root, second).returncode == 0
    one, two = snapshot(first), snapshot(second)
    only = sorted(set(one) ^ set(two))
    differing = sorted(k for k in set(one) & set(two) if one[k] != two[k])
    assert any(k.startswith("search/terms-") for k in one)
    assert not only and not differing, f"differs: only in one build: {only[:10]}; changed: {differing[:10]}"
