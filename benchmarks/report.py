"""Turn benchmark results into targets, a scaling fit, a machine description and Markdown."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from benchmarks.peers import peer_version

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"
LINEAR_TOLERANCE = 1.15  # exponents up to this count as "about linear"


@dataclass(frozen=True)
class Target:
    """One goal from the issue, evaluated at one corpus size."""

    name: str        # what is measured
    goal: str        # the goal as text
    size: int        # corpus size the goal is about (0: any / across sizes)
    measured: str    # the measured value as text ("not measured" when missing)
    status: str      # PASS, FAIL, PASS*/FAIL* (measured at another size), or n/a

    def as_dict(self) -> dict:
        """Return the target as a JSON-ready dict."""
        return dict(vars(self))


# -- machine ---------------------------------------------------------------------------

def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ram_gib() -> float:
    """Return the total RAM in GiB from /proc/meminfo (0 when unknown)."""
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    except OSError:
        return 0.0
    return round(int(match.group(1)) / 2**20, 1) if match else 0.0


def git_commit() -> str:
    """Return ``git rev-parse --short HEAD``, marked ``+dirty`` when the tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}+dirty" if head and dirty else head or "unknown"


def machine() -> dict:
    """Describe the machine and the tool versions the numbers belong to."""
    try:
        kb_version = metadata.version("kb")
    except metadata.PackageNotFoundError:
        kb_version = "unknown"
    return {
        "cpu": cpu_model(), "cores": os.cpu_count() or 0, "ram_gib": ram_gib(),
        "os": platform.platform(), "python": platform.python_version(),
        "kb_version": kb_version, "kb_commit": git_commit(),
        "hugo": peer_version("hugo"), "mkdocs": peer_version("mkdocs"),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# -- scaling ---------------------------------------------------------------------------

def scaling_exponent(points: list[tuple[int, float]]) -> float | None:
    """Return the least-squares slope of log(time) against log(claims), or None under 2 sizes."""
    usable = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len({x for x, _ in usable}) < 2:
        return None
    mean_x = sum(x for x, _ in usable) / len(usable)
    mean_y = sum(y for _, y in usable) / len(usable)
    num = sum((x - mean_x) * (y - mean_y) for x, y in usable)
    den = sum((x - mean_x) ** 2 for x, _ in usable)
    return num / den


def scaling(sizes: dict[str, dict]) -> dict[str, dict]:
    """Fit the cost exponent of each kb command across the measured sizes."""
    fits = {}
    for command in ("check_cold", "check_warm", "build_cold", "build_incremental", "build_front_matter_edit"):
        points = [(int(n), r["kb"][command]["wall_s"]) for n, r in sizes.items()
                  if command in r.get("kb", {})]
        fits[command] = {"points": points, "exponent": scaling_exponent(points)}
    return fits


# -- targets ---------------------------------------------------------------------------

def _pick(sizes: dict[str, dict], wanted: int, needs: str) -> tuple[int, dict] | None:
    """Return the result at ``wanted`` claims, else at the nearest size that has ``needs``."""
    have = {int(n): r for n, r in sizes.items() if _lookup(r, needs) is not None}
    if not have:
        return None
    size = wanted if wanted in have else min(have, key=lambda n: (abs(math.log(n / wanted)), -n))
    return size, have[size]


def _lookup(result: dict, dotted: str):
    """Return ``result[a][b]...`` for ``"a.b..."``, or None when any step is missing."""
    value = result
    for key in dotted.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def _status(ok: bool, size: int, wanted: int) -> str:
    """Return PASS/FAIL, starred when measured at a size other than the target's."""
    word = "PASS" if ok else "FAIL"
    return word if size == wanted else word + "*"


def _target(sizes: dict, name: str, goal: str, wanted: int, needs: str, show, check) -> Target:
    """Evaluate one goal: ``show`` formats the value at ``needs``, ``check`` decides it."""
    picked = _pick(sizes, wanted, needs)
    if picked is None:
        return Target(name, goal, wanted, "not measured", "n/a")
    size, result = picked
    value = _lookup(result, needs)
    shown = show(value, result) + ("" if size == wanted else f" (at {size:,} claims)")
    return Target(name, goal, wanted, shown, _status(check(value, result), size, wanted))


def targets(sizes: dict[str, dict], fits: dict[str, dict]) -> list[Target]:
    """Evaluate every goal of the issue against the measured results (no timed assertions)."""
    rows = _speed_targets(sizes) + _site_targets(sizes)
    return rows + [_exponent_target(fits, c) for c in ("check_cold", "build_cold")]


def _speed_targets(s: dict[str, dict]) -> list[Target]:
    """Goals on wall time: peers' ratios, the incremental rebuild and kb check."""
    return [
        _target(s, "cold kb build vs Hugo", "≤ 0.5× Hugo's time", 10000, "ratios.kb_build_over_hugo",
                _show_hugo_ratio, lambda v, r: v <= 0.5),
        _target(s, "cold kb build vs MkDocs", "≥ 10× faster than MkDocs", 10000,
                "ratios.mkdocs_over_kb_build", lambda v, r: f"MkDocs takes {v:.1f}× kb's time",
                lambda v, r: v >= 10),
        _target(s, "rebuild after editing one claim's body", "≤ 0.5 s", 10000, "kb.build_incremental.wall_s",
                lambda v, r: f"{v:.2f} s", lambda v, r: v <= 0.5),
        _target(s, "rebuild after editing one claim's front matter", "≤ 0.5 s", 10000,
                "kb.build_front_matter_edit.wall_s", lambda v, r: f"{v:.2f} s", lambda v, r: v <= 0.5),
        _target(s, "kb check, cold", "≤ 3 s", 10000, "kb.check_cold.wall_s",
                lambda v, r: f"{v:.2f} s", lambda v, r: v <= 3),
        _target(s, "kb check, warm", "≤ 1 s", 10000, "kb.check_warm.wall_s",
                lambda v, r: f"{v:.2f} s", lambda v, r: v <= 1),
    ]


def _site_targets(s: dict[str, dict]) -> list[Target]:
    """Goals on memory, page churn and page weight."""
    return [
        _target(s, "body edit: only affected pages rewritten", "files rewritten = files changed",
                10000, "incremental.rewritten", lambda v, r: _show_rewrites(r["incremental"]),
                lambda v, r: v <= r["incremental"]["content_changed"]),
        _target(s, "front-matter edit: only affected pages rewritten", "files rewritten = files changed",
                10000, "front_matter_edit.rewritten", lambda v, r: _show_rewrites(r["front_matter_edit"]),
                lambda v, r: v <= r["front_matter_edit"]["content_changed"]),
        _target(s, "peak RSS of any kb command", "≤ 600 MB", 50000, "kb_peak_rss_mb",
                lambda v, r: f"{v:.0f} MB", lambda v, r: v <= 600),
        _target(s, "average claim page", "≤ 60 KB", 10000, "site.claim_page_avg_bytes",
                lambda v, r: f"{v / 1024:.1f} KB (max {r['site']['claim_page_max_bytes'] / 1024:.1f} KB)",
                lambda v, r: v <= 60 * 1024),
        _target(s, "graph/search data inlined in claim pages", "no", 10000, "site.graph_inlined_in_pages",
                lambda v, r: _show_inlined(r), lambda v, r: not v and not r["site"]["search_inlined_in_pages"]),
    ]


def _show_hugo_ratio(value: float, result: dict) -> str:
    """kb build ÷ Hugo in wall time, and in CPU time when both were measured."""
    cpu = result["ratios"].get("kb_build_cpu_over_hugo")
    return f"{value:.2f}×" + ("" if cpu is None else f" (CPU time {cpu:.1f}×)")


def _show_rewrites(churn: dict) -> str:
    """Describe a rebuild's file churn."""
    return f"{churn['rewritten']:,} rewritten, {churn['content_changed']:,} changed, of {churn['files_after']:,} files"


def _show_inlined(result: dict) -> str:
    """Describe whether graph or search data sit inside claim pages."""
    site = result["site"]
    graph = "graph inlined" if site["graph_inlined_in_pages"] else "graph not inlined"
    search = "search inlined" if site["search_inlined_in_pages"] else "search not inlined"
    return f"{graph}, {search} (graph.json {site['graph_json_bytes'] / 2**20:.1f} MB)"


def _exponent_target(fits: dict[str, dict], command: str) -> Target:
    """Evaluate the 'cost grows about linearly' goal for one command."""
    fit = fits.get(command, {})
    name = f"scaling exponent, kb {command.replace('_', ' ')}"
    if fit.get("exponent") is None:
        return Target(name, "≈ 1 (linear)", 0, "needs ≥ 2 sizes", "n/a")
    sizes = "→".join(f"{n // 1000}k" if n >= 1000 else str(n) for n, _ in fit["points"])
    return Target(name, "≈ 1 (linear)", 0, f"{fit['exponent']:.2f} ({sizes})",
                  "PASS" if fit["exponent"] <= LINEAR_TOLERANCE else "FAIL")


# -- Markdown --------------------------------------------------------------------------

def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    """Format a number, or an em dash when it is missing."""
    return "—" if value is None else pattern.format(value)


def machine_table(info: dict) -> str:
    """Render the machine description as a Markdown list."""
    return "\n".join([
        f"- CPU: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM ({info['os']})",
        f"- Python {info['python']}; kb {info['kb_version']} at commit `{info['kb_commit']}`",
        f"- Hugo: {info['hugo']}",
        f"- MkDocs: {info['mkdocs']}",
        f"- Date: {info['date']}",
        *([(f"- Builds ran in `{info['work']}` ({info['work_fs']}); creating an empty file there took "
            f"{info['new_file_us']:.0f} µs (every page a generator writes is a new file)")] if info.get("work") else []),
        *([f"- Writing to fresh memory took {info['fresh_memory_ms_per_gib']:.0f} ms per GiB (a page fault per 4 KiB; every "
           "process pays it for the memory it grows to)"] if info.get("fresh_memory_ms_per_gib") else []),
        *([f"- Starting Python (`python -c pass`, as the commands start it) took {info['python_start_ms']:.0f} ms, part of every "
           "kb and MkDocs time"] if info.get("python_start_ms") else []),
    ])


def targets_table(rows: list[Target]) -> str:
    """Render the targets as a Markdown table."""
    lines = ["| target | goal | claims | measured | result |", "|---|---|---|---|---|"]
    for row in rows:
        size = f"{row.size:,}" if row.size else "all"
        lines.append(f"| {row.name} | {row.goal} | {size} | {row.measured} | {row.status} |")
    return "\n".join(lines)


def commands_table(sizes: dict[str, dict]) -> str:
    """Render wall time, µs per claim and peak RSS of every measured command at every size."""
    lines = ["| claims | command | wall time (s) | µs per claim | CPU user + sys (s) | peak RSS (MB) | exit |",
             "|---|---|---|---|---|---|---|"]
    for n, result in sorted(sizes.items(), key=lambda item: int(item[0])):
        runs = [(f"kb {c.replace('_', ' ')}", m) for c, m in result.get("kb", {}).items()]
        runs += [(name, m) for name, m in result.get("peers", {}).items()]
        for label, m in runs:
            per = m["wall_s"] / int(n) * 1e6
            cpu = f"{m['user_s']:.1f} + {m['sys_s']:.1f}" if "user_s" in m else "—"
            lines.append(f"| {int(n):,} | {label} | {m['wall_s']:.2f} | {per:,.0f} | {cpu} | "
                         f"{_fmt(m.get('peak_rss_mb'), '{:.0f}')} | {m['returncode']} |")
    return "\n".join(lines)


def site_table(sizes: dict[str, dict]) -> str:
    """Render output size, pages, claim page weights and incremental churn per size."""
    lines = ["| claims | output (MB) | HTML pages | avg / max claim page (KB) | graph.json (MB) | "
             "rewritten / changed files: body edit, front-matter edit | kb build ÷ Hugo | MkDocs ÷ kb build |",
             "|---|---|---|---|---|---|---|---|"]
    for n, r in sorted(sizes.items(), key=lambda item: int(item[0])):
        site, ratios = r.get("site"), r.get("ratios", {})
        if not site:
            continue
        churn = ", ".join(f"{c['rewritten']:,} / {c['content_changed']:,}" if c else "—" for c in (r.get("incremental"), r.get("front_matter_edit")))
        lines.append(
            f"| {int(n):,} | {site['output_bytes'] / 2**20:.0f} | {site['html_pages']:,} | "
            f"{site['claim_page_avg_bytes'] / 1024:.1f} / {site['claim_page_max_bytes'] / 1024:.1f} | "
            f"{site['graph_json_bytes'] / 2**20:.1f} | {churn} | "
            f"{_fmt(ratios.get('kb_build_over_hugo'))} | {_fmt(ratios.get('mkdocs_over_kb_build'), '{:.1f}')} |")
    return "\n".join(lines)


def stages_table(sizes: dict[str, dict]) -> str:
    """Render the wall time of each stage of the cold `kb build` (from `--timings`) at every size."""
    timed = {int(n): r["timings"]["build"] for n, r in sizes.items() if (r.get("timings") or {}).get("build")}
    if not timed:
        return ""
    order = sorted(timed)
    stages = list(dict.fromkeys(name for n in order for name in timed[n]))
    lines = ["| stage | " + " | ".join(f"{n:,} claims (s)" for n in order) + " |", "|---|" + "---|" * len(order)]
    for stage in stages:
        lines.append(f"| {stage} | " + " | ".join(_fmt(timed[n].get(stage)) for n in order) + " |")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """Render the whole results section: machine, targets, commands and site tables."""
    rows = [Target(**t) for t in results["targets"]]
    parts = ["### Machine", machine_table(results["machine"]), "### Targets", targets_table(rows),
             "`*`: measured at another size than the goal names (that size was not run). "
             "Each figure is the median of repeated runs (see \"What is measured, and how\"), and each "
             "ratio pairs kb and a peer timed in the same benchmark run; nothing here is asserted on time.",
             "### Commands", commands_table(results["sizes"]),
             "### Site", site_table(results["sizes"])]
    stages = stages_table(results["sizes"])
    if stages:
        parts += ["### Stages of the cold build", "Wall time inside kb (`kb build --timings`), "
                  "without interpreter start-up.", stages]
    if results.get("failures"):
        parts += ["### Failures", "\n".join(f"- {f}" for f in results["failures"])]
    return "\n\n".join(parts) + "\n"


def write_readme(readme: Path, section: str) -> None:
    """Replace the text between the results markers of ``readme`` with ``section``."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{readme} lacks the {START} / {END} markers")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(f"{head}{START}\n{section}{END}{tail}", encoding="utf-8")
