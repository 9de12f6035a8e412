"""The link stage of a load: resolve every link, suggest for broken ones, run the link and graph rules.

(Resolving while the workers still parse, against the discovered paths, was tried: it saves
under 0.1 s at 10,000 notes, and the resolutions held beside the loader's shared strings raised
the peak memory at 50,000 notes by some 50 MB.)
"""

from __future__ import annotations

from typing import Iterable, Iterator

from kb import check
from kb.model import Diagnostic, Note, Resolution, ResolvedLink
from kb.resolve import Index, build_index, resolve_note_links
from kb.suggest import Suggester, suggest_stems
from kb.workers import Workers

TEXT = Resolution("text")  # a free-text challenged_by item
_new_tuple = tuple.__new__


def link_stage(notes: dict[str, Note], problems: list[Diagnostic], workers: Workers) -> tuple[ResolvedLink, ...]:
    """Resolve every link; add the link and graph rules' problems to `problems`.

    The suggestions for broken targets are made by a worker, when they run, while another
    finds near-duplicates and this process resolves the links and checks everything else. They
    are asked for before resolving, for every target that names no note as written, which takes
    in every broken one (a broken link's suggestion not made there would be made here).
    """
    index = build_index(notes)
    suggestions = workers.later(suggest_stems, index.by_stem, _unknown_stems(notes, index))  # one worker: each would build the same tables
    links = list(resolve_links(notes.values(), index))
    suggester = Suggester(index)
    problems += [d for r in links if r.resolution.status != "missing" and check.has_link_problems(r) for d in check.link_problems(r, notes, suggester)]
    problems += check.duplicate_titles(notes.values())
    problems += check.orphans(notes.values(), links)
    problems += check.name_collisions(notes)
    suggester.remember(suggestions())
    resolved = tuple(counter_evidence(links, suggester))
    del links  # a large base's list of links is not kept beside the tuple
    problems += [d for r in resolved if r.resolution.status == "missing" for d in check.link_problems(r, notes, suggester)]
    return resolved


def _unknown_stems(notes: dict[str, Note], index: Index) -> list[str]:
    """The last path parts of link targets that name no note as written (by name, or by path), sorted."""
    names, by_path = index.by_stem, index.by_path
    targets = {link.target for note in notes.values() for link in note.links}
    return sorted({stem for target in targets if (stem := target.rsplit("/", 1)[-1]) not in names or ("/" in target and target not in by_path)})


def resolve_links(notes: Iterable[Note], index: Index) -> Iterator[ResolvedLink]:
    """Resolve every link of every note.

    ResolvedLinks are built with tuple.__new__ (ResolvedLink._make minus a Python call per link).
    """
    memo: dict[str, dict[str, Resolution]] = {}
    for note in notes:
        origin = note.path
        for link, found in zip(note.links, resolve_note_links(index, [link.target for link in note.links], origin, memo)):
            yield _new_tuple(ResolvedLink, (origin, link, found))


def counter_evidence(links: Iterable[ResolvedLink], suggester: Suggester) -> Iterator[ResolvedLink]:
    """The links with each free-text challenged_by item (no title like it) resolved as text."""
    for item in links:
        if item.resolution.status == "missing" and check.is_counter_evidence(item.link, suggester):
            item = item._replace(resolution=TEXT)
        yield item
