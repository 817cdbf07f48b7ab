"""manage.py suggest_statements: one article or a project, text / JSON Lines / JSON, --store,
clear errors with a non-zero exit."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from statements.models import SuggestionSet
from tests.factories import ArticleFactory
from tests.suggestions.helpers import MUST, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc():
    registry()
    return article()


def run(*args: str) -> str:
    out = StringIO()
    call_command("suggest_statements", *args, stdout=out)
    return out.getvalue()


def test_it_prints_an_articles_suggestions_as_json_lines(doc):
    rows = [json.loads(line) for line in run("--article", str(doc.pk), "--format", "jsonl").splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert by_id[sid(MUST)]["stance"] == "demand" and by_id[sid(MUST)]["article"] == doc.pk
    assert by_id[sid(WELCOME)]["speaker_name"] == "Anna Kovac"
    assert all(doc.text[r["start"] : r["end"]] == r["quote"] for r in rows)


def test_it_prints_a_project_as_one_json_document_or_as_text(doc):
    ArticleFactory(project=doc.project, text="“We must act now,” Kovac said.")
    rows = json.loads(run("--project", doc.project.slug, "--format", "json"))
    assert {r["article"] for r in rows} == {doc.pk, doc.pk + 1}
    text = run("--project", str(doc.project.pk))
    assert f"#{doc.pk} " in text and "Anna Kovac: We welcome the talks" in text


def test_it_stores_them_when_asked(doc):
    run("--article", str(doc.pk), "--store", "--format", "jsonl")
    assert SuggestionSet.objects.get(article=doc).items


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--article", "999999"], "There is no article 999999"),
        (["--article", "-3"], "positive number"),
        (["--article", "²"], "positive number"),
        (["--project", "nowhere"], "There is no project 'nowhere'"),
    ],
)
def test_it_refuses_what_does_not_exist(doc, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_it_needs_an_article_or_a_project(doc):
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--article", str(doc.pk), "--project", "x")
