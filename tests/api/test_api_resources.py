"""The REST API's resources with every role: anonymous, viewer, analyst (own only), lead; the bad
inputs the services refuse (a 400 with field messages, nothing stored); fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.models import Actor, Article, Condition, Review, Statement, StatementEvent, Status
from tests.factories import LOREM, ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


def client_for(user=None) -> APIClient:
    """An API client with `user`'s token (None: anonymous)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def span(article: Article, quote: str = QUOTE) -> dict:
    start = article.text.index(quote)
    return {"article": article.pk, "start": start, "end": start + len(quote), "quote": quote}


@pytest.fixture
def article(analyst):
    return ArticleFactory(user=analyst)


@pytest.fixture
def own(article, analyst):
    """A statement by the analyst (Amira)."""
    return StatementFactory(article=article, user=analyst, stance="support")


@pytest.fixture
def others(article, other_analyst):
    """A statement by another analyst (Ben)."""
    return StatementFactory(article=article, user=other_analyst, quote="very promising", stance="caveat")


# ---- Anonymous ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/",
        "/api/actors/",
        "/api/statements/",
        "/api/conditions/",
        "/api/reviews/",
        "/api/users/",
        "/api/export/statements",
        "/api/schema/",
    ],
)
def test_it_answers_anonymous_requests_with_401_and_the_token_scheme(path):
    response = client_for(None).get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_refuses_a_wrong_token_and_an_inactive_users_token(analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/articles/").status_code == 401
    client = client_for(analyst)
    analyst.is_active = False
    analyst.save()
    assert client.get("/api/articles/").status_code == 401


def test_it_refuses_anonymous_writes_and_stores_nothing(article):
    client = client_for(None)
    assert (
        client.post("/api/statements/", span(article) | {"stance": "support"}, format="json").status_code
        == 401
    )
    assert client.delete(f"/api/articles/{article.pk}/").status_code == 401
    assert Statement.objects.count() == 0 and Article.objects.count() == 1


# ---- Session authentication keeps CSRF -----------------------------------------------------------


def test_it_needs_the_csrf_token_for_session_writes(analyst, article):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(analyst)
    body = span(article) | {"stance": "support"}
    assert client.get("/api/statements/").status_code == 200
    refused = client.post("/api/statements/", body, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/api/statements/")  # any page sets the cookie
    page = client.get("/account/api-token/")
    csrf = page.cookies["csrftoken"].value
    accepted = client.post("/api/statements/", body, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


# ---- Articles -----------------------------------------------------------------------------------


def test_every_role_reads_articles_and_the_list_leaves_out_the_text(viewer, article):
    client = client_for(viewer)
    listing = client.get("/api/articles/").json()
    assert listing["count"] == 1 and "text" not in listing["results"][0]
    one = client.get(f"/api/articles/{article.pk}/").json()
    assert one["text"] == article.text and one["text_sha256"] == article.text_sha256


def test_a_viewer_cannot_write_articles(viewer, article):
    client = client_for(viewer)
    assert (
        client.post("/api/articles/", {"title": "T", "text": "Some text."}, format="json").status_code == 403
    )
    assert client.patch(f"/api/articles/{article.pk}/", {"title": "New"}, format="json").status_code == 403
    assert client.delete(f"/api/articles/{article.pk}/").status_code == 403
    assert Article.objects.get().title == article.title


def test_an_analyst_adds_articles_with_normalized_text_and_edits_only_their_own(analyst, other_analyst):
    client = client_for(analyst)
    created = client.post(
        "/api/articles/",
        {"title": "Kyiv 😀", "text": "Line one\r\nLine two\rthree", "published": "2025-03-14"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["text"] == "Line one\nLine two\nthree"
    pk = created.json()["id"]
    assert client.patch(f"/api/articles/{pk}/", {"source": "AP"}, format="json").json()["source"] == "AP"
    theirs = ArticleFactory(user=other_analyst)
    assert client.patch(f"/api/articles/{theirs.pk}/", {"source": "AP"}, format="json").status_code == 403
    assert client.delete(f"/api/articles/{pk}/").status_code == 403


def test_a_lead_edits_and_deletes_any_article_but_not_one_with_statements(lead, article, own):
    client = client_for(lead)
    assert (
        client.patch(f"/api/articles/{article.pk}/", {"title": "Retitled"}, format="json").status_code == 200
    )
    refused = client.delete(f"/api/articles/{article.pk}/")
    assert refused.status_code == 400 and "statement" in refused.json()["article"][0]
    bare = ArticleFactory()
    assert client.delete(f"/api/articles/{bare.pk}/").status_code == 204
    assert not Article.objects.filter(pk=bare.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "text": "x"}, "title"),
        ({"title": "T", "text": "   "}, "text"),
        ({"title": "T", "text": "a\x00b"}, "text"),
        ({"title": "T", "text": "x", "url": "javascript:alert(1)"}, "url"),
        ({"title": "T", "text": "x", "published": "14/03/2025"}, "published"),
        ({"title": ["T"], "text": "x"}, "title"),
        ({"title": "T", "text": LOREM}, "text"),  # the factory's first article has exactly this text
    ],
)
def test_it_refuses_bad_articles_with_field_messages(analyst, body, field):
    ArticleFactory(text=LOREM)
    response = client_for(analyst).post("/api/articles/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Article.objects.count() == 1


def test_the_text_of_an_article_with_statements_changes_and_they_follow_it(analyst, article, own):
    # issue 14 (tests/api/test_api_text_edits.py has the rest): no longer frozen, never silently wrong
    response = client_for(analyst).patch(
        f"/api/articles/{article.pk}/", {"text": "Other text."}, format="json"
    )
    assert response.status_code == 200
    assert [o["outcome"] for o in response.json()["text_change"]["statements"]] == ["orphaned"]


# ---- Actors -------------------------------------------------------------------------------------


def test_actors_with_aliases_and_affiliation(analyst, lead, viewer):
    client = client_for(analyst)
    russia = client.post("/api/actors/", {"name": "Russia", "kind": "state"}, format="json").json()
    putin = client.post(
        "/api/actors/",
        {
            "name": "Vladimir Putin",
            "affiliation": russia["id"],
            "aliases": ["the Kremlin", "the Kremlin", ""],
        },
        format="json",
    )
    assert putin.status_code == 201, putin.json()
    assert putin.json()["aliases"] == ["the Kremlin"] and putin.json()["affiliation_name"] == "Russia"
    assert client_for(viewer).get("/api/actors/?q=kremlin").json()["count"] == 1
    assert client_for(viewer).post("/api/actors/", {"name": "X"}, format="json").status_code == 403
    duplicate = client.post("/api/actors/", {"name": "vladimir  putin"}, format="json")
    assert duplicate.status_code == 400 and "already exists" in duplicate.json()["name"][0]
    cycle = client.patch(f"/api/actors/{russia['id']}/", {"affiliation": putin.json()["id"]}, format="json")
    assert cycle.status_code == 400 and "affiliation" in cycle.json()
    unknown = client.patch(f"/api/actors/{russia['id']}/", {"affiliation": 999_999}, format="json")
    assert unknown.status_code == 400 and "999999" in unknown.json()["affiliation"][0]


def test_an_analyst_edits_only_the_actors_they_added_and_only_a_lead_deletes(analyst, other_analyst, lead):
    mine = services.actor_create(user=analyst, name="Mine")
    theirs = services.actor_create(user=other_analyst, name="Theirs")
    client = client_for(analyst)
    assert client.patch(f"/api/actors/{mine.pk}/", {"description": "d"}, format="json").status_code == 200
    assert client.patch(f"/api/actors/{theirs.pk}/", {"description": "d"}, format="json").status_code == 403
    assert client.delete(f"/api/actors/{mine.pk}/").status_code == 403
    assert client_for(lead).delete(f"/api/actors/{theirs.pk}/").status_code == 204


def test_a_lead_cannot_delete_an_actor_a_statement_names(lead, analyst, article):
    speaker = ActorFactory()
    StatementFactory(article=article, user=analyst, speaker=speaker.pk)
    response = client_for(lead).delete(f"/api/actors/{speaker.pk}/")
    assert response.status_code == 400 and Actor.objects.filter(pk=speaker.pk).exists()


# ---- Statements ---------------------------------------------------------------------------------


def test_an_analyst_creates_a_statement_with_conditions(analyst, article):
    speaker = ActorFactory(name="Vladimir Putin")
    body = span(article) | {
        "stance": "caveat",
        "speaker": speaker.pk,
        "note": "direct quote",
        "conditions": [
            {"description": "Root causes first"},
            {"description": "Evidence", "evidence_start": 0, "evidence_end": 6, "evidence_quote": "MOSCOW"},
        ],
    }
    response = client_for(analyst).post("/api/statements/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["quote"] == QUOTE and data["speaker_name"] == "Vladimir Putin"
    assert data["annotator_username"] == "amira" and data["status"] == "pending" and data["version"] == 1
    assert [c["description"] for c in data["conditions"]] == ["Root causes first", "Evidence"]
    assert data["conditions"][1]["evidence_quote"] == "MOSCOW"
    assert StatementEvent.objects.filter(statement_ref=data["id"], action="created").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end": 100_000}, "end", "past the end of the article"),
        ({"start": -3}, "start", "must be 0 or more"),
        ({"quote": "We agree with the proposal to cease hostilities!"}, "quote", "does not match"),
        ({"speaker": 987_654}, "speaker", "There is no actor with id 987654"),
        ({"addressee": 987_654}, "addressee", "There is no actor with id 987654"),
        ({"article": 987_654}, "article", "does not exist"),
        ({"stance": "neutral"}, "stance", "not a valid choice"),
        ({"start": "abc"}, "start", "valid integer"),
        ({"conditions": [{"description": ""}]}, "conditions", "description is required"),
        (
            {"conditions": [{"description": "x", "evidence_start": 0, "evidence_end": 99_999}]},
            "conditions",
            "past",
        ),
        ({"conditions": "not a list"}, "conditions", "list"),
    ],
)
def test_it_refuses_bad_statements_with_a_400_per_field_and_stores_nothing(
    analyst, article, change, field, message
):
    body = span(article) | {"stance": "support"} | change
    response = client_for(analyst).post("/api/statements/", body, format="json")
    assert response.status_code == 400, response.content
    messages = response.json()[field]
    flat = str(messages)
    assert message in flat, response.json()
    assert Statement.objects.count() == 0 and StatementEvent.objects.count() == 0


def test_a_viewer_reads_statements_but_cannot_write_them(viewer, article, own):
    client = client_for(viewer)
    assert client.get(f"/api/statements/{own.pk}/").status_code == 200
    assert (
        client.post("/api/statements/", span(article) | {"stance": "support"}, format="json").status_code
        == 403
    )
    assert client.patch(f"/api/statements/{own.pk}/", {"note": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/statements/{own.pk}/").status_code == 403


def test_an_analyst_edits_and_deletes_only_their_own_statements(analyst, own, others):
    client = client_for(analyst)
    edited = client.patch(f"/api/statements/{own.pk}/", {"note": "checked", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert client.patch(f"/api/statements/{others.pk}/", {"note": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/statements/{others.pk}/").status_code == 403
    assert client.delete(f"/api/statements/{own.pk}/").status_code == 204
    assert Statement.objects.filter(pk=others.pk).exists()
    assert StatementEvent.objects.filter(statement_ref=own.pk, action="deleted").exists()


def test_a_lead_edits_and_deletes_anyones_statement(lead, others):
    client = client_for(lead)
    assert (
        client.patch(f"/api/statements/{others.pk}/", {"stance": "demand"}, format="json").status_code == 200
    )
    assert client.delete(f"/api/statements/{others.pk}/").status_code == 204


def test_an_edit_with_a_stale_version_is_refused(analyst, own):
    client = client_for(analyst)
    client.patch(f"/api/statements/{own.pk}/", {"note": "first"}, format="json")
    stale = client.patch(f"/api/statements/{own.pk}/", {"note": "second", "version": 1}, format="json")
    assert stale.status_code == 400 and "version" in stale.json()
    assert Statement.objects.get(pk=own.pk).note == "first"


def test_new_offsets_need_the_quote_and_put_clears_what_it_leaves_out(analyst, article, own):
    client = client_for(analyst)
    moved = client.patch(f"/api/statements/{own.pk}/", {"start": 0, "end": 6}, format="json")
    assert moved.status_code == 400 and "quote" in moved.json()
    services.statement_update(statement=own, user=analyst, note="a note", conditions=[{"description": "c"}])
    body = {k: v for k, v in span(article, "very promising").items() if k != "article"} | {"stance": "demand"}
    replaced = client.put(f"/api/statements/{own.pk}/", body, format="json")
    assert replaced.status_code == 200, replaced.json()
    data = replaced.json()
    assert data["quote"] == "very promising" and data["note"] == "" and data["conditions"] == []


def test_blind_annotation_hides_others_statements_from_the_api(lead, analyst, article, own, others):
    services.assignment_create(article=article, analyst=analyst, user=lead)
    client = client_for(analyst)
    ids = [s["id"] for s in client.get("/api/statements/").json()["results"]]
    assert ids == [own.pk]
    assert client.get(f"/api/statements/{others.pk}/").status_code == 404
    review = client.post("/api/reviews/", {"statement": others.pk, "verdict": "accept"}, format="json")
    assert review.status_code == 400 and "no statement" in review.json()["statement"][0]
    response = client.get("/api/export/statements?format=jsonl")
    exported = b"".join(response.streaming_content).decode().splitlines()
    assert len(exported) == 1
    services.assignment_finish(article=article, user=analyst)
    assert client.get(f"/api/statements/{others.pk}/").status_code == 200


def test_statement_filters(analyst, other_analyst, article, own, others):
    client = client_for(analyst)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/statements/?{query}")
        assert response.status_code == 200, response.json()
        return [s["id"] for s in response.json()["results"]]

    assert ids(f"annotator={other_analyst.pk}") == [others.pk]
    assert ids("stance=support") == [own.pk]
    assert ids("stance=support&stance=caveat") == [own.pk, others.pk]
    assert ids("q=PROMISING") == [others.pk]
    assert ids(f"article={article.pk},999") == [own.pk, others.pk]
    assert ids("gold=true") == []
    assert ids("created_after=2000-01-01&created_before=2999-01-01") == [own.pk, others.pk]
    assert ids("ordering=-id") == [others.pk, own.pk]
    for bad in ("article=abc", "stance=neutral", "created_after=yesterday", "article=99999999999999999999"):
        assert client.get(f"/api/statements/?{bad}").status_code == 400, bad


def test_the_statement_list_pages_with_a_cursor(analyst, article):
    for quote in ("MOSCOW", "President", "Vladimir Putin", "Thursday", "ceasefire"):
        StatementFactory(article=article, user=analyst, quote=quote)
    client = client_for(analyst)
    first = client.get("/api/statements/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert [s["id"] for s in second["results"]] == [s.pk for s in Statement.objects.order_by("id")[2:4]]
    forged = client.get("/api/statements/?cursor=cD1hYmM%3D")  # base64 of "p=abc"
    assert forged.status_code == 404


# ---- Conditions ---------------------------------------------------------------------------------


def test_conditions_one_at_a_time(analyst, other_analyst, own):
    client = client_for(analyst)
    added = client.post(
        "/api/conditions/", {"statement": own.pk, "description": "Root causes"}, format="json"
    )
    assert added.status_code == 201, added.json()
    pk = added.json()["id"]
    changed = client.patch(f"/api/conditions/{pk}/", {"description": "All root causes"}, format="json")
    assert changed.status_code == 200 and changed.json()["description"] == "All root causes"
    assert Statement.objects.get(pk=own.pk).version == 3  # two edits of the statement
    pk = changed.json()["id"]
    other = client_for(other_analyst)
    assert other.patch(f"/api/conditions/{pk}/", {"description": "x"}, format="json").status_code == 403
    assert (
        other.post("/api/conditions/", {"statement": own.pk, "description": "x"}, format="json").status_code
        == 403
    )
    bad = client.post(
        "/api/conditions/",
        {"statement": own.pk, "description": "x", "evidence_start": 5, "evidence_end": 2},
        format="json",
    )
    assert bad.status_code == 400 and "conditions" in bad.json()
    assert client.delete(f"/api/conditions/{pk}/").status_code == 204
    assert Condition.objects.count() == 0


# ---- Reviews ------------------------------------------------------------------------------------


def test_reviews_by_role(analyst, other_analyst, viewer, lead, own):
    assert (
        client_for(viewer).post("/api/reviews/", {"statement": own.pk, "verdict": "accept"}).status_code
        == 403
    )
    self_review = client_for(analyst).post("/api/reviews/", {"statement": own.pk, "verdict": "accept"})
    assert self_review.status_code == 400
    assert self_review.json()["statement"] == ["You cannot review your own statement."]
    no_reason = client_for(other_analyst).post("/api/reviews/", {"statement": own.pk, "verdict": "reject"})
    assert no_reason.status_code == 400 and "comment" in no_reason.json()
    accepted = client_for(other_analyst).post("/api/reviews/", {"statement": own.pk, "verdict": "accept"})
    assert accepted.status_code == 201 and accepted.json()["reviewer_username"] == "ben"
    assert Statement.objects.get(pk=own.pk).status == Status.ACCEPTED
    pk = accepted.json()["id"]
    assert client_for(lead).patch(f"/api/reviews/{pk}/", {"comment": "x"}).status_code == 405
    assert client_for(lead).delete(f"/api/reviews/{pk}/").status_code == 405
    assert client_for(viewer).get(f"/api/reviews/?statement={own.pk}").json()["results"][0]["id"] == pk
    assert Review.objects.count() == 1


# ---- Users --------------------------------------------------------------------------------------


def test_users_are_read_only_with_minimal_fields(viewer, analyst):
    client = client_for(viewer)
    users = client.get("/api/users/").json()["results"]
    assert {u["username"] for u in users} == {"victor", "amira"}
    # no global role any more: the memberships (project, role) in the caller's projects
    assert set(users[0]) == {"id", "username", "display_name", "memberships"}
    assert client.post("/api/users/", {"username": "x"}).status_code == 405


# ---- Query counts -------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(analyst, article, n: int) -> None:
    speaker = ActorFactory()
    words = article.text.split()[:n]
    for word in words:
        statement = StatementFactory(article=article, user=analyst, quote=word, speaker=speaker.pk)
        services.condition_add(statement=statement, user=analyst, description="c")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # token+user with the caller's memberships, statements (+speaker, addressee, annotator
        # joined; one hand-written query, statement_rows.RawPage), conditions with gold sources
        ("/api/statements/", 3),
        ("/api/statements/?article={article}", 3),
        # the ORM path, with a filter: the same and the FilterSet's
        ("/api/statements/?stance=support", 3),
        # token+user with the caller's memberships, conditions (+statement joined)
        ("/api/conditions/", 2),
        # token+user with the caller's memberships, reviews (+reviewer)
        ("/api/reviews/", 2),
        # token+user (with memberships), count, actors (+affiliation), aliases
        ("/api/actors/", 4),
        # token+user with the caller's memberships, count, articles
        ("/api/articles/", 3),
        # token+user with the caller's memberships, count, users, their memberships (prefetched)
        ("/api/users/", 4),
        # token+user with the caller's memberships, count, projects
        ("/api/projects/", 3),
    ],
)
def test_lists_use_a_fixed_number_of_queries(analyst, other_analyst, article, path, expected):
    client = client_for(analyst)
    _grow(analyst, article, 2)
    services.statement_review(statement=Statement.objects.first(), reviewer=other_analyst, verdict="accept")
    path = path.format(article=article.pk)
    assert _queries(client, path) == expected
    _grow(analyst, ArticleFactory(), 8)
    for statement in Statement.objects.all()[1:6]:
        services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    assert _queries(client, path) == expected


def test_a_non_lead_list_of_statements_stays_fixed_too(viewer, analyst, article):
    client = client_for(viewer)
    _grow(analyst, article, 2)
    small = _queries(client, "/api/statements/")
    _grow(analyst, article, 10)
    assert _queries(client, "/api/statements/") == small == 3  # the memberships come with the token


def test_the_fast_statement_rendering_matches_the_declared_fields(analyst, lead, own, others):
    import json

    from rest_framework import serializers

    from statements.api.serializers import StatementSerializer
    from statements.api.views import _statements_for_output

    services.condition_add(statement=own, user=analyst, description="If 😀", evidence_start=0, evidence_end=6)
    gold = services.statement_adjudicate(
        article=own.article,
        user=lead,
        sources=[others],
        start=others.start,
        end=others.end,
        quote=others.quote,
        stance="demand",
        speaker=ActorFactory().pk,
    )
    for statement in _statements_for_output(Statement.objects.filter(pk__in=[own.pk, gold.pk])):
        fast = StatementSerializer(statement).data
        generic = serializers.Serializer.to_representation(StatementSerializer(), statement)
        assert json.loads(json.dumps(fast)) == json.loads(json.dumps(generic))
    # the rows the list and the writes answer with (statements/selectors/statement_rows.py): the
    # same JSON, key for key and in the same order
    from statements.selectors import statement_rows

    words = own.article.text.split()
    later = StatementFactory(article=own.article, user=analyst, quote=words[-1])
    earlier = StatementFactory(article=own.article, user=lead, quote=words[0])
    services.statement_adjudicate(  # two sources, ordered as the statements are
        article=own.article,
        user=lead,
        sources=[later, earlier],
        start=earlier.start,
        end=earlier.end,
        quote=earlier.quote,
        stance="support",
    )
    queryset = Statement.objects.order_by("id")
    instances = [StatementSerializer(st).data for st in _statements_for_output(queryset)]
    rows = statement_rows.render(list(statement_rows.rows(queryset)))
    assert json.dumps(rows) == json.dumps(instances)
    assert any(len(row["adjudicated_from"]) == 2 for row in rows) and any(row["conditions"] for row in rows)
    listed = client_for(lead).get(f"/api/statements/?article={own.article_id}&page_size=100").json()
    assert json.dumps(listed["results"]) == json.dumps(instances)
