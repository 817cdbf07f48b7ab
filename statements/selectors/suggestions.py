"""Reads for suggestions (#11): the actor registry as the engine takes it, and the suggestions an
analyst is offered on an article.

Suggestions are computed, not stored, until someone decides on them: the engine (pure,
statements/suggestions/) runs on the article's text and the actor registry, or the article's
`SuggestionSet` is used when a pre-annotation job left one that is still valid (same engine
version, same text, same registry). An analyst is offered those that overlap none of *their own*
statements and that *they* have not decided on yet. Nobody else's statements or decisions are
read, so the suggestions never reveal another analyst's work (blind annotation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from statements import permissions
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    Statement,
    SuggestionDecision,
    SuggestionSet,
    User,
)
from statements.permissions import AnyUser
from statements.suggestions import ENGINE_VERSION, ActorInfo, Registry, suggest

_REGISTRIES: dict[str, Registry] = {}


@dataclass(frozen=True)
class ActorRegistry:
    """The registry for the engine, the actors' names and kinds (for display), and a digest of
    every actor and alias (`key`): it changes whenever an actor or an alias does."""

    registry: Registry
    names: dict[int, str]
    key: str


def actor_registry() -> ActorRegistry:
    """Every actor with its aliases (two queries). The engine's index is built once per registry
    digest and kept in the process."""
    actors = list(Actor.objects.order_by("pk").values_list("pk", "name", "kind", "affiliation_id"))
    aliases = list(ActorAlias.objects.order_by("actor_id", "pk").values_list("actor_id", "name"))
    digest = hashlib.sha256(repr((actors, aliases)).encode()).hexdigest()
    registry = _REGISTRIES.get(digest)
    if registry is None:
        by_actor: dict[int, list[str]] = {}
        for actor_id, name in aliases:
            by_actor.setdefault(actor_id, []).append(name)
        registry = Registry(
            [
                ActorInfo(pk, name, kind, tuple(by_actor.get(pk, ())), affiliation)
                for pk, name, kind, affiliation in actors
            ]
        )
        if len(_REGISTRIES) >= 4:
            _REGISTRIES.pop(next(iter(_REGISTRIES)), None)
        _REGISTRIES[digest] = registry
    return ActorRegistry(registry=registry, names={pk: name for pk, name, _, _ in actors}, key=digest)


def suggestion_id(item: dict[str, Any]) -> str:
    """A suggestion's identity in the pages and the API: its span, "start-end"."""
    return f"{item['start']}-{item['end']}"


def _decorate(item: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    out = dict(item)
    out["id"] = suggestion_id(item)
    out["rule"] = item.get("kind", "")
    out["engine_version"] = ENGINE_VERSION
    out["speaker_name"] = names.get(item["speaker"]) if item.get("speaker") else None
    out["addressee_name"] = names.get(item["addressee"]) if item.get("addressee") else None
    return out


def computed_suggestions(article: Article, actors: ActorRegistry | None = None) -> list[dict[str, Any]]:
    """All the engine's suggestions for the article, as dicts (the engine's `as_dict()` plus `id`,
    `rule`, `engine_version`, `speaker_name`, `addressee_name`), from the article's valid
    `SuggestionSet` if there is one, else computed now. Queries: the registry (two) and the set."""
    actors = actors or actor_registry()
    cached = SuggestionSet.objects.filter(article_id=article.pk).first()
    if (
        cached is not None
        and cached.engine_version == ENGINE_VERSION
        and cached.text_sha256 == article.text_sha256
        and cached.registry_key == actors.key
    ):
        items = cached.items
    else:
        items = [s.as_dict() for s in suggest(article.text, actors.registry)]
    return [_decorate(item, actors.names) for item in items]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def offered_suggestions(
    article: Article, user: User, *, actors: ActorRegistry | None = None
) -> list[dict[str, Any]]:
    """The suggestions `user` is offered on `article`: the engine's, less those overlapping one of
    the user's own statements and those the user already accepted or rejected. Queries: the
    registry (two), the suggestion set, the user's spans, the user's decisions."""
    items = computed_suggestions(article, actors)
    if not items:
        return []
    own = list(
        Statement.objects.filter(article_id=article.pk, annotator_id=user.pk).values_list("start", "end")
    )
    decided = set(
        SuggestionDecision.objects.filter(article_id=article.pk, user_id=user.pk).values_list("start", "end")
    )
    return [
        item
        for item in items
        if (item["start"], item["end"]) not in decided and not _overlaps(item["start"], item["end"], own)
    ]


@dataclass
class RulePrecision:
    """What analysts did with one rule's suggestions: counts and shares of the decided ones."""

    rule: str
    accepted: int = 0
    changed: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.changed + self.rejected

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0

    @property
    def accepted_share(self) -> float:
        return self.share(self.accepted)

    @property
    def changed_share(self) -> float:
        return self.share(self.changed)

    @property
    def rejected_share(self) -> float:
        return self.share(self.rejected)

    @property
    def precision(self) -> float:
        """Accepted, changed or not, among the decided: the share the engine got (at least) right."""
        return self.share(self.accepted + self.changed)


def rule_precision(decisions: QuerySet[SuggestionDecision]) -> list[RulePrecision]:
    """Per-rule counts of decisions (one aggregate query over `decisions`, a queryset of
    SuggestionDecision already scoped to what the reader may see), most used rule first, with a
    total row last when there is more than one rule."""
    rows: dict[str, RulePrecision] = {}
    for row in decisions.order_by().values("rule", "decision").annotate(n=Count("id")):
        entry = rows.setdefault(row["rule"], RulePrecision(row["rule"]))
        setattr(entry, row["decision"], getattr(entry, row["decision"]) + row["n"])
    out = sorted(rows.values(), key=lambda r: (-r.total, r.rule))
    if len(out) > 1:
        total = RulePrecision("all rules")
        for r in out:
            total.accepted += r.accepted
            total.changed += r.changed
            total.rejected += r.rejected
        out.append(total)
    return out


def decision_rights(user: AnyUser, article: Article) -> dict[str, bool]:
    """What `user` may do with the suggestions on `article` (the suggestions bar asks): `decide`
    (accept, reject: annotators), `accept_all` (above a score: leads), `create_actor`."""
    return {
        "decide": permissions.can_annotate(user, article),
        "accept_all": permissions.is_lead(user, article),
        "create_actor": permissions.can_create_actor(user),
    }


def project_rule_precision(project_id: int) -> list[RulePrecision]:
    """The per-rule precision of the project's suggestions, over every analyst's decisions (the
    dashboard, for leads; one query). Counts only: no statement is shown."""
    return rule_precision(SuggestionDecision.objects.filter(article__project_id=project_id))
