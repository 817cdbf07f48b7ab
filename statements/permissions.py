"""Who may do what. The one place the pages, the API and the services ask.

Roles (User.role): analyst annotates and reviews other people's statements; lead also
adjudicates and manages actors, articles and users; viewer reads and exports only.
A superuser counts as a lead. An inactive or anonymous user may do nothing.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from statements.models import Actor, Article, ArticleAssignment, Role, Statement, User

type AnyUser = User | AnonymousUser


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def is_lead(user: AnyUser) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.LEAD)


def can_view(user: AnyUser) -> bool:
    """Every signed-in, active user reads articles, actors and (visible) statements."""
    return _active(user)


def can_annotate(user: AnyUser) -> bool:
    """Create statements, articles and actors: analysts and leads, not viewers."""
    return _active(user) and (user.is_superuser or user.role in (Role.ANALYST, Role.LEAD))


def annotators_q() -> Q:
    """A filter on users for those who annotate (the rule of `can_annotate`, for queries)."""
    return Q(is_active=True) & (Q(is_superuser=True) | Q(role__in=[Role.ANALYST, Role.LEAD]))


def can_create_article(user: AnyUser) -> bool:
    return can_annotate(user)


def can_edit_article(user: AnyUser, article: Article) -> bool:
    return is_lead(user) or (can_annotate(user) and article.created_by_id == user.pk)


def can_delete_article(user: AnyUser, article: Article) -> bool:
    return is_lead(user)


def can_create_actor(user: AnyUser) -> bool:
    return can_annotate(user)


def can_edit_actor(user: AnyUser, actor: Actor) -> bool:
    """Leads manage every actor; an analyst may fix the ones they created themselves."""
    return is_lead(user) or (can_annotate(user) and actor.created_by_id == user.pk)


def can_delete_actor(user: AnyUser, actor: Actor) -> bool:
    return is_lead(user)


def can_edit_statement(user: AnyUser, statement: Statement) -> bool:
    """The annotator edits and deletes their own statements; a lead may edit any."""
    if is_lead(user):
        return True
    return can_annotate(user) and statement.annotator_id == user.pk and not statement.is_gold


def can_review(user: AnyUser) -> bool:
    return can_annotate(user)


def can_review_statement(user: AnyUser, statement: Statement) -> bool:
    """Analysts and leads review other people's statements, never their own."""
    return can_review(user) and statement.annotator_id != user.pk


def can_comment(user: AnyUser, statement: Statement) -> bool:
    return can_annotate(user)


def can_adjudicate(user: AnyUser) -> bool:
    return is_lead(user)


def can_manage_assignments(user: AnyUser) -> bool:
    return is_lead(user)


def blind_article_ids(user: AnyUser) -> QuerySet[ArticleAssignment, dict[str, Any]]:
    """Articles on which `user` is assigned and has not finished: others' work stays hidden."""
    return ArticleAssignment.objects.filter(analyst_id=user.pk, finished_at__isnull=True).values("article_id")  # type: ignore[return-value]


def visible_statements_q(user: AnyUser) -> Q:
    """A filter for the statements `user` may see.

    Leads see everything. Everyone else sees all statements except, on an article they are
    assigned to and have not marked finished, the statements of other people (blind double
    annotation: agreement only means something if nobody copied).
    """
    if is_lead(user):
        return Q()
    if not can_view(user):
        return Q(pk__in=[])
    return Q(annotator_id=user.pk) | ~Q(article_id__in=blind_article_ids(user))


def blind_by(user: AnyUser, assignment: ArticleAssignment | None) -> bool:
    """Whether `assignment` (the user's on an article, or None) hides others' statements from
    `user`: it does until they mark their work finished; leads are never blind."""
    return assignment is not None and not assignment.is_finished and not is_lead(user)


def is_blind(user: AnyUser, article_id: int) -> bool:
    """Whether others' statements on the article are hidden from `user`: assigned to it and not
    finished (one query; none for leads and anonymous users)."""
    if is_lead(user) or not can_view(user):
        return False
    return ArticleAssignment.objects.filter(
        analyst_id=user.pk, article_id=article_id, finished_at__isnull=True
    ).exists()


def can_see_statement(user: AnyUser, statement: Statement) -> bool:
    if is_lead(user):
        return True
    if not can_view(user):
        return False
    if statement.annotator_id == user.pk:
        return True
    return not is_blind(user, statement.article_id)
