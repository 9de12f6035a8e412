"""Time the near-duplicate rule alone: `python -m benchmarks.near_duplicates [ROOT ...]`.

Loads each knowledge base (parse cache allowed), then times `kb.near_duplicates.near_duplicates`
over its notes several times and prints the median, the per-claim cost and the pairs found.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kb.near_duplicates import near_duplicates
from kb.pipeline import load


def time_rule(root: Path, repeat: int) -> tuple[float, int, int]:
    """(median seconds, claims, diagnostics) of the rule over one base."""
    base = load(root)
    notes = list(base.notes.values())
    samples, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = len(list(near_duplicates(notes)))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(base.claims), found


def main() -> None:
    """Print one line per base."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("roots", nargs="*", default=["claims"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for root in args.roots:
        seconds, claims, found = time_rule(Path(root), args.repeat)
        print(f"{root}: {claims} claims, near-duplicate rule {seconds:.3f} s ({seconds / max(claims, 1) * 1e6:.0f} µs/claim), {found} diagnostics")


if __name__ == "__main__":
    main()
