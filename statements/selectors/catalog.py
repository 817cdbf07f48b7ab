"""Reads for the pages, scoped to what a user may see, in a fixed number of queries.

Every function here that reads statements (or things hanging off them: conditions, counts)
filters them with `permissions.visible_statements_q(user)`, so the blind double annotation rule
holds on every page: a count, a condition or a highlight of a hidden statement never shows.
Writes are not here: they go through statements/services.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from statements import permissions
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    Condition,
    Project,
    Role,
    Stance,
    Statement,
    StatementQuerySet,
    User,
    read_by_id,
)
from statements.permissions import AnyUser


def visible_statements(user: AnyUser, project: int | None = None) -> StatementQuerySet:
    """The statements `user` may see: in their projects, blind double annotation applied;
    with `project`, in that one only."""
    qs = Statement.objects.filter(permissions.visible_statements_q(user))
    return qs if project is None else qs.filter(article__project_id=project)


def _statements_of_listed(user: AnyUser, project: int | None) -> StatementQuerySet:
    """What visible_statements() keeps of the statements of articles that are listed because
    the user may read them (of `project`, when given: then without the per-row project test)."""
    if project is None:
        return visible_statements(user)
    return Statement.objects.filter(permissions.visible_statements_in_project_q(user, project))


def visible_projects(user: AnyUser) -> QuerySet[Project]:
    """The projects `user` belongs to (administrators: all), by name."""
    return Project.objects.filter(permissions.visible_projects_q(user)).order_by("name", "id")


def writable_projects(user: AnyUser) -> list[Project]:
    """Open projects where `user` may add articles and statements (analyst, lead, admin)."""
    ids = permissions.project_ids_where(user, Role.ANALYST, Role.LEAD)
    qs = Project.objects.filter(archived=False).order_by("name", "id")
    return list(qs if ids is None else qs.filter(pk__in=ids))


def visible_articles(user: AnyUser, project: int | None = None) -> QuerySet[Article]:
    """The articles of the projects `user` belongs to (404 for everything else)."""
    qs = Article.objects.filter(permissions.visible_projects_q(user, "project_id"))
    return qs if project is None else qs.filter(project_id=project)


def visible_article(user: AnyUser, pk: int) -> Article | None:
    """visible_articles(user).filter(pk=pk).first(): one article by id, if `user` may read it
    (the same rule, asked of permissions.can_view for the article's project), in one
    hand-written query; a save on the annotate page reads its article this way."""
    article = read_by_id(Article, pk)
    return article if article is not None and permissions.can_view(user, article) else None


def _count_of(statements: QuerySet[Statement], group_by: str) -> Coalesce:
    """A correlated `COUNT(*)` of `statements` (already filtered on an OuterRef) as an annotation."""
    counted = statements.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --------------------------------------------------------------------------------------------
# Articles


def article_rows(
    user: AnyUser,
    *,
    project: int | None = None,
    q: str = "",
    source: str = "",
    actor_id: int | None = None,
) -> QuerySet[Article]:
    """Articles for the list page, newest first, with counts of the statements `user` may see:
    `n_statements`, `n_support`, `n_caveat`, `n_demand` and `n_mine` (their own).

    One query: the counts are correlated subqueries, evaluated only for the rows of the page
    (a GROUP BY over every statement would aggregate the whole corpus before the LIMIT). The
    body text is deferred: a list never needs half a megabyte per row.
    """
    visible = _statements_of_listed(user, project).filter(article=OuterRef("pk"))
    articles = visible_articles(user, project)
    qs = articles.only("id", "title", "source", "published", "dateline", "language", "project_id").annotate(
        n_statements=_count_of(visible, "article"),
        n_support=_count_of(visible.filter(stance=Stance.SUPPORT), "article"),
        n_caveat=_count_of(visible.filter(stance=Stance.CAVEAT), "article"),
        n_demand=_count_of(visible.filter(stance=Stance.DEMAND), "article"),
        n_mine=_count_of(visible.filter(annotator_id=user.pk), "article"),
    )
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__ucontains=q) | Q(text__ucontains=q))
    if source:
        qs = qs.filter(source=source)
    if actor_id is not None:
        qs = qs.filter(Exists(visible.filter(Q(speaker_id=actor_id) | Q(addressee_id=actor_id))))
    return qs.order_by("-published", "-id")


def article_sources(user: AnyUser, project: int | None = None) -> list[str]:
    """Every outlet named by an article the user may read, for the source filter (one query)."""
    articles = visible_articles(user, project).exclude(source="")
    return list(articles.order_by("source").values_list("source", flat=True).distinct())


def actor_choices() -> list[tuple[int, str]]:
    """(id, name) of every actor, by name, for filters and the affiliation select (one query)."""
    return list(Actor.objects.order_by("name").values_list("pk", "name"))


# --------------------------------------------------------------------------------------------
# The article (annotate) page


# --------------------------------------------------------------------------------------------
# Actors


def actor_rows(user: AnyUser, *, q: str = "", kind: str = "") -> QuerySet[Actor]:
    """Actors for the list page with their affiliation, aliases (prefetched) and the number of
    visible statements they speak in (`n_statements`): two queries."""
    spoken = visible_statements(user).filter(speaker=OuterRef("pk"))
    qs = Actor.objects.search(q).with_aliases().annotate(n_statements=_count_of(spoken, "speaker"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")


def actor_matches(q: str, *, limit: int = 8) -> tuple[list[Actor], bool]:
    """Actors whose name or an alias contains `q`, best first (exact, then prefix, then the
    rest), and whether one of them is called exactly `q`. For the speaker picker: two queries."""
    q = " ".join(q.split())
    if not q:
        return [], False
    exact_alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__uexact=q)
    prefix_alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__ustartswith=q)
    actors = list(
        Actor.objects.search(q)
        .with_aliases()
        .annotate(
            rank=Case(
                When(Q(name__uexact=q) | Q(Exists(exact_alias)), then=Value(0)),
                When(Q(name__ustartswith=q) | Q(Exists(prefix_alias)), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name")[:limit]
    )
    return list(actors), bool(actors) and actors[0].rank == 0


# --------------------------------------------------------------------------------------------
# Conditions


# Which copies of a unit's conditions the Conditions page counts (CONDITION_LAYERS[0] by default).
CONDITION_LAYERS = (
    ("units", "Each unit once"),  # gold where a lead adjudicated, else the analysts' statements
    ("gold", "Gold only"),
    ("all", "Every copy"),  # each analyst's and the gold version
)


def conditions_for(user: AnyUser, project: int | None = None, *, layer: str = "units") -> QuerySet[Condition]:
    """The conditions of the statements `user` may see (in `project`, when given), counted by
    `layer`: "units" counts a unit once (an adjudicated unit through its gold statement, not
    also through the analysts' copies it came from; a dismissed unit not at all), "gold" only
    gold statements, "all" every copy."""
    statements = visible_statements(user, project)
    if layer == "gold":
        statements = statements.filter(is_gold=True)
    elif layer != "all":
        statements = statements.exclude(pk__in=Statement.objects.unit_settled().values("pk"))
    return Condition.objects.filter(statement__in=statements.values("pk"))


def condition_rows(conditions: QuerySet[Condition]) -> QuerySet[Condition]:
    """Conditions with their statement, its speaker, addressee, annotator and article (without
    the article text) in one query, grouped by speaker (unknown speakers last), then newest
    article first and in text order."""
    return (
        conditions.select_related(
            "statement",
            "statement__speaker",
            "statement__speaker__affiliation",
            "statement__addressee",
            "statement__annotator",
            "statement__article",
        )
        .defer("statement__article__text")
        .order_by(
            F("statement__speaker__name").asc(nulls_last=True),
            "statement__speaker_id",
            "-statement__article__published",
            "statement__article_id",
            "statement__start",
            "statement_id",
            "position",
            "id",
        )
    )


def condition_speaker_counts(conditions: QuerySet[Condition]) -> list[dict[str, Any]]:
    """Per speaker: how many conditions, and how many on each stance (one aggregate query)."""
    return list(
        conditions.order_by()  # type: ignore[arg-type]
        .values("statement__speaker_id", "statement__speaker__name")
        .annotate(
            n=Count("pk"),
            n_support=Count("pk", filter=Q(statement__stance=Stance.SUPPORT)),
            n_caveat=Count("pk", filter=Q(statement__stance=Stance.CAVEAT)),
            n_demand=Count("pk", filter=Q(statement__stance=Stance.DEMAND)),
        )
        .order_by("-n", "statement__speaker__name")
    )


def actor_with_members(actor_id: int) -> set[int]:
    """`actor_id` and every actor affiliated with it, directly or through others (one query)."""
    children: dict[int, list[int]] = {}
    for pk, parent in Actor.objects.filter(affiliation__isnull=False).values_list("pk", "affiliation_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = {actor_id}, [actor_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def annotators(project: int | None = None, *, seen_by: AnyUser | None = None) -> QuerySet[User]:
    """Everyone who annotates in `project` (its analysts and leads, and administrators), or,
    without one, in any project `seen_by` belongs to, by name: the assignment candidates, the
    queue's annotator filter, the dashboard's progress table."""
    qs = User.objects.filter(permissions.annotators_q(project))
    if project is None and seen_by is not None:
        ids = permissions.member_project_ids(seen_by)
        if ids is not None:
            qs = qs.filter(memberships__project_id__in=ids)
    return qs.distinct().order_by("first_name", "last_name", "username")


def actor_by_name(name: str) -> Actor | None:
    """The actor whose name or alias equals `name` (any case, any script), if exactly one does."""
    name = " ".join(name.split())
    actor = Actor.objects.filter(name__uexact=name).first()
    if actor is not None:
        return actor
    ids = set(ActorAlias.objects.filter(name__uexact=name).values_list("actor_id", flat=True))
    return Actor.objects.get(pk=ids.pop()) if len(ids) == 1 else None


def visible_users(user: AnyUser) -> QuerySet[User]:
    """The people `user` may see: the members of the projects they belong to, and themselves
    (administrators: everyone). Each comes with `visible_memberships`, their memberships in those
    projects only (a prefetch: one more query when evaluated)."""
    from django.db.models import Prefetch

    from statements.models import Membership

    shown = Membership.objects.filter(permissions.visible_projects_q(user, "project_id"))
    users = User.objects.prefetch_related(
        Prefetch("memberships", queryset=shown.order_by("project_id"), to_attr="visible_memberships")
    )
    ids = permissions.member_project_ids(user)
    if ids is None:
        return users
    fellow_members = Membership.objects.filter(project_id__in=ids).values("user_id")
    return users.filter(Q(pk=user.pk if permissions.can_view(user) else None) | Q(pk__in=fellow_members))
