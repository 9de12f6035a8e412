"""`kb fix`: only one-answer fixes (case, strong did-you-mean), as a diff, --write, idempotent, byte-exact."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
FRONT = '---\ntype: claim\ndomain: d\ndescription: {d}\nconfidence: likely\nsource: "Tester (2025)"\ncreated: 2026-01-15\n{extra}---\n'
LONG = "markets aggregate dispersed knowledge better than any committee could because prices carry information"
CUT = LONG[:60]  # a title cut short, as at the file-name limit


def corpus() -> dict[str, bytes]:
    """Claims with case-mismatched, truncated and hyphenated links, one file in CRLF with a BOM."""
    windows = "\ufeff" + FRONT.format(d="saved on windows with a byte order mark", extra="") + "\n# w\n\nIt cites [[FUTARCHY is a market mechanism]] and [[c]].\n"
    return {
        "d/Futarchy is a market mechanism.md": (FRONT.format(d="futarchy decides by betting on outcomes", extra="") + f"\n# f\n\nSee [[{LONG}]] and [[w]].\n").encode(),
        f"d/{LONG}.md": (FRONT.format(d="prices summarise what many people know", extra="") + "\n# m\n\nBack to [[futarchy is a market mechanism|the mechanism]] and [[Futarchy Is A Market Mechanism#f]].\n").encode(),
        "d/c.md": (FRONT.format(d="a third claim with links of several kinds", extra=f"depends_on:\n  - {CUT}\n") + f"\n# c\n\n- [[{LONG.replace(' ', '-')}]] — hyphen spelling\n- [[no such thing at all]]\n- [[{CUT}]]\n").encode(),
        "d/w.md": windows.replace("\n", "\r\n").encode(),
        "d/untouched.md": (FRONT.format(d="a claim with nothing to fix in it", extra="") + "\n# u\n\n[[c]] and [[w|alias]].\r\n").encode(),
    }


def snapshot(root: Path) -> dict[str, bytes]:
    """Every content file's bytes under root (hidden folders, such as a parse cache, left out)."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if not any(part.startswith(".") for part in p.relative_to(root).parts)}


def test_fix_proposes_exactly_the_one_answer_fixes(run_kb: Any, write_corpus: Any, tmp_path: Path) -> None:
    root = write_corpus(tmp_path, corpus())
    before = snapshot(root)
    result = run_kb("fix", str(root))
    assert result.exit_code == 1
    removed = [line for line in result.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 5
    assert "+Back to [[Futarchy is a market mechanism|the mechanism]] and [[Futarchy is a market mechanism#f]]." in added
    assert f"+  - {LONG}" in added and f"+- [[{LONG}]] — hyphen spelling" in added and f"+- [[{LONG}]]" in added
    assert "+It cites [[Futarchy is a market mechanism]] and [[c]]." in added
    assert "no such thing at all" not in "".join(added + removed)
    assert snapshot(root) == before  # without --write nothing is written


def test_fix_write_applies_and_a_second_run_finds_nothing(run_kb: Any, write_corpus: Any, tmp_path: Path) -> None:
    root = write_corpus(tmp_path, corpus())
    before = snapshot(root)
    assert run_kb("fix", str(root), "--write").exit_code == 0
    after = snapshot(root)
    assert after["d/untouched.md"] == before["d/untouched.md"]
    assert after["d/Futarchy is a market mechanism.md"] == before["d/Futarchy is a market mechanism.md"]
    assert after["d/w.md"] == before["d/w.md"].replace(b"[[FUTARCHY is", b"[[Futarchy is")  # BOM and CRLF kept
    check = run_kb("check", str(root)).stdout
    assert "case-mismatch" not in check and check.count("broken-link") == 2  # the one diagnostic and the count row
    again = run_kb("fix", str(root))
    assert again.exit_code == 0 and again.stdout == ""
    assert snapshot(root) == after


def test_fix_leaves_a_clean_base_byte_identical(run_kb: Any, tmp_path: Path) -> None:
    root = Path(shutil.copytree(CLAIMS, tmp_path / "claims"))
    before = snapshot(root)
    result = run_kb("fix", str(root), "--write")
    assert result.exit_code == 0 and result.stdout == ""
    assert snapshot(root) == before
