"""The read-only article page and the article list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from statements.highlight import segments

pytestmark = pytest.mark.django_db


def test_it_redirects_anonymous_users_to_sign_in(client, seeded):
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_seed_article_with_every_statement_highlighted(client, viewer, seeded):
    client.force_login(viewer)
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for statement in seeded.statements.all():
        assert f'id="statement-{statement.pk}"' in html
        assert f"{statement.pk}" in html
    assert 'class="hl stance-support' in html and 'class="hl stance-demand' in html


def test_it_escapes_user_text(client, analyst):
    from statements import services

    article = services.article_create(
        user=analyst, title="<script>alert(1)</script>", text="<b>bold</b> & more"
    )
    client.force_login(analyst)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


def test_the_article_list_counts_statements_by_stance(client, viewer, seeded):
    client.force_login(viewer)
    response = client.get(reverse("article_list"))
    assert response.status_code == 200
    assert seeded.title in response.content.decode()


def test_the_article_page_uses_a_fixed_number_of_queries(client, viewer, seeded):
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(seeded.get_absolute_url())
    # session, user, article, statements (+speaker, addressee, annotator joined), conditions prefetch
    assert len(ctx.captured_queries) == 5, [q["sql"] for q in ctx.captured_queries]


class _S:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def test_segments_split_overlapping_and_nested_spans():
    text = "abcdefghij"
    segs = segments(text, [_S(1, 0, 6), _S(2, 2, 4), _S(3, 5, 9)])
    assert "".join(s.text for s in segs) == text
    assert [(s.start, s.end, [x.pk for x in s.spans]) for s in segs] == [
        (0, 2, [1]),
        (2, 4, [1, 2]),
        (4, 5, [1]),
        (5, 6, [1, 3]),
        (6, 9, [3]),
        (9, 10, []),
    ]
    assert segs[1].innermost.pk == 2
