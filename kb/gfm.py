"""GitHub Flavored Markdown to HTML with cmark-gfm (through cmarkgfm), without its memory leak.

cmarkgfm 2025.10's `github_flavored_markdown_to_html` frees neither the syntax tree it parses
nor the HTML buffer cmark-gfm returns: about 25 KB lost per note body, 1.2 GB over a 50k-claim
build, and without end in a long `kb serve`. This is the same call sequence, plus the two frees
(`cmark_node_free` from the same compiled library, and libc's `free`, which cmark-gfm's
default allocator uses), reached through ctypes because cmarkgfm's cffi module does not expose
them. Output is byte-identical (tests/test_gfm.py).
"""

from __future__ import annotations

import ctypes

from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options

EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")  # GitHub's set, as cmarkgfm uses it

_LIBRARY = ctypes.CDLL(_cmark.__file__)
_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_LIBRARY.cmark_node_free.restype = None
_FREE = ctypes.CDLL(None).free
_FREE.argtypes = [ctypes.c_void_p]
_FREE.restype = None


def gfm_to_html(text: str, options: int = 0) -> str:
    """`cmarkgfm.github_flavored_markdown_to_html(text, options)`, freeing what it leaves behind."""
    options |= Options.CMARK_OPT_GITHUB_PRE_LANG
    cmark.core_extensions_ensure_registered()
    parser = cmark.parser_new(options=options)
    try:
        for name in EXTENSIONS:
            cmark.parser_attach_syntax_extension(parser, cmark.find_syntax_extension(name))
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        raw = _cmark.lib.cmark_render_html(root, options, cmark.parser_get_syntax_extensions(parser))
        try:
            return _cmark.ffi.string(raw).decode("utf-8")
        finally:
            _FREE(_address(raw))
            _LIBRARY.cmark_node_free(_address(root))
    finally:
        cmark.parser_free(parser)


def _address(pointer: object) -> int:
    """A cffi pointer as the integer ctypes passes."""
    return int(_cmark.ffi.cast("uintptr_t", pointer))
