"""What the suggestion tests share: a small registry and an article in wire style (invented)."""

from __future__ import annotations

from statements.models import Actor, ActorAlias, Article
from tests.factories import ArticleFactory

TEXT = (
    "LINDGRAD (Reuters) - Valdoria's foreign minister Anna Kovac on Tuesday "
    "urged Kestria to withdraw its ships.\n"
    "“We welcome the talks and support a ceasefire,” Kovac told reporters.\n"
    "“Kestria must pull back its fleet before any meeting,” she said.\n"
    "“Talks could resume only if the blockade ends,” said Marta Olsen, "
    "a spokeswoman for the Northern League.\n"
    "A senior official said the summit was “in principle” possible."
)
WELCOME = "We welcome the talks and support a ceasefire,"
MUST = "Kestria must pull back its fleet before any meeting,"
OLSEN = "Talks could resume only if the blockade ends,"


def registry() -> dict[str, Actor]:
    valdoria = Actor.objects.create(name="Valdoria", kind="state")
    ActorAlias.objects.create(actor=valdoria, name="Lindgrad")
    kovac = Actor.objects.create(name="Anna Kovac", kind="person", affiliation=valdoria)
    ActorAlias.objects.create(actor=kovac, name="Kovac")
    kestria = Actor.objects.create(name="Kestria", kind="state")
    ActorAlias.objects.create(actor=kestria, name="Sarn")
    return {"valdoria": valdoria, "kovac": kovac, "kestria": kestria}


def article(**kwargs: object) -> Article:
    return ArticleFactory(title="Kovac urges Kestria to pull back", text=TEXT, **kwargs)


def sid(quote: str) -> str:
    """The id of the suggestion over `quote` ("start-end")."""
    start = TEXT.index(quote)
    return f"{start}-{start + len(quote)}"
