"""The pages of issue 14: the text editor with its preview, the panel of what a text change left
to decide (article page and review queue), re-attaching an orphan, the confirm buttons. Query
counts are fixed whatever the number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements import services
from statements.models import AnchorState, Article, ArticleTextRevision, Statement, Status
from statements.services import text_edits
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Peskov said on Monday that Moscow welcomed the talks.\n\n"
    "Lavrov added that talks would resume in Geneva next week.\n\n"
    "The ministry said the ceasefire must hold before any talks."
)
GONE = "The ministry said the ceasefire must hold before any talks."


def _tag(article, user, quote):
    start = article.text.index(quote)
    return services.statement_create(
        article=article, user=user, start=start, end=start + len(quote), quote=quote, stance="support"
    )


@pytest.fixture
def article(analyst):
    return ArticleFactory(text=TEXT, user=analyst)


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    return response, len(ctx)


def test_the_editor_shows_the_text_and_its_query_count_does_not_grow(client, analyst, article):
    client.force_login(analyst)
    url = reverse("article_text_edit", args=[article.pk])
    client.get(url)  # warm the session
    response, few = _queries(lambda: client.get(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="text"' in page and "Lavrov added that talks would resume" in page
    assert f'value="{article.text_sha256}"' in page
    for quote in ("Peskov said", "Lavrov added", "the ceasefire"):
        _tag(article, analyst, quote)
    _, many = _queries(lambda: client.get(url))
    assert few == many == 3  # session, user with memberships, article with project


def test_the_preview_lists_each_statement_and_saves_nothing(client, analyst, article):
    moved = _tag(article, analyst, "talks would resume in Geneva")
    gone = _tag(article, analyst, "the ceasefire must hold")
    client.force_login(analyst)
    new = "Intro.\n\n" + TEXT.replace(GONE, "Kyiv did not comment.")
    url = reverse("article_text_edit", args=[article.pk])
    client.get(url)
    response, n = _queries(
        lambda: client.post(
            url, {"text": new.replace("\n", "\r\n"), "base": article.text_sha256, "preview": "1"}
        )
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-statement="{moved.pk}" data-outcome="moved"' in page
    assert f'data-statement="{gone.pk}" data-outcome="orphaned"' in page
    assert 'name="save"' in page
    # session, user with memberships, article, duplicate check, statements, conditions, visible ids
    assert n == 7
    article.refresh_from_db()
    assert article.text == TEXT and not ArticleTextRevision.objects.exists()


def test_save_applies_the_edit_and_returns_to_the_article(client, analyst, article):
    s = _tag(article, analyst, "talks would resume in Geneva")
    client.force_login(analyst)
    new = "Intro.\n\n" + TEXT
    response = client.post(
        reverse("article_text_edit", args=[article.pk]),
        {"text": new.replace("\n", "\r\n"), "base": article.text_sha256, "save": "1"},
    )
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    s.refresh_from_db()
    assert s.start == new.index("talks would resume in Geneva")
    assert Article.objects.get(pk=article.pk).text == new


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "  ", "save": "1"}, "The text is empty."),
        ({"text": "Intro. " + TEXT, "base": "0" * 64, "save": "1"}, "since you opened it"),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(client, analyst, article, data, message):
    _tag(article, analyst, "talks would resume in Geneva")
    client.force_login(analyst)
    response = client.post(reverse("article_text_edit", args=[article.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    article.refresh_from_db()
    assert article.text == TEXT


def test_only_the_creator_or_a_lead_may_open_the_editor(client, article, other_analyst, viewer, lead):
    url = reverse("article_text_edit", args=[article.pk])
    for user, code in ((other_analyst, 403), (viewer, 403), (UserFactory(role=None), 403), (lead, 200)):
        client.force_login(user)
        assert client.get(url).status_code == code
        if code != 200:
            assert client.post(url, {"text": "Intro. " + TEXT, "save": "1"}).status_code == code
    article.refresh_from_db()
    assert article.text == TEXT


def _orphaned(article, analyst):
    gone = _tag(article, analyst, "the ceasefire must hold")
    changed = _tag(article, analyst, "talks would resume in Geneva")
    new = TEXT.replace(GONE, "Kyiv did not comment.").replace("would resume", "will resume")
    text_edits.text_edit_apply(article=article, user=analyst, text=new)
    gone.refresh_from_db()
    changed.refresh_from_db()
    return gone, changed, new


def test_only_who_may_change_the_text_gets_the_edit_link(client, analyst, other_analyst, lead, article):
    edit = reverse("article_text_edit", args=[article.pk])
    for user, shown in ((analyst, True), (lead, True), (other_analyst, False)):  # creator, lead, not
        client.force_login(user)
        assert (edit in client.get(article.get_absolute_url()).content.decode()) is shown, user


def test_the_article_panel_lists_orphans_and_changed_text_in_fixed_queries(client, analyst, article):
    gone, changed, _ = _orphaned(article, analyst)
    client.force_login(analyst)
    url = reverse("article_anchor_issues", args=[article.pk])
    client.get(url)
    response, n = _queries(lambda: client.get(url))
    page = response.content.decode()
    assert f'data-orphan="{gone.pk}"' in page and f'data-text-changed="{changed.pk}"' in page
    assert reverse("statement_reattach", args=[gone.pk]) in page
    assert n == 5  # session, user with memberships, article, statements, orphaned evidence
    # the article page loads the panel, and links to the text editor itself (rendered with the
    # page: nothing that loads later moves the text)
    article_page = client.get(article.get_absolute_url()).content.decode()
    assert url in article_page
    assert reverse("article_text_edit", args=[article.pk]) in article_page


def test_the_review_queue_panel_lists_them_across_articles(client, analyst, lead, article):
    gone, changed, _ = _orphaned(article, analyst)
    client.force_login(lead)
    response, n = _queries(lambda: client.get(reverse("queue_anchor_issues")))
    page = response.content.decode()
    assert f'data-orphan="{gone.pk}"' in page and article.title in page
    assert n <= 5
    assert reverse("queue_anchor_issues") in client.get(reverse("review_queue")).content.decode()


def test_an_orphan_is_reattached_by_choosing_a_match(client, analyst, article):
    gone, _, new = _orphaned(article, analyst)
    client.force_login(analyst)
    url = reverse("statement_reattach", args=[gone.pk])
    response = client.get(url, {"q": "did not comment"})
    page = response.content.decode()
    start = new.index("did not comment")
    assert f'data-match="{start}"' in page and "1 match" in page
    assert client.get(url).status_code == 200  # the old quote is searched by default: no match
    response = client.post(url, {"start": start, "end": start + 15, "quote": "did not comment"})
    assert response.status_code == 302
    gone.refresh_from_db()
    assert (gone.start, gone.quote, gone.anchor_state) == (start, "did not comment", AnchorState.ANCHORED)


def test_a_wrong_span_is_a_form_error_and_others_may_not_reattach(client, analyst, other_analyst, article):
    gone, _, _ = _orphaned(article, analyst)
    url = reverse("statement_reattach", args=[gone.pk])
    client.force_login(analyst)
    response = client.post(url, {"start": 0, "end": 5, "quote": "nope!"})
    assert response.status_code == 422 and "does not match" in response.content.decode()
    client.force_login(other_analyst)
    assert client.post(url, {"start": 0, "end": 6, "quote": "Peskov"}).status_code == 403
    gone.refresh_from_db()
    assert gone.anchor_state == AnchorState.ORPHAN


def test_the_confirm_buttons(client, analyst, lead, article):
    _, changed, _ = _orphaned(article, analyst)
    client.force_login(analyst)
    response = client.post(reverse("statement_confirm_text", args=[changed.pk]))
    assert response.status_code == 302
    changed.refresh_from_db()
    assert changed.anchor_state == AnchorState.ANCHORED
    gold = _tag(article, lead, "Peskov said")
    Statement.objects.filter(pk=gold.pk).update(is_gold=True, status=Status.ACCEPTED)
    text_edits.text_edit_apply(
        article=article, user=lead, text=article.text.replace("Peskov said", "Peskov says")
    )
    gold.refresh_from_db()
    assert gold.gold_unconfirmed
    assert client.post(reverse("statement_confirm_gold", args=[gold.pk])).status_code == 403  # leads only
    gold.refresh_from_db()
    assert gold.gold_unconfirmed
    client.force_login(lead)
    client.post(reverse("statement_confirm_gold", args=[gold.pk]))
    gold.refresh_from_db()
    assert (gold.is_gold, gold.gold_unconfirmed) == (True, False)


def test_the_statements_history_shows_the_move_with_method_and_score(client, analyst, article):
    s = _tag(article, analyst, "talks would resume in Geneva")
    gone = _tag(article, analyst, "the ceasefire must hold")
    new = "Intro.\n\n" + TEXT.replace(GONE, "")
    text_edits.text_edit_apply(article=article, user=analyst, text=new)
    client.force_login(analyst)
    page = client.get(reverse("statement_activity", args=[s.pk])).content.decode()
    old_start = TEXT.index("talks would resume")
    assert "Re-anchored" in page and "the quote moved with it" in page
    assert f"{old_start}–{old_start + 28}" in page and f"{old_start + 8}–{old_start + 36}" in page
    assert "diff, score 1.00" in page
    page = client.get(reverse("statement_activity", args=[gone.pk])).content.decode()
    assert "none in the new text (old span kept)" in page and "an orphan, kept with its old quote" in page


def test_it_does_not_draw_orphaned_evidence_and_marks_it_in_the_list_entry(client, analyst, article):
    """Orphaned evidence keeps the old text's offsets: drawn on the new text they would mark
    characters that are not its quote."""
    quote, evidence = "Moscow welcomed the talks", "before any talks"
    start, ev = TEXT.index(quote), TEXT.index(evidence)
    s = services.statement_create(
        article=article,
        user=analyst,
        start=start,
        end=start + len(quote),
        quote=quote,
        stance="support",
        conditions=[
            {
                "description": "only with a truce",
                "evidence_start": ev,
                "evidence_end": ev + len(evidence),
                "evidence_quote": evidence,
            }
        ],
    )
    client.force_login(analyst)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'data-ev="{s.pk}"' in page and "orphaned evidence" not in page  # drawn while anchored
    new = TEXT.replace(
        GONE, "Kyiv did not comment on the proposal, officials in the capital said late on Monday."
    )
    text_edits.text_edit_apply(article=article, user=analyst, text=new)
    condition = s.conditions.get()
    assert condition.evidence_orphan_of_id is not None and condition.evidence_end <= len(new)
    assert new[condition.evidence_start : condition.evidence_end] != evidence  # old offsets, wrong text
    page = client.get(article.get_absolute_url()).content.decode()
    assert "data-ev=" not in page  # not drawn
    assert f'data-statement="{s.pk}"' in page  # the statement itself still is
    assert (
        f'<span class="evidence orphaned" data-orphan-evidence="{condition.pk}">orphaned evidence</span>'
        in page
    )
    panel = client.get(article.get_absolute_url(), {"statement": s.pk}).content.decode()
    assert "Orphaned evidence (no longer in the text): “before any talks”" in panel
