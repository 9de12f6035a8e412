"""kb.gfm renders exactly what cmarkgfm renders, without leaking memory on every call."""

from __future__ import annotations

import gc
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given
from hypothesis import strategies as st

from kb.gfm import gfm_to_html

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
GFM = (
    "# Title\n\n| a | b |\n|---|:-:|\n| 1 | **2** |\n\n- [ ] open task\n- [x] done task\n\n~~struck~~ www.example.org "
    "https://example.org/x?y=1 <script>alert(1)</script> <b>kept</b>\n\n```python\nprint('x')\n```\n\n> quote [link](http://a.b)\n"
)
PIECES = st.sampled_from(["# h\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "- [ ] t\n", "~~s~~", "www.x.org ", "<i>", "`c`", "\n", "*", "[", "](", ")", "é", "\t", "1. n\n", "> q\n", "```\n", " "])


def rss_mb() -> int:
    """This process's resident memory in MB (Linux)."""
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def test_same_html_as_cmarkgfm_on_every_bundled_note_and_every_gfm_feature() -> None:
    texts = [GFM] + [path.read_text(encoding="utf-8") for path in sorted(CLAIMS.rglob("*.md"))]
    for text in texts:
        for options in (0, Options.CMARK_OPT_UNSAFE):
            assert gfm_to_html(text, options) == cmarkgfm.github_flavored_markdown_to_html(text, options=options)


@given(st.lists(PIECES | st.text(max_size=20), max_size=40).map("".join))
def test_same_html_as_cmarkgfm_on_random_markdown(text: str) -> None:
    assert gfm_to_html(text, Options.CMARK_OPT_UNSAFE) == cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def test_rendering_many_times_does_not_grow_memory() -> None:
    body = GFM * 20  # ~6 KB: cmarkgfm itself loses tens of KB per call on such a body
    for _ in range(200):
        gfm_to_html(body)
    gc.collect()
    before = rss_mb()
    for _ in range(5_000):
        gfm_to_html(body)
    gc.collect()
    assert rss_mb() - before < 20, "5,000 renders must not keep their trees (cmarkgfm alone keeps >100 MB)"
