"""`kb build`: render the knowledge base as a static site, read top to bottom as a list of stages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.build_options import (
    BuildOptions,
    BuildResult,
    Recording,
    Reporter,
    SilentReporter,
    tally_of,
)
from kb.build_state import BuildState, install, manifest_hash
from kb.diagnostic_store import DiagnosticStore
from kb.earlier_entries import EarlierEntries, earlier_entries
from kb.exports import atom_feed, graph_json, sitemap_xml
from kb.indexes import site_pages
from kb.memory import release_free_memory
from kb.model import KnowledgeBase
from kb.output import (
    check_output_folder,
    clean_leftovers,
    make_staging,
    swap_into_place,
)
from kb.pages import links_pages
from kb.render import copy_static
from kb.search_process import SearchIndexer, search_index
from kb.site_files import write_or_link, write_parts_or_link
from kb.site_model import SiteModel
from kb.templates_folder import page_stamp
from kb.writer import (
    PageFamily,
    WriteJob,
    read_manifest,
    save_manifest,
    write_all_pages,
)


def build_site(kb: KnowledgeBase, options: BuildOptions, reporter: Reporter | None = None, recording: Recording | None = None, diagnostics: DiagnosticStore | None = None) -> BuildResult:
    """Build into a staging folder beside --out, then swap it into place.

    `diagnostics`: the base's, when the caller has taken them out of `kb` (packed, they are not
    held whole by every page writer); by default `kb.diagnostics`.
    """
    reporter = reporter or SilentReporter()
    check_output_folder(options.out, kb.root)
    clean_leftovers(options.out)
    staging = make_staging(options.out)
    fresh = recording.folder.with_name(f"{recording.folder.name}.tmp-{os.getpid()}") if recording else None
    try:
        model, pages = _write_site(SiteModel(kb, store=diagnostics), staging, options, reporter, fresh, earlier_entries(recording, options.out))
        reporter.stage("replacing the site")
        swap_into_place(staging, options.out)
    except BaseException:
        for folder in filter(None, (staging, fresh)):  # the new site and state, never the previous ones
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if recording and fresh:
        reporter.stage("build state")
        _keep_state(recording, fresh, model, options.out)
    reporter.done()
    message = f"search index: {len(model.kb.notes)} pages" if options.search else "search index skipped"
    return BuildResult(options.out, pages, options.search, message)


def _write_site(model: SiteModel, staging: Path, options: BuildOptions, reporter: Reporter, records: Path | None, earlier: EarlierEntries | None) -> tuple[SiteModel, int]:
    """Every stage that writes into the staging folder; the site model and how many pages.

    `records`: where this build keeps its page records; `earlier`: the last build's search entries.
    """
    reporter.stage("convergence")
    release_free_memory()  # the heap loading freed (a sixth of it at 50k notes) would stay resident
    kb = model.kb
    model.convergence = _convergence(kb)
    reporter.stage("site model")
    model.prepare()
    with search_index(len(kb.notes), staging, options.out, options.search) as index:
        marks = write_pages(model, staging, options, reporter, index, records, earlier)
        reporter.stage("exports and static files")
        write_exports(model, staging, options, sorted(marks))
        copy_static(staging, options.templates)
        if index is not None:
            reporter.stage("search index")
            index.write()
    return model, len(marks)


def _keep_state(recording: Recording, fresh: Path, model: SiteModel, out: Path) -> None:
    """Install the state of the build just swapped in (its records are already in `fresh`)."""
    diagnostics = model.diagnostics.all()  # unpacked once, for the tally and the state
    state = BuildState(
        key=recording.key, stamps=recording.stamps, discovery=recording.discovery,
        notes=tuple(model.kb.notes), manifest_hash=manifest_hash(out), tally=tally_of(diagnostics),
    )  # fmt: skip
    install(fresh, recording.folder, state, diagnostics)


def _convergence(kb: KnowledgeBase) -> object | None:
    """Research-program convergence for the claim pages, when that module is available."""
    try:
        from kb.convergence import compute_convergence
    except ImportError:
        return None
    return compute_convergence(kb)


def site_wide_families(model: SiteModel) -> list[PageFamily]:
    """Every page that is not a note's own page, as families a worker writes whole (largest first)."""
    families: list[PageFamily] = []
    if model.convergence is not None:
        from kb.convergence_pages import convergence_pages

        families.append(convergence_pages)
    return families + [site_pages, links_pages]


def write_pages(model: SiteModel, out: Path, options: BuildOptions, reporter: Reporter, index: SearchIndexer | None = None, records: Path | None = None, earlier: EarlierEntries | None = None) -> dict[str, str]:
    """Render every page (in parallel; unchanged pages linked from the last build), streamed to disk.

    Note pages' search entries go to `index`; returns every page's fingerprint.
    """
    site = {"title": options.title, "url": options.site_url}
    job = WriteJob(out, options.out, read_manifest(options.out), options.templates, page_stamp(options.templates, model.kb.settings), site, options.search, records, earlier=earlier)
    if records:
        records.mkdir(parents=True, exist_ok=True)
    marks: dict[str, str] = {}
    reporter.stage("rendering pages", len(model.kb.notes))
    for chunk in write_all_pages(model, job, site_wide_families(model), options.workers or os.cpu_count() or 1):
        marks.update((path, mark) for path, mark, _, _ in chunk)
        numbered = [entry for *_, entry in chunk if entry is not None]
        if index is not None and numbered:
            index.add([(number, doc) for number, doc in numbered if doc is not None])
        reporter.advance(len(numbered))
    save_manifest(out, options.out, marks)
    release_free_memory()  # what the page writers' results passed through
    return marks


def write_exports(model: SiteModel, out: Path, options: BuildOptions, pages: list[str]) -> None:
    """graph.json, sitemap.xml and feed.xml."""
    write_parts_or_link(out / "graph.json", options.out / "graph.json", graph_json(model))
    write_parts_or_link(out / "sitemap.xml", options.out / "sitemap.xml", sitemap_xml(model, pages, options.site_url))
    write_or_link(out / "feed.xml", options.out / "feed.xml", atom_feed(model, options.site_url, options.title))
