"""The workflow's reads against a real database: agreement input, comparison, feedback,
progress, agreement over time. Query counts are fixed whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import services
from statements.models import Article
from statements.selectors.alignment import agreement_for_articles, agreement_over_time, compare_article
from statements.selectors.dashboard import analyst_progress
from statements.selectors.queue import feedback_for
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

PHRASES = [
    ("We agree with the proposals to cease hostilities", "support"),
    ("very promising", "support"),
    ("do the right thing", "demand"),
    ("Putin told reporters", "caveat"),
]


def _double(article, a, b, *, disagree_on=()):
    """Both analysts mark every phrase; on `disagree_on` phrases b picks another stance."""
    for phrase, stance in PHRASES:
        StatementFactory(article=article, user=a, quote=phrase, stance=stance)
        other = "caveat" if stance != "caveat" else "support"
        StatementFactory(
            article=article, user=b, quote=phrase, stance=other if phrase in disagree_on else stance
        )


def test_agreement_is_perfect_for_identical_work(analyst, other_analyst):
    article = ArticleFactory()
    _double(article, analyst, other_analyst)
    report = agreement_for_articles(Article.objects.all())
    (pair,) = report.pairs
    assert pair.exact.f1 == 1.0
    assert pair.stance.raw == 1.0
    assert report.unitizing.overall == pytest.approx(1.0)


def test_agreement_sees_stance_disagreement(analyst, other_analyst):
    article = ArticleFactory()
    _double(article, analyst, other_analyst, disagree_on={"do the right thing"})
    (pair,) = agreement_for_articles(Article.objects.all()).pairs
    assert pair.exact.f1 == 1.0
    assert pair.stance.raw == pytest.approx(0.75)


def test_finished_only_counts_only_finished_analysts(analyst, other_analyst, lead):
    article = ArticleFactory()
    _double(article, analyst, other_analyst)
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    services.assignment_finish(article=article, user=analyst)
    assert agreement_for_articles(Article.objects.all(), finished_only=True).pairs == ()
    services.assignment_finish(article=article, user=other_analyst)
    assert len(agreement_for_articles(Article.objects.all(), finished_only=True).pairs) == 1


@pytest.mark.parametrize("n_articles", [1, 6])
def test_agreement_input_takes_three_queries(analyst, other_analyst, n_articles):
    for _ in range(n_articles):
        _double(ArticleFactory(), analyst, other_analyst)
    with CaptureQueriesContext(connection) as ctx:
        agreement_for_articles(Article.objects.all())
    # statements, condition descriptions, article lengths
    assert len(ctx.captured_queries) == 3


def test_gold_statements_never_count_as_an_analyst(analyst, other_analyst, lead):
    article = ArticleFactory()
    _double(article, analyst, other_analyst)
    services.gold_accept_agreed(article=article, user=lead)
    report = agreement_for_articles(Article.objects.all())
    assert set(report.annotators) == {analyst.pk, other_analyst.pk}


def test_compare_aligns_versions_and_marks_differences(analyst, other_analyst, lead):
    article = ArticleFactory()
    _double(article, analyst, other_analyst, disagree_on={"do the right thing"})
    StatementFactory(article=article, user=analyst, quote="Trump called the statement", stance="support")
    comparison = compare_article(article)
    diffs = [u.differences(comparison.analyst_ids) for u in comparison.units]
    assert len(comparison.units) == 5
    assert ["stance"] in diffs and ["missing"] in diffs
    assert len(comparison.agreed) == 3
    services.gold_accept_agreed(article=article, user=lead)
    comparison = compare_article(article)
    assert comparison.agreed == []  # each agreed unit now has its gold statement
    assert sum(1 for u in comparison.units if u.gold) == 3


@pytest.mark.parametrize("extra", [0, 30])
def test_compare_takes_seven_queries_whatever_the_size(analyst, other_analyst, lead, extra):
    article = services.article_create(user=None, title="Long", text=" ".join(f"Word{i}." for i in range(200)))
    for i in range(4 + extra):
        for user in (analyst, other_analyst):
            StatementFactory(article=article, user=user, quote=f"Word{i}.", conditions=[{"description": "c"}])
    services.gold_accept_agreed(article=article, user=lead)
    with CaptureQueriesContext(connection) as ctx:
        comparison = compare_article(article)
        [(u.differences(comparison.analyst_ids), u.gold, u.dismissal) for u in comparison.units]
    # assignments, analyst statements, their conditions, gold statements, gold conditions,
    # gold sources, dismissed units
    assert len(ctx.captured_queries) == 7


def test_feedback_lists_reviewed_or_discussed_own_statements(analyst, other_analyst):
    article = ArticleFactory()
    reviewed = StatementFactory(article=article, user=analyst)
    discussed = StatementFactory(article=article, user=analyst, quote="very promising")
    StatementFactory(article=article, user=analyst, quote="do the right thing")  # untouched
    services.statement_review(
        statement=reviewed, reviewer=other_analyst, verdict="request_changes", comment="Who?"
    )
    services.comment_add(statement=discussed, author=other_analyst, body="Is this Trump?")
    services.comment_add(statement=reviewed, author=analyst, body="Putin, see the dateline")
    rows = list(feedback_for(analyst))
    assert set(rows) == {reviewed, discussed}
    with CaptureQueriesContext(connection) as ctx:
        for row in feedback_for(analyst):
            list(row.reviews.all()), list(row.comments.all())
    assert len(ctx.captured_queries) == 3


def test_progress_counts_statements_verdicts_and_assignments(analyst, other_analyst, lead):
    article = ArticleFactory()
    a1 = StatementFactory(article=article, user=analyst)
    StatementFactory(article=article, user=analyst, quote="very promising")
    services.statement_review(statement=a1, reviewer=other_analyst, verdict="accept")
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_finish(article=article, user=analyst)
    project = article.project_id
    with CaptureQueriesContext(connection) as ctx:
        progress = {p.user.pk: p for p in analyst_progress(project)}
    assert len(ctx.captured_queries) == 3
    mine = progress[analyst.pk]
    assert (mine.statements, mine.reviewed, mine.accepted, mine.pending) == (2, 1, 1, 1)
    assert (mine.assigned, mine.finished) == (1, 1)
    assert mine.share_accepted == 1.0


def test_agreement_over_time_groups_by_month(analyst, other_analyst):
    _double(ArticleFactory(), analyst, other_analyst)
    points = agreement_over_time(Article.objects.all())
    assert len(points) == 1
    assert points[0].articles == 1
    assert points[0].overlap_f1 == 1.0


def test_an_assigned_administrator_appears_in_the_progress_table(lead, admin_user):
    """The dashboard's copy of "who annotates" left out superusers: an administrator assigned
    to an article (and annotating it) never showed in the progress table."""
    article = ArticleFactory()
    services.assignment_create(article=article, analyst=admin_user, user=lead)
    StatementFactory(article=article, user=admin_user)
    progress = {p.user.pk: p for p in analyst_progress(article.project_id)}
    assert admin_user.pk in progress
    assert (progress[admin_user.pk].assigned, progress[admin_user.pk].statements) == (1, 1)
