"""Full dataset dump and load: dump → load into an empty database → dump again gives the same
bytes; a load is all or nothing and refuses a non-empty database or a truncated file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from statements import services
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    GuidelinesRevision,
    Membership,
    Project,
    Review,
    Statement,
    StatementEvent,
    User,
)
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

DOMAIN = (
    StatementEvent,
    Comment,
    Review,
    Condition,
    ArticleAssignment,
    Statement,
    ActorAlias,
    Actor,
    Article,
    GuidelinesRevision,
    Membership,
    Project,
)


@pytest.fixture
def dataset(seeded, analyst, other_analyst, lead):
    """The seed corpus plus every kind of row: reviews, comments, a gold statement with its
    sources, assignments, history with edits and deletions, an emoji article."""
    article = ArticleFactory(text="Kyiv 😀: “We agree”\r\nsaid the minister.", user=analyst)
    mine = StatementFactory(article=article, user=analyst, quote="We agree", stance="caveat")
    theirs = StatementFactory(article=article, user=other_analyst, quote="We agree", stance="support")
    services.statement_update(
        statement=mine, user=analyst, note="edited", conditions=[{"description": "If 😀"}]
    )
    services.statement_review(statement=theirs, reviewer=analyst, verdict="request_changes", comment="Why?")
    services.comment_add(statement=theirs, author=other_analyst, body="Because.")
    services.assignment_create(article=article, analyst=analyst, user=lead)
    services.assignment_finish(article=article, user=analyst)
    services.statement_adjudicate(
        article=article,
        user=lead,
        sources=[mine, theirs],
        start=mine.start,
        end=mine.end,
        quote=mine.quote,
        stance="caveat",
    )
    gone = StatementFactory(article=article, user=analyst, quote="the minister")
    services.statement_delete(statement=gone, user=analyst)
    return article


def dump() -> str:
    out = io.StringIO()
    call_command("export_dataset", stdout=out)
    return out.getvalue()


def empty_the_database() -> None:
    Token.objects.all().delete()
    for model in DOMAIN:
        model.objects.all().delete()
    User.objects.all().delete()


def test_dump_load_dump_gives_the_same_bytes(dataset, tmp_path):
    first = dump()
    kinds = [json.loads(line).get("type") for line in first.splitlines()[1:]]
    for kind in (
        "user",
        "actor",
        "article",
        "statement",
        "condition",
        "review",
        "comment",
        "assignment",
        "event",
    ):
        assert kind in kinds, kind
    assert kinds[-1] == "end"
    path = tmp_path / "dump.jsonl"
    path.write_text(first, encoding="utf-8")

    empty_the_database()
    out = io.StringIO()
    call_command("import_dataset", str(path), stdout=out)
    assert "Loaded" in out.getvalue()
    assert dump() == first

    gold = Statement.objects.get(is_gold=True)
    assert gold.adjudicated_from.count() == 2
    assert not User.objects.get(username="amira").has_usable_password()
    assert Actor.objects.get(name="Vladimir Putin").alias_names
    # new rows continue after the loaded ids
    new = services.actor_create(user=None, name="Someone new")
    assert new.pk > max(a.pk for a in Actor.objects.exclude(pk=new.pk))


def test_the_dump_has_no_passwords_or_email(dataset):
    text = dump()
    assert "pbkdf2" not in text and "md5$" not in text and "password" not in text and "email" not in text


def test_loading_refuses_a_database_that_is_not_empty(dataset, tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_text(dump(), encoding="utf-8")
    with pytest.raises(CommandError, match="empty database"):
        call_command("import_dataset", str(path))


def test_a_truncated_or_tampered_dump_loads_nothing(dataset, tmp_path):
    lines = dump().splitlines(keepends=True)
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("".join(lines[:-3]), encoding="utf-8")
    bad_quote = tmp_path / "bad.jsonl"
    records = [json.loads(line) for line in lines]
    next(r for r in records if r.get("type") == "statement")["quote"] = "not the text"
    bad_quote.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    empty_the_database()
    with pytest.raises(CommandError, match="truncated"):
        call_command("import_dataset", str(truncated))
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("import_dataset", str(bad_quote))
    assert Article.objects.count() == Statement.objects.count() == User.objects.count() == 0
    not_a_dump = tmp_path / "x.jsonl"
    not_a_dump.write_text('{"title": "an article"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="not a dataset dump"):
        call_command("import_dataset", str(not_a_dump))


def test_users_that_exist_are_matched_by_username(dataset, tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_text(dump(), encoding="utf-8")
    amira_pk = User.objects.get(username="amira").pk
    for model in DOMAIN:
        model.objects.all().delete()
    call_command("import_dataset", str(path), stdout=io.StringIO())
    assert User.objects.get(username="amira").pk == amira_pk
    assert Statement.objects.filter(annotator__username="amira").exists()
