"""kb: check and publish evidence-backed knowledge bases of claims linked by [[wiki links]]."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kb.model import KnowledgeBase


def load(root: Any, settings: Any = None) -> "KnowledgeBase":
    """Load, resolve and check the knowledge base under `root` (see kb.pipeline.load)."""
    from kb.pipeline import load as _load

    return _load(root, settings)
