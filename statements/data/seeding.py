"""Load the sample corpus in seeds/ (see seeds/README.md) through the services.

Idempotent: actors are matched by name, articles by the sha256 of their normalized text and
statements by (article, annotator, span, speaker, stance), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from statements import services
from statements.models import Actor, ActorAlias, Article, Membership, Project, Role, Statement, User

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"

# The seed files carry their metadata on the first line: " date 2025-03-14 MOSCOW: President …"
_HEADER = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s+(?P<dateline>[^:\n]{1,100}):\s*")


class SeedError(Exception):
    """The seed data is inconsistent (a quote not found, ambiguous, an unknown actor)."""


@dataclass
class SeedReport:
    actors_created: int = 0
    aliases_created: int = 0
    articles_created: int = 0
    statements_created: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (self.actors_created, self.aliases_created, self.articles_created, self.statements_created)
        )


def parse_article_file(raw: str) -> tuple[dt.date | None, str, str]:
    """Split a seed file into (published date, dateline, body text)."""
    match = _HEADER.match(raw)
    if not match:
        return None, "", raw.strip()
    return dt.date.fromisoformat(match["date"]), match["dateline"].strip(), raw[match.end() :].strip()


def locate(
    text: str, quote: str, *, within: tuple[int, int] | None = None, occurrence: int = 1
) -> tuple[int, int]:
    """Code-point offsets of the `occurrence`-th appearance of `quote` (inside `within` if given)."""
    lo, hi = within or (0, len(text))
    hits, pos = [], text.find(quote, lo, hi)
    while pos != -1:
        hits.append(pos)
        pos = text.find(quote, pos + 1, hi)
    if not hits:
        raise SeedError(f"Quote not found in the text: {quote!r}")
    if len(hits) > 1 and occurrence == 1 and within is None:
        raise SeedError(f"Quote appears {len(hits)} times; give an occurrence: {quote!r}")
    if occurrence > len(hits):
        raise SeedError(f"Quote appears {len(hits)} times, not {occurrence}: {quote!r}")
    start = hits[occurrence - 1]
    return start, start + len(quote)


def _actor(name: str | None, actors: dict[str, Actor]) -> Actor | None:
    if not name:
        return None
    try:
        return actors[name.casefold()]
    except KeyError:
        raise SeedError(f"Unknown actor {name!r}: add it to the actors list.") from None


SAMPLE_PROJECT = "Sample: ceasefire coverage"


def sample_project(spec: dict[str, Any]) -> Project:
    """The project the sample corpus loads into (made once, with the default guidelines)."""
    name = spec.get("name", SAMPLE_PROJECT)
    project = Project.objects.filter(name=name).first()
    if project is None:
        project = services.project_create(
            user=None,
            name=name,
            description=spec.get(
                "description", "A week of ceasefire coverage: the sample corpus, annotated by the codebook."
            ),
        )
    return project


@transaction.atomic
def load_seeds(seeds_dir: Path = SEEDS_DIR) -> SeedReport:
    data: dict[str, Any] = json.loads((seeds_dir / "corpus.json").read_text(encoding="utf-8"))
    report = SeedReport()

    project = sample_project(data.get("project", {}))
    spec = data["annotator"]
    annotator, created = User.objects.get_or_create(
        username=spec["username"],
        defaults={"first_name": spec.get("first_name", ""), "last_name": spec.get("last_name", "")},
    )
    if created:  # the seed annotator never signs in
        annotator.set_unusable_password()
        annotator.save(update_fields=["password"])
    Membership.objects.get_or_create(
        project=project, user=annotator, defaults={"role": spec.get("role", Role.ANALYST)}
    )

    actors: dict[str, Actor] = {}
    pending_affiliations: list[tuple[Actor, str]] = []
    for spec in data["actors"]:
        actor = Actor.objects.filter(name__uexact=spec["name"]).first()
        if actor is None:
            actor = services.actor_create(
                user=None,
                name=spec["name"],
                kind=spec.get("kind", "other"),
                aliases=spec.get("aliases", []),
                description=spec.get("description", ""),
            )
            report.actors_created += 1
            report.aliases_created += actor.aliases.count()
            if spec.get("affiliation"):
                pending_affiliations.append((actor, spec["affiliation"]))
        else:
            known = {a.casefold() for a in [actor.name, *actor.alias_names]}
            missing = [a for a in spec.get("aliases", []) if a.casefold() not in known]
            for alias in missing:
                ActorAlias.objects.create(actor=actor, name=alias)
            report.aliases_created += len(missing)
        actors[actor.name.casefold()] = actor
    for actor, affiliation in pending_affiliations:
        services.actor_update(actor=actor, user=None, affiliation=_actor(affiliation, actors))

    for spec in data["articles"]:
        raw = (seeds_dir / spec["file"]).read_text(encoding="utf-8")
        published, dateline, body = parse_article_file(raw)
        body = services.normalize_text(body)
        article = Article.objects.filter(project=project, text_sha256=services.text_sha256(body)).first()
        if article is None:
            article = services.article_create(
                user=None,
                project=project,
                title=spec["title"],
                text=body,
                source=spec.get("source", ""),
                url=spec.get("url", ""),
                published=published,
                dateline=dateline,
                language=spec.get("language", "en"),
            )
            report.articles_created += 1
        for st in spec.get("statements", []):
            start, end = locate(article.text, st["quote"], occurrence=st.get("occurrence", 1))
            speaker = _actor(st.get("speaker"), actors)
            exists = Statement.objects.filter(
                article=article,
                annotator=annotator,
                start=start,
                end=end,
                speaker=speaker,
                stance=st["stance"],
            ).exists()
            if exists:
                continue
            conditions = []
            for c in st.get("conditions", []):
                condition = {"description": c["description"]}
                if c.get("evidence"):
                    ev_start, ev_end = locate(article.text, c["evidence"], within=(start, end))
                    condition.update(
                        evidence_start=ev_start, evidence_end=ev_end, evidence_quote=c["evidence"]
                    )
                conditions.append(condition)
            services.statement_create(
                article=article,
                user=annotator,
                start=start,
                end=end,
                quote=st["quote"],
                stance=st["stance"],
                speaker=speaker,
                addressee=_actor(st.get("addressee"), actors),
                note=st.get("note", ""),
                conditions=conditions,
            )
            report.statements_created += 1
    return report
