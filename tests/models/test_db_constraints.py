"""The database refuses broken rows even when the service layer is bypassed (ORM or raw SQL)."""

import pytest
from django.db import IntegrityError, connection, transaction

from statements.models import Actor, Article, Condition, Membership, Review, Statement, Status, User
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, default_project

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


def _rejects(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


@pytest.fixture
def article(analyst):
    return ArticleFactory(user=analyst)


def _statement(article, annotator, **kw):
    start = article.text.index(QUOTE)
    data = {"start": start, "end": start + len(QUOTE), "quote": QUOTE, "stance": "support", **kw}
    return Statement(article=article, annotator=annotator, **data)


def test_a_valid_row_saves(article, analyst):
    _statement(article, analyst).save()
    assert Statement.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"start": -1},  # statement_start_non_negative (and PositiveIntegerField)
        {"end": 0, "start": 0, "quote": ""},  # statement_end_after_start
        {"quote": QUOTE + "!"},  # statement_quote_length
        {"quote": QUOTE.upper()},  # trigger statement_quote_matches_text
        {"stance": "neutral"},  # statement_stance_valid
        {"status": "maybe"},  # statement_status_valid
        {"is_gold": True, "status": Status.PENDING},  # statement_gold_is_accepted
    ],
)
def test_the_database_refuses_broken_statements(article, analyst, overrides):
    _rejects(lambda: _statement(article, analyst, **overrides).save())
    assert Statement.objects.count() == 0


def test_the_trigger_refuses_a_span_past_the_end(article, analyst):
    n = len(article.text)
    _rejects(
        lambda: Statement.objects.create(
            article=article,
            annotator=analyst,
            start=n - 2,
            end=n + 1,
            quote=article.text[n - 2 :] + "x",
            stance="support",
        )
    )


def test_the_trigger_refuses_a_raw_sql_update_that_breaks_the_quote(article, analyst):
    statement = StatementFactory(article=article, user=analyst)

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                'UPDATE statements_statement SET start = start + 1, "end" = "end" + 1 WHERE id = %s',
                [statement.pk],
            )

    _rejects(raw_update)
    statement.refresh_from_db()
    assert statement.quote == article.text[statement.start : statement.end]


def test_the_article_text_cannot_change_under_statements(article, analyst):
    StatementFactory(article=article, user=analyst)
    _rejects(lambda: Article.objects.filter(pk=article.pk).update(text="Different text"))
    # metadata still may change
    Article.objects.filter(pk=article.pk).update(title="New title")


@pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"title": ""},
        {"text_sha256": "not-a-hash"},
    ],
)
def test_the_database_refuses_broken_articles(fields):
    base = {"title": "T", "text": "Body", "text_sha256": "a" * 64, "project": default_project()}
    _rejects(lambda: Article.objects.create(**{**base, **fields}))


def test_the_database_refuses_duplicate_texts_within_a_project_only():
    project, other = default_project(), ProjectFactory()
    Article.objects.create(project=project, title="A", text="Same", text_sha256="b" * 64)
    _rejects(lambda: Article.objects.create(project=project, title="B", text="Same", text_sha256="b" * 64))
    # another study may hold the same story
    Article.objects.create(project=other, title="B", text="Same", text_sha256="b" * 64)


def test_the_database_refuses_an_article_without_a_project():
    _rejects(lambda: Article.objects.create(title="A", text="Body", text_sha256="c" * 64))


def test_the_database_refuses_a_review_of_ones_own_statement(article, analyst):
    statement = StatementFactory(article=article, user=analyst)
    _rejects(lambda: Review.objects.create(statement=statement, reviewer=analyst, verdict="accept"))
    assert Review.objects.count() == 0


def test_the_database_refuses_a_bad_verdict(article, analyst, other_analyst):
    statement = StatementFactory(article=article, user=analyst)
    _rejects(lambda: Review.objects.create(statement=statement, reviewer=other_analyst, verdict="maybe"))


def test_the_database_refuses_broken_condition_evidence(article, analyst):
    statement = StatementFactory(article=article, user=analyst)
    start = article.text.index("cease")
    bad = [
        {"evidence_start": start, "evidence_end": None, "evidence_quote": ""},  # incomplete
        {"evidence_start": start, "evidence_end": start + 5, "evidence_quote": "CEASE"},  # trigger
        {"evidence_start": start + 5, "evidence_end": start, "evidence_quote": ""},  # reversed
    ]
    for fields in bad:
        _rejects(lambda f=fields: Condition.objects.create(statement=statement, description="x", **f))
    _rejects(lambda: Condition.objects.create(statement=statement, description=""))
    Condition.objects.create(
        statement=statement,
        description="ok",
        evidence_start=start,
        evidence_end=start + 5,
        evidence_quote="cease",
    )


def test_the_database_refuses_case_variants_of_an_actor_name():
    Actor.objects.create(name="Russia", kind="state")
    _rejects(lambda: Actor.objects.create(name="RUSSIA", kind="state"))
    _rejects(lambda: Actor.objects.create(name="Belarus", kind="planet"))


def test_the_database_refuses_an_unknown_role_and_a_second_membership():
    user = User.objects.create(username="x")
    project = default_project()
    _rejects(lambda: Membership.objects.create(user=user, project=project, role="emperor"))
    Membership.objects.create(user=user, project=project, role="viewer")
    _rejects(lambda: Membership.objects.create(user=user, project=project, role="lead"))


def test_the_database_refuses_two_projects_with_one_name():
    ProjectFactory(name="Sanctions 2026")
    _rejects(lambda: ProjectFactory(name="SANCTIONS 2026"))
