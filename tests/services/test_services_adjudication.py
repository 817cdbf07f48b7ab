"""Gold statements: adjudicated by a lead from analysts' statements; assignments and blindness."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements import permissions, services
from statements.models import EventAction, Statement, StatementEvent, Status
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def pair(article, analyst, other_analyst):
    a = StatementFactory(article=article, user=analyst, stance="support")
    b = StatementFactory(article=article, user=other_analyst, stance="caveat")
    return a, b


def _gold(article, lead, sources, **overrides):
    start = article.text.index(QUOTE)
    data = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "stance": "support", **overrides}
    return services.statement_adjudicate(article=article, user=lead, sources=sources, **data)


def test_a_lead_makes_a_gold_statement_linked_to_its_sources(article, lead, pair):
    gold = _gold(article, lead, pair, conditions=[{"description": "Hostilities cease"}])
    assert gold.is_gold and gold.status == Status.ACCEPTED
    assert set(gold.adjudicated_from.all()) == set(pair)
    assert gold.conditions.count() == 1
    event = StatementEvent.objects.get(statement=gold)
    assert event.action == EventAction.ADJUDICATED
    assert event.before == {"sources": sorted(s.pk for s in pair)}


def test_an_analyst_cannot_adjudicate(article, analyst, pair):
    with pytest.raises(PermissionDenied):
        _gold(article, analyst, pair)
    assert not Statement.objects.filter(is_gold=True).exists()


def test_a_source_feeds_only_one_gold_statement(article, lead, pair):
    first = _gold(article, lead, pair)
    with pytest.raises(ValidationError) as exc:
        _gold(article, lead, [pair[0]], stance="caveat")
    assert f"#{first.pk}" in exc.value.message_dict["sources"][0]
    assert Statement.objects.filter(is_gold=True).count() == 1


def test_it_refuses_sources_from_another_article(lead, analyst, pair, article):
    elsewhere = StatementFactory(user=analyst)
    with pytest.raises(ValidationError) as exc:
        _gold(article, lead, [pair[0], elsewhere])
    assert "sources" in exc.value.message_dict


def test_it_validates_the_gold_span_like_any_statement(article, lead, pair):
    with pytest.raises(ValidationError) as exc:
        _gold(article, lead, pair, quote="not the text")
    assert "quote" in exc.value.message_dict
    assert not Statement.objects.filter(is_gold=True).exists()


def test_gold_statements_are_not_reviewed_and_stay_accepted_when_edited(article, lead, pair, analyst):
    gold = _gold(article, lead, pair)
    with pytest.raises(ValidationError):
        services.statement_review(statement=gold, reviewer=analyst, verdict="reject", comment="no")
    gold = services.statement_update(statement=gold, user=lead, stance="demand")
    assert gold.status == Status.ACCEPTED
    with pytest.raises(PermissionDenied):
        services.statement_update(statement=gold, user=analyst, stance="caveat")


def test_blind_assignment_hides_others_work_until_finished(article, lead, analyst, other_analyst, pair):
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    mine, theirs = pair
    visible = set(Statement.objects.filter(permissions.visible_statements_q(analyst)))
    assert visible == {mine}
    assert not permissions.can_see_statement(analyst, theirs)
    with pytest.raises(PermissionDenied):
        services.statement_review(statement=theirs, reviewer=analyst, verdict="accept")
    services.assignment_finish(article=article, user=analyst)
    visible = set(Statement.objects.filter(permissions.visible_statements_q(analyst)))
    assert visible == {mine, theirs}
    assert set(Statement.objects.filter(permissions.visible_statements_q(lead))) == {mine, theirs}


def test_only_leads_assign_and_only_assignees_finish(article, analyst, other_analyst, viewer, lead):
    with pytest.raises(PermissionDenied):
        services.assignment_create(article=article, analyst=other_analyst, user=analyst)
    with pytest.raises(ValidationError):
        services.assignment_create(article=article, analyst=viewer, user=lead)
    with pytest.raises(ValidationError):
        services.assignment_finish(article=article, user=analyst)


def test_accept_agreed_makes_gold_only_where_everyone_agrees(article, lead, analyst, other_analyst):
    agreed_a = StatementFactory(article=article, user=analyst, quote="very promising", stance="support")
    agreed_b = StatementFactory(article=article, user=other_analyst, quote="very promising", stance="support")
    StatementFactory(article=article, user=analyst, quote="do the right thing", stance="demand")
    StatementFactory(article=article, user=other_analyst, quote="do the right thing", stance="caveat")
    StatementFactory(article=article, user=analyst, quote="Putin told reporters", stance="support")
    created = services.gold_accept_agreed(article=article, user=lead)
    assert len(created) == 1
    assert set(created[0].adjudicated_from.all()) == {agreed_a, agreed_b}
    assert created[0].quote == "very promising"
    # a second run finds nothing new
    assert services.gold_accept_agreed(article=article, user=lead) == []
    with pytest.raises(PermissionDenied):
        services.gold_accept_agreed(article=article, user=analyst)


def test_review_queue_shows_others_pending_work_only(article, analyst, other_analyst, lead):
    from statements.selectors.queue import review_queue

    mine = StatementFactory(article=article, user=analyst)
    theirs = StatementFactory(article=article, user=other_analyst, quote="very promising")
    done = StatementFactory(article=article, user=other_analyst, quote="do the right thing")
    services.statement_review(statement=done, reviewer=lead, verdict="accept")
    assert list(review_queue(analyst)) == [theirs]
    assert list(review_queue(other_analyst)) == [mine]
    assert list(review_queue(analyst, filters={"stance": "demand"})) == []
    services.assignment_create(article=article, analyst=analyst, user=lead)
    assert list(review_queue(analyst)) == []  # blind until finished


def test_quote_context_gives_a_sentence_each_side():
    from statements.presenters.context import quote_context

    text = "First one. Second has the quote here. Third follows. Fourth is far."
    start = text.index("the quote")
    before, after = quote_context(text, start, start + len("the quote"))
    assert before == "First one. Second has "
    assert after == " here. Third follows."


def test_on_an_assigned_article_only_the_assigned_analysts_are_compared(
    article, lead, analyst, other_analyst
):
    from statements.selectors.alignment import compare_article
    from tests.factories import UserFactory

    earlier = UserFactory(username="earlier")  # e.g. the seed annotation, not assigned
    for user in (analyst, other_analyst):
        services.assignment_create(article=article, analyst=user, user=lead)
        StatementFactory(article=article, user=user, quote="very promising")
    StatementFactory(article=article, user=earlier, quote="very promising", stance="demand")
    StatementFactory(article=article, user=earlier, quote="do the right thing")
    comparison = compare_article(article)
    assert comparison.assigned_only
    assert {u.pk for u in comparison.analysts} == {analyst.pk, other_analyst.pk}
    assert len(comparison.units) == 1 and len(comparison.agreed) == 1
    (gold,) = services.gold_accept_agreed(article=article, user=lead)
    assert {s.annotator_id for s in gold.adjudicated_from.all()} == {analyst.pk, other_analyst.pk}


def test_quote_context_cuts_long_sentences_on_a_word_boundary():
    from statements.presenters.context import quote_context

    long_before = "Word " * 200  # one sentence of 1,000 characters before the quote
    text = "Intro. " + long_before + "the quote here and " + "more words " * 100 + "end."
    start = text.index("the quote")
    before, after = quote_context(text, start, start + len("the quote"), limit=100)
    assert before.startswith("…Word ") and before.endswith("Word ")
    assert len(before) <= 101
    assert after.startswith(" here and") and after.endswith("words…")
