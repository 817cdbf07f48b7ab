"""The leads' dashboard: progress per analyst, the review backlog, agreement per month and the
articles waiting for adjudication (checked against the compare page's own units)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from statements import services
from statements.models import Article, Statement
from statements.presenters.charts import line_chart
from statements.selectors.alignment import agreement_over_time, compare_article
from statements.selectors.dashboard import open_disagreements
from tests.factories import ArticleFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")


def test_it_redirects_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["analyst", "viewer"])
def test_it_is_for_leads_only(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert reverse("dashboard") not in client.get(reverse("article_list")).content.decode()


def test_the_nav_links_to_it_for_leads(client, lead):
    client.force_login(lead)
    page = client.get(reverse("article_list")).content.decode()
    assert f'href="{URL}"' in page and f'href="{reverse("agreement")}"' in page
    assert 'aria-current="page">Dashboard' in client.get(URL).content.decode()


def test_it_shows_progress_per_analyst(client, lead, analyst, other_analyst, double_annotated):
    article = double_annotated["article"]
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    services.assignment_finish(article=article, user=analyst)
    services.statement_review(statement=double_annotated["agree1_a"], reviewer=lead, verdict="accept")
    services.statement_review(
        statement=double_annotated["stance_a"], reviewer=lead, verdict="reject", comment="caveat"
    )
    client.force_login(lead)
    page = client.get(URL).content.decode()
    amira = page[page.index("Amira Haddad <span") :]
    amira = amira[: amira.index("</tr>")]
    cells = [c for c in amira.split("<td") if c]
    assert "1 of 1 finished" in amira
    assert ">5</td>" in cells[2]  # statements
    assert ">2</td>" in cells[3]  # reviewed
    assert "50%" in cells[4]  # one accepted of two with a verdict
    assert "<strong>3</strong>" in cells[5]  # pending
    ben = page[page.index("Ben Okafor <span") :]
    assert "0 of 1 finished" in ben[: ben.index("</tr>")]


def test_it_shows_the_review_backlog(client, lead, analyst, other_analyst, double_annotated):
    oldest = double_annotated["span_b"]
    Statement.objects.filter(pk=oldest.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    services.statement_review(
        statement=double_annotated["agree1_a"], reviewer=other_analyst, verdict="accept"
    )
    client.force_login(lead)
    page = client.get(URL).content.decode()
    backlog = page[page.index("Awaiting review") :]
    assert '<span class="kpi-value">8</span>' in backlog[:200]
    assert "3\xa0days" in page[page.index("Oldest in the queue") :][:200]
    table = page[page.index('id="backlog-heading"') :]
    assert double_annotated["article"].title in table and '<td class="num">8</td>' in table


def test_it_lists_the_articles_to_adjudicate_with_links_to_compare(client, lead, analyst, double_annotated):
    article = double_annotated["article"]
    alone = ArticleFactory(title="Only Amira")  # one analyst: nothing to compare
    StatementFactory(article=alone, user=analyst)
    client.force_login(lead)
    page = client.get(URL).content.decode()
    table = page[page.index('id="adjudicate-heading"') : page.index('id="backlog-heading"')]
    assert f'href="{reverse("article_compare", args=[article.pk])}"' in table
    assert "Only Amira" not in table
    row = table[table.index(article.title) :]
    assert "<strong>3</strong>" in row[: row.index("</tr>")]  # to decide
    services.gold_accept_agreed(article=article, user=lead)
    comparison = compare_article(article)
    (pick,) = [u for u in comparison.units if u.differences(comparison.analyst_ids) == ["missing"]]
    services.statement_adjudicate(
        article=article, user=lead, sources=pick.statements, **_fields(pick.statements[0])
    )
    rows, n = open_disagreements(article.project_id)
    assert n == 1 and (rows[0].open, rows[0].agreed) == (2, 0)


def _fields(s):
    return {"start": s.start, "end": s.end, "quote": s.quote, "stance": s.stance}


def test_its_open_units_are_those_of_the_compare_page(lead, analyst, other_analyst, double_annotated):
    article = double_annotated["article"]
    third = UserFactory(username="cara", first_name="Cara")
    StatementFactory(article=article, user=third, quote="very promising", stance="support")
    StatementFactory(article=article, user=third, quote="do the right thing", stance="demand")
    services.statement_update(
        statement=double_annotated["agree2_b"], user=other_analyst, addressee=double_annotated["trump"].pk
    )
    comparison = compare_article(article)
    ids = comparison.analyst_ids
    (row,), n = open_disagreements(article.project_id)
    assert row.open == sum(1 for u in comparison.units if u.gold is None and not u.is_agreed(ids))
    assert row.agreed == len(comparison.agreed)
    assert (row.units, row.analysts, n) == (len(comparison.units), 3, 1)


def test_it_charts_agreement_per_month(client, lead, double_annotated):
    client.force_login(lead)
    page = client.get(URL).content.decode()
    (point,) = agreement_over_time(Article.objects.all())
    svg = page[page.index('<svg viewBox="0 0 680') : page.index("</svg>")]
    assert 'role="img"' in svg and "Agreement per month" in svg
    assert f"Overlap F1: {point.month} 1.00" in svg or f"Overlap F1: {point.month} " in svg
    table = page[page.index("</svg>") :]
    assert f'<th scope="row">{point.month}</th>' in table


def test_an_empty_corpus_still_renders(client, lead):
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert (
        "The review queue is empty." in page
        and "Nothing to adjudicate" in page
        and "No statements yet." in page
    )


@pytest.mark.parametrize("n_articles", [1, 10])
def test_the_dashboard_issues_a_fixed_number_of_queries(
    client, lead, analyst, other_analyst, django_assert_num_queries, n_articles
):
    for i in range(n_articles):
        article = ArticleFactory()
        for user in (analyst, other_analyst):
            services.assignment_create(article=article, analyst=user, user=lead)
            StatementFactory(article=article, user=user, quote="very promising")
            StatementFactory(article=article, user=user, quote="do the right thing", stance="demand")
        StatementFactory(
            article=article, user=analyst, quote="Putin told reporters", conditions=[{"description": f"c{i}"}]
        )
    client.force_login(lead)
    # 1 session, 2 user; 3-6 dashboard.corpus_fingerprint (statements, conditions, articles,
    # assignments); alignment.agreement_over_time: 7 statements, 8 condition descriptions,
    # 9 article lengths, 10 months; open_disagreements: 11 statements, 12 conditions, 13 gold
    # sources, 14 assignments, 15 titles; review_backlog: 16 totals, 17 top articles;
    # dashboard.analyst_progress: 18 users, 19 statements by status, 20 assignments
    # +4 with projects: 3 their projects (the switcher; the memberships come with the user);
    # and the first visit remembers the project in the session (savepoint, update, release);
    # +1 the suggestions' precision per rule (#11)
    with django_assert_num_queries(25):
        page = client.get(URL).content.decode()
    assert page.count('class="button small" href="/articles/') == n_articles
    # the corpus has not changed: agreement, disagreements and backlog come from the cache
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+6 here, fixed whatever the data); +1 suggestions
    with django_assert_num_queries(15):
        again = client.get(URL).content.decode()
    masked = re.compile(r'"x-csrftoken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    assert masked.sub("", again) == masked.sub("", page)


def _waiting(client) -> list[tuple[str, str]]:
    """(to decide, agreed) per row of the "Waiting for adjudication" table."""
    page = client.get(URL).content.decode()
    section = page[page.index('id="adjudicate-heading"') :]
    row = re.compile(
        r'<td class="num">\d+</td>\s*'  # analysts
        r'<td class="num">(?:<strong>)?(\d+)(?:</strong>)?</td>\s*'  # to decide
        r'<td class="num">(\d+)</td>'  # agreed
    )
    return row.findall(section)


def test_the_dashboard_cache_follows_every_change(client, lead, analyst, other_analyst):
    article = ArticleFactory()
    StatementFactory(article=article, user=analyst, quote="very promising")
    theirs = StatementFactory(article=article, user=other_analyst, quote="very promising")
    client.force_login(lead)
    assert _waiting(client) == [("0", "1")]  # they agree
    services.statement_update(statement=theirs, user=other_analyst, stance="demand")  # an edit only
    assert _waiting(client) == [("1", "0")]
    services.statement_update(statement=theirs, user=other_analyst, stance="support")
    assert _waiting(client) == [("0", "1")]
    services.gold_accept_agreed(article=article, user=lead)  # a new (gold) statement
    assert _waiting(client) == []


# ---- The line chart's geometry (statements/charts.py) ---------------------------------------------


def test_lines_break_at_undefined_values_and_the_axis_goes_below_zero_when_needed():
    chart = line_chart(
        ["2025-01", "2025-02", "2025-03"], [("F1", [0.5, None, 1.0]), ("α_U", [0.2, -0.3, 0.4])]
    )
    f1, alpha = chart.series
    assert f1.path.count("M") == 2 and "L" not in f1.path  # two lone points, no line across the gap
    assert alpha.path.count("M") == 1 and alpha.path.count("L") == 2
    assert (alpha.name, alpha.sub) == ("α", "U")
    assert chart.y_ticks[0].text == "−0.50" and chart.y_ticks[-1].text == "1.00"
    assert chart.top < chart.zero_y < chart.bottom
    assert abs(f1.end_y - alpha.end_y) >= 13  # the end labels never overlap
    one = line_chart(["2025-01"], [("F1", [0.5])])
    assert one.series[0].points[0].x == (one.left + one.right) / 2
