"""Resource limits: pathological files finish in bounded time and memory, with a diagnostic, and
never stop the rest of the base from being checked and built.

Each case runs `kb.load` + `kb.build.build_site` (search index included, as `kb build` does) in a
fresh Python process, so its peak memory (ru_maxrss of the process and its children) is its own.
Bounds are generous on purpose: < 30 s and < 1 GiB peak each. Measurements are printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAX_SECONDS = 30.0
MAX_PEAK_BYTES = 1 << 30  # 1 GiB
FRONT = '---\ntype: claim\ndomain: limits\ndescription: {d}\nconfidence: likely\nsource: "T (2025)"\ncreated: 2026-01-15\n---\n'


def front(description: str = "a claim of the resource-limit tests") -> str:
    return FRONT.format(d=description)


def fifty_megabytes() -> str:
    paragraph = (
        "Prose with a [[normal claim]] link, **bold**, `code` and <em>html</em>. " * 20
        + "\n\n"
    )
    text = front("a fifty-megabyte claim") + "# huge claim\n\n"
    return text + paragraph * (50_000_000 // len(paragraph) + 1)


def hundred_thousand_links() -> str:
    lines = (
        f"- [[missing target number {i}]] — why it matters\n"
        if i % 2
        else f"- [[normal claim#Evidence|alias {i}]]\n"
        for i in range(100_000)
    )
    return (
        front("a claim with a hundred thousand links")
        + "Relevant Notes:\n"
        + "".join(lines)
    )


def alias_bomb() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return (
        "---\ntype: claim\n"
        + "\n".join(levels)
        + "\n---\n# alias bomb\n\nLinks [[normal claim]].\n"
    )  # 9^9 = 387M leaves


def deep_nesting() -> str:
    depth = 100_000
    return (
        "---\ntype: claim\nnested: "
        + "[" * depth
        + "]" * depth
        + "\n---\n"
        + "[" * depth
        + "x"
        + "]" * depth
        + "\n\n"
        + "[[" * depth
        + "\n"
    )


def deep_body_nesting() -> str:
    depth = 100_000
    return (
        front("brackets, quotes and lists nested a hundred thousand deep")
        + "[" * depth
        + "[[normal claim]]"
        + "]" * depth
        + "\n\n"
        + "> " * 5_000
        + "deep quote\n\n"
        + "- " * 5_000
        + "deep list\n"
    )


CASES: dict[str, tuple[str, Callable[[], str], set[str]]] = {
    # id: (file name, content, rules of which at least one must be reported on that file)
    "50MB file": ("huge claim.md", fifty_megabytes, {"unreadable-file"}),
    "100k links": ("many links.md", hundred_thousand_links, {"broken-link"}),
    "YAML alias bomb": ("alias bomb.md", alias_bomb, {"yaml-error"}),
    "100k-deep front matter": ("deep nesting.md", deep_nesting, {"yaml-error"}),
    "100k-deep body": (
        "deep body.md",
        deep_body_nesting,
        set(),
    ),  # legal Markdown: no rule applies; it must render
}

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import kb
from kb.build import BuildOptions, build_site
from kb.site_model import SiteModel
from urllib.parse import unquote
root, out, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
started = time.perf_counter()
base = kb.load(root)
loaded = time.perf_counter()
result = build_site(base, BuildOptions(out=out))
built = time.perf_counter()
urls = SiteModel(base).urls
peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({
    "load_s": loaded - started, "build_s": built - loaded, "peak_bytes": peak_kib * 1024,
    "rules": sorted({d.rule for d in base.diagnostics if d.path == name}),
    "normal_rules": sorted({d.rule for d in base.diagnostics if d.path == "normal claim.md"}),
    "notes": sorted(base.notes),
    "normal_page": (out / unquote(urls["normal claim.md"])).is_file() if "normal claim.md" in urls else False,
    "normal_links": {r.link.target: r.resolution.status for r in base.links if r.origin == "normal claim.md"},
    "search": result.search_indexed,
    "page_of_file": (out / unquote(urls[name])).is_file() if name in urls else False,
}))
"""


@pytest.mark.parametrize("case", list(CASES))
def test_pathological_file_is_bounded(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, make, expected_rules = CASES[case]
    root = tmp_path / "kb"
    root.mkdir()
    (root / name).write_text(make(), encoding="utf-8")
    stem = name[:-3]
    (root / "normal claim.md").write_text(
        front("an ordinary claim beside the pathological one")
        + f"# normal claim\n\n## Evidence\n\nIt links [[{stem}]] and [[no such note]].\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(tmp_path / "site"), name],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = found["load_s"] + found["build_s"]
    size = (root / name).stat().st_size
    with capsys.disabled():
        print(
            f"\n[limits] {case}: {size:,} bytes; load {found['load_s']:.2f} s + build {found['build_s']:.2f} s = {seconds:.2f} s; peak {found['peak_bytes'] / 2**20:,.0f} MiB; rules {found['rules']}"
        )
    # The rest of the base was checked and built.
    assert found["notes"] == sorted([name, "normal claim.md"])
    assert found["normal_page"], "the normal claim has no page"
    assert "broken-link" in found["normal_rules"], "the normal claim was not checked"
    assert found["normal_links"] == {stem: "ok", "no such note": "missing"}
    assert found["search"], "search index not built"
    # The pathological file gave a diagnostic (the deep body is legal Markdown: it must just render).
    if expected_rules:
        assert expected_rules & set(found["rules"]), found["rules"]
    else:
        assert found["page_of_file"], "the deeply nested note has no page"
    # Bounded time and memory.
    assert seconds < MAX_SECONDS, f"{case} took {seconds:.1f} s"
    assert found["peak_bytes"] < MAX_PEAK_BYTES, (
        f"{case} peaked at {found['peak_bytes'] / 2**20:,.0f} MiB"
    )
