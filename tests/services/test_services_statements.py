"""Statements and conditions through the services: offsets, quotes, actors, history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from statements import services
from statements.models import Condition, EventAction, Statement, StatementEvent, Status
from tests.factories import ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


def _create(article, user, **overrides):
    start = article.text.index(QUOTE)
    data = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "stance": "support", **overrides}
    return services.statement_create(article=article, user=user, **data)


def _counts():
    return Statement.objects.count(), Condition.objects.count(), StatementEvent.objects.count()


def test_it_stores_a_statement_whose_quote_is_the_text_span(analyst):
    article = ArticleFactory()
    speaker = ActorFactory(name="Vladimir Putin")
    statement = _create(article, analyst, speaker=speaker.pk, note=" direct quote ")
    assert article.text[statement.start : statement.end] == statement.quote == QUOTE
    assert statement.speaker == speaker
    assert statement.note == "direct quote"
    assert statement.status == Status.PENDING
    assert statement.annotator == analyst


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start": -1}, "start", "must be 0 or more"),
        ({"end": 10_000}, "end", "past the end of the article"),
        ({"start": 10_000, "end": 10_010}, "start", "past the end of the article"),
        ({"start": 5, "end": 5}, "end", "must be greater than start"),
        ({"start": 9, "end": 3}, "end", "must be greater than start"),
        ({"start": "abc"}, "start", "must be a whole number"),
        ({"start": 1.5}, "start", "must be a whole number"),
        ({"quote": "We agree with the proposal to cease hostilities!"}, "quote", "does not match"),
        ({"stance": "neutral"}, "stance", "is not a stance"),
        ({"speaker": 999_999}, "speaker", "There is no actor with id 999999"),
        ({"addressee": "putin"}, "addressee", "is not an actor id"),
    ],
)
def test_it_rejects_bad_statement_input_and_stores_nothing(analyst, overrides, field, message):
    article = ArticleFactory()
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _create(article, analyst, **overrides)
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert _counts() == before


def test_it_shows_the_real_text_when_the_quote_does_not_match(analyst):
    article = ArticleFactory()
    start = article.text.index(QUOTE)
    with pytest.raises(ValidationError) as exc:
        services.statement_create(
            article=article,
            user=analyst,
            start=start + 1,
            end=start + 1 + len(QUOTE),
            quote=QUOTE,
            stance="support",
        )
    assert "e agree with the proposals" in exc.value.message_dict["quote"][0]


def test_it_counts_offsets_in_code_points_after_emoji_and_cyrillic(analyst):
    prefix = "🇺🇦🕊️ Путин заявил: 😀 "  # flags and emoji are astral (2 UTF-16 units each)
    article = services.article_create(user=analyst, title="Emoji", text=prefix + "мир и порядок. " + QUOTE)
    start = len(prefix + "мир и порядок. ")
    statement = services.statement_create(
        article=article, user=analyst, start=start, end=start + len(QUOTE), quote=QUOTE, stance="support"
    )
    assert statement.start == article.text.index(QUOTE)
    utf16_start = len(article.text[:start].encode("utf-16-le")) // 2
    assert utf16_start > statement.start  # the browser's count would differ; we store code points
    cyr = services.statement_create(
        article=article, user=analyst, start=len(prefix), end=len(prefix) + 3, quote="мир", stance="caveat"
    )
    assert cyr.quote == "мир"


def test_it_measures_offsets_on_the_normalized_text(analyst):
    article = services.article_create(user=analyst, title="CRLF", text="Line one.\r\nLine two: " + QUOTE)
    start = article.text.index(QUOTE)
    assert start == len("Line one.\nLine two: ")
    statement = _create(article, analyst)
    assert statement.start == start


def test_it_allows_overlapping_and_nested_spans(analyst):
    article = ArticleFactory()
    outer = _create(article, analyst)
    start = article.text.index("proposals")
    inner = services.statement_create(
        article=article, user=analyst, start=start, end=start + 9, quote="proposals", stance="demand"
    )
    assert outer.start < inner.start < inner.end < outer.end


def test_it_stores_conditions_with_and_without_evidence(analyst):
    article = ArticleFactory()
    ev = article.text.index("cease hostilities")
    statement = _create(
        article,
        analyst,
        conditions=[
            {"description": "Hostilities must cease", "evidence_start": ev, "evidence_end": ev + 17},
            {"description": "  Root   causes addressed  "},
        ],
    )
    first, second = statement.conditions.order_by("position")
    assert first.evidence_quote == "cease hostilities"
    assert second.description == "Root causes addressed"
    assert not second.has_evidence


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"description": ""}, "the description is required"),
        ({"description": "x", "evidence_start": 0, "evidence_end": 99_999}, "past the end"),
        (
            {"description": "x", "evidence_start": 0, "evidence_end": 3, "evidence_quote": "zzz"},
            "does not match",
        ),
        ({"description": "x", "evidence_quote": "orphan"}, "needs evidence_start"),
        ("just a string", "must be an object"),
    ],
)
def test_it_rejects_bad_conditions_and_stores_nothing(analyst, condition, message):
    article = ArticleFactory()
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _create(article, analyst, conditions=[condition])
    assert any(message in m for m in exc.value.message_dict["conditions"])
    assert _counts() == before


def test_it_refuses_statements_from_a_viewer(viewer):
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        _create(article, viewer)
    assert Statement.objects.count() == 0


def test_it_records_create_edit_and_delete_in_the_history(analyst):
    statement = StatementFactory(user=analyst)
    statement = services.statement_update(statement=statement, user=analyst, stance="caveat")
    pk = statement.pk
    services.statement_delete(statement=statement, user=analyst)
    events = list(StatementEvent.objects.filter(statement_ref=pk).order_by("id"))
    assert [e.action for e in events] == [EventAction.CREATED, EventAction.UPDATED, EventAction.DELETED]
    assert ("stance", "support", "caveat") in events[1].changes
    assert events[2].before["quote"] == QUOTE
    assert not Statement.objects.filter(pk=pk).exists()


def test_it_refuses_edits_and_deletes_by_another_analyst(analyst, other_analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(PermissionDenied):
        services.statement_update(statement=statement, user=other_analyst, stance="demand")
    with pytest.raises(PermissionDenied):
        services.statement_delete(statement=statement, user=other_analyst)
    statement.refresh_from_db()
    assert statement.stance == "support"


def test_a_lead_may_edit_anyones_statement(analyst, lead):
    statement = StatementFactory(user=analyst)
    statement = services.statement_update(statement=statement, user=lead, stance="demand")
    assert statement.stance == "demand"


def test_it_refuses_a_stale_edit(analyst):
    statement = StatementFactory(user=analyst)
    services.statement_update(statement=statement, user=analyst, stance="caveat")
    with pytest.raises(ValidationError) as exc:
        services.statement_update(statement=statement, user=analyst, stance="demand", expected_version=1)
    assert "Reload" in exc.value.message_dict["version"][0]
    statement.refresh_from_db()
    assert statement.stance == "caveat"


def test_it_requires_the_quote_with_new_offsets(analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError) as exc:
        services.statement_update(statement=statement, user=analyst, start=0, end=5)
    assert "quote" in exc.value.message_dict


def test_an_edit_after_a_verdict_returns_the_statement_to_pending(analyst, other_analyst):
    statement = StatementFactory(user=analyst)
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    statement.refresh_from_db()
    assert statement.status == Status.ACCEPTED
    statement = services.statement_update(statement=statement, user=analyst, note="clarified")
    assert statement.status == Status.PENDING
    assert statement.reviews.count() == 1  # the earlier verdict stays


def test_condition_add_and_delete_are_edits_of_the_statement(analyst):
    statement = StatementFactory(user=analyst)
    condition = services.condition_add(statement=statement, user=analyst, description="Talks first")
    assert condition.description == "Talks first"
    services.condition_delete(condition=condition, user=analyst)
    assert statement.conditions.count() == 0
    assert StatementEvent.objects.filter(statement=statement, action=EventAction.UPDATED).count() == 2


def test_a_locked_update_needs_the_callers_transaction(analyst):
    statement = StatementFactory(user=analyst)
    with transaction.atomic():
        locked = services.locked_statement_rows(Statement.objects.filter(pk=statement.pk)).get()
        updated = services.statement_update(statement=locked, user=analyst, locked=True, note="in it")
        with pytest.raises(ValidationError):  # the version is still checked, on the locked row
            services.statement_update(
                statement=locked, user=analyst, locked=True, expected_version=locked.version - 1, note="x"
            )
    assert updated.note == Statement.objects.get(pk=statement.pk).note == "in it"


@pytest.mark.django_db(transaction=True)
def test_a_locked_update_outside_a_transaction_is_refused(analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(RuntimeError, match="transaction"):
        services.statement_update(statement=statement, user=analyst, locked=True, note="lost")
    assert Statement.objects.get(pk=statement.pk).note == ""
