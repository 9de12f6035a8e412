"""`kb stats` on a hand-built corpus whose every number is known."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kb

FRONT = '---\ntype: claim\ndomain: {domain}\ndescription: a claim written for the statistics test\nconfidence: likely\nsource: "Tester (2025)"\ncreated: 2026-01-15\n{extra}---\n'

CORPUS = {
    # alpha: 3 claims; a1 -> a2, a2 -> a1; a3 is an orphan with a broken link and no `source`.
    "alpha/a1.md": FRONT.format(domain="alpha", extra="challenged_by:\n  - some free-text counter-evidence nobody wrote up\n") + "\n[[a2]]\n",
    "alpha/a2.md": FRONT.format(domain="alpha", extra="") + "\n[[a1]]\n\n### Additional Evidence (challenge)\n*Source: [[s1]] | Added: 2026-01-01*\ntext\n",
    "alpha/a3.md": FRONT.format(domain="alpha", extra="").replace('source: "Tester (2025)"\n', "") + "\n[[missing one]] and [[missing two]]\n",
    # beta: 2 claims; b2 challenges b1 through b1's challenged_by; b1 is linked from a map.
    "beta/b1.md": FRONT.format(domain="beta", extra="challenged_by:\n  - b2\n") + "\nbody\n",
    "beta/b2.md": FRONT.format(domain="beta", extra="").replace("confidence: likely\n", "") + "\n[[b1]]\n",
    "beta/_map.md": "---\ntype: map\n---\n- [[b1]]\n- [[b2]]\n",
    "s1.md": "---\ntype: source\ntitle: S1\n---\n[[a1]]\n",
}


def test_stats_json_numbers_match_the_corpus(run_kb: Any, write_corpus: Any, tmp_path: Path) -> None:
    root = write_corpus(tmp_path, CORPUS)
    data = json.loads(run_kb("stats", str(root), "--format", "json").stdout)
    rows = {row["domain"]: row for row in data["domains"]}
    assert rows["alpha"] == {"domain": "alpha", "claims": 3, "broken_links": 2, "missing_fields": 1, "orphans": 1, "contested": 2, "contested_share": 0.667}
    assert rows["beta"] == {"domain": "beta", "claims": 2, "broken_links": 0, "missing_fields": 1, "orphans": 0, "contested": 1, "contested_share": 0.5}
    assert data["total"] == {"domain": "(all)", "claims": 5, "broken_links": 2, "missing_fields": 2, "orphans": 1, "contested": 3, "contested_share": 0.6}


def test_stats_table_lists_domains_and_total(run_kb: Any, write_corpus: Any, tmp_path: Path) -> None:
    root = write_corpus(tmp_path, CORPUS)
    result = run_kb("stats", str(root))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["domain", "claims"]
    assert [line.split()[0] for line in lines if line and not line.startswith("-")][1:] == ["alpha", "beta", "(all)"]
    assert lines[-1].split() == ["(all)", "5", "2", "2", "1", "3", "60%"]


def test_one_count_of_challenges_for_stats_the_home_page_and_the_teleo_export(run_kb: Any, write_corpus: Any, tmp_path: Path) -> None:
    """A claim's challenges: each challenged_by item (a claim, prose counter-evidence, or a title that
    resolves nowhere) and each challenge evidence section. `kb stats`, the home page's most-contested
    list and the teleo export's `challenged` flag all count the same."""
    many = "challenged_by:\n  - b2\n  - prose counter-evidence that names no claim at all\n  - Missing Title\n"
    root = write_corpus(tmp_path, {**CORPUS, "beta/b1.md": FRONT.format(domain="beta", extra=many) + "\nbody\n\n### Additional Evidence (challenge)\nno source named\n"})
    base = kb.load(root)
    counts = {path: note.challenge_count() for path, note in base.notes.items() if note.kind == "claim"}
    assert counts == {"alpha/a1.md": 1, "alpha/a2.md": 1, "alpha/a3.md": 0, "beta/b1.md": 4, "beta/b2.md": 0}
    rows = {row["domain"]: row["contested"] for row in json.loads(run_kb("stats", str(root), "--format", "json").stdout)["domains"]}
    assert rows == {"alpha": 2, "beta": 1}
    run_kb("build", str(root), "--out", str(tmp_path / "site"))
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "4 challenge(s)" in home and home.count("1 challenge(s)") == 2
    teleo = json.loads(run_kb("export", "graph", str(root), "--format", "teleo").stdout)
    assert {node["id"] for node in teleo["nodes"] if node["challenged"]} == {path for path, count in counts.items() if count}
