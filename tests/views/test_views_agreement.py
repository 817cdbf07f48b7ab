"""The Agreement page: the numbers of alignment.agreement_for_articles for one article or a filtered
set, a chart per analyst pair, the stance confusion matrices, and undefined values explained."""

import re

import pytest
from django.urls import reverse

from statements import services
from statements.models import Article
from statements.presenters.charts import bar_chart, fmt
from statements.presenters.reports import UNDEFINED
from statements.selectors.alignment import agreement_for_articles
from tests.factories import ArticleFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("agreement")
HX = {"HX-Request": "true", "HX-Target": "results"}


def _row(page: str, a: str, b: str) -> list[str]:
    """The cells of the pairs table row for analysts `a` and `b`, as text."""
    start = page.index(f'<th scope="row">{a} <span class="muted">·</span> {b}</th>')
    row = page[start : page.index("</tr>", start)]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _expected_row(pair) -> list[str]:
    return [
        str(pair.articles),
        f"{pair.overlap.n_a} · {pair.overlap.n_b}",
        *(fmt(getattr(pair.exact, k)) for k in ("precision", "recall", "f1")),
        *(fmt(getattr(pair.overlap, k)) for k in ("precision", "recall", "f1")),
        str(pair.overlap.matched),
        fmt(pair.stance.raw),
        fmt(pair.stance.kappa),
        fmt(pair.speaker.raw),
        fmt(pair.speaker.kappa),
    ]


def _undefined_as_text(cells: list[str]) -> list[str]:
    # an undefined cell reads "— (Undefined: …)" for screen readers; compare the dash only
    return [c.split(" (")[0] if c.startswith("—") else c for c in cells]


def test_it_redirects_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["viewer", "analyst", "lead"])
def test_the_numbers_on_the_page_are_those_of_the_agreement_report(client, double_annotated, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL).content.decode()
    report = agreement_for_articles(Article.objects.all())
    (pair,) = report.pairs
    assert _undefined_as_text(_row(page, "Amira", "Ben")) == _expected_row(pair)
    assert "1 article · 2 analysts (Amira, Ben) · 9 statements · threshold 0.5" in page
    # across analysts: stance alpha and alpha_U per stance, overall and stance-blind
    assert f"<strong>{fmt(report.stance_alpha.alpha)}</strong>" in page
    assert f"<strong>{fmt(report.unitizing.overall)}</strong>" in page
    for cat in report.unitizing.per_category.values():
        assert f"<strong>{fmt(cat.alpha)}</strong>" in page
    # the pooled confusion matrix: 4 overlap-matched pairs, 3 with the same stance
    assert 'All pairs pooled <span class="muted small">3 of 4 agree</span>' in page


def test_it_draws_an_accessible_chart_of_the_pairs(client, viewer, double_annotated):
    client.force_login(viewer)
    page = client.get(URL).content.decode()
    (pair,) = agreement_for_articles(Article.objects.all()).pairs
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert f"Amira · Ben: Exact F1 {fmt(pair.exact.f1)}, Overlap F1 {fmt(pair.overlap.f1)}" in svg
    assert svg.count('class="value"') == 4  # every bar carries its value in text
    assert "cdn" not in page.lower() and '<script src="http' not in page


def test_a_threshold_of_one_counts_only_exact_matches(client, viewer, double_annotated):
    client.force_login(viewer)
    page = client.get(URL, {"threshold": "1"}).content.decode()
    (pair,) = agreement_for_articles(Article.objects.all(), threshold=1.0).pairs
    assert _undefined_as_text(_row(page, "Amira", "Ben")) == _expected_row(pair)
    assert pair.overlap.matched == 3 and 'value="1.0"' in page


def test_a_bad_threshold_is_reported_and_the_default_used(client, viewer, double_annotated):
    client.force_login(viewer)
    page = client.get(URL, {"threshold": "7", "from": "March"}).content.decode()
    assert "“7” is not a Jaccard threshold" in page and "“March” is not a date" in page
    assert "threshold 0.5" in page


def test_it_computes_agreement_for_one_article(client, lead, analyst, other_analyst, double_annotated):
    elsewhere = ArticleFactory(title="Elsewhere")
    StatementFactory(article=elsewhere, user=analyst, quote="very promising", stance="demand")
    StatementFactory(article=elsewhere, user=other_analyst, quote="very promising", stance="support")
    article = double_annotated["article"]
    client.force_login(lead)
    page = client.get(URL, {"article": article.pk}).content.decode()
    (pair,) = agreement_for_articles(Article.objects.filter(pk=article.pk)).pairs
    assert _undefined_as_text(_row(page, "Amira", "Ben")) == _expected_row(pair)
    assert "1 article ·" in page and article.title in page
    assert reverse("article_compare", args=[article.pk]) in page
    assert "2 articles ·" in client.get(URL).content.decode()
    assert client.get(URL, {"article": 999999}).status_code == 404


def test_the_filters_narrow_the_articles(client, lead, analyst, other_analyst, double_annotated):
    other = ArticleFactory(title="AP story", source="AP", published="2024-01-10")
    StatementFactory(article=other, user=analyst, quote="very promising", stance="demand")
    StatementFactory(article=other, user=other_analyst, quote="very promising", stance="support")
    client.force_login(lead)
    assert "2 articles ·" in client.get(URL).content.decode()
    assert "1 article ·" in client.get(URL, {"source": "AP"}).content.decode()
    assert "1 article ·" in client.get(URL, {"from": "2025-01-01"}).content.decode()
    assert "1 article ·" in client.get(URL, {"to": "2024-12-31"}).content.decode()
    putin = double_annotated["putin"]
    assert "1 article ·" in client.get(URL, {"actor": putin.pk}).content.decode()


def test_finished_analysts_only_counts_analysts_who_finished(
    client, lead, analyst, other_analyst, double_annotated
):
    article = double_annotated["article"]
    for user in (analyst, other_analyst):
        services.assignment_create(article=article, analyst=user, user=lead)
    services.assignment_finish(article=article, user=analyst)
    client.force_login(lead)
    page = client.get(URL, {"finished": "1"}).content.decode()
    assert "Agreement needs two analysts on the same article who both marked it finished" in page
    services.assignment_finish(article=article, user=other_analyst)
    page = client.get(URL, {"finished": "1"}).content.decode()
    assert "finished analysts only" in page and _row(page, "Amira", "Ben")


def test_an_analyst_annotating_blind_gets_no_numbers_for_that_article(
    client, lead, analyst, other_analyst, double_annotated
):
    article = double_annotated["article"]
    services.assignment_create(article=article, analyst=analyst, user=lead)
    client.force_login(analyst)
    page = client.get(URL, {"article": article.pk}).content.decode()
    assert "You are annotating this article blind" in page and "Amira · Ben" not in page
    assert "0 articles" in client.get(URL).content.decode()
    client.force_login(other_analyst)  # not assigned: sees it
    assert "1 article ·" in client.get(URL).content.decode()


def test_undefined_values_show_a_dash_with_the_reason(client, viewer, analyst, other_analyst):
    # both analysts use one and the same stance throughout: kappa is 0/0
    article = ArticleFactory()
    for user in (analyst, other_analyst):
        StatementFactory(article=article, user=user, quote="very promising", stance="support")
    client.force_login(viewer)
    page = client.get(URL).content.decode()
    assert f'<span class="undef" title="{UNDEFINED["kappa"]}">—' in page.replace("&#x27;", "'")
    assert "What the measures mean" in page


def test_it_explains_an_empty_selection(client, viewer, analyst):
    StatementFactory(user=analyst)
    client.force_login(viewer)
    page = client.get(URL).content.decode()
    assert "so far only one has annotated here" in page


def test_htmx_gets_only_the_results(client, viewer, double_annotated):
    client.force_login(viewer)
    response = client.get(URL, {"threshold": "0.8"}, headers=HX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"') and "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_it_escapes_user_text(client, lead, analyst, other_analyst):
    evil = UserFactory(username="mallory", first_name="<i>Mal</i>")
    article = ArticleFactory(title="<b>Title</b>")
    StatementFactory(article=article, user=evil, quote="very promising")
    StatementFactory(article=article, user=analyst, quote="very promising")
    client.force_login(lead)
    page = client.get(URL, {"article": article.pk}).content.decode()
    assert "<i>Mal</i>" not in page and "&lt;i&gt;Mal&lt;/i&gt;" in page
    assert "<b>Title</b>" not in page


def _corpus(analysts, n_articles):
    for i in range(n_articles):
        article = ArticleFactory(source="AP" if i % 2 else "Reuters")
        for k, user in enumerate(analysts):
            StatementFactory(article=article, user=user, quote="very promising", stance="support")
            StatementFactory(
                article=article, user=user, quote="do the right thing", stance=("demand", "caveat")[k % 2]
            )


@pytest.mark.parametrize("n_articles", [1, 12])
def test_the_page_issues_a_fixed_number_of_queries(
    client, lead, analyst, other_analyst, django_assert_num_queries, n_articles
):
    _corpus([analyst, other_analyst, UserFactory(username="cara", first_name="Cara")], n_articles)
    client.force_login(lead)
    # 1 session, 2 user, then alignment.agreement_for_articles: 3 statements, 4 condition
    # descriptions, 5 article lengths; 6 the analysts' names; 7 sources and 8 actors for the
    # filter form
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(9):
        page = client.get(URL, {"source": "Reuters"}).content.decode()
    assert page.count('<th scope="row">') >= 3
    # one article, finished analysts only, an analyst: 3 the article, 4 blind check, 5-7 the
    # agreement input, 8 the finished assignments, 9 names; the results fragment skips the form
    article = Article.objects.first()
    for user in (analyst, other_analyst):
        services.assignment_create(article=article, analyst=user, user=lead)
        services.assignment_finish(article=article, user=user)
    client.force_login(analyst)
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (fixed whatever the data)
    with django_assert_num_queries(9):
        page = client.get(URL, {"article": article.pk, "finished": "1"}, headers=HX).content.decode()
    assert _row(page, "Amira", "Ben")


# ---- The bar chart's geometry (statements/charts.py) ---------------------------------------------


def test_bars_are_proportional_and_undefined_or_negative_values_keep_their_text():
    chart = bar_chart([("A · B", [("F1", 1.0), ("half", 0.5), ("κ", -0.2), ("none", None)])])
    full, half, negative, undefined = chart.groups[0].bars
    assert full.width == chart.plot_width and half.width == chart.plot_width / 2
    assert (negative.width, negative.text) == (0, "−0.20")
    assert (undefined.width, undefined.text) == (0, "—")
    assert [t.text for t in chart.ticks] == ["0.0", "0.25", "0.5", "0.75", "1.0"]
    assert chart.height > undefined.y + chart.bar_height
