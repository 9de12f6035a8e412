"""Path safety: kb never writes where it must not, never reads or links outside ROOT, and treats
names that collide on other file systems (letter case, NFC/NFD) as the collisions they are."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import time
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from kbtest import write_files

import kb
from kb.build import BuildOptions, build_site
from kb.site_model import SiteModel

SECRET = "TOP-SECRET-CONTENT-OUTSIDE-ROOT"
FRONT = '---\ntype: claim\ndomain: paths\ndescription: {d}\nconfidence: likely\nsource: "T (2025)"\ncreated: 2026-01-15\n{extra}---\n'


def claim(
    body: str,
    description: str = "a claim used by the path-safety tests",
    extra: str = "",
) -> str:
    return FRONT.format(d=description, extra=extra) + body


write = write_files  # kbtest.write_files: {"rel/path.md": text} under root


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (names, and file bytes as hashes).

    `.kb-cache/` is left out: loading ROOT keeps its parse cache there, whatever the output folder.
    """
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if ".kb-cache" in rel.split("/"):
            continue
        found[rel] = (
            hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest()
            if path.is_file()
            else "dir"
        )
    return found


# ------------------------------------------------------------------ output-folder safety (CLI)


@pytest.fixture
def small_base(tmp_path: Path) -> Path:
    return write(
        tmp_path / "kb",
        {
            "a claim.md": claim("Links [[b claim]].\n"),
            "b claim.md": claim("Links [[a claim]].\n"),
        },
    )


def assert_refused(result: Any, watched: Path, before: dict[str, str]) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert "refusing" in message.lower(), message
    assert snapshot(watched) == before, "a refused build changed files"
    assert not [
        p for p in watched.parent.iterdir() if re.match(r"\..*\.(tmp|old)-", p.name)
    ], "staging folder left behind"


def test_out_equal_to_root_is_refused(
    run_kb: Callable[..., Any], small_base: Path
) -> None:
    before = snapshot(small_base)
    assert_refused(
        run_kb("build", str(small_base), "--out", str(small_base)), small_base, before
    )


def test_out_equal_to_root_is_refused_in_a_real_process(
    run_kb_subprocess: Callable[..., Any], small_base: Path
) -> None:
    before = snapshot(small_base)
    done = run_kb_subprocess("build", str(small_base), "--out", str(small_base / "."))
    assert done.returncode == 2 and "refusing" in done.stderr.lower(), done.stderr
    assert snapshot(small_base) == before


def test_out_parent_of_root_is_refused(
    run_kb: Callable[..., Any], small_base: Path
) -> None:
    parent = small_base.parent
    before = snapshot(parent)
    assert_refused(
        run_kb("build", str(small_base), "--out", str(parent)), parent, before
    )


def test_out_grandparent_of_root_is_refused(
    run_kb: Callable[..., Any], tmp_path: Path
) -> None:
    root = write(tmp_path / "deep" / "kb", {"x.md": claim("x\n")})
    before = snapshot(tmp_path)
    assert_refused(run_kb("build", str(root), "--out", str(tmp_path)), tmp_path, before)


def test_out_home_folder_is_refused(
    run_kb: Callable[..., Any],
    small_base: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home" / "someone"
    write(
        home,
        {
            ".bashrc": "export X=1\n",
            "notes.txt": "personal\n",
            "Documents/letter.txt": "dear\n",
        },
    )
    monkeypatch.setenv("HOME", str(home))
    assert Path.home() == home
    before = snapshot(home)
    assert_refused(run_kb("build", str(small_base), "--out", str(home)), home, before)


def test_out_folder_holding_markdown_is_refused(
    run_kb: Callable[..., Any], small_base: Path, tmp_path: Path
) -> None:
    other = write(
        tmp_path / "other-notes",
        {"my notes.md": "# precious\n", "deeper/more.md": "# more\n"},
    )
    before = snapshot(other)
    assert_refused(run_kb("build", str(small_base), "--out", str(other)), other, before)


def test_out_folder_not_built_by_kb_is_refused(
    run_kb: Callable[..., Any], small_base: Path, tmp_path: Path
) -> None:
    other = write(tmp_path / "project", {"main.py": "print(1)\n"})
    before = snapshot(other)
    assert_refused(run_kb("build", str(small_base), "--out", str(other)), other, before)


# ------------------------------------------------------------------ links never leave ROOT

TRAVERSALS = [
    "../outside", "../../outside", "../../../outside", "../../etc/passwd", "../../../../../../../../etc/passwd",
    "/etc/passwd", "/../outside", "//etc/passwd", "C:\\Windows\\x", "C:/Windows/x", "..\\..\\outside", "..\\outside",
    "%2e%2e%2foutside", "%2e%2e/outside", "..%2foutside", "domains/../../outside", "./../outside", "~/outside",
    "file:///etc/passwd", "\\\\server\\share\\x", "../kb/../outside", "domains/a/../../../outside",
]  # fmt: skip


@pytest.fixture
def traversal_base(tmp_path: Path) -> Path:
    """ROOT beside notes that must never be read: outside.md, secret.md, etc/passwd.md."""
    write(
        tmp_path,
        {
            "outside.md": claim(SECRET + "\n"),
            "secret.md": claim(SECRET + "\n"),
            "etc/passwd.md": claim(SECRET + "\n"),
        },
    )
    body = "\n".join(
        f"- [[{t}]] and [[{t}|alias]] and [[{t}#heading]]" for t in TRAVERSALS
    )
    depends = "depends_on:\n" + "".join(
        f'  - "{t.replace(chr(92), chr(92) * 2)}"\n' for t in TRAVERSALS[:8]
    )
    return write(tmp_path / "kb", {
        "top.md": claim("Relevant Notes:\n" + body + "\n- [[domains/a/deep]]\n", extra=depends),
        "domains/a/deep.md": claim("Relevant Notes:\n" + body + "\n- [[top]]\n"),
        "domains/a/outside.md": claim("An inside note that happens to be called outside.\n"),
    })  # fmt: skip


def test_traversal_links_never_resolve_outside(traversal_base: Path) -> None:
    base = kb.load(traversal_base)
    assert set(base.notes) == {"top.md", "domains/a/deep.md", "domains/a/outside.md"}
    outside_root = traversal_base.parent.resolve()
    for resolved in base.links:
        if (
            resolved.link.target.replace("\\", "/")
            .lstrip("./")
            .startswith(("etc", "Windows"))
        ):
            assert (
                resolved.resolution.status != "ok" or resolved.target_path in base.notes
            )
        if resolved.target_path is not None:
            assert resolved.target_path in base.notes, resolved
            real = (traversal_base / resolved.target_path).resolve()
            assert (
                real.is_relative_to(traversal_base.resolve())
                and real != outside_root / "outside.md"
            ), resolved
    statuses = {(r.origin, r.link.raw): r.resolution.status for r in base.links}
    for origin in ("top.md", "domains/a/deep.md"):
        for climbing in (
            "../../../outside",
            "../../etc/passwd",
            "../../../../../../../../etc/passwd",
            "/../outside",
            "..\\..\\outside",
        ):
            assert statuses[(origin, climbing)] in ("outside", "missing"), (
                origin,
                climbing,
                statuses[(origin, climbing)],
            )
    outside_rules = [d for d in base.diagnostics if d.rule == "link-outside-root"]
    assert outside_rules, "climbing links are reported as link-outside-root"
    assert all(d.line >= 1 and d.col >= 1 for d in base.diagnostics)


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (
                name in ("href", "src", "action", "data", "poster")
                and value is not None
            ):
                self.urls.append((f"<{tag} {name}>", value))


def site_urls(out: Path) -> list[tuple[str, str, str]]:
    """(page, where, url) for every href/src of every page of a built site."""
    found = []
    for page in sorted(out.rglob("*.html")):
        parser = Hrefs()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(out).as_posix()
        found += [(rel, where, url) for where, url in parser.urls]
    return found


def test_rendered_links_stay_inside_the_site(
    traversal_base: Path, tmp_path: Path
) -> None:
    """Every relative href/src, resolved against its page, stays inside --out and names a file there."""
    out = tmp_path / "site"
    build_site(
        kb.load(traversal_base), BuildOptions(out=out)
    )  # with search: search.html's files exist
    escaping, dangling = [], []
    for page, where, url in site_urls(out):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "mailto") and parts.netloc:
            continue  # outside links written by kb itself (footer) or by claim authors
        assert not parts.scheme and not parts.netloc, (page, where, url)
        if not parts.path:
            continue  # "#fragment"
        if parts.path.startswith("/"):
            escaping.append((page, where, url))
            continue
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(page), unquote(parts.path))
        )
        if target == ".." or target.startswith("../"):
            escaping.append((page, where, url))
        elif not (out / target).exists():
            dangling.append((page, where, url))
    assert not escaping, escaping[:20]
    assert not dangling, dangling[:20]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), (
                f"{path} holds text read from outside ROOT"
            )


# ------------------------------------------------------------------ symlinks


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinks_outside_root_are_skipped_with_a_warning(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "outside.md": claim(SECRET + "\n"),
            "outdir/secret note.md": claim(SECRET + "\n"),
        },
    )
    root = write(
        tmp_path / "kb",
        {
            "inside.md": claim(
                "Links [[secret note]] and [[outside]] and [[linked inside]].\n"
            ),
            "sub/real.md": claim("real\n"),
        },
    )
    (root / "to-outside.md").symlink_to(tmp_path / "outside.md")
    (root / "outdir-link").symlink_to(tmp_path / "outdir", target_is_directory=True)
    (root / "dangling.md").symlink_to(tmp_path / "does-not-exist.md")
    (root / "linked inside.md").symlink_to(root / "sub" / "real.md")  # inside: followed
    base = kb.load(root)
    assert "to-outside.md" not in base.notes and not any(
        p.startswith("outdir-link/") for p in base.notes
    )
    assert "linked inside.md" in base.notes and "sub/real.md" in base.notes
    warned = {d.path for d in base.diagnostics if d.rule == "symlink-outside-root"}
    assert {"to-outside.md", "outdir-link", "dangling.md"} <= warned, warned
    assert all(
        d.severity.label == "warning"
        for d in base.diagnostics
        if d.rule == "symlink-outside-root"
    )
    broken = {r.link.target for r in base.links if r.resolution.status == "missing"}
    assert {"secret note", "outside"} <= broken


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loop_ends(tmp_path: Path) -> None:
    root = write(tmp_path / "kb", {"a.md": claim("a\n"), "sub/b.md": claim("b\n")})
    (root / "sub" / "up").symlink_to(
        root, target_is_directory=True
    )  # a folder linking to its parent
    (root / "sub" / "self").symlink_to(root / "sub", target_is_directory=True)
    (root / "ring-a").symlink_to(root / "ring-b")  # two links pointing at each other
    (root / "ring-b").symlink_to(root / "ring-a")
    started = time.monotonic()
    base = kb.load(root)
    assert time.monotonic() - started < 10
    assert {"a.md", "sub/b.md"} <= set(base.notes)
    assert len(base.notes) <= 6  # no endless a.md, sub/up/a.md, sub/up/sub/up/a.md, ...
    build_site(base, BuildOptions(out=tmp_path / "site", search=False))
    assert (tmp_path / "site" / "index.html").is_file()


# ------------------------------------------------------------------ names that collide elsewhere


def test_files_differing_only_by_case_are_reported(tmp_path: Path) -> None:
    root = write(
        tmp_path / "kb",
        {
            "Alpha claim.md": claim("one\n"),
            "alpha claim.md": claim("two\n"),
            "x.md": claim("[[Alpha claim]] [[alpha claim]]\n"),
        },
    )
    base = kb.load(root)
    collided = {d.path for d in base.diagnostics if d.rule == "name-collision"}
    assert collided == {"Alpha claim.md", "alpha claim.md"}


def test_nfc_and_nfd_spellings_are_one_title_and_reported(tmp_path: Path) -> None:
    nfc, nfd = "caf\u00e9 au lait", unicodedata.normalize("NFD", "caf\u00e9 au lait")
    assert nfc != nfd
    root = write(
        tmp_path / "kb",
        {
            f"{nfc}.md": claim("one\n"),
            f"{nfd}.md": claim("two\n"),
            "x.md": claim(f"[[{nfc}]]\n"),
        },
    )
    base = kb.load(root)
    assert len(base.notes) == 2 + 1
    titles = {note.title for path, note in base.notes.items() if path != "x.md"}
    assert titles == {nfc}, titles
    rules = {(d.path, d.rule) for d in base.diagnostics}
    assert (f"{nfc}.md", "name-collision") in rules and (
        f"{nfd}.md",
        "name-collision",
    ) in rules
    assert (f"{nfc}.md", "duplicate-title") in rules and (
        f"{nfd}.md",
        "duplicate-title",
    ) in rules


def test_link_written_in_nfd_resolves_to_the_nfc_file(tmp_path: Path) -> None:
    nfc = "\u00c5ngstr\u00f6m scale claims"
    nfd = unicodedata.normalize("NFD", nfc)
    root = write(
        tmp_path / "kb",
        {
            f"{nfc}.md": claim("target\n"),
            "x.md": claim(
                f"Relevant Notes:\n- [[{nfd}]] \u2014 written in NFD\n",
                extra=f'depends_on: ["{nfd}"]\n',
            ),
        },
    )
    base = kb.load(root)
    links = [r for r in base.links if r.origin == "x.md"]
    assert len(links) == 2 and all(
        r.resolution.status == "ok" and r.target_path == f"{nfc}.md" for r in links
    ), links
    assert not [
        d for d in base.diagnostics if d.rule in ("broken-link", "case-mismatch")
    ]
    out = tmp_path / "site"
    build_site(base, BuildOptions(out=out, search=False))
    page = out / unquote(SiteModel(base).urls["x.md"])
    assert 'class="wikilink"' in page.read_text(encoding="utf-8")
