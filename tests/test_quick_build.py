"""Quick rebuilds: after body-only edits kb rewrites only those pages, and gets the same bytes as a full build."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import jinja2
import pytest

from kb.build import BuildOptions
from kb.cache import code_stamp
from kb.config import load_settings
from kb.quick_build import PENDING, Built, build

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "claims"
EDITED = "domains/ai-alignment/the specification trap means any values encoded at training time become structurally unstable as deployment contexts diverge from training conditions.md"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    """Every file's inode: a rewritten file gets a new one."""
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def run(root: Path, out: Path, **options: Any) -> Built:
    """`kb build ROOT --out OUT` through the library."""
    full = options.pop("full", False)
    return build(root.resolve(), load_settings(root.resolve()), BuildOptions(out=out.resolve(), **options), None, full)


def is_quick(built: Built) -> bool:
    return built.result.quick


@pytest.fixture()
def base(tmp_path: Path) -> Path:
    """A copy of claims/ built once into tmp_path/site."""
    root = tmp_path / "kb"
    shutil.copytree(CLAIMS, root)
    assert not is_quick(run(root, tmp_path / "site"))
    return root


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_body_edit_rebuilds_quickly_and_equals_a_full_build(base: Path, tmp_path: Path) -> None:
    append(base, EDITED, "\nA sentence naming quasicrystals and holography.\n")
    quick = run(base, tmp_path / "site")
    assert is_quick(quick) and quick.result.pages == 1
    run(base, tmp_path / "full", full=True)
    a, b = tree(tmp_path / "site"), tree(tmp_path / "full")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []
    assert b"quasicrystals" in a[next(p for p in a if p.startswith("claims/the-specification-trap-means"))]


def test_a_quick_rebuild_rewrites_only_the_page_its_search_terms_and_the_manifest(base: Path, tmp_path: Path) -> None:
    before = inodes(tmp_path / "site")
    append(base, EDITED, "\nQuasicrystals.\n")
    run(base, tmp_path / "site")
    after = inodes(tmp_path / "site")
    rewritten = sorted(p for p in after if before.get(p) != after[p])
    page = next(p for p in after if p.startswith("claims/the-specification-trap-means-any-values"))
    assert rewritten == sorted([".kb-manifest.json", page, f"search/terms-{'qu'.encode().hex()}.json"])
    assert not any(p.startswith(PENDING) for p in after)


def test_nothing_changed_writes_nothing(base: Path, tmp_path: Path) -> None:
    before = inodes(tmp_path / "site")
    path = base / EDITED
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # touched, same bytes
    built = run(base, tmp_path / "site")
    assert is_quick(built) and "0 file(s) rewritten" in built.result.search_message
    assert inodes(tmp_path / "site") == before
    full = run(base, tmp_path / "again", full=True)
    assert built.kept is None and full.kept is not None
    assert built.diagnostics() == full.diagnostics() and built.tally == full.tally
    assert sum(built.tally.values()) == len(full.diagnostics())


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda root: (root / EDITED).write_text((root / EDITED).read_text(encoding="utf-8").replace("confidence: likely", "confidence: proven", 1), encoding="utf-8"), id="front matter"),
        pytest.param(lambda root: append(root, EDITED, "\nSee also [[no such claim here]].\n"), id="new link"),
        pytest.param(lambda root: append(root, EDITED, "\n## A new heading\n"), id="new heading"),
        pytest.param(lambda root: (root / EDITED).write_bytes((root / EDITED).read_bytes() + b"\n\xff broken byte\n"), id="bad encoding"),
        pytest.param(lambda root: shutil.copy(root / EDITED, root / "domains/ai-alignment/a copied claim.md"), id="new file"),
        pytest.param(lambda root: (root / EDITED).unlink(), id="removed file"),
    ],
)
def test_any_other_edit_means_a_full_build_with_the_same_result(base: Path, tmp_path: Path, edit: Any) -> None:
    edit(base)
    built = run(base, tmp_path / "site")
    assert not is_quick(built)
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def test_an_edited_program_alias_table_means_a_full_build(base: Path, tmp_path: Path) -> None:
    aliases = base / "programs.yaml"
    aliases.write_text("zeng-2025:\n  - sorensen-2024\n", encoding="utf-8")  # merges two programs
    built = run(base, tmp_path / "site")
    assert not is_quick(built)
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def test_other_options_or_a_site_from_another_build_mean_a_full_build(base: Path, tmp_path: Path) -> None:
    append(base, EDITED, "\nQuasicrystals.\n")
    assert not is_quick(run(base, tmp_path / "site", title="Another title"))
    append(base, EDITED, "\nHolography.\n")
    (tmp_path / "site" / ".kb-manifest.json").write_text("{}", encoding="utf-8")  # as if another build wrote it
    assert not is_quick(run(base, tmp_path / "site"))
    append(base, EDITED, "\nMore holography.\n")
    assert is_quick(run(base, tmp_path / "site"))


def test_a_failing_quick_rebuild_leaves_the_site_untouched(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(tmp_path / "site")
    append(base, EDITED, "\nQuasicrystals.\n")

    def explode(*args: object, **kwargs: object) -> str:
        raise RuntimeError("template on fire")

    monkeypatch.setattr("kb.render.render_page", explode)
    with pytest.raises(RuntimeError, match="template on fire"):
        run(base, tmp_path / "site")
    assert tree(tmp_path / "site") == before
    monkeypatch.undo()
    assert is_quick(run(base, tmp_path / "site"))  # the edit is still pending, and is picked up


def test_an_edited_user_template_shows_in_the_next_build_despite_compiled_templates(base: Path, tmp_path: Path) -> None:
    ours = (ROOT / "templates" / "home.html").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    for words in ("first words of mine", "second words of mine"):
        (mine / "home.html").write_text(ours.replace("{% block main %}", "{% block main %}" + words, 1), encoding="utf-8")
        run(base, tmp_path / "themed", templates=mine)
        assert words in (tmp_path / "themed" / "index.html").read_text(encoding="utf-8")


def test_files_a_killed_quick_rebuild_left_pending_are_removed_by_the_next(base: Path, tmp_path: Path) -> None:
    (tmp_path / "site" / PENDING).mkdir()
    (tmp_path / "site" / PENDING / "0").write_text("half a page", encoding="utf-8")
    append(base, EDITED, "\nQuasicrystals.\n")
    assert is_quick(run(base, tmp_path / "site"))
    assert not (tmp_path / "site" / PENDING).exists()


def test_kb_build_reports_a_quick_rebuild_and_full_forces_one(base: Path, tmp_path: Path, run_kb_subprocess: Any) -> None:
    append(base, EDITED, "\nQuasicrystals.\n")
    quick = run_kb_subprocess("build", str(base), "--out", str(tmp_path / "site"))
    assert quick.returncode == 0, quick.stderr
    assert "quick rebuild: 1 changed note(s)" in quick.stdout
    full = run_kb_subprocess("build", str(base), "--out", str(tmp_path / "site"), "--full")
    assert "(search index: 28 pages)" in full.stdout and "quick rebuild" not in full.stdout


@pytest.mark.parametrize("flags", [(), ("--strict",), ("--ignore", "broken-link"), ("--select", "KB301,orphan", "--strict")])
def test_a_quick_rebuild_reports_the_same_check_summary_and_exit_status(base: Path, tmp_path: Path, run_kb_subprocess: Any, flags: tuple[str, ...]) -> None:
    append(base, EDITED, "\nSee [[a claim nobody wrote]].\n")
    (base / "domains/ai-alignment/an orphan claim.md").write_text("---\ntype: claim\n---\nAlone.\n", encoding="utf-8")
    command = ("build", str(base), "--out", str(tmp_path / "site"), *flags)
    full = run_kb_subprocess(*command)
    append(base, EDITED, "\nQuasicrystals.\n")
    quick = run_kb_subprocess(*command)
    assert "quick rebuild: 1 changed note(s)" in quick.stdout and "quick rebuild" not in full.stdout
    summary = [line for line in full.stdout.splitlines() if line.startswith("kb: check:")]
    assert summary and summary == [line for line in quick.stdout.splitlines() if line.startswith("kb: check:")]
    assert quick.returncode == full.returncode == (1 if "--strict" in flags else 0)
    checked = run_kb_subprocess("check", str(base), *flags).stdout.splitlines()[-1]  # "N error(s), M warning(s), K info"
    assert summary[0].startswith(f"kb: check: {checked.rsplit(', ', 1)[0]};")


def timings(stdout: str) -> dict[str, float]:
    """The `name: 1.23 s` lines printed after `kb: timings (wall clock):`."""
    lines = stdout.split("kb: timings (wall clock):\n", 1)[1].splitlines()
    return {name.strip(): float(value.removesuffix(" s")) for name, value in (line.rsplit(": ", 1) for line in lines)}


def test_kb_build_timings_name_every_stage_of_a_full_and_a_quick_build(base: Path, tmp_path: Path, run_kb_subprocess: Any) -> None:
    full = timings(run_kb_subprocess("build", str(base), "--out", str(tmp_path / "other"), "--timings").stdout)
    assert list(full) == ["finding files", "quick rebuild", "loading and checking", "convergence", "site model", "rendering pages", "exports and static files", "search index", "replacing the site", "build state", "total"]
    assert full["rendering pages"] > 0 and sum(full.values()) - full["total"] <= full["total"] + 0.01
    append(base, EDITED, "\nQuasicrystals.\n")
    quick = timings(run_kb_subprocess("build", str(base), "--out", str(tmp_path / "site"), "--timings").stdout)
    assert list(quick) == ["finding files", "quick rebuild", "total"]


def test_records_written_by_forked_workers_serve_a_quick_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb.writer.PARALLEL_MIN_PAGES", 0)  # fork page writers even for 28 notes
    root = tmp_path / "kb"
    shutil.copytree(CLAIMS, root)
    assert not is_quick(run(root, tmp_path / "site", workers=2))
    append(root, EDITED, "\nQuasicrystals.\n")
    assert is_quick(run(root, tmp_path / "site", workers=2))
    run(root, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def test_a_full_build_removes_week_old_templates_other_kb_code_compiled(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb import render

    cache = tmp_path / "jinja-cache"
    cache.mkdir()
    monkeypatch.setattr(render, "_bytecode_cache", lambda: jinja2.FileSystemBytecodeCache(str(cache), f"{render.BYTECODE_PREFIX}{code_stamp()}_%s.cache"))
    week_ago = time.time() - render.BYTECODE_KEPT_SECONDS - 60
    names = {"old_other": "__kb_0123abcd_x.cache", "new_other": "__kb_4567cdef_x.cache", "old_ours": f"__kb_{code_stamp()}_x.cache", "not_kb": "__jinja2_x.cache"}
    for label, name in names.items():
        (cache / name).write_bytes(b"compiled")
        if label != "new_other":
            os.utime(cache / name, (week_ago, week_ago))
    run(base, tmp_path / "other-site")
    assert sorted(p.name for p in cache.iterdir() if p.name in names.values()) == sorted(names[label] for label in ("new_other", "old_ours", "not_kb"))


def note_pages(files: dict[str, Any]) -> list[str]:
    """The notes' own pages among a site's files (the folders kb.urls gives them, less the claims index)."""
    return [p for p in files if p.startswith(("claims/", "sources/", "maps/", "notes/")) and p != "claims/index.html"]


def count_body_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every note whose body the page writers read again for its search entry."""
    import kb.writer

    reads: list[str] = []
    real = kb.writer.read_body
    monkeypatch.setattr(kb.writer, "read_body", lambda root, note, limit: (reads.append(note.path), real(root, note, limit))[1])
    return reads


def test_a_full_rebuild_reads_again_only_the_notes_whose_pages_change(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = inodes(tmp_path / "site")
    edit_front_matter(base)
    append(base, EDITED, "\nQuasicrystals, and [[no such claim here]].\n")
    reads = count_body_reads(monkeypatch)
    assert not is_quick(run(base, tmp_path / "site"))
    after = inodes(tmp_path / "site")
    rendered = [p for p in note_pages(after) if before.get(p) != after[p]]
    assert EDITED in reads and 0 < len(reads) == len(rendered) < len(note_pages(after))
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")
    assert b"quasicrystals" in tree(tmp_path / "site")[f"search/terms-{'qu'.encode().hex()}.json"]


def test_a_state_that_is_not_the_sites_lends_no_search_entries(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    change_state(base, tmp_path / "site", manifest_hash="another site's")  # as a killed build leaves it
    edit_front_matter(base)
    reads = count_body_reads(monkeypatch)
    assert not is_quick(run(base, tmp_path / "site"))
    assert len(reads) == len(set(reads)) == len(note_pages(inodes(tmp_path / "site")))
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def change_state(root: Path, site: Path, **changes: Any) -> None:
    """Rewrite fields of the last build's state of `root` into `site`."""
    from dataclasses import replace

    from kb.build_state import STATE, read_state, state_folder
    from kb.cache import write_pickle

    folder = state_folder(root.resolve(), site.resolve())
    assert write_pickle(folder / STATE, replace(read_state(folder), **changes))


def edit_front_matter(root: Path) -> None:
    """Raise the edited claim's confidence: its badge changes on every page listing it."""
    text = (root / EDITED).read_text(encoding="utf-8")
    assert "confidence: likely" in text
    (root / EDITED).write_text(text.replace("confidence: likely", "confidence: proven", 1), encoding="utf-8")


def test_forked_page_writers_take_the_last_builds_entries_and_equal_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb.writer.PARALLEL_MIN_PAGES", 0)  # fork page writers even for 28 notes
    root = tmp_path / "kb"
    shutil.copytree(CLAIMS, root)
    run(root, tmp_path / "site", workers=2)
    edit_front_matter(root)
    assert not is_quick(run(root, tmp_path / "site", workers=2))
    run(root, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def test_an_entry_is_lent_only_for_the_same_note_at_the_same_url(base: Path, tmp_path: Path) -> None:
    from kb.build_state import read_state, state_folder
    from kb.earlier_entries import EarlierEntries

    folder = state_folder(base.resolve(), (tmp_path / "site").resolve())
    earlier = EarlierEntries(folder, read_state(folder).notes)
    page = next(p for p in tree(tmp_path / "site") if p.startswith("claims/the-specification-trap-means-any-values"))
    doc = earlier.entry(EDITED, page)
    assert doc is not None and doc.url == page and "specification" in doc.title_words.split()
    assert earlier.entry(EDITED, "claims/another-page.html") is None
    assert earlier.entry("domains/ai-alignment/no such note.md", page) is None
    assert len(earlier.loaded) == 1


def test_a_state_of_other_inputs_lends_no_search_entries(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    change_state(base, tmp_path / "site", key="other settings, templates or kb code")
    edit_front_matter(base)
    reads = count_body_reads(monkeypatch)
    assert not is_quick(run(base, tmp_path / "site"))
    assert sorted(reads) == sorted(set(reads)) and len(reads) == len(note_pages(inodes(tmp_path / "site")))


def test_a_full_rebuild_after_a_quick_one_takes_the_entries_the_quick_one_made(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = "domains/collective-intelligence/value conflict between AI agents has three layers and only rights violations justify binding arbitration.md"  # its page shows nothing of EDITED
    append(base, other, "\nQuasicrystals and holography.\n")
    assert is_quick(run(base, tmp_path / "site"))
    edit_front_matter(base)  # another claim: a full build
    reads = count_body_reads(monkeypatch)
    assert not is_quick(run(base, tmp_path / "site"))
    assert other not in reads and EDITED in reads
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")
    assert b"holography" in tree(tmp_path / "site")[f"search/terms-{'ho'.encode().hex()}.json"]


def test_records_a_quick_rebuild_could_not_keep_vouch_for_no_site(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.quick_build

    monkeypatch.setattr(kb.quick_build, "write_records", lambda *args: False)  # as a full disk would
    append(base, EDITED, "\nQuasicrystals.\n")
    assert is_quick(run(base, tmp_path / "site"))
    monkeypatch.undo()
    append(base, EDITED, "\nHolography.\n")
    reads = count_body_reads(monkeypatch)
    assert not is_quick(run(base, tmp_path / "site"))  # the stale records are not trusted, for the page or its search entry
    assert len(reads) == len(note_pages(inodes(tmp_path / "site")))
    run(base, tmp_path / "full", full=True)
    assert tree(tmp_path / "site") == tree(tmp_path / "full")


def test_pages_are_stamped_with_the_settings_and_kbs_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    import kb.templates_folder
    from kb.config import Settings
    from kb.templates_folder import page_stamp

    settings = Settings()
    stamp = page_stamp(None, settings)
    assert page_stamp(None, settings) == stamp and page_stamp(None, replace(settings, max_file_bytes=10)) != stamp
    monkeypatch.setattr(kb.templates_folder, "code_stamp", lambda: "other kb code, same version")
    assert page_stamp(None, settings) != stamp
