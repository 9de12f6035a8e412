"""Long lists in a site-wide page's context, made while the page is written instead of held whole.

The convergence ranking of 50,000 claims held as one list of row dicts took 150 MB in the page
writer making it, on top of the base every writer inherits. A Rows value makes its rows afresh
each time it is iterated (once for the page's fingerprint, once more if the page is rendered),
so only one row at a time is alive. `marshalled` spells a context out as marshal would, with
each Rows written as the list of its rows: a fingerprint is the same as if the rows were a list.
"""

from __future__ import annotations

import marshal
from typing import Any, Callable, Iterator

MARSHAL_VERSION = 2  # no back-references: equal values give equal bytes, whatever objects they are made of


class Rows:
    """`count` rows that `make()` yields afresh on every iteration, in the same order each time."""

    __slots__ = ("count", "make")

    def __init__(self, count: int, make: Callable[[], Iterator[Any]]) -> None:
        self.count, self.make = count, make

    def __iter__(self) -> Iterator[Any]:
        return self.make()

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return repr(list(self))


def marshalled(value: Any) -> Iterator[bytes]:
    """`marshal.dumps(value, 2)` in pieces, a Rows written as the list of its rows.

    Containers marshal can write whole are written whole (in C); only those holding a Rows are
    spelled out here. Raises ValueError for values marshal cannot write, as marshal does.
    """
    if type(value) is Rows:
        yield b"[" + len(value).to_bytes(4, "little")
        for row in value:
            yield from marshalled(row)
        return
    try:
        yield marshal.dumps(value, MARSHAL_VERSION)
    except ValueError:
        if type(value) not in (dict, list, tuple):
            raise
        yield from _container(value)


def _container(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> Iterator[bytes]:
    """A dict, list or tuple holding a Rows somewhere, as marshal writes it (type, size or end mark)."""
    if type(value) is dict:
        yield b"{"
        for key, item in value.items():
            yield marshal.dumps(key, MARSHAL_VERSION)
            yield from marshalled(item)
        yield b"0"
        return
    yield (b"[" if type(value) is list else b"(") + len(value).to_bytes(4, "little")
    for item in value:
        yield from marshalled(item)
