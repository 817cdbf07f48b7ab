"""The answer to a save reads in one query (selectors/workspace.py, saved_view) what separate
reads give: the stance counts and where the saved entry goes in the list's order (by the ORM
form of the visibility rule) and the statements near the changed regions (article_page_rows),
for every kind of user, blind or not, on every layer, after a create or an edit and after a
delete."""

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from statements import permissions
from statements.models import AnchorState, ArticleAssignment, Membership, Role, Statement
from statements.selectors import catalog, workspace
from tests.factories import ActorFactory, ArticleFactory, ProjectFactory, StatementFactory, UserFactory

TEXT = (
    "Alpha said the talks must start now. Beta said the ceasefire holds for now. "
    "Gamma said any truce must address the root causes. Delta said nothing at all today. "
    "Epsilon said the funding is secured, if the parliament agrees."
)
QUOTES = [
    "the talks must start now",
    "the ceasefire holds",
    "the ceasefire holds for now",
    "any truce must address the root causes",
    "the funding is secured",
    "nothing at all",
]
LAYERS = [(False, False), (True, False), (False, True)]  # everyone's, mine, gold


@pytest.fixture
def team(db):
    project = ProjectFactory()
    users = {
        "blind": UserFactory(username="blind", role__none=True),
        "sighted": UserFactory(username="sighted", role__none=True),
        "lead": UserFactory(username="lead", role__none=True),
        "viewer": UserFactory(username="viewer", role__none=True),
        "outsider": UserFactory(username="outsider", role__none=True),
        "admin": UserFactory(username="root", role__none=True, is_superuser=True, is_staff=True),
    }
    for name, role in (("blind", Role.ANALYST), ("sighted", Role.ANALYST), ("lead", Role.LEAD)):
        Membership.objects.create(project=project, user=users[name], role=role)
    Membership.objects.create(project=project, user=users["viewer"], role=Role.VIEWER)
    Membership.objects.create(project=ProjectFactory(), user=users["outsider"], role=Role.ANALYST)
    for user in users.values():
        permissions.forget_roles(user)
    article = ArticleFactory(project=project, text=TEXT)
    speaker = ActorFactory(name="Speaker One")
    stances = ["support", "caveat", "demand"]
    made = []
    for k, quote in enumerate(QUOTES):
        for who in ("blind", "sighted", "lead")[: 1 + k % 3]:
            start = TEXT.index(quote)
            evidence = TEXT.index("root causes")
            conditions = (
                [{"description": "Root causes", "evidence_start": evidence, "evidence_end": evidence + 11}]
                if k % 2
                else [{"description": "Talks first"}]
            )
            made.append(
                StatementFactory(
                    article=article,
                    user=users[who],
                    quote=quote,
                    start=start,
                    stance=stances[(k + len(made)) % 3],
                    speaker=speaker if k % 2 else None,
                    conditions=conditions,
                )
            )
    Statement.objects.filter(pk__in=[made[1].pk, made[4].pk]).update(is_gold=True, status="accepted")
    ArticleAssignment.objects.create(article=article, analyst=users["blind"])  # blind on it
    return article, users, [Statement.objects.get(pk=s.pk) for s in made]


def _separately(article, user, regions, saved, mine, gold):
    """The counts and the next entry by the ORM form of the layer's rule (catalog.visible_statements,
    the Q form of the visibility rule), the rows by article_page_rows."""
    layer = catalog.visible_statements(user).filter(article=article).exclude(anchor_state=AnchorState.ORPHAN)
    if mine:
        layer = layer.filter(annotator_id=user.pk)
    if gold:
        layer = layer.filter(is_gold=True)
    counts = dict(layer.order_by().values_list("stance").annotate(n=Count("id")))
    rows = workspace.article_page_rows(article, user, regions=regions, mine=mine, gold=gold)
    next_id = None
    if saved is not None:
        start, end, pk = saved
        after = Q(start__gt=start) | Q(start=start, end__lt=end) | Q(start=start, end=end, id__gt=pk)
        next_id = layer.filter(after).order_by("start", "-end", "id").values_list("id", flat=True).first()
    return counts, rows, next_id


@pytest.mark.parametrize("who", ["blind", "sighted", "lead", "viewer", "outsider", "admin"])
def test_it_reads_what_the_three_separate_reads_give(team, who):
    article, users, made = team
    user = users[who]
    root = TEXT.index("root causes")
    region_sets = [
        [(0, len(TEXT))],
        [(root, root + 11)],  # the evidence alone: its statements are near
        [(TEXT.index("the ceasefire"), TEXT.index("the ceasefire") + 5), (root - 20, root - 10)],
        [(len(TEXT) - 3, len(TEXT))],  # nothing there
    ]
    compared = 0
    for mine, gold in LAYERS:
        for regions in region_sets:
            for statement in [*made, None]:
                saved = None if statement is None else (statement.start, statement.end, statement.pk)
                with CaptureQueriesContext(connection) as queries:
                    view = workspace.saved_view(
                        article, user, regions=regions, saved=saved, mine=mine, gold=gold
                    )
                assert len([q for q in queries if "statements_membership" not in q["sql"]]) <= 2
                counts, rows, next_id = _separately(article, user, regions, saved, mine, gold)
                assert view.counts == counts
                assert view.rows == rows
                assert view.next_id == next_id
                compared += 1
    assert compared == len(LAYERS) * len(region_sets) * (len(made) + 1)


def test_it_is_one_query_with_counts_rows_and_the_next_entry(team):
    article, users, made = team
    user = users["sighted"]
    workspace.saved_view(article, user, regions=[(0, 1)], saved=None)  # memberships read once
    first = made[0]
    with CaptureQueriesContext(connection) as queries:
        view = workspace.saved_view(
            article, user, regions=[(first.start, first.end)], saved=(first.start, first.end, first.pk)
        )
    assert len(queries) == 1
    assert sum(view.counts.values()) == len(workspace.article_page_rows(article, user))
    assert [r.pk for r in view.rows] == [first.pk]
    assert view.rows[0].conditions[0].description == "Talks first"
    assert view.next_id is not None and view.next_id != first.pk


def test_it_still_counts_when_no_statement_is_near(team):
    article, users, _made = team
    view = workspace.saved_view(article, users["lead"], regions=[(len(TEXT) - 2, len(TEXT))], saved=None)
    assert view.rows == [] and view.next_id is None
    assert view.counts == _separately(article, users["lead"], [], None, False, False)[0] != {}
