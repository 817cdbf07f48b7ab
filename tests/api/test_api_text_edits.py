"""PATCH /api/articles/{id}/ with a new text (issue 14): statements follow it (replace mode by
default), a dry run saves nothing, bad input is a 400 with field messages, others get a 403."""

import pytest
from rest_framework.test import APIClient

from statements import services
from statements.models import AnchorState, Article, ArticleTextRevision, Statement
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Peskov said on Monday that Moscow welcomed the talks.\n\n"
    "Lavrov added that talks would resume in Geneva next week.\n\n"
    "The ministry said the ceasefire must hold before any talks."
)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _tag(article, user, quote):
    start = article.text.index(quote)
    return services.statement_create(
        article=article, user=user, start=start, end=start + len(quote), quote=quote, stance="support"
    )


@pytest.fixture
def article(analyst):
    return ArticleFactory(text=TEXT, user=analyst)


def _url(article):
    return f"/api/articles/{article.pk}/"


def test_it_replaces_the_text_and_answers_with_each_statements_outcome(analyst, article):
    moved = _tag(article, analyst, "talks would resume in Geneva")
    gone = _tag(article, analyst, "the ceasefire must hold")
    new = "Correction appended.\n\n" + TEXT.replace(
        "The ministry said the ceasefire must hold before any talks.", ""
    )
    response = client_for(analyst).patch(_url(article), {"text": new}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["text"] == new.strip() or body["text"] == new
    change = body["text_change"]
    assert change["applied"] is True and change["mode"] == "replace"
    by_id = {o["statement"]: o for o in change["statements"]}
    start = new.index("talks would resume in Geneva")
    assert by_id[moved.pk]["outcome"] == "moved" and by_id[moved.pk]["method"] == "exact-near"
    assert by_id[moved.pk]["new"] == {
        "start": start,
        "end": start + 28,
        "quote": "talks would resume in Geneva",
    }
    assert by_id[moved.pk]["old"]["start"] == TEXT.index("talks would resume in Geneva")
    assert by_id[gone.pk]["outcome"] == "orphaned" and by_id[gone.pk]["new"] is None
    assert change["counts"]["orphaned"] == 1
    gone.refresh_from_db()
    assert gone.anchor_state == AnchorState.ORPHAN
    assert ArticleTextRevision.objects.get(article=article).change == "replace"


def test_a_dry_run_says_what_would_happen_and_saves_nothing(analyst, article):
    s = _tag(article, analyst, "talks would resume in Geneva")
    new = "Intro.\n\n" + TEXT
    response = client_for(analyst).patch(
        _url(article), {"text": new, "dry_run": True, "title": "X"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["text_change"]["applied"] is False and body["text"] == TEXT and body["title"] != "X"
    assert body["text_change"]["statements"][0]["new"]["start"] == new.index("talks would resume")
    article.refresh_from_db()
    s.refresh_from_db()
    assert article.text == TEXT and s.start == TEXT.index("talks would resume")
    assert not ArticleTextRevision.objects.exists()


def test_the_edit_mode_follows_the_diff(analyst, article):
    s = _tag(article, analyst, "talks would resume in Geneva")
    new = TEXT.replace("talks would resume", "talks will resume")
    response = client_for(analyst).patch(_url(article), {"text": new, "mode": "edit"}, format="json")
    assert response.status_code == 200
    (outcome,) = response.json()["text_change"]["statements"]
    assert (outcome["outcome"], outcome["method"]) == ("reanchored", "diff")
    s.refresh_from_db()
    assert (s.quote, s.anchor_state) == ("talks will resume in Geneva", AnchorState.TEXT_CHANGED)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "new text", "mode": "guess"}, "mode"),
        ({"text": "new text", "dry_run": "perhaps"}, "dry_run"),
        ({"text": "new text", "base_sha256": "abc"}, "base_sha256"),
        ({"text": "new text", "base_sha256": "0" * 64}, "text"),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_changes_nothing(analyst, article, body, field):
    _tag(article, analyst, "talks would resume in Geneva")
    response = client_for(analyst).patch(_url(article), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    article.refresh_from_db()
    assert article.text == TEXT and not ArticleTextRevision.objects.exists()


def test_others_get_a_403_and_nothing_changes(article, analyst, other_analyst, viewer, lead):
    s = _tag(article, analyst, "talks would resume in Geneva")
    for user in (other_analyst, viewer):
        response = client_for(user).patch(_url(article), {"text": "Intro. " + TEXT}, format="json")
        assert response.status_code == 403
    outsider = UserFactory(role=None)
    assert client_for(outsider).patch(_url(article), {"text": "x"}, format="json").status_code == 403
    article.refresh_from_db()
    assert article.text == TEXT
    assert client_for(lead).patch(_url(article), {"text": "Intro. " + TEXT}, format="json").status_code == 200
    s.refresh_from_db()
    assert Article.objects.get(pk=article.pk).text[s.start : s.end] == s.quote


def test_blind_annotation_hides_other_analysts_statements_in_the_outcome(
    article, analyst, other_analyst, lead
):
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    mine = _tag(article, analyst, "talks would resume in Geneva")
    theirs = _tag(article, other_analyst, "the ceasefire must hold")
    response = client_for(analyst).patch(_url(article), {"text": "Intro.\n\n" + TEXT}, format="json")
    change = response.json()["text_change"]
    assert [o["statement"] for o in change["statements"]] == [mine.pk]
    assert change["counts"]["moved"] == 2
    theirs.refresh_from_db()
    assert Statement.objects.get(pk=theirs.pk).start == ("Intro.\n\n" + TEXT).index("the ceasefire must hold")
