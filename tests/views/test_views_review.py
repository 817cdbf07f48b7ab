"""The Review queue (/review/) and its verdict endpoint: who sees what (own statements never,
blind annotation), the quote in context, filters and paging, verdicts in place (htmx) and
without JavaScript, the service's refusals shown inline, and a bounded number of queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from statements import services
from statements.models import Review, Statement, StatementEvent
from statements.presenters import context
from statements.presenters.context import context_of
from statements.selectors.queue import with_context_window
from tests.factories import ActorFactory, ArticleFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


def queue_url(**params):
    from urllib.parse import urlencode

    return reverse("review_queue") + (f"?{urlencode(params)}" if params else "")


def review_url(statement):
    return reverse("statement_review", args=[statement.pk])


def item_ids(response):
    return [item.statement.pk for item in response.context["items"]]


def unchanged(statement, status="pending"):
    """Nothing happened to `statement`: no verdict, no history entry beyond its creation."""
    statement.refresh_from_db()
    assert statement.status == status
    assert not Review.objects.filter(statement=statement).exists()
    assert list(
        StatementEvent.objects.filter(statement_ref=statement.pk).values_list("action", flat=True)
    ) == ["created"]
    return True


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def theirs(article, other_analyst):
    """A pending statement by another analyst, with a speaker, an addressee and a condition."""
    return StatementFactory(
        article=article,
        user=other_analyst,
        quote=QUOTE,
        stance="caveat",
        speaker=ActorFactory(name="Vladimir Putin").pk,
        addressee=ActorFactory(name="United States").pk,
        conditions=[{"description": "Root causes addressed"}],
        note="Reported speech.",
    )


# ---- Who sees the queue, and what is in it ---------------------------------------------------


def test_it_sends_signed_out_visitors_to_sign_in(client, theirs):
    for response in (
        client.get(reverse("review_queue")),
        client.post(review_url(theirs), {"verdict": "accept"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert unchanged(theirs)


def test_a_signed_out_htmx_request_is_sent_to_sign_in_as_a_whole_page(client, theirs):
    response = client.post(
        review_url(theirs),
        {"verdict": "accept"},
        headers={**HX, "HX-Current-URL": "http://testserver/review/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Freview%2F"
    assert unchanged(theirs)


def test_it_lists_other_analysts_pending_statements_and_never_the_reviewers_own(
    client, analyst, other_analyst, article, theirs
):
    mine = StatementFactory(article=article, user=analyst, quote="very promising")
    reviewed = StatementFactory(article=article, user=other_analyst, quote="do the right thing")
    services.statement_review(statement=reviewed, reviewer=UserFactory(), verdict="accept")
    client.force_login(analyst)
    response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    assert item_ids(response) == [theirs.pk]
    assert response.context["count"] == 1
    assert f'id="item-{mine.pk}"' not in response.content.decode()
    # the other analyst's queue has the first analyst's statement, never their own
    client.force_login(other_analyst)
    assert item_ids(client.get(reverse("review_queue"))) == [mine.pk]


def test_it_shows_each_quote_in_context_with_its_facts_and_links(client, analyst, article, theirs):
    client.force_login(analyst)
    page = client.get(reverse("review_queue")).content.decode()
    before, after = context.quote_context(article.text, theirs.start, theirs.end)
    assert f'{escape(before)}<mark class="s-caveat">{QUOTE}</mark>{escape(after)}</blockquote>' in page
    for text in (
        "Vladimir Putin",
        "→ United States",
        "Caveat",
        "Root causes addressed",
        "Reported speech.",
        "Ben Okafor",
    ):
        assert text in page
    assert f"{article.get_absolute_url()}?statement={theirs.pk}#statement-{theirs.pk}" in page
    assert reverse("statement_activity", args=[theirs.pk]) in page
    assert f'action="{review_url(theirs)}"' in page
    assert "Accept <kbd>a</kbd>" in page and "Reject <kbd>r</kbd>" in page
    assert 'src="/static/js/review.js"' in page and "css/review.css" in page


def test_it_escapes_what_people_typed(client, analyst, article, other_analyst):
    StatementFactory(article=article, user=other_analyst, quote=QUOTE, note="<script>alert(1)</script>")
    client.force_login(analyst)
    page = client.get(reverse("review_queue")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("quote", [QUOTE, "Trump called", "do the right thing"])
def test_the_context_window_gives_exactly_what_quote_context_gives_on_the_whole_text(quote):
    # astral characters and a long text: the database cuts the window by code points too
    text = (
        "😀 Intro. " * 200
        + 'Putin said: "We agree with the proposals to cease hostilities." '
        + (
            'Trump called the statement "very promising". He hoped Moscow would "do the right thing". 🇺🇦 '
            * 100
        )
    )
    article = ArticleFactory(text=text)
    statement = StatementFactory(article=article, user=UserFactory(), quote=quote)
    loaded = with_context_window(Statement.objects.select_related("article")).get(pk=statement.pk)
    assert context_of(loaded) == context.quote_context(text, statement.start, statement.end)
    assert "text" in loaded.article.get_deferred_fields()


def test_it_filters_by_article_annotator_speaker_and_stance(
    client, analyst, other_analyst, lead, article, theirs
):
    elsewhere = StatementFactory(article=ArticleFactory(), user=other_analyst, quote=QUOTE, stance="demand")
    by_lead = StatementFactory(article=article, user=lead, quote="very promising", speaker=theirs.speaker_id)
    client.force_login(analyst)
    assert item_ids(client.get(reverse("review_queue"))) == [theirs.pk, elsewhere.pk, by_lead.pk]
    assert item_ids(client.get(queue_url(article=article.pk))) == [theirs.pk, by_lead.pk]
    assert item_ids(client.get(queue_url(annotator=lead.pk))) == [by_lead.pk]
    assert item_ids(client.get(queue_url(speaker=theirs.speaker_id))) == [theirs.pk, by_lead.pk]
    assert item_ids(client.get(queue_url(stance="demand"))) == [elsewhere.pk]
    assert item_ids(client.get(queue_url(article=article.pk, annotator=other_analyst.pk))) == [theirs.pk]
    # nonsense is ignored, never an error
    assert item_ids(client.get(queue_url(stance="bogus", article="x"))) == [
        theirs.pk,
        elsewhere.pk,
        by_lead.pk,
    ]
    # the article filter shows its title and a way back; an item's article link narrows to it
    page = client.get(queue_url(article=article.pk)).content.decode()
    assert f"<strong>{article.title}</strong>" in page
    assert f'name="article" value="{article.pk}" form="queue-filters"' in page
    assert f'href="{queue_url(article=article.pk)}"' in client.get(reverse("review_queue")).content.decode()


def test_filters_answer_htmx_with_the_results_fragment_only(client, analyst, theirs):
    client.force_login(analyst)
    response = client.get(queue_url(stance="caveat"), headers={**HX, "HX-Target": "results"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page and 'id="queue-filters"' not in page
    assert f'id="item-{theirs.pk}"' in page
    assert "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]


def test_it_pages_by_id_so_reviewed_items_never_push_others_out_of_reach(
    client, analyst, other_analyst, article, monkeypatch
):
    monkeypatch.setattr("statements.views.review.QUEUE_PAGE_SIZE", 2)
    s1, s2, s3, s4, s5 = (
        StatementFactory(article=article, user=other_analyst, quote=QUOTE) for _ in range(5)
    )
    client.force_login(analyst)
    first = client.get(reverse("review_queue"))
    assert item_ids(first) == [s1.pk, s2.pk]
    assert first.context["next_url"] == queue_url(after=s2.pk)
    services.statement_review(statement=s1, reviewer=analyst, verdict="accept")  # leaves the queue
    second = client.get(first.context["next_url"])
    assert item_ids(second) == [s3.pk, s4.pk]  # nothing skipped
    assert second.context["first_url"] == reverse("review_queue")
    last = client.get(second.context["next_url"])
    assert item_ids(last) == [s5.pk] and last.context["next_url"] == ""
    assert last.context["count"] == 4


def test_the_nav_badge_counts_what_awaits_review_lazily_and_caps_it(
    client, analyst, viewer, other_analyst, article
):
    for _ in range(3):
        StatementFactory(article=article, user=other_analyst, quote=QUOTE)
    badge = {**HX, "HX-Target": "review-count"}
    client.force_login(analyst)
    page = client.get(reverse("article_list")).content.decode()
    assert f'id="review-count" class="badge" hx-get="{reverse("review_queue")}" hx-trigger="load"' in page
    response = client.get(reverse("review_queue"), headers=badge)
    assert response.content.decode().strip() == (
        '<span id="review-count" class="badge">3<span class="sr-only"> awaiting review</span></span>'
    )
    client.force_login(viewer)  # viewers do not review: no number
    assert client.get(reverse("review_queue"), headers=badge).content.decode().strip() == (
        '<span id="review-count" class="badge"></span>'
    )


def test_the_queue_stops_counting_at_1000(client, analyst, other_analyst, article, monkeypatch):
    monkeypatch.setattr("statements.views.review.COUNT_CAP", 2)
    for _ in range(4):
        StatementFactory(article=article, user=other_analyst, quote=QUOTE)
    client.force_login(analyst)
    assert "2+ statements awaiting your review" in client.get(reverse("review_queue")).content.decode()


def test_the_nav_badge_stops_counting_at_99(client, analyst, other_analyst, monkeypatch):
    monkeypatch.setattr("statements.views.review.BADGE_CAP", 2)
    article = ArticleFactory()
    for _ in range(4):
        StatementFactory(article=article, user=other_analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.get(reverse("review_queue"), headers={**HX, "HX-Target": "review-count"})
    assert ">2+<" in response.content.decode()


# ---- Verdicts --------------------------------------------------------------------------------


def test_it_accepts_in_place_for_htmx_and_updates_the_counts(client, analyst, other_analyst, article, theirs):
    StatementFactory(article=article, user=other_analyst, quote="very promising")
    client.force_login(analyst)
    response = client.post(review_url(theirs), {"verdict": "accept", "comment": ""}, headers=HX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<li id="item-{theirs.pk}" class="review-item is-done')
    assert '<span class="verdict v-accept">Accepted</span>' in page
    assert '<span id="queue-count" hx-swap-oob="true">1 statement awaiting your review</span>' in page
    assert 'id="review-count" class="badge" hx-swap-oob="true">1<' in page
    assert json.loads(response["HX-Trigger"])["annotator:status"]["message"].startswith("Accepted: “We agree")
    theirs.refresh_from_db()
    assert theirs.status == "accepted"
    assert Review.objects.get(statement=theirs).reviewer == analyst


def test_without_javascript_a_verdict_redirects_back_to_the_same_queue(client, analyst, article, theirs):
    client.force_login(analyst)
    response = client.post(
        review_url(theirs),
        {
            "verdict": "request_changes",
            "comment": "Who is speaking?",
            "article": article.pk,
            "stance": "caveat",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == queue_url(article=article.pk, stance="caveat")
    theirs.refresh_from_db()
    assert theirs.status == "changes_requested"
    assert Review.objects.get(statement=theirs).comment == "Who is speaking?"
    assert "Changes requested" in client.get(response["Location"]).content.decode()  # the message


@pytest.mark.parametrize("verdict", ["reject", "request_changes"])
def test_a_verdict_against_needs_a_comment_and_the_error_shows_in_the_item(client, analyst, theirs, verdict):
    client.force_login(analyst)
    response = client.post(review_url(theirs), {"verdict": verdict, "comment": "  "}, headers=HX)
    assert response.status_code == 422  # base.html lets htmx swap 422 into the item
    page = response.content.decode()
    assert page.lstrip().startswith(f'<li id="item-{theirs.pk}" class="review-item s-caveat"')
    assert "Say why: a comment is required to reject or request changes." in page
    assert f'data-armed="{verdict}"' in page  # Enter in the box sends the same verdict again
    assert unchanged(theirs)


def test_without_javascript_the_error_shows_on_the_page_with_what_was_typed(client, analyst, theirs):
    client.force_login(analyst)
    response = client.post(review_url(theirs), {"verdict": "bogus", "comment": "<b>hm</b>"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "is not a verdict" in page
    assert "&lt;b&gt;hm&lt;/b&gt;</textarea>" in page
    assert 'id="queue-filters"' in page
    assert unchanged(theirs)


def test_the_server_refuses_a_review_of_ones_own_statement(client, analyst, article):
    mine = StatementFactory(article=article, user=analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.post(review_url(mine), {"verdict": "accept"}, headers=HX)
    assert response.status_code == 422
    assert "You cannot review your own statement." in response.content.decode()
    response = client.post(review_url(mine), {"verdict": "accept"})
    assert response.status_code == 422
    assert "You cannot review your own statement." in response.content.decode()
    assert unchanged(mine)


def test_a_viewer_reads_the_queue_but_cannot_review(client, viewer, theirs):
    client.force_login(viewer)
    response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    assert item_ids(response) == [theirs.pk]
    page = response.content.decode()
    assert "verdict-form" not in page and "keys-help" not in page
    for headers in (HX, {}):
        assert client.post(review_url(theirs), {"verdict": "accept"}, headers=headers).status_code == 403
    assert unchanged(theirs)


def test_a_lead_reviews_anyones_statement(client, lead, theirs):
    client.force_login(lead)
    assert item_ids(client.get(reverse("review_queue"))) == [theirs.pk]
    response = client.post(review_url(theirs), {"verdict": "reject", "comment": "Not a quote."}, headers=HX)
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == "rejected"


def test_an_unknown_statement_is_a_404(client, analyst):
    client.force_login(analyst)
    assert client.post(reverse("statement_review", args=[999999]), {"verdict": "accept"}).status_code == 404


def test_get_is_not_a_verdict(client, analyst, theirs):
    client.force_login(analyst)
    assert client.get(review_url(theirs)).status_code == 405


# ---- Blind double annotation -------------------------------------------------------------------


def test_an_assigned_analyst_sees_nothing_of_others_on_the_article_until_finished(
    client, analyst, lead, article, theirs
):
    services.assignment_create(article=article, analyst=analyst, user=lead)
    other_article = StatementFactory(article=ArticleFactory(), user=theirs.annotator, quote=QUOTE)
    client.force_login(analyst)
    assert item_ids(client.get(reverse("review_queue"))) == [other_article.pk]
    assert item_ids(client.get(queue_url(article=article.pk))) == []
    # a review of a hidden statement: it does not exist for them, nothing changes
    assert client.post(review_url(theirs), {"verdict": "accept"}, headers=HX).status_code == 404
    assert unchanged(theirs)
    # the lead sees it all the while
    client.force_login(lead)
    assert theirs.pk in item_ids(client.get(reverse("review_queue")))
    # finishing reveals it
    services.assignment_finish(article=article, user=analyst)
    client.force_login(analyst)
    assert item_ids(client.get(reverse("review_queue"))) == [theirs.pk, other_article.pk]
    assert client.post(review_url(theirs), {"verdict": "accept"}, headers=HX).status_code == 200


def test_an_edit_after_a_verdict_puts_the_statement_back_in_the_queue(client, analyst, other_analyst, theirs):
    client.force_login(analyst)
    client.post(review_url(theirs), {"verdict": "request_changes", "comment": "Stance?"}, headers=HX)
    assert item_ids(client.get(reverse("review_queue"))) == []
    services.statement_update(statement=theirs, user=other_analyst, stance="demand")
    response = client.get(reverse("review_queue"))
    assert item_ids(response) == [theirs.pk]
    assert "· edited" in response.content.decode()
    assert Review.objects.get(statement=theirs).statement_version == 1  # the verdict stays


# ---- Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 60])
def test_the_queue_issues_a_fixed_number_of_queries(
    client, analyst, other_analyst, django_assert_num_queries, n
):
    actor = ActorFactory()
    articles = [ArticleFactory() for _ in range(3)]
    for i in range(n):
        StatementFactory(
            article=articles[i % 3],
            user=other_analyst,
            quote=QUOTE,
            speaker=actor.pk,
            addressee=actor.pk,
            conditions=[{"description": f"Condition {i}"}, {"description": "Another"}],
        )
    client.force_login(analyst)
    # 1 session, 2 user, 3 the page (article window, speaker, addressee, annotator joined),
    # 4 its conditions, 5 the count, 6 annotators and 7 speakers for the filters
    # with projects: 8 the project filter's choices (the include; memberships come with the user)
    with django_assert_num_queries(8):
        response = client.get(reverse("review_queue"))
    assert len(response.context["items"]) == min(n, 20)
    # the fragment skips the filters' options; 6 the filtered article's title
    # (the memberships come with the user)
    with django_assert_num_queries(6):
        client.get(queue_url(article=articles[0].pk), headers={**HX, "HX-Target": "results"})
    # a verdict: 1 session, 2 user, 3 the statement (joined), 4 its conditions, then the service
    # in a savepoint (5 and 11): 6 lock, 7 blind check, 8 review insert, 9 status update,
    # 10 history insert; then 12 the count for the queue and the badge; with projects: 13 the
    # current project (remembered in the session; the memberships come with the user)
    statement = Statement.objects.first()
    with django_assert_num_queries(13):
        client.post(review_url(statement), {"verdict": "accept"}, headers=HX)


def test_the_queue_loads_only_a_window_of_each_article_text(client, analyst, theirs):
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("review_queue"))
    page_query = next(q["sql"] for q in ctx.captured_queries if "ctx_window" in q["sql"])
    select_list = page_query.split(" FROM ")[0]
    # the text appears only inside SUBSTR(…) (SUBSTRING on PostgreSQL), never as a column
    whole = select_list.count('"statements_article"."text"')
    cut = len(re.findall(r'SUBSTR(?:ING)?\("statements_article"\."text"', select_list))
    assert whole == cut >= 1
