"""Articles: normalization, limits, duplicates, frozen text. Every refusal leaves the DB unchanged."""

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements import services
from statements.models import MAX_ARTICLE_CHARS, Article
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_it_normalizes_crlf_and_lone_cr_to_newlines(analyst):
    article = services.article_create(user=analyst, title="T", text="one\r\ntwo\rthree\n")
    assert article.text == "one\ntwo\nthree\n"


def test_it_normalizes_to_nfc(analyst):
    decomposed = "Zelens\u0301kyi caf\u0065\u0301"  # e + combining acute
    article = services.article_create(user=analyst, title="T", text=decomposed)
    assert article.text == unicodedata.normalize("NFC", decomposed)
    assert "\u00e9" in article.text


def test_it_stores_the_sha256_of_the_normalized_text(analyst):
    article = services.article_create(user=analyst, title="T", text="a\r\nb")
    assert article.text_sha256 == services.text_sha256("a\nb")
    assert len(article.text_sha256) == 64


def test_it_parses_metadata(analyst):
    article = services.article_create(
        user=analyst,
        title="  Putin on the truce  ",
        text="Body",
        source="Reuters",
        url="https://example.com/a",
        published="2025-03-14",
        dateline="MOSCOW",
        language="en",
    )
    assert article.title == "Putin on the truce"
    assert article.published == dt.date(2025, 3, 14)
    assert article.created_by == analyst


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"text": ""}, "text", "The text is empty."),
        ({"text": " \n\t "}, "text", "The text is empty."),
        ({"text": "x" * (MAX_ARTICLE_CHARS + 1)}, "text", "the limit is 500,000"),
        ({"text": "nul\x00byte"}, "text", "NUL"),
        ({"title": "   "}, "title", "The title is required."),
        ({"url": "not a url"}, "url", "is not a valid http(s) URL"),
        ({"url": "javascript:alert(1)"}, "url", "is not a valid http(s) URL"),
        ({"published": "14/03/2025"}, "published", "use YYYY-MM-DD"),
    ],
)
def test_it_rejects_bad_article_input_with_a_clear_message(analyst, kwargs, field, message):
    data = {"user": analyst, "title": "T", "text": "Body", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.article_create(**data)
    assert any(message in m for m in exc.value.message_dict[field])
    assert Article.objects.count() == 0


def test_it_accepts_an_article_of_exactly_the_limit(analyst):
    article = services.article_create(user=analyst, title="T", text="x" * MAX_ARTICLE_CHARS)
    assert len(article.text) == MAX_ARTICLE_CHARS


def test_it_refuses_a_duplicate_text_and_names_the_existing_article(analyst):
    first = services.article_create(user=analyst, title="First", text="Same body\r\n")
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=analyst, title="Second", text="Same body\n")
    assert f"#{first.pk}" in exc.value.message_dict["text"][0]
    assert Article.objects.count() == 1


def test_it_refuses_article_creation_by_a_viewer(viewer):
    with pytest.raises(PermissionDenied):
        services.article_create(user=viewer, title="T", text="Body")
    assert Article.objects.count() == 0


def test_it_lets_the_text_change_while_no_statement_points_into_it(analyst):
    article = ArticleFactory(user=analyst)
    services.article_update(article=article, user=analyst, text="New text\r\n")
    article.refresh_from_db()
    assert article.text == "New text\n"
    assert article.text_sha256 == services.text_sha256("New text\n")


def test_it_refuses_to_change_the_text_once_statements_point_into_it(analyst):
    article = ArticleFactory(user=analyst)
    StatementFactory(user=analyst, article=article)
    before = article.text
    with pytest.raises(ValidationError) as exc:
        services.article_update(article=article, user=analyst, text="Something else")
    assert "1 statement point into it" in exc.value.message_dict["text"][0]
    article.refresh_from_db()
    assert article.text == before


def test_it_still_allows_metadata_edits_on_an_annotated_article(analyst):
    statement = StatementFactory(user=analyst, article=ArticleFactory(user=analyst))
    article = services.article_update(article=statement.article, user=analyst, title="Renamed", source="AP")
    assert (article.title, article.source) == ("Renamed", "AP")


def test_it_refuses_edits_by_another_analyst(analyst, other_analyst):
    article = ArticleFactory(user=analyst)
    with pytest.raises(PermissionDenied):
        services.article_update(article=article, user=other_analyst, title="Mine now")
    article.refresh_from_db()
    assert article.title != "Mine now"


def test_it_refuses_to_delete_an_article_with_statements(lead, analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError):
        services.article_delete(article=statement.article, user=lead)
    assert Article.objects.filter(pk=statement.article_id).exists()
