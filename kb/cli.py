"""The `kb` command line: thin shells over the library (exit 0 clean, 1 problems, 2 usage/config)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import click

from kb import report
from kb.config import ConfigError, Settings, locate
from kb.model import Diagnostic, Severity
from kb.rules import find_rule

if TYPE_CHECKING:
    from kb.build_options import BuildResult, Tally


def root_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """The optional ROOT argument shared by every command that reads a knowledge base."""
    return click.argument("root", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))(func)


def _rules(value: str | None) -> frozenset[str]:
    """Parse a comma-separated list of rule names or codes into rule names."""
    names = set()
    for item in filter(None, (part.strip() for part in (value or "").split(","))):
        rule = find_rule(item)
        if rule is None:
            raise click.BadParameter(f"unknown rule `{item}` (see `kb rules`)")
        names.add(rule.name)
    return frozenset(names)


def check_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--strict, --select and --ignore, shared by check and build."""
    func = click.option("--ignore", metavar="RULES", help="Comma-separated rules (names or codes) to leave out.")(func)
    func = click.option("--select", metavar="RULES", help="Report only these comma-separated rules.")(func)
    return click.option("--strict", is_flag=True, help="Fail on warnings too.")(func)


def resolve_root(root: Path | None) -> tuple[Path, Settings]:
    """The root to work on and its settings; configuration errors exit with status 2."""
    try:
        return locate(root, Path.cwd())
    except ConfigError as error:
        click.echo(f"kb: configuration error: {error}", err=True)
        sys.exit(2)


def rule_filter(select: str | None, ignore: str | None) -> Callable[[str], bool]:
    """Whether a rule is reported under --select and --ignore."""
    chosen, dropped = _rules(select), _rules(ignore)
    return lambda rule: (not chosen or rule in chosen) and rule not in dropped


def filter_diagnostics(items: Sequence[Diagnostic], select: str | None, ignore: str | None) -> list[Diagnostic]:
    """Keep the selected rules and drop the ignored ones."""
    keep = rule_filter(select, ignore)
    return [d for d in items if keep(d.rule)]


def severity_counts(tally: Tally, keep: Callable[[str], bool]) -> Counter[Severity]:
    """How many diagnostics of each severity a tally holds for the rules kept."""
    counts: Counter[Severity] = Counter()
    for (rule, severity), count in tally.items():
        if keep(rule):
            counts[severity] += count
    return counts


def exit_code(severities: Iterable[Severity], strict: bool) -> int:
    """1 when there are errors (or warnings under --strict), else 0."""
    worst = max(severities, default=None)
    return 1 if worst is not None and worst >= (Severity.WARNING if strict else Severity.ERROR) else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kb")
def main() -> None:
    """Check and publish evidence-backed knowledge bases of claims.

    \b
    Example:
      kb check claims/
    """


@main.command("check", epilog="\b\nExample:\n  kb check claims/ --format github --ignore orphan")
@root_argument
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="text", show_default=True, help="Output format.")
@check_options
@click.option("--no-cache", is_flag=True, help="Parse every file again, ignoring ROOT/.kb-cache.")
def check_command(root: Path | None, fmt: str, strict: bool, select: str | None, ignore: str | None, no_cache: bool) -> None:
    """Report every schema and link problem with file:line:col.

    ROOT defaults to `[tool.kb] root` of ./pyproject.toml, else the current folder.
    Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or configuration error.
    """
    from kb.pipeline import check_diagnostics

    chosen, settings = resolve_root(root)
    items = filter_diagnostics(check_diagnostics(chosen, settings, use_cache=not no_cache), select, ignore)
    if fmt == "json":
        sys.stdout.writelines(report.as_json(items))
    elif fmt == "github":
        sys.stdout.writelines(report.as_github(items, chosen, Path.cwd()))
    else:
        sys.stdout.writelines(report.as_text(items))
    sys.exit(exit_code((d.severity for d in items), strict))


@main.command("rules", epilog="\b\nExample:\n  kb rules")
def rules_command() -> None:
    """List every rule: code, name, default severity and meaning."""
    from kb.rules import RULES

    for rule in RULES.values():
        click.echo(f"{rule.code}  {rule.name:28} {rule.severity.label:8} {rule.doc}")




class ConsoleReporter:
    """Build progress: a rich progress bar on a terminal, plain lines otherwise (CI, pipes)."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.progress: Any = None
        self.task: Any = None

    def stage(self, name: str, total: int = 0) -> None:
        """Start a stage: a line, or on a terminal a bar for a counted stage (rich is slow to import)."""
        if not self.live:
            click.echo(f"kb: {name}" + (f" ({total})" if total else ""), err=True)
            return
        if self.progress is not None and self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        if total:
            self.task = self._bar().add_task(name, total=total)

    def _bar(self) -> Any:
        """The progress display, started on first use."""
        from rich.progress import Progress

        if self.progress is None:
            self.progress = Progress(transient=True)
            self.progress.start()
        return self.progress

    def advance(self, count: int = 1) -> None:
        """Advance the current stage."""
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, count)

    def done(self) -> None:
        """Stop the bar."""
        if self.progress is not None:
            self.progress.stop()


def echo_build(result: BuildResult, counts: Counter[Severity], timings: list[str]) -> None:
    """What `kb build` wrote, the check summary, and the stages' timings when asked for."""
    if result.quick:
        click.echo(f"kb: {result.search_message} in {result.out}")
    else:
        click.echo(f"kb: wrote {result.pages} pages to {result.out} ({result.search_message})")
    click.echo(f"kb: check: {counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s); run `kb check` for details")
    if timings:
        click.echo("kb: timings (wall clock):\n" + "".join(f"  {line}\n" for line in timings), nl=False)


@main.command("build", epilog="\b\nExample:\n  kb build claims/ --out site/ && python -m http.server -d site")
@root_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder (default: site/ beside the root's config, else ./site).")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, help="Your templates folder; its files override ours one by one.")
@click.option("--site-url", default="", help="Absolute URL the site is served from (for sitemap and feed).")
@click.option("--title", default="Knowledge base", show_default=True, help="Site title.")
@click.option("--no-search", is_flag=True, help="Skip the search index.")
@click.option("--full", is_flag=True, help="Rebuild every page, even when only note bodies changed since the last build.")
@click.option("--timings", is_flag=True, help="Print the wall time of every stage.")
@check_options
def build_command(root: Path | None, out: Path | None, templates: Path | None, site_url: str, title: str, no_search: bool, full: bool, timings: bool, strict: bool, select: str | None, ignore: str | None) -> None:
    """Render the knowledge base as a static site (previous site kept if the build fails).

    After edits to note bodies only, rewrites just those notes' pages and search entries.
    Prints the check summary; fails only with --strict (or when the site cannot be written).
    """
    from kb.build_options import BuildOptions, TimingReporter
    from kb.output import OutputError
    from kb.quick_build import build

    chosen, settings = resolve_root(root)
    options = BuildOptions(out=(out or Path("site")).resolve(), templates=templates, site_url=site_url, title=title, search=not no_search)
    reporter = TimingReporter(ConsoleReporter())
    try:
        built = build(chosen, settings, options, reporter, full)
    except OutputError as error:
        click.echo(f"kb: {error}", err=True)
        sys.exit(2)
    counts = severity_counts(built.tally, rule_filter(select, ignore))
    echo_build(built.result, counts, reporter.lines() if timings else [])
    sys.exit(exit_code(+counts, strict) if strict else 0)


@main.command("convergence", epilog="\b\nExample:\n  kb convergence claims/ --min 3 --format json")
@root_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
@click.option("--min", "minimum", type=click.IntRange(min=0), default=0, help="Only claims supported by at least N programs.")
@click.option("--domain", default=None, help="Only claims of this domain.")
def convergence_command(root: Path | None, fmt: str, minimum: int, domain: str | None) -> None:
    """Show which independent research programs support or challenge each claim."""
    import kb
    from kb.convergence import compute_convergence
    from kb.convergence_report import convergence_json, convergence_table

    chosen, settings = resolve_root(root)
    base = kb.load(chosen, settings)
    found = compute_convergence(base)
    paths = [n.path for n in base.claims if found.count(n.path) >= minimum and (domain is None or n.meta.get("domain") == domain)]
    click.echo(convergence_json(base, found, paths) if fmt == "json" else convergence_table(base, found, paths), nl=False)

from kb import cli_contrib  # noqa: E402,F401  registers new, serve, fix, export, stats
