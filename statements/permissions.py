"""Who may do what. The one place the pages, the API and the services ask.

Roles are per project (Membership.role): an **analyst** annotates and reviews other people's
statements in that project; a **lead** also adjudicates, assigns, manages the members and the
guidelines and may edit or delete anything in it; a **viewer** reads and exports only. A user may
be a lead in one project and a viewer in another. **Instance administrators** (superusers) create
projects and accounts and act as a lead everywhere. Someone who is not a member of a project sees
nothing of it: its articles, statements, conditions, reviews, history and numbers do not exist
for them. An inactive or anonymous user may do nothing.

Actors are global (the same Vladimir Putin in every study): any analyst or lead of any project
adds them; a lead of any project, or the analyst who added an actor, edits it; a lead deletes.

A `scope` names a project: a Project, an Article, a Statement (through its article), or a project
id. Where a rule takes no scope it asks "in any of the user's projects" (the top bar, actors).
The user's memberships are read once per user object (one query) and kept on it.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from statements.models import (
    Actor,
    Article,
    ArticleAssignment,
    Membership,
    Project,
    Role,
    Statement,
    User,
    instance_from_row,
    model_columns,
)

type AnyUser = User | AnonymousUser
type Scope = Project | Article | Statement | int

_ANNOTATING = (Role.ANALYST, Role.LEAD)
_MEMO = "_project_roles"


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def is_admin(user: AnyUser | None) -> bool:
    """An instance administrator: creates projects and accounts, acts as a lead everywhere."""
    return _active(user) and user.is_superuser


def project_id_of(scope: Scope) -> int:
    """The project a scope belongs to (a statement's through its article: join it when reading)."""
    if isinstance(scope, Project):
        return scope.pk
    if isinstance(scope, Article):
        return scope.project_id
    if isinstance(scope, Statement):
        return scope.article.project_id
    return int(scope)


def roles(user: AnyUser | None) -> dict[int, str]:
    """{project id: role} of the user's memberships (one query, then kept on the user object)."""
    if not _active(user):
        return {}
    memo: dict[int, str] | None = getattr(user, _MEMO, None)
    if memo is None:
        memo = dict(Membership.objects.filter(user_id=user.pk).values_list("project_id", "role"))
        setattr(user, _MEMO, memo)
    return memo


def read_user_with_roles(
    tables: str, where: str, params: list[Any], *, before: type[Model] | None = None
) -> tuple[User, Model | None] | None:
    """A user read together with their memberships, in one query (a LEFT JOIN): the user is built
    as the ORM builds it and its roles() are kept on it, so that the first permission asked
    (nearly every request asks one) reads nothing more. `tables`: the FROM clause's tables, the
    user table named `u`; `where`: the condition that finds the user; `before`: a model whose row
    (alias `b`) comes first in each row, built too (the API's token). None when there is no such
    row."""
    db = router.db_for_read(User)
    columns = model_columns(User, "u", db)
    if before is not None:
        columns = f"{model_columns(before, 'b', db)}, {columns}"
    membership = Membership._meta.db_table
    sql = (
        f"SELECT {columns}, m.project_id, m.role FROM {tables}"
        f" LEFT JOIN {membership} m ON m.user_id = u.id WHERE {where}"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return None
    skip = len(before._meta.concrete_fields) if before is not None else 0
    user = instance_from_row(User, found[0][skip:], db)
    n = skip + len(User._meta.concrete_fields)
    setattr(user, _MEMO, {row[n]: row[n + 1] for row in found if row[n] is not None})
    first = instance_from_row(before, found[0], db) if before is not None else None
    return user, first


class MemberBackend(ModelBackend):
    """Django's ModelBackend (settings.AUTHENTICATION_BACKENDS), except that the signed-in user
    of a request is read together with their memberships (read_user_with_roles): one query
    instead of the user's and then roles()'. An inactive user is None, as with ModelBackend."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            key = User._meta.pk.to_python(user_id)
        except (ValidationError, TypeError, ValueError):  # a malformed id: nobody, as with get()
            return None
        found = read_user_with_roles(f"{User._meta.db_table} u", "u.id = %s", [key])
        if found is None or not self.user_can_authenticate(found[0]):
            return None
        return found[0]


def forget_roles(user: AnyUser | None) -> None:
    """Drop the kept memberships (after a membership of this user changed)."""
    if user is not None and hasattr(user, _MEMO):
        delattr(user, _MEMO)


def role_in(user: AnyUser | None, scope: Scope) -> str | None:
    """The user's role in the scope's project (administrators: lead), or None."""
    if not _active(user):
        return None
    if user.is_superuser:
        return Role.LEAD
    return roles(user).get(project_id_of(scope))


def member_project_ids(user: AnyUser | None) -> list[int] | None:
    """The projects whose data the user may read; None means every project (administrators)."""
    if is_admin(user):
        return None
    return sorted(roles(user))


def project_ids_where(user: AnyUser | None, *allowed: str) -> list[int] | None:
    """The projects where the user holds one of the `allowed` roles; None means all (admins)."""
    if is_admin(user):
        return None
    return sorted(p for p, role in roles(user).items() if role in allowed)


def _any(user: AnyUser | None, *allowed: str) -> bool:
    return is_admin(user) or any(role in allowed for role in roles(user).values())


def can_view(user: AnyUser | None, scope: Scope | None = None) -> bool:
    """Read the scope's project (member or administrator); without a scope, be signed in."""
    if scope is None:
        return _active(user)
    return role_in(user, scope) is not None


def is_lead(user: AnyUser | None, scope: Scope | None = None) -> bool:
    """A lead of the scope's project (without a scope: of any project), or an administrator."""
    if scope is None:
        return _any(user, Role.LEAD)
    return role_in(user, scope) == Role.LEAD


def can_unlock_signin(user: AnyUser | None, account: User) -> bool:
    """Unlock an account locked by failed sign-ins: administrators, and a lead of one of the
    account's projects."""
    if is_admin(user):
        return True
    led = project_ids_where(user, Role.LEAD) or []
    return bool(led) and Membership.objects.filter(user=account, project_id__in=led).exists()


def can_annotate(user: AnyUser | None, scope: Scope | None = None) -> bool:
    """Create statements, articles and actors: analysts and leads, not viewers."""
    if scope is None:
        return _any(user, *_ANNOTATING)
    return role_in(user, scope) in _ANNOTATING


def annotators_q(project: Project | int | None = None) -> Q:
    """A filter on users for those who annotate in `project` (analysts and leads; administrators
    too), or in any project: the rule of `can_annotate`, for queries."""
    memberships = Q(memberships__role__in=_ANNOTATING)
    if project is not None:
        memberships &= Q(memberships__project_id=project_id_of(project))
    return Q(is_active=True) & (Q(is_superuser=True) | memberships)


def can_create_project(user: AnyUser | None) -> bool:
    return is_admin(user)


def can_edit_project(user: AnyUser | None, project: Project) -> bool:
    """Name, description, guidelines, archiving: the project's leads."""
    return is_lead(user, project)


def can_manage_members(user: AnyUser | None, project: Project) -> bool:
    return is_lead(user, project)


def can_create_account(user: AnyUser | None) -> bool:
    """Accounts are made by administrators, and by leads (with a one-time set-password link)."""
    return is_lead(user)


def can_create_article(user: AnyUser | None, project: Scope | None = None) -> bool:
    if project is not None and isinstance(project, Project) and project.archived:
        return False
    return can_annotate(user, project)


def can_edit_article(user: AnyUser | None, article: Article) -> bool:
    return is_lead(user, article) or (can_annotate(user, article) and article.created_by_id == user.pk)  # type: ignore[union-attr]


def can_delete_article(user: AnyUser | None, article: Article) -> bool:
    return is_lead(user, article)


def can_create_actor(user: AnyUser | None) -> bool:
    return can_annotate(user)


def can_edit_actor(user: AnyUser | None, actor: Actor) -> bool:
    """Leads of any project manage every actor; an analyst may fix the ones they added."""
    return is_lead(user) or (can_annotate(user) and actor.created_by_id == user.pk)  # type: ignore[union-attr]


def can_delete_actor(user: AnyUser | None, actor: Actor) -> bool:
    return is_lead(user)


def can_edit_statement(user: AnyUser | None, statement: Statement) -> bool:
    """The annotator edits and deletes their own statements; a lead of the project any."""
    if is_lead(user, statement):
        return True
    return (
        can_annotate(user, statement)
        and statement.annotator_id == user.pk  # type: ignore[union-attr]
        and not statement.is_gold
    )


def can_review(user: AnyUser | None, scope: Scope | None = None) -> bool:
    return can_annotate(user, scope)


def can_review_statement(user: AnyUser | None, statement: Statement) -> bool:
    """Analysts and leads of the project review other people's statements, never their own."""
    return can_review(user, statement) and statement.annotator_id != user.pk  # type: ignore[union-attr]


def can_comment(user: AnyUser | None, statement: Statement) -> bool:
    return can_annotate(user, statement)


def can_adjudicate(user: AnyUser | None, scope: Scope | None = None) -> bool:
    return is_lead(user, scope)


def can_manage_assignments(user: AnyUser | None, scope: Scope | None = None) -> bool:
    return is_lead(user, scope)


def visible_projects_q(user: AnyUser | None, prefix: str = "") -> Q:
    """A filter for rows of the projects the user may read (`prefix`: the path to the project
    id, e.g. "article__project_id" for statements)."""
    field = f"{prefix}project_id" if prefix and not prefix.endswith("project_id") else prefix or "pk"
    ids = member_project_ids(user)
    if not _active(user):
        return Q(pk__in=[])
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def blind_article_ids(user: AnyUser | None) -> QuerySet[ArticleAssignment, dict[str, Any]]:
    """Articles on which `user` is assigned and has not finished: others' work stays hidden."""
    pk = user.pk if _active(user) else None
    return ArticleAssignment.objects.filter(analyst_id=pk, finished_at__isnull=True).values("article_id")  # type: ignore[return-value]


def _visible_with_role(user: User, role: str) -> Q:
    """Within one project where `user` holds `role`, the statements they may see: a lead all;
    anyone else all but, on an article they are assigned to and have not marked finished, the
    statements of other people (blind double annotation)."""
    if role == Role.LEAD:
        return Q()
    return Q(annotator_id=user.pk) | ~Q(article_id__in=blind_article_ids(user))


def visible_statements_q(user: AnyUser | None) -> Q:
    """A filter for the statements `user` may see.

    Only in projects they belong to. There, a lead sees everything; everyone else sees all
    statements except, on an article they are assigned to and have not marked finished, the
    statements of other people (blind double annotation: agreement only means something if
    nobody copied). Administrators see everything.
    """
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    mine = roles(user)
    leading = [p for p, role in mine.items() if role == Role.LEAD]
    others = [p for p, role in mine.items() if role != Role.LEAD]

    # The project test as EXISTS on the statement's article rather than a join: a page (ORDER BY
    # id LIMIT 100) then walks the statements in id order and stops, where with the join SQLite's
    # planner reads every statement of the projects and sorts them (150 ms instead of 0.3 ms at
    # 100,000 statements; issue #15).
    def in_projects(ids: list[int]) -> Q:
        return Q(Exists(Article.objects.filter(pk=OuterRef("article_id"), project_id__in=ids)))

    q = Q(pk__in=[])
    if leading:
        q |= in_projects(leading) & _visible_with_role(user, Role.LEAD)
    if others:
        q |= in_projects(others) & _visible_with_role(user, Role.ANALYST)
    return q


def visible_statements_in_project_q(user: AnyUser | None, project: Scope) -> Q:
    """visible_statements_q() for statements already known to be in `project` (the counts of
    a project's article list): the same rule without the project test each row would repeat."""
    role = role_in(user, project)
    if role is None:
        return Q(pk__in=[])
    return _visible_with_role(user, role)  # type: ignore[arg-type]  # a role: an active user


def visible_statements_sql(user: AnyUser | None, alias: str = "s") -> tuple[str, list[Any]]:
    """visible_statements_q() as an SQL condition on the statements table under `alias`, with
    its parameters: the same rule, for the hand-written queries of the hot read paths (the
    API's list, issue #15), where building and compiling the ORM's Q cost more than the query.
    A test compares the two on every kind of user (tests/test_api_fast_list.py)."""
    if not _active(user):
        return "1 = 0", []
    if user.is_superuser:
        return "1 = 1", []
    mine = roles(user)
    leading = sorted(p for p, role in mine.items() if role == Role.LEAD)
    others = sorted(p for p, role in mine.items() if role != Role.LEAD)
    article = Article._meta.db_table

    def in_projects(ids: list[int]) -> str:  # EXISTS, as in visible_statements_q (the planner)
        marks = ", ".join(["%s"] * len(ids))
        return (
            f"EXISTS (SELECT 1 FROM {article} pa"
            f" WHERE pa.id = {alias}.article_id AND pa.project_id IN ({marks}))"
        )

    parts, params = [], []
    if leading:
        parts.append(in_projects(leading))
        params += leading
    if others:
        not_blind, not_blind_params = _not_blind_sql(user, alias)
        parts.append(f"({in_projects(others)} AND {not_blind})")
        params += [*others, *not_blind_params]
    return ("(" + " OR ".join(parts) + ")", params) if parts else ("1 = 0", [])


def _not_blind_sql(user: User, alias: str) -> tuple[str, list[Any]]:
    """_visible_with_role() for a role other than lead, in SQL: the user's own statements, and
    everyone's on articles they are not assigned to blind (assigned and not finished)."""
    assignment = ArticleAssignment._meta.db_table
    return (
        f"({alias}.annotator_id = %s OR {alias}.article_id NOT IN (SELECT ba.article_id FROM"
        f" {assignment} ba WHERE ba.analyst_id = %s AND ba.finished_at IS NULL))",
        [user.pk, user.pk],
    )


def visible_statements_in_project_sql(
    user: AnyUser | None, project: Scope, alias: str = "s"
) -> tuple[str, list[Any]]:
    """visible_statements_in_project_q() in SQL, for the hand-written reads of one article's
    statements (the annotate page and a save's answer): no project test on every row."""
    role = role_in(user, project)
    if role is None:
        return "1 = 0", []
    if role == Role.LEAD:
        return "1 = 1", []
    return _not_blind_sql(user, alias)  # type: ignore[arg-type]  # a role: an active user


def blind_by(user: AnyUser | None, assignment: ArticleAssignment | None, scope: Scope) -> bool:
    """Whether `assignment` (the user's on an article of `scope`, or None) hides others'
    statements from `user`: it does until they mark their work finished; leads are never blind."""
    return blind_on(
        user,
        scope,
        assigned=assignment is not None,
        finished=assignment is not None and assignment.is_finished,
    )


def blind_on(user: AnyUser | None, scope: Scope, *, assigned: bool, finished: bool) -> bool:
    """blind_by() from the two facts about the user's assignment to an article of `scope`
    (assigned to it, marked finished): for reads that count them per article in SQL."""
    return assigned and not finished and not is_lead(user, scope)


def is_blind(user: AnyUser | None, article: Article) -> bool:
    """Whether others' statements on the article are hidden from `user`: assigned to it and not
    finished (one query; none for leads and non-members)."""
    if not can_view(user, article) or is_lead(user, article):
        return False
    return ArticleAssignment.objects.filter(
        analyst_id=user.pk,  # type: ignore[union-attr]
        article_id=article.pk,
        finished_at__isnull=True,
    ).exists()


def can_see_statement(user: AnyUser | None, statement: Statement) -> bool:
    if not can_view(user, statement):
        return False
    if is_lead(user, statement) or statement.annotator_id == user.pk:  # type: ignore[union-attr]
        return True
    return not is_blind(user, statement.article)
