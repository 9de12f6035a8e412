"""`kb convergence` output: a ranked table for people, JSON for tools."""

from __future__ import annotations

import json

from kb.convergence import Convergence
from kb.model import KnowledgeBase


def convergence_json(kb: KnowledgeBase, found: Convergence, paths: list[str]) -> str:
    """{"claims": [{"path", "title", "programs": [{"key", "stance", "evidence": [{"kind", "text"}]}]}], "programs": [...]}."""
    claims = []
    for path in paths:
        view = found.claim_view(path)
        programs = [{"key": p["key"], "stance": p["stance"], "evidence": p["evidence"]} for p in view["programs"]]
        claims.append({"path": path, "title": kb.notes[path].title, "count": view["count"], "flags": [f["kind"] for f in view["flags"]], "programs": programs})
    chosen = set(paths)
    programs = [{"key": key, "claims": [p for p in claim_paths if p in chosen]} for key, claim_paths in found.programs.items()]
    payload = {"claims": claims, "programs": [p for p in programs if p["claims"]]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def convergence_table(kb: KnowledgeBase, found: Convergence, paths: list[str]) -> str:
    """Claims ranked by supporting programs: count, flags, title and program keys."""
    ranked = sorted(paths, key=lambda p: (-found.count(p), kb.notes[p].title))
    lines = []
    for path in ranked:
        view = found.claim_view(path)
        keys = ", ".join(f"{p['key']}{'' if p['stance'] == 'support' else ' (' + p['stance'] + ')'}" for p in view["programs"])
        flags = "".join(f" [{f['kind']}]" for f in view["flags"])
        lines.append(f"{view['count']:3d}  {kb.notes[path].title}{flags}\n     {keys or '-'}")
    lines.append(f"{len(ranked)} claim(s), {len(found.programs)} program(s)")
    return "\n".join(lines) + "\n"
