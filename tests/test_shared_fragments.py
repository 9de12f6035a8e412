"""Work done once and reused across pages: link anchors, JSON batches, shared-claim lists."""

from __future__ import annotations

import json
from pathlib import Path

import markupsafe
import pytest
from markupsafe import Markup

import kb
from kb.convergence import compute_convergence
from kb.convergence_pages import matrixsite_page
from kb.exports import _json_items
from kb.render import escape, linked, make_environment
from kb.site_model import SiteModel

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
CLAIM = {"url": "claims/a.html", "title": "A <b>", "kind": "claim", "confidence": "likely", "domain": "x", "text": ""}
SOURCE = {"url": "sources/s.html", "title": "S", "kind": "source", "confidence": "", "domain": "x", "text": "why & how"}


def test_an_anchor_is_rendered_once_per_base_and_shown_fields() -> None:
    calls: list[str] = []

    def macro(base: str, it: dict[str, str]) -> Markup:
        calls.append(base + it["url"])
        return Markup(f"<a>{it['title']}</a>")

    anchors: dict = {}
    first = linked(anchors, macro, "../", CLAIM)
    assert linked(anchors, macro, "../", {**CLAIM, "text": "other text"}) is first
    assert calls == ["../claims/a.html"]
    assert linked(anchors, macro, "", CLAIM) is not first
    assert linked(anchors, macro, "../", {**CLAIM, "title": "renamed"}) == Markup("<a>renamed</a>")
    assert len(calls) == 3


def test_link_lists_and_note_links_keep_their_markup() -> None:
    env = make_environment()
    page = env.from_string('{% import "partials/macros.html" as m %}{{ m.link_list("../", items, "backlinks") }}|{{ m.note_link("../", items[0]) }}')
    html = page.render(items=[CLAIM, SOURCE])
    assert html == (
        '<ul class="links backlinks">\n'
        '<li><a href="../claims/a.html" class="kind-claim">A &lt;b&gt;</a> <span class="badge badge-likely">likely</span></li>\n'
        '<li><a href="../sources/s.html" class="kind-source">S</a> <span class="rel-text">— why &amp; how</span></li>\n'
        '</ul>|<a href="../claims/a.html" class="kind-claim">A &lt;b&gt;</a> <span class="badge badge-likely" title="">likely</span>'
    )
    assert page.render(items=[{**CLAIM, "title": "B"}]).count(">B</a>") == 2  # never a stale anchor


class Html:
    """An object with its own HTML, as Jinja's Markup-aware values have."""

    def __html__(self) -> str:
        return "<i>own</i>"


class Nested:
    """An object whose HTML is itself an object with HTML (markupsafe asks both)."""

    def __html__(self) -> Html:
        return Html()


@pytest.mark.parametrize("value", ["plain", "<script>alert('x') & \"q\"</script>", "", "tï“”", Markup("<b>kept</b>"), 42, None, 1.5, Html(), Nested(), ["<a>"]])
def test_templates_escape_exactly_as_markupsafe(value: object) -> None:
    expected = markupsafe.escape(value)
    assert escape(value) == expected and type(escape(value)) is Markup
    env = make_environment()
    page = env.from_string("{{ v }}|{% macro m(x) %}<p>{{ x }}</p>{% endmacro %}{{ m(v) }}")
    assert page.render(v=value) == f"{expected}|<p>{expected}</p>"
    assert page.root_render_func.__globals__["escape"] is escape


def test_every_loaded_template_escapes_with_ours(tmp_path: Path) -> None:
    """Templates from our folder, from Jinja's compiled-template cache, imported macros and a user's own file alike."""
    (tmp_path / "extra.html").write_text('{% import "partials/macros.html" as m %}{{ x }}{{ m.badge(x) }}', encoding="utf-8")
    for _ in range(2):  # the second environment reads what the first compiled from the bytecode cache
        env = make_environment(tmp_path)
        names = ("note.html", "claim.html", "partials/macros.html", "extra.html")
        assert all(env.get_template(name).root_render_func.__globals__["escape"] is escape for name in names)
        assert env.get_template("extra.html").render(x="<i>") == '&lt;i&gt;<span class="badge badge-&lt;i&gt;" title="">&lt;i&gt;</span>'


def test_json_batches_equal_item_by_item_json() -> None:
    items = [{"id": n, "title": f"tïtle “{n}”", "x": [n, None, 1.5]} for n in range(7)]
    expected = ",".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items)
    assert "".join(_json_items(items, batch=3)) == expected
    assert "".join(_json_items([], batch=3)) == ""


def test_programs_share_claims_in_the_order_of_the_base() -> None:
    base = kb.load(CLAIMS)
    found = compute_convergence(base)
    page = matrixsite_page(SiteModel(base, convergence=found), found)
    urls = SiteModel(base).urls
    assert page.context["pairs"]
    for pair in page.context["pairs"]:
        both = [urls[path] for path, claim in found.claims.items() if pair["a"] in claim.evidence and pair["b"] in claim.evidence]
        assert [c["url"] for c in pair["claims"]] == both
