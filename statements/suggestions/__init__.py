"""Suggestion engine (issue #11): proposes statements in an article, following the codebook.

Pure Python (standard library and `re`), no Django, no I/O::

    from statements.suggestions import ActorInfo, Registry, suggest

    registry = Registry([ActorInfo(1, "Russia", "state", ("Moscow", "the Kremlin")), ...])
    for s in suggest(article_text, registry):
        print(s.as_dict())
"""

from .engine import ENGINE_VERSION, suggest
from .model import ActorInfo, SuggestedCondition, Suggestion
from .registry import Registry

__all__ = ["ENGINE_VERSION", "ActorInfo", "Registry", "SuggestedCondition", "Suggestion", "suggest"]
