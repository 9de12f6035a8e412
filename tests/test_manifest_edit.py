"""Splicing new fingerprints into the page manifest gives exactly the text encoding it afresh would."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from kb.manifest_edit import with_marks
from kb.writer import manifest_text

PATHS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
MARKS = st.text("0123456789abcdef", min_size=32, max_size=32)


@given(st.dictionaries(PATHS, MARKS, min_size=1, max_size=60), st.data())
def test_new_marks_for_listed_pages_equal_a_fresh_encoding(old: dict[str, str], data: st.DataObject) -> None:
    changed = data.draw(st.lists(st.sampled_from(sorted(old)), unique=True, max_size=8))
    marks = {path: data.draw(MARKS) for path in changed}
    assert with_marks(manifest_text(old), marks) == manifest_text({**old, **marks})


@given(st.dictionaries(PATHS, MARKS, max_size=20), PATHS, MARKS)
def test_a_page_not_listed_yet_is_refused(old: dict[str, str], path: str, mark: str) -> None:
    text = manifest_text({key: value for key, value in old.items() if key != path})
    assert with_marks(text, {path: mark}) is None


def test_a_path_inside_another_paths_key_is_not_mistaken_for_it() -> None:
    old = {'x"a.html': "1" * 32, "a.html": "2" * 32, "b/a.html": "3" * 32}
    text = manifest_text(old)
    assert with_marks(text, {"a.html": "f" * 32}) == manifest_text({**old, "a.html": "f" * 32})
    assert json.loads(with_marks(text, {"a.html": "f" * 32}) or "")['x"a.html'] == "1" * 32
