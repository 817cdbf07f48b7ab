"""The statements list's hand-written path (statement_rows.RawPage, issue #15): the same rows,
the same JSON and the same page links as the ORM path, for every kind of user; and the SQL
form of the visibility rule agrees with the Q form."""

import base64
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import permissions, services
from statements.models import Article, Membership, Role, Statement
from tests.api.test_api_resources import client_for
from tests.factories import ActorFactory, ArticleFactory, ProjectFactory, StatementFactory, UserFactory


@pytest.fixture
def world(analyst, other_analyst, lead, viewer):
    """Two projects; in the first, three articles annotated by two analysts (conditions with and
    without evidence, a gold statement with two sources), one article assigned to Amira blind
    and one assigned and finished; in the second, Ben leads and Amira is a viewer."""
    speaker, addressee = ActorFactory(name="Vladimir Putin"), ActorFactory(name="Donald Trump")
    articles = [ArticleFactory() for _ in range(3)]
    made: dict = {"articles": articles}
    for article in articles:
        for user in (analyst, other_analyst):
            for quote in ("Putin told reporters", "very promising", "do the right thing"):
                statement = StatementFactory(
                    article=article, user=user, quote=quote, speaker=speaker.pk, addressee=addressee.pk
                )
                services.condition_add(statement=statement, user=user, description="second")
                start = article.text.index("cease hostilities")
                services.condition_add(
                    statement=statement,
                    user=user,
                    description="first",
                    evidence_start=start,
                    evidence_end=start + len("cease hostilities"),
                    evidence_quote="cease hostilities",
                )
    first = articles[0]
    sources = list(Statement.objects.filter(article=first, quote="very promising"))
    made["gold"] = services.statement_adjudicate(
        article=first,
        user=lead,
        sources=sources,
        start=sources[0].start,
        end=sources[0].end,
        quote=sources[0].quote,
        stance="caveat",
        conditions=[{"description": "gold condition"}],
    )
    services.assignment_create(article=articles[1], analyst=analyst, user=lead)  # blind
    services.assignment_create(article=articles[2], analyst=other_analyst, user=lead)
    services.assignment_finish(article=articles[2], user=other_analyst)
    second = ProjectFactory()
    Membership.objects.create(project=second, user=other_analyst, role=Role.LEAD)
    Membership.objects.create(project=second, user=analyst, role=Role.VIEWER)
    for user in (analyst, other_analyst):
        permissions.forget_roles(user)
    theirs = ArticleFactory(project=second)
    StatementFactory(article=theirs, user=other_analyst, quote="very promising")
    made["theirs"] = theirs
    made["admin"] = UserFactory(username="root", is_superuser=True, role__none=True)
    made["stranger"] = UserFactory(username="stranger", role__none=True)
    made["retired"] = UserFactory(username="retired", is_active=False)
    return made


USERS = ("analyst", "other_analyst", "lead", "viewer", "admin", "stranger", "retired", "anonymous")


def _user(name, request, world):
    if name == "anonymous":
        return AnonymousUser()
    return world[name] if name in world else request.getfixturevalue(name)


@pytest.mark.parametrize("name", USERS)
def test_it_agrees_with_the_q_form_of_the_visibility_rule(name, request, world):
    user = _user(name, request, world)
    visible = Statement.objects.filter(permissions.visible_statements_q(user))
    expected = set(visible.values_list("pk", flat=True))
    permissions.forget_roles(user)
    where, params = permissions.visible_statements_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM {Statement._meta.db_table} s WHERE {where}", params)
        found = {row[0] for row in cursor.fetchall()}
    assert found == expected
    if name == "analyst":  # the blind article hides Ben's work from Amira, the rest does not
        blind = world["articles"][1]
        assert not Statement.objects.filter(pk__in=found, article=blind).exclude(annotator=user).exists()
        assert Statement.objects.filter(pk__in=found, article=world["articles"][0]).exclude(annotator=user)


def _pages(client, url: str) -> list[dict]:
    """Every page of a list, following `next`, then back along `previous` from the last."""
    pages, seen = [], 0
    while url and seen < 50:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        pages.append(response.json())
        url, seen = pages[-1]["next"], seen + 1
    url = pages[-1]["previous"]
    while url and seen < 100:
        pages.append(client.get(url).json())
        url, seen = pages[-1]["previous"], seen + 1
    return pages


def _cursors(page: dict) -> tuple:
    """The page links' cursors and sizes (the ORM path's links also carry `ordering=id`)."""

    def of(link):
        if link is None:
            return None
        query = parse_qs(urlparse(link).query)
        return query.get("cursor"), query.get("page_size"), query.get("article")

    return of(page["next"]), of(page["previous"])


@pytest.mark.parametrize("name", ["analyst", "other_analyst", "lead", "viewer", "admin", "stranger"])
@pytest.mark.parametrize("query", ["page_size=4", "page_size=5&article={a0},{a1}", "article={a1}", ""])
def test_it_answers_what_the_orm_path_answers_page_by_page(name, query, request, world):
    user = _user(name, request, world)
    client = client_for(user)
    a0, a1 = (a.pk for a in world["articles"][:2])
    query = query.format(a0=a0, a1=a1)
    fast = _pages(client, f"/api/statements/?{query}")
    # `ordering=id` is the default order, asked for: it takes the FilterSet and ORM path
    slow = _pages(client, f"/api/statements/?{query}&ordering=id")
    assert [p["results"] for p in fast] == [p["results"] for p in slow]
    assert [_cursors(p) for p in fast] == [_cursors(p) for p in slow]
    rows = [row for page in fast for row in page["results"]]
    if name == "stranger":
        assert rows == []
    if name == "lead" and not query:  # the gold statement, its sources and conditions in order
        gold = next(row for row in rows if row["gold"])
        assert gold["id"] == world["gold"].pk and len(gold["adjudicated_from"]) == 2
        ordinary = next(row for row in rows if not row["gold"])
        assert [c["description"] for c in ordinary["conditions"]] == ["second", "first"]
        assert ordinary["speaker_name"] == "Vladimir Putin" and ordinary["addressee_name"] == "Donald Trump"


def test_it_leaves_every_other_query_to_the_filters(analyst, world):
    client = client_for(analyst)
    article = world["articles"][0].pk
    for query in ("article=abc", "article=0", "article=", f"article={article}&article={article}"):
        fast_path = client.get(f"/api/statements/?{query}")
        slow_path = client.get(f"/api/statements/?{query}&ordering=id")
        assert fast_path.status_code == slow_path.status_code, query
        assert fast_path.json().get("results") == slow_path.json().get("results"), query
    assert client.get("/api/statements/?article=abc").status_code == 400
    forged = base64.b64encode(b"p=abc").decode()  # a position that is no id: a 404, as before
    assert client.get(f"/api/statements/?cursor={forged}").status_code == 404
    assert client.get(f"/api/statements/?cursor={forged}&ordering=id").status_code == 404


@pytest.mark.parametrize("name", USERS)
def test_its_per_project_forms_agree_too(name, request, world):
    user = _user(name, request, world)
    visible = set(
        Statement.objects.filter(permissions.visible_statements_q(user)).values_list("pk", flat=True)
    )
    for project in {world["articles"][0].project, world["theirs"].project}:
        in_project = Statement.objects.filter(article__project=project)
        expected = {pk for pk in in_project.values_list("pk", flat=True) if pk in visible}
        found = in_project.filter(permissions.visible_statements_in_project_q(user, project))
        assert set(found.values_list("pk", flat=True)) == expected, project
        where, params = permissions.visible_statements_in_project_sql(user, project)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.id FROM {Statement._meta.db_table} s JOIN {Article._meta.db_table} a"
                f" ON a.id = s.article_id WHERE a.project_id = %s AND {where}",
                [project.pk, *params],
            )
            assert {row[0] for row in cursor.fetchall()} == expected, project


def test_an_edit_reads_its_statement_once_with_its_lock(analyst):
    article = ArticleFactory()
    statement = StatementFactory(article=article, user=analyst, conditions=[{"description": "If they agree"}])
    api = client_for(analyst)
    api.get(f"/api/statements/{statement.pk}/")

    with CaptureQueriesContext(connection) as ctx:
        body = {"note": "checked", "version": statement.version}
        response = api.patch(f"/api/statements/{statement.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["note"] == "checked"
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    reads = [q for q in sql if q.startswith("SELECT") and 'FROM "statements_statement"' in q]
    assert len(reads) == 1, reads  # the view's read is the locked one; the service trusts it
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in reads[0]
    # token with its user and memberships, the statement, its conditions (history), the update,
    # the history row, the answer's row, its conditions and gold sources (one UNION)
    assert len(sql) == 7, [q[:60] for q in sql]
    # one savepoint pair: the view's transaction inside the test's; the service takes none of
    # its own when the caller holds the lock
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" in q["sql"]]) == 2
    # a stale version is still refused, and nothing changes
    stale = api.patch(f"/api/statements/{statement.pk}/", {"note": "x", "version": 1}, format="json")
    assert stale.status_code == 400 and "version" in stale.json()
    assert Statement.objects.get(pk=statement.pk).note == "checked"


def test_a_create_answers_its_conditions_and_skips_the_query_without_any(analyst):
    article = ArticleFactory()
    api = client_for(analyst)
    api.get("/api/statements/")
    quote = "We agree with the proposals to cease hostilities"
    start = article.text.index(quote)
    body = {
        "article": article.pk,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "stance": "support",
    }
    with CaptureQueriesContext(connection) as bare:
        created = api.post("/api/statements/", body, format="json")
    assert created.status_code == 201 and created.json()["conditions"] == []
    n_bare = len(bare.captured_queries)  # (the next request clears the query log)
    with CaptureQueriesContext(connection) as with_one:
        conditioned = api.post(
            "/api/statements/", {**body, "conditions": [{"description": "If they agree"}]}, format="json"
        )
    assert conditioned.status_code == 201
    n_with_one = len(with_one.captured_queries)
    assert [c["description"] for c in conditioned.json()["conditions"]] == ["If they agree"]
    stored = api.get(f"/api/statements/{created.json()['id']}/").json()
    assert stored == created.json()  # the answer is what a read gives
    # the conditions' insert and the answer's conditions read: two more
    assert n_with_one == n_bare + 2


def test_a_read_by_id_skips_the_filters_only_without_parameters(analyst):
    article = ArticleFactory()
    api = client_for(analyst)
    assert api.get(f"/api/articles/{article.pk}/").status_code == 200
    # with a parameter the list's filters run as before: a bad value is a 400, a mismatch a 404
    bad = api.get(f"/api/articles/{article.pk}/?published_after=not-a-date")
    assert bad.status_code == 400 and "published_after" in bad.json()
    assert api.get(f"/api/articles/{article.pk}/?source=Nowhere").status_code == 404
