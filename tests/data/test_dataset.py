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
from tests.factories import ArticleFactory, StatementFactory, UserFactory

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


# ---- Projects ---------------------------------------------------------------------------------


@pytest.fixture
def two_projects(dataset, lead, analyst):
    """The dataset above (in the sample project) and a second project an administrator made, with
    edited guidelines, members added by its lead and an article of its own (the same text as one
    of the sample project's: unique per project only)."""
    admin = UserFactory(username="root", role=None, role__none=True, is_superuser=True)
    project = services.project_create(user=admin, name="Sanctions year", description="A year of it")
    services.membership_add(project=project, member=lead, role="lead", user=admin)
    services.membership_add(project=project, member=analyst, role="viewer", user=lead)
    services.article_create(user=lead, project=project, title="The same text, elsewhere", text=dataset.text)
    services.project_update(
        project=project, user=lead, guidelines="# Sanctions\n\nMark threats.", archived=True
    )
    return project


def test_a_dump_with_two_projects_loads_and_dumps_to_the_same_bytes(two_projects, tmp_path):
    first = dump()
    records = [json.loads(line) for line in first.splitlines()]
    kinds = [r.get("type") for r in records[1:]]
    assert records[0] == {"format": "annotator-dataset", "version": 3}
    assert (
        kinds.index("user") < kinds.index("project") < kinds.index("membership") < kinds.index("guidelines")
    )
    assert kinds.index("guidelines") < kinds.index("actor")
    projects = {r["slug"]: r for r in records if r.get("type") == "project"}
    assert set(projects) == {"sample-ceasefire-coverage", "sanctions-year"}
    assert projects["sanctions-year"]["archived"] is True
    assert all("role" not in r for r in records if r.get("type") == "user")
    assert {r["project"] for r in records if r.get("type") == "article"} == {
        p["id"] for p in projects.values()
    }
    roles = {(r["project"], r["user"]): r["role"] for r in records if r.get("type") == "membership"}
    assert len(roles) == Membership.objects.count() and "root" in first
    assert sum(r.get("type") == "guidelines" for r in records) == GuidelinesRevision.objects.count() == 3
    path = tmp_path / "dump.jsonl"
    path.write_text(first, encoding="utf-8")

    empty_the_database()
    call_command("import_dataset", str(path), stdout=io.StringIO())
    assert dump() == first
    sanctions = Project.objects.get(slug="sanctions-year")
    assert sanctions.guidelines == "# Sanctions\n\nMark threats." and sanctions.archived
    assert sanctions.created_by.username == "root" and not sanctions.created_by.is_superuser
    assert Membership.objects.get(project=sanctions, user__username="amira").role == "viewer"
    assert Membership.objects.get(project=sanctions, user__username="amira").added_by.username == "lena"
    assert [r.body for r in sanctions.guideline_revisions.order_by("id")][-1] == sanctions.guidelines
    assert Article.objects.filter(project=sanctions).count() == 1
    # new rows continue after the loaded ids
    assert services.project_create(user=None, name="Next").pk > sanctions.pk


def test_loading_refuses_a_database_that_has_projects(two_projects, tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_text(dump(), encoding="utf-8")
    for model in DOMAIN[:-3]:  # everything but the projects
        model.objects.all().delete()
    with pytest.raises(CommandError, match="empty database; this one has projects"):
        call_command("import_dataset", str(path))


def test_a_version_1_dump_loads_into_one_default_project_with_the_roles_as_memberships(tmp_path):
    def user(pk: int, username: str, role: str) -> dict:
        names = {"first_name": "", "last_name": "", "is_active": True}
        return {"type": "user", "id": pk, "username": username, **names, "role": role}

    when = "2025-01-02T03:04:05+00:00"
    article = {"type": "article", "id": 3, "title": "Old", "source": "", "url": "", "published": None}
    article |= {"dateline": "", "language": "en", "text": "Old text.", "created_by": 7}
    article |= {"text_sha256": services.text_sha256("Old text."), "created_at": when, "updated_at": when}
    counts = dict.fromkeys(["actor", "statement", "condition", "review", "comment", "assignment", "event"], 0)
    lines = [
        {"format": "annotator-dataset", "version": 1},
        user(7, "old-lead", "lead"),
        user(8, "old-viewer", "viewer"),
        article,
        {"type": "end", "counts": {"user": 2, "article": 1, **counts}},
    ]
    path = tmp_path / "v1.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    call_command("import_dataset", str(path), stdout=io.StringIO())
    project = Project.objects.get()
    assert (project.name, project.slug) == ("Default", "default")
    assert Article.objects.get().project == project
    assert dict(Membership.objects.values_list("user__username", "role")) == {
        "old-lead": "lead",
        "old-viewer": "viewer",
    }
    assert project.guidelines == services.default_guidelines() == project.guideline_revisions.get().body
