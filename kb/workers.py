"""A process pool started on first need: one for the stages of a load (parsing, then the checks
that run beside the link stage), and one for the convergence stage's citation extraction."""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Self

if TYPE_CHECKING:  # imported when a pool starts: a warm check never needs it
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_MIN_FILES = 1_000  # below this, a process pool costs more than it saves (417 files: 0.64 s against 0.56 s; 1,350: 0.96 s against 1.14 s)


class Workers:
    """A process pool started on first need (so small or cached bases never pay for one)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def for_files(self, count: int) -> ProcessPoolExecutor | None:
        """The pool, started now if needed, when `count` files (or other items as costly: cited
        texts) are worth sharing among processes."""
        if count < PARALLEL_MIN_FILES or self.size() < 2:
            return None
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.size())
        return self._pool

    @staticmethod
    def size() -> int:
        """How many worker processes a pool has: one per CPU."""
        return os.cpu_count() or 1

    def later(self, function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        """`function(*args)` in a worker when the pool is running, else here and now; call for its result.

        The pool's processes were forked before the base was loaded, so work sent to them runs
        beside this process without copying the base, and its working memory is theirs.
        """
        if self._pool is None:
            result = function(*args)
            return lambda: result
        return self._pool.submit(function, *args).result

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=error is not None)
