"""Writes for suggestions (#11): accepting one (it becomes a real statement through
`statement_create`, with its provenance), rejecting one, a lead accepting all above a score, and
pre-annotating a project (its articles' suggestions computed ahead, as a background job).

A suggestion is named by its span (`"start-end"`, see selectors/suggestions.py) and looked up
among those the user is offered *now*, so a client can neither invent one nor accept one twice,
and the provenance (rule, score, engine version, whether it was changed) is the server's, not the
client's. Whether an accepted suggestion was changed is decided here, by comparing what is saved
with what was suggested (span, stance, speaker, addressee, conditions; a note is the analyst's own
and does not count).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from statements import permissions, services
from statements.models import (
    Actor,
    ActorKind,
    Article,
    Decision,
    EventAction,
    Job,
    Project,
    Statement,
    StatementEvent,
    SuggestionDecision,
    SuggestionSet,
    User,
)
from statements.selectors import suggestions as reads
from statements.services.jobs import Progress, job_start
from statements.suggestions import ENGINE_VERSION, suggest

EDITABLE = ("start", "end", "quote", "stance", "speaker", "addressee", "note", "conditions")
PREANNOTATE = "preannotate"  # the job kind (statements/tasks.py)
NOT_OFFERED = (
    "This suggestion is not offered any more: it was decided already, or it overlaps one of your statements."
)


def _find(offered: Sequence[dict[str, Any]], key: str) -> dict[str, Any]:
    if not isinstance(key, str) or not key:
        raise ValidationError({"suggestion": ["Name the suggestion (its id, “start-end”)."]})
    for item in offered:
        if item["id"] == key:
            return item
    raise ValidationError({"suggestion": [NOT_OFFERED]})


def _suggested_data(article: Article, item: Mapping[str, Any]) -> dict[str, Any]:
    """The suggestion as statement_create's keyword arguments."""
    conditions = []
    for c in item.get("conditions") or []:
        condition: dict[str, Any] = {"description": c["description"]}
        if c.get("start") is not None and c.get("end") is not None:
            condition.update(
                evidence_start=c["start"],
                evidence_end=c["end"],
                evidence_quote=article.text[c["start"] : c["end"]],
            )
        conditions.append(condition)
    return {
        "start": item["start"],
        "end": item["end"],
        "quote": item["quote"],
        "stance": item["stance"],
        "speaker": item.get("speaker"),
        "addressee": item.get("addressee"),
        "note": "",
        "conditions": conditions,
    }


def _actor_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, Actor):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not an id: statement_create says so


def _content(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """What counts as a change of a suggestion: span, stance, speaker, addressee, conditions."""
    conditions = tuple(
        (
            " ".join(str(c.get("description") or "").split()),
            c.get("evidence_start") if c.get("evidence_start") not in ("", None) else None,
            c.get("evidence_end") if c.get("evidence_end") not in ("", None) else None,
        )
        for c in data.get("conditions") or []
        if isinstance(c, Mapping)
    )
    return (
        data.get("start"),
        data.get("end"),
        data.get("stance"),
        _actor_id(data.get("speaker")),
        _actor_id(data.get("addressee")),
        conditions,
    )


def _new_speaker(item: Mapping[str, Any], user: User) -> Actor:
    """The actor for a suggested `new_speaker`: an existing one of that name, else a new one."""
    new = item.get("new_speaker") or {}
    name = " ".join(str(new.get("name") or "").split())
    existing = Actor.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    kind = str(new.get("kind") or "")
    if kind not in ActorKind.values:
        kind = ActorKind.OTHER
    try:
        return services.actor_create(user=user, name=name, kind=kind)
    except ValidationError as exc:
        raise ValidationError({"speaker": exc.messages}) from None


def _accept(
    *,
    article: Article,
    user: User,
    item: dict[str, Any],
    edits: Mapping[str, Any] | None,
    create_speaker: bool,
) -> Statement:
    suggested = _suggested_data(article, item)
    data = dict(suggested)
    if edits:
        unknown = sorted(set(edits) - set(EDITABLE))
        if unknown:
            raise ValidationError({"edits": [f"Not a statement field: {', '.join(unknown)}."]})
        data.update(edits)
    changed = _content(data) != _content(suggested)
    if create_speaker and item.get("new_speaker") and data.get("speaker") in (None, ""):
        data["speaker"] = _new_speaker(item, user)  # what the suggestion said: not a change
    statement = services.statement_create(article=article, user=user, **data)
    provenance = {
        "origin": "suggestion",
        "rule": item.get("rule", ""),
        "score": item.get("score"),
        "engine_version": item.get("engine_version", ENGINE_VERSION),
        "changed": changed,
    }
    SuggestionDecision.objects.create(
        article=article,
        user=user,
        statement=statement,
        decision=Decision.CHANGED if changed else Decision.ACCEPTED,
        rule=provenance["rule"],
        engine_version=provenance["engine_version"],
        score=float(item.get("score") or 0),
        start=item["start"],
        end=item["end"],
        quote=item["quote"],
        suggested={k: v for k, v in item.items() if k not in ("speaker_name", "addressee_name")},
    )
    # The history's "created" entry says that it was a suggestion (and which).
    event = StatementEvent.objects.get(statement=statement, action=EventAction.CREATED)
    event.after = {**(event.after or {}), "suggestion": provenance}
    event.save(update_fields=["after"])
    return statement


@transaction.atomic
def suggestion_accept(
    *,
    article: Article,
    user: User,
    suggestion: str,
    edits: Mapping[str, Any] | None = None,
    create_speaker: bool = False,
) -> Statement:
    """Accept the suggestion `suggestion` ("start-end") on `article`: it becomes the user's
    statement, with the suggested span, speaker, addressee, stance and conditions, overridden by
    `edits` (statement_create's fields). With `create_speaker`, a suggested `new_speaker` becomes
    an actor (or the existing one of that name) and the speaker. Records the decision (accepted
    unchanged or changed) and marks the history entry."""
    if not permissions.can_annotate(user, article):
        raise PermissionDenied("Viewers cannot annotate.")
    item = _find(reads.offered_suggestions(article, user), suggestion)
    return _accept(article=article, user=user, item=item, edits=edits, create_speaker=create_speaker)


@transaction.atomic
def suggestion_reject(*, article: Article, user: User, suggestion: str) -> SuggestionDecision:
    """Reject the suggestion: it is not offered to this user again, and it counts against its rule."""
    if not permissions.can_annotate(user, article):
        raise PermissionDenied("Viewers cannot annotate.")
    item = _find(reads.offered_suggestions(article, user), suggestion)
    return SuggestionDecision.objects.create(
        article=article,
        user=user,
        decision=Decision.REJECTED,
        rule=item.get("rule", ""),
        engine_version=item.get("engine_version", ENGINE_VERSION),
        score=float(item.get("score") or 0),
        start=item["start"],
        end=item["end"],
        quote=item["quote"],
        suggested={k: v for k, v in item.items() if k not in ("speaker_name", "addressee_name")},
    )


def _min_score(value: Any) -> float:
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"min_score": [f"“{value}” is not a score between 0 and 1."]}) from None
    if not 0 <= score <= 1:
        raise ValidationError({"min_score": [f"The score must be between 0 and 1, not {score:g}."]})
    return score


@transaction.atomic
def suggestions_accept_above(
    *, article: Article, user: User, min_score: Any, create_speakers: bool = False
) -> list[Statement]:
    """A lead accepts, as their own statements, every suggestion offered to them on `article`
    whose score is at least `min_score`, unchanged."""
    if not permissions.is_lead(user, article):
        raise PermissionDenied("Only a lead of the project accepts suggestions in bulk.")
    threshold = _min_score(min_score)
    offered = reads.offered_suggestions(article, user)
    return [
        _accept(article=article, user=user, item=item, edits=None, create_speaker=create_speakers)
        for item in offered
        if float(item.get("score") or 0) >= threshold
    ]


def suggestion_set_store(*, article: Article, actors: reads.ActorRegistry) -> SuggestionSet:
    """Compute and keep the article's suggestions for this engine version, text and registry."""
    items = [s.as_dict() for s in suggest(article.text, actors.registry)]
    suggestion_set, _ = SuggestionSet.objects.update_or_create(
        article=article,
        defaults={
            "engine_version": ENGINE_VERSION,
            "text_sha256": article.text_sha256,
            "registry_key": actors.key,
            "items": items,
        },
    )
    return suggestion_set


def preannotate_project(*, project: Project, progress: Progress | None = None) -> dict[str, Any]:
    """Pre-annotate a project: compute each article's suggestions and keep them (SuggestionSet),
    so the annotate page shows them without running the engine. One transaction per batch of
    articles, so a long run never holds one lock for the whole project."""
    actors = reads.actor_registry()
    ids = list(Article.objects.filter(project=project).order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    n_suggestions = 0
    by_rule: dict[str, int] = {}
    if progress is not None:
        progress(0, total=total, message="Computing suggestions")
    for offset in range(0, total, 100):
        with transaction.atomic():
            for article in Article.objects.filter(pk__in=ids[offset : offset + 100]).order_by("pk"):
                stored = suggestion_set_store(article=article, actors=actors)
                n_suggestions += len(stored.items)
                for item in stored.items:
                    by_rule[item.get("kind", "")] = by_rule.get(item.get("kind", ""), 0) + 1
        if progress is not None:
            done = min(offset + 100, total)
            progress(done, total=total, message=f"{done:,} of {total:,} articles")
    return {
        "project": project.slug,
        "articles": total,
        "suggestions": n_suggestions,
        "by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
        "engine_version": ENGINE_VERSION,
    }


def preannotate_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The background job `preannotate` (statements/tasks.py): pre-annotate the job's project."""
    if job.project is None:
        raise ValidationError("Name the project to pre-annotate.")
    return preannotate_project(project=job.project, progress=progress)


def preannotate_start(*, project: Project, user: User) -> Job:
    """A lead starts pre-annotating a project in the background."""
    if not permissions.is_lead(user, project):
        raise PermissionDenied("Only a lead of the project pre-annotates it.")
    return job_start(kind=PREANNOTATE, user=user, project=project)
