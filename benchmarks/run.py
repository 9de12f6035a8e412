"""Benchmark kb against generated corpora and peer generators: ``python -m benchmarks.run``.

Usage::

    python -m benchmarks.run --sizes 1000,10000,50000 --write-readme
    python -m benchmarks.run --smoke --out /tmp/bench      # what CI runs: 1k claims, kb only

For each size it generates (or reuses) a corpus, then times whole commands as subprocesses:
``kb check`` cold and warm, ``kb build`` cold and after editing one claim (its body, then its
front matter), and the peers
(Hugo, MkDocs) on the same Markdown. It writes ``results-<timestamp>.json`` under ``--out``
and prints a Markdown table of the targets. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from benchmarks import report, site_metrics
from benchmarks.generate import generate_corpus
from benchmarks.measure import filesystem_of, fresh_memory_ms_per_gib, kb_command, median_run, new_file_us, python_start_ms, run_measured, timed_runs
from benchmarks.peers import PEERS, PeerBuilds, prepare_peer

DEFAULT_SIZES = "1000,10000,50000"
DEFAULT_OUT = Path(__file__).resolve().parent / "out"
README = Path(__file__).resolve().parent / "README.md"
CACHE_DIR = ".kb-cache"
REPEATS = 5  # the quick commands (warm check, rebuild after an edit) are timed this often: median reported
FRONT_MATTER_REPEATS = 3  # rebuilds after a front-matter edit (a full build with the last site to reuse)
COLD_REPEATS = 3  # the cold commands (kb check, kb build, the peers): median of 3 up to COLD_REPEATS_UP_TO claims
COLD_REPEATS_UP_TO = 10_000  # the size the speed targets name; above it each cold command runs once
MEMORY_FOLDER = "/dev/shm"  # tmpfs on Linux: the default place of the builds (default_work)
MEMORY_ROOM_BYTES = 8 * 2**30  # free space it needs: a 50k corpus with the sites of kb, Hugo and MkDocs
TIMING_LINE = re.compile(r"(?P<name>[A-Za-z][\w .\-/]*?)\s*[:=]?\s+(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|s)")


# -- corpus ----------------------------------------------------------------------------

def cached_corpus(out: Path, claims: int, seed: int) -> Path:
    """Return the cached corpus for ``claims``/``seed`` under ``out``, generating it once."""
    final = out / "corpora" / f"claims-{claims}-seed-{seed}"
    if final.exists():
        return final
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    generate_corpus(partial, claims, seed)
    partial.rename(final)  # only a complete corpus ever has the final name
    return final


def working_copy(corpus: Path, work: Path) -> Path:
    """Copy the cached corpus into a fresh working folder (the benchmark edits one claim)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return Path(shutil.copytree(corpus, work / "corpus", ignore=shutil.ignore_patterns(CACHE_DIR)))


def drop_cache(root: Path) -> None:
    """Delete kb's parse cache under ``root`` so the next run is cold."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)


# -- kb --------------------------------------------------------------------------------

def has_flag(subcommand: str, flag: str) -> bool:
    """Return True when ``kb SUBCOMMAND --help`` mentions ``flag``."""
    done = subprocess.run([*kb_command(), subcommand, "--help"], capture_output=True, text=True, timeout=120)
    return flag in done.stdout


def parse_timings(log: Path) -> dict[str, float]:
    """Return ``{stage: seconds}`` from lines like ``render: 1.2 s`` or ``parse 340 ms`` in a log."""
    stages: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = TIMING_LINE.fullmatch(line.strip().removeprefix("kb:").strip())
        if match:
            scale = 1e-3 if match["unit"] == "ms" else 1.0
            stages[match["name"].strip()] = float(match["value"]) * scale
    return stages


def kb_check(root: Path, logs: Path, name: str, timings: bool, timeout: float) -> dict:
    """Time ``kb check ROOT`` (exit 1 only means the corpus has errors, as it does on purpose)."""
    extra = ["--timings"] if timings else []
    measured = run_measured([*kb_command(), "check", str(root), *extra], logs / f"{name}.log",
                            cwd=root.parent, timeout=timeout).as_dict()
    measured["ok"] = measured["returncode"] in (0, 1)
    return measured


def kb_build(root: Path, site: Path, logs: Path, name: str, timings: bool, timeout: float) -> dict:
    """Time ``kb build ROOT --out SITE``."""
    extra = ["--timings"] if timings else []
    measured = run_measured([*kb_command(), "build", str(root), "--out", str(site), *extra],
                            logs / f"{name}.log", cwd=root.parent, timeout=timeout).as_dict()
    measured["ok"] = measured["returncode"] == 0
    return measured


def measure_incremental(root: Path, site: Path, logs: Path, timeout: float) -> tuple[dict, dict]:
    """Edit one mid-popularity claim, rebuild into the same site, and count the files that changed.

    The files are compared after the first edit; then the claim is edited and rebuilt again
    REPEATS - 1 times, and the median rebuild is reported.
    """
    claim, inbound = site_metrics.mid_popularity_claim(root)
    before = site_metrics.snapshot(site)
    original = site_metrics.append_sentence(claim)
    runs = [kb_build(root, site, logs, "build_incremental", False, timeout)]
    after = site_metrics.snapshot(site)
    for again in range(1, REPEATS):
        site_metrics.append_sentence(claim)
        runs.append(kb_build(root, site, logs, f"build_incremental_{again}", False, timeout))
    claim.write_bytes(original)  # the working corpus as generated again
    measured = median_run(runs)
    churn = site_metrics.compare(before, after)
    churn["edited_claim"] = str(claim.relative_to(root))
    churn["edited_claim_inbound_links"] = inbound
    churn["edit_visible"] = edit_visible(site, before, after)
    return measured, churn


def measure_front_matter_edit(root: Path, site: Path, logs: Path, timeout: float) -> tuple[dict, dict]:
    """Change the confidence of the claim measure_incremental edits, rebuild into the same site,
    and count the files that changed; then FRONT_MATTER_REPEATS - 1 more such edits and rebuilds.

    Unlike a sentence added to the body, this changes what other pages show of the claim: its
    badge in every list of the pages linking it, its domain page and the index of all claims.
    """
    claim, _ = site_metrics.mid_popularity_claim(root, front_matter=True)
    kb_build(root, site, logs, "build_before_front_matter_edit", False, timeout)  # untimed: the site of the claim as generated again
    before = site_metrics.snapshot(site)
    original, level = site_metrics.change_confidence(claim)
    runs = [kb_build(root, site, logs, "build_front_matter_edit", False, timeout)]
    after = site_metrics.snapshot(site)
    for again in range(1, FRONT_MATTER_REPEATS):
        site_metrics.change_confidence(claim)
        runs.append(kb_build(root, site, logs, f"build_front_matter_edit_{again}", False, timeout))
    claim.write_bytes(original)
    churn = site_metrics.compare(before, after) | {"edited_claim": str(claim.relative_to(root)), "confidence": level}
    churn["edit_visible"] = edit_visible(site, before, after, f"<h1>{html_text(unicodedata.normalize('NFC', claim.stem))}</h1>", f'<span class="badge badge-{level}"')
    return median_run(runs), churn


def edit_visible(site: Path, before: dict, after: dict, *texts: str) -> bool:
    """Return True when a changed output page carries all ``texts`` (by default the appended sentence)."""
    texts = texts or (site_metrics.EDIT_SENTENCE.strip(),)
    changed = [k for k in after if k.endswith(".html") and (k not in before or before[k].digest != after[k].digest)]
    return any(all(text in page for text in texts) for k in changed for page in [(site / k).read_text(encoding="utf-8", errors="replace")])


def html_text(text: str) -> str:
    """``text`` as kb's templates escape it (markupsafe's five characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def cold_repeats(claims: int) -> int:
    """How often each cold command is timed on a corpus of ``claims`` (its median is reported)."""
    return COLD_REPEATS if claims <= COLD_REPEATS_UP_TO else 1


def measure_kb(root: Path, site: Path, logs: Path, timeout: float, repeats: int, peers: Sequence[PeerBuilds] = ()) -> dict:
    """Run every kb measurement on one working corpus and return them with the site metrics.

    Each cold run starts without the parse cache and (a build) without the site; the warm
    check follows the last cold check, and the rebuild after an edit the last cold build.
    Each cold build is followed by one build of every peer: the builds a ratio compares run in
    rounds, close together, so that a machine growing slower or faster meanwhile moves both.
    """
    timing_flags = {cmd: has_flag(cmd, "--timings") for cmd in ("check", "build")}

    def check_cold(name: str) -> dict:
        drop_cache(root)
        return kb_check(root, logs, name, timing_flags["check"], timeout)

    def build_cold(name: str) -> dict:
        drop_cache(root)
        shutil.rmtree(site, ignore_errors=True)
        measured = kb_build(root, site, logs, name, timing_flags["build"], timeout)
        for peer in peers:
            peer.build()
        return measured

    runs = {"check_cold": timed_runs(repeats, "check_cold", check_cold)}
    runs["check_warm"] = timed_runs(REPEATS, "check_warm", lambda name: kb_check(root, logs, name, False, timeout))
    runs["build_cold"] = timed_runs(repeats, "build_cold", build_cold)
    result: dict = {"kb": runs, "timings": None}
    if any(timing_flags.values()):  # the stages of the median run
        result["timings"] = {cmd: parse_timings(Path(runs[f"{cmd}_cold"]["log"]))
                             for cmd, present in timing_flags.items() if present}
    if runs["build_cold"]["ok"]:
        result["site"] = site_metrics.site_metrics(site)
        runs["build_incremental"], result["incremental"] = measure_incremental(root, site, logs, timeout)
        runs["build_front_matter_edit"], result["front_matter_edit"] = measure_front_matter_edit(root, site, logs, timeout)
    return result


# -- one size --------------------------------------------------------------------------

def measure_size(claims: int, args: argparse.Namespace, failures: list[str]) -> dict:
    """Measure kb and the peers on one corpus size and return everything about it."""
    corpus = cached_corpus(args.out, claims, args.seed)
    work = args.work / f"claims-{claims}"
    logs = args.out / "logs" / args.stamp / f"claims-{claims}"
    result = {"claims": claims, "corpus": corpus_facts(corpus), "logs": str(logs)}
    try:  # the working copy and the sites go even when a measurement fails (in memory they hold RAM)
        result |= measure_tools(working_copy(corpus, work), work, logs, args, cold_repeats(claims))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result["per_claim_us"] = {name: m["wall_s"] / claims * 1e6
                              for name, m in {**result["kb"], **result.get("peers", {})}.items()}
    result["ratios"] = ratios(result)
    result["kb_peak_rss_mb"] = max((m["peak_rss_mb"] or 0) for m in result["kb"].values())
    failures += describe_failures(claims, result)
    return result


def measure_tools(root: Path, work: Path, logs: Path, args: argparse.Namespace, repeats: int) -> dict:
    """kb's measurements on the working corpus `root`, the peers' builds of the same Markdown among them."""
    peers = [prepare_peer(name, root, work, logs, args.timeout) for name in args.peers]  # from the corpus as generated
    result = measure_kb(root, work / "site", logs, args.timeout, repeats, peers)
    if peers:
        result["peers"] = {peer.name: peer.finish() for peer in peers}
    return result


def corpus_facts(corpus: Path) -> dict:
    """Return the corpus's file count and size."""
    files = list(corpus.rglob("*.md"))
    return {"path": str(corpus), "files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def ratios(result: dict) -> dict:
    """Return kb build ÷ Hugo and MkDocs ÷ kb build when both sides succeeded."""
    build, peers, out = result["kb"]["build_cold"], result.get("peers", {}), {}
    hugo, mkdocs = peers.get("hugo"), peers.get("mkdocs")
    if build["ok"] and hugo and hugo["ok"]:
        out["kb_build_over_hugo"] = build["wall_s"] / hugo["wall_s"]
        out["kb_build_cpu_over_hugo"] = cpu_s(build) / cpu_s(hugo) if cpu_s(hugo) else None
    if build["ok"] and mkdocs and mkdocs["ok"]:
        out["mkdocs_over_kb_build"] = mkdocs["wall_s"] / build["wall_s"]
    return out


def cpu_s(measured: dict) -> float:
    """User plus system CPU seconds of a measured command (0 in results from before they were kept)."""
    return measured.get("user_s", 0.0) + measured.get("sys_s", 0.0)


def describe_failures(claims: int, result: dict) -> list[str]:
    """Return one line per command that failed, pointing at its log."""
    runs = {**{f"kb {k}": v for k, v in result["kb"].items()}, **result.get("peers", {})}
    lines = [f"{claims:,} claims: {name} exited {m['returncode']} (log: {m['log']})"
             for name, m in runs.items() if not m["ok"]]
    inc, front = result.get("incremental"), result.get("front_matter_edit")
    if inc and not inc["edit_visible"]:
        lines.append(f"{claims:,} claims: the edited claim's new sentence is not in the rebuilt site")
    if front and not front["edit_visible"]:
        lines.append(f"{claims:,} claims: the edited claim's new confidence is not in the rebuilt site")
    return lines


# -- the run ---------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; ``--smoke`` means 1k claims and no peers unless asked."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help=f"claim counts, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="corpora, logs and results (default benchmarks/out)")
    parser.add_argument("--peers", default=None, help="comma-separated: hugo,mkdocs (default both; none with --smoke)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--smoke", action="store_true", help="1k claims, kb only, quick (CI)")
    parser.add_argument("--write-readme", action="store_true", help="put the tables into benchmarks/README.md")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per command (default 3600)")
    parser.add_argument("--keep", action="store_true", help="keep the working corpus and built sites")
    parser.add_argument("--work", type=Path, default=None,
                        help="where the working corpus is copied and the sites are built (default: in memory, see default_work)")
    args = parser.parse_args(argv)
    args.sizes = _int_list(args.sizes or ("1000" if args.smoke else DEFAULT_SIZES), parser)
    args.peers = _peer_list(args.peers if args.peers is not None else ("" if args.smoke else "hugo,mkdocs"), parser)
    args.out = args.out.resolve()
    args.stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    args.work = (args.work or default_work(args.out, args.stamp)).resolve()
    return args


def default_work(out: Path, stamp: str) -> Path:
    """A folder in memory (/dev/shm) when it has room for the largest run, else ``out/work``.

    On this benchmark's virtual disk, creating a file costs 20 to 800 µs depending on how many
    files were created and deleted nearby before, and every timed build creates and deletes
    thousands: the later a build ran, the more it paid. In memory a new file costs the same
    every time, so every build, kb's or a peer's, is timed on equal terms.
    """
    memory = Path(MEMORY_FOLDER)
    try:
        room = shutil.disk_usage(memory).free if memory.is_dir() and os.access(memory, os.W_OK) else 0
        room = min(room, os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))  # tmpfs's limit may exceed free memory
    except (OSError, ValueError):
        room = 0
    return memory / f"kb-benchmark-{stamp}" if room >= MEMORY_ROOM_BYTES else out / "work"


def _int_list(text: str, parser: argparse.ArgumentParser) -> list[int]:
    """Parse ``"1000,10000"`` into sorted unique positive integers."""
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--sizes: not a comma-separated list of integers: {text!r}")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes: give at least one positive claim count")
    return sizes


def _peer_list(text: str, parser: argparse.ArgumentParser) -> list[str]:
    """Parse ``"hugo,mkdocs"``, rejecting unknown peers."""
    peers = [p.strip().lower() for p in text.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        parser.error(f"--peers: unknown {', '.join(unknown)} (known: {', '.join(PEERS)})")
    return peers


def run(args: argparse.Namespace) -> dict:
    """Measure every size, then fit the scaling and evaluate the targets."""
    args.work.mkdir(parents=True, exist_ok=True)
    machine = report.machine() | {"work": str(args.work), "work_fs": filesystem_of(args.work),
                                  "new_file_us": new_file_us(args.work), "fresh_memory_ms_per_gib": fresh_memory_ms_per_gib(),
                                  "python_start_ms": python_start_ms()}
    results: dict = {"schema": 1, "timestamp": args.stamp, "machine": machine,
                     "config": {"sizes": args.sizes, "seed": args.seed, "peers": args.peers,
                                "smoke": args.smoke, "kb_command": kb_command()},
                     "sizes": {}, "failures": []}
    for claims in args.sizes:
        print(f"benchmark: {claims:,} claims ...", file=sys.stderr, flush=True)
        try:
            results["sizes"][str(claims)] = measure_size(claims, args, results["failures"])
        except Exception as error:  # one size failing must not lose the others
            results["failures"].append(f"{claims:,} claims: {type(error).__name__}: {error}")
    if not args.keep:
        with suppress(OSError):  # only when empty: a --work folder given may hold other things
            args.work.rmdir()
    results["scaling"] = report.scaling(results["sizes"])
    results["targets"] = [t.as_dict() for t in report.targets(results["sizes"], results["scaling"])]
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, write the JSON, print the Markdown (and update the README if asked)."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(args)
    path = args.out / f"results-{args.stamp}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    section = report.markdown(results)
    print(section)
    print(f"results: {path}", file=sys.stderr)
    if args.write_readme:
        report.write_readme(README, section)
    return 0 if results["sizes"] else 1


if __name__ == "__main__":
    sys.exit(main())
