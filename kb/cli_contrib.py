"""Contributor commands: `kb new`, `kb serve`, `kb fix`, `kb export`, `kb stats` (thin shells over the library)."""

from __future__ import annotations

import datetime
import signal
import sys
from pathlib import Path
from typing import Any

import click

from kb.cli import main, resolve_root, root_argument
from kb.config import CONFIDENCE


def _example(*lines: str) -> str:
    """A help epilog ending in examples (\\b keeps click from rewrapping them)."""
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)


def _load(root: Path | None) -> Any:
    """Locate the root and load the knowledge base (configuration errors exit 2)."""
    import kb

    chosen, settings = resolve_root(root)
    return kb.load(chosen, settings)


def _emit(data: bytes, output: Path | None) -> None:
    """Write bytes to a file, or to standard output."""
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"kb: wrote {output}", err=True)


@main.group("new", epilog=_example('kb new claim "markets aggregate dispersed knowledge" --domain mechanisms'))
def new_group() -> None:
    """Create a claim or a source note with valid front matter."""


@new_group.command("claim", epilog=_example('kb new claim "futarchy needs liquid markets" --domain internet-finance --confidence speculative'))
@click.argument("title")
@root_argument
@click.option("--domain", required=True, help="The claim's domain; the file goes where that domain's claims live.")
@click.option("--confidence", type=click.Choice(CONFIDENCE), default="experimental", show_default=True, help="How well supported the claim is.")
@click.option("--source", default="", help="Who proposed it and the evidence (a placeholder if omitted).")
def new_claim_command(title: str, root: Path | None, domain: str, confidence: str, source: str) -> None:
    """Write a new claim file named TITLE, refusing a title that is taken or unusable.

    Shows existing notes with similar titles before writing. Edit the description placeholder.
    """
    from kb.scaffold import Refusal, draft_claim

    chosen, _ = resolve_root(root)
    _write(chosen, draft_claim(_load(root), title, domain, confidence, source), Refusal)


@new_group.command("source", epilog=_example('kb new source https://arxiv.org/abs/2512.03048 --title "The Specification Trap" --author "Austin Spizzirri" --date 2025-11-01'))
@click.argument("url")
@root_argument
@click.option("--title", required=True, help="The source's title.")
@click.option("--author", required=True, help="Its author(s); the surname of the first names the file.")
@click.option("--date", "when", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Publication date, YYYY-MM-DD.")
@click.option("--domain", default="", help="Domain the source bears on.")
@click.option("--format", "kind", default="", help="essay, paper, thread, ...")
def new_source_command(url: str, root: Path | None, title: str, author: str, when: datetime.datetime, domain: str, kind: str) -> None:
    """Archive a source at URL as an unprocessed note under inbox/archive/."""
    from kb.scaffold import Refusal, draft_source

    chosen, _ = resolve_root(root)
    _write(chosen, draft_source(_load(root), url, title, author, when.date(), domain, kind), Refusal)


def _write(root: Path, result: Any, refusal: type) -> None:
    """Show similar notes, then write the draft or explain the refusal (exit 1)."""
    from kb.scaffold import write_draft

    for path in result.similar:
        click.echo(f"kb: similar existing note: {path}", err=True)
    if isinstance(result, refusal):
        click.echo(f"kb: not written: {result.message}", err=True)
        sys.exit(1)
    try:
        target = write_draft(root, result)
    except FileExistsError:
        click.echo(f"kb: not written: {result.path} already exists", err=True)
        sys.exit(1)
    click.echo(target)


@main.command("serve", epilog=_example("kb serve claims/ --port 8000"))
@root_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-search", is_flag=True, help="Skip the search index on every rebuild.")
def serve_command(root: Path | None, port: int, no_search: bool) -> None:
    """Serve the site on 127.0.0.1, rebuilding and reloading the browser on every change.

    The site is built into a temporary folder (never your site/); errors show in the page.
    """
    from kb.serve import start_server, stop_server, watch_and_rebuild

    chosen, settings = resolve_root(root)
    try:
        server = start_server(chosen, settings, port, not no_search)
    except OSError as error:
        click.echo(f"kb: cannot serve on port {port}: {error.strerror or error}", err=True)
        sys.exit(2)
    signal.signal(signal.SIGTERM, _interrupt)
    click.echo(f"kb: serving {chosen} at {server.url} (Ctrl-C to stop)", err=True)
    try:
        watch_and_rebuild(server, lambda state: click.echo(f"kb: rebuilt (build {state.number}{', failed' if state.error else ''}, {len(state.diagnostics)} error(s))", err=True))
    except KeyboardInterrupt:
        pass
    finally:
        stop_server(server)
        click.echo("kb: stopped", err=True)


def _interrupt(_signum: int, _frame: Any) -> None:
    """SIGTERM stops `kb serve` as Ctrl-C does."""
    raise KeyboardInterrupt


@main.command("fix", epilog=_example("kb fix claims/", "kb fix claims/ --write"))
@root_argument
@click.option("--write", is_flag=True, help="Apply the fixes instead of only showing them.")
def fix_command(root: Path | None, write: bool) -> None:
    """Fix links with exactly one right answer: letter case, and strong did-you-means.

    Prints a unified diff. Exit status: 0 nothing to fix (or fixes written), 1 fixes proposed
    but not written.
    """
    from kb.fix import apply_patches, plan_fixes, render_diff

    base = _load(root)
    patches = plan_fixes(base)
    click.echo(render_diff(patches), nl=False)
    count = sum(len(p.fixes) for p in patches)
    if not write:
        click.echo(f"kb: {count} fix(es) in {len(patches)} file(s)" + ("; run with --write to apply" if count else ""), err=True)
        sys.exit(1 if count else 0)
    written = apply_patches(base.root, patches)
    click.echo(f"kb: fixed {count} link(s) in {len(written)} file(s)", err=True)


@main.group("export", epilog=_example("kb export graph claims/ --format graphml -o kb.graphml"))
def export_group() -> None:
    """Export the graph or the claims for other tools."""


@export_group.command("graph", epilog=_example("kb export graph claims/ --format teleo -o graph-data.json"))
@root_argument
@click.option("--format", "fmt", type=click.Choice(["json", "graphml", "gexf", "teleo"]), default="json", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE instead of standard output.")
def export_graph_command(root: Path | None, fmt: str, output: Path | None) -> None:
    """Export the typed graph of notes: JSON, GraphML, GEXF or teleo GraphData."""
    from kb.export import export_graph

    _emit(export_graph(_load(root), fmt), output)


@export_group.command("claims", epilog=_example("kb export claims claims/ -o claims.jsonl"))
@root_argument
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE instead of standard output.")
def export_claims_command(root: Path | None, fmt: str, output: Path | None) -> None:
    """Export claims as JSON lines: front matter, links and research programs, one claim a line."""
    from kb.export import export_claims

    _emit(export_claims(_load(root)), output)


@main.command("stats", epilog=_example("kb stats claims/ --format json"))
@root_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
def stats_command(root: Path | None, fmt: str) -> None:
    """Per-domain health: claims, broken links, missing fields, orphans, contested share."""
    from kb.stats import domain_stats, stats_json, stats_table

    rows = domain_stats(_load(root))
    click.echo(stats_json(rows) if fmt == "json" else stats_table(rows), nl=False)
