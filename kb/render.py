"""Jinja2 environment over our templates (a user's templates folder overrides them file by file)."""

from __future__ import annotations

import operator
import os
import shutil
import time
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Macro
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from kb.cache import code_stamp
from kb.pages import Page
from kb.templates_folder import templates_dir

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'"
)


try:  # markupsafe 3: its C escaping, without the Markup built around it
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - markupsafe 2 escapes in C already
    _escape_inner = None
_new_str = str.__new__


def fast_escape(value: object, /) -> Markup:
    """markupsafe.escape, minus the Python-level Markup constructor (a template calls it some 130 times a page).

    Markup(text) of a plain str is str.__new__(Markup, text): the same string, built without
    `Markup.__new__`'s Python frame. That was a quarter of rendering a claim page's template.
    """
    if type(value) is str:
        return _new_str(Markup, _escape_inner(value))
    if hasattr(value, "__html__"):
        html = value.__html__()
        return html if type(html) is Markup else Markup(html)  # Markup() asks a non-str result for its own HTML too
    return _new_str(Markup, _escape_inner(str(value)))


escape = fast_escape if _escape_inner is not None else markupsafe_escape


class FastEscapeTemplate(jinja2.Template):
    """A template whose autoescaping calls `escape` above instead of markupsafe's."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any, uptodate: Any = None) -> jinja2.Template:
        """Jinja's from_code, then `escape` rebound in the compiled module's namespace (its functions' globals)."""
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape
        return template


class DictFirstEnvironment(jinja2.Environment):
    """`{{ item.url }}` on a plain dict looks up the key first; output is escaped by `escape` above.

    Jinja's default tries the attribute first and falls back to the key through an exception,
    and page contexts are dicts: this saves a raised AttributeError per lookup (hundreds a
    page). A dict key never shadows a method the templates call (`.items()`): keys are ours.
    """

    def getattr(self, obj: object, attribute: str) -> object:
        """The dict's value for `attribute` if it has one, else Jinja's usual lookup."""
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    template_class = FastEscapeTemplate


LINK_FIELDS = ("url", "title", "kind", "confidence")  # all a link to a note shows (kb.pages.item)
_link_fields = operator.itemgetter(*LINK_FIELDS)
Anchors = dict[tuple[object, ...], Markup]
ANCHORS_KEPT = 20_000  # anchors a page writer keeps (all of them: 25 MB a writer at 50k notes)


def linked(anchors: Anchors, macro: Macro, base: str, it: dict[str, Any]) -> Markup:
    """`macro(base, it)` for a link to a note, rendered once per macro, base and shown fields.

    A note is linked from many pages (hubs from thousands) at a few depths: the anchor's markup
    is the same each time, so it is made once per page writer instead of once per link. The
    memo starts afresh when full; the hubs it is for are back in it soon after.
    """
    key = (macro, base, _link_fields(it))
    anchor = anchors.get(key)
    if anchor is None:
        if len(anchors) >= ANCHORS_KEPT:
            anchors.clear()
        anchor = anchors[key] = macro(base, it)
    return anchor


def make_environment(user_templates: Path | None = None) -> jinja2.Environment:
    """Autoescaping, StrictUndefined environment; user templates first, ours second."""
    folders = [str(p) for p in (user_templates, templates_dir()) if p is not None and p.is_dir()]
    env = DictFirstEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # an environment serves one build: no stat of every template on every page
        bytecode_cache=_bytecode_cache(),
    )
    env.globals["csp"] = CSP
    env.filters["linked"] = partial(linked, {})
    return env


BYTECODE_PREFIX = "__kb_"  # our compiled templates' names in Jinja's cache folder: __kb_<code stamp>_<hash>.cache
BYTECODE_KEPT_SECONDS = 7 * 24 * 3600  # another kb version's compiled templates are removed after a week unused


def _bytecode_cache() -> jinja2.FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (Jinja's per-user temporary folder), per kb code.

    Compiling the templates takes longer than a quick rebuild's own work. Jinja checks each
    entry against its template's source; kb's code stamp in the name covers our settings.
    """
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"{BYTECODE_PREFIX}{code_stamp()}_%s.cache")
    except (OSError, RuntimeError):  # no safe temporary folder: compile every time
        return None


def prune_compiled_templates() -> None:
    """Remove templates other kb code compiled and has not written again for a week (a full build does this)."""
    cache, current = _bytecode_cache(), f"{BYTECODE_PREFIX}{code_stamp()}_"
    if cache is None:
        return
    cutoff = time.time() - BYTECODE_KEPT_SECONDS
    try:
        entries = [entry for entry in os.scandir(cache.directory) if entry.name.startswith(BYTECODE_PREFIX) and not entry.name.startswith(current)]
    except OSError:
        return
    for entry in entries:
        with suppress(OSError):  # another kb may be removing it too
            if entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)


def render_page(env: jinja2.Environment, page: Page, site: dict[str, object]) -> str:
    """Render one page with its context plus site-wide values."""
    return env.get_template(page.template).render(site=site, **page.context)


def write_rendered(env: jinja2.Environment, page: Page, site: dict[str, object], target: Path) -> None:
    """Render a page straight into a file, piece by piece, never holding the whole page."""
    with target.open("x", encoding="utf-8") as stream:  # a new file, as kb.site_files.write_text_file
        stream.writelines(env.get_template(page.template).generate(site=site, **page.context))


def copy_static(out: Path, user_templates: Path | None = None) -> None:
    """Copy our static assets, then the user's static folder over them."""
    for folder in (templates_dir() / "static", user_templates / "static" if user_templates else None):
        if folder is not None and folder.is_dir():
            shutil.copytree(folder, out / "static", dirs_exist_ok=True)
