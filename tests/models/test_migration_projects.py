"""Migration 0004 moves a database that holds the seed corpus (users with global roles, actors,
articles, statements with conditions, a review, an assignment) into one "Default" project, each
user's role becoming their membership, and loses nothing."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from statements.data.seeding import locate, parse_article_file
from statements.services import normalize_text, text_sha256

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BEFORE = [("statements", "0003_statement_text_search_indexes")]
AFTER = [("statements", "0004_projects")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_seed_corpus_into_a_default_project_and_keeps_every_row():
    old = _migrate(BEFORE)
    User, Actor, Article = (old.get_model("statements", n) for n in ("User", "Actor", "Article"))
    Statement, Condition, Review = (
        old.get_model("statements", n) for n in ("Statement", "Condition", "Review")
    )
    Assignment = old.get_model("statements", "ArticleAssignment")
    lead = User.objects.create(username="lena", role="lead")
    analyst = User.objects.create(username="amira", role="analyst")
    viewer = User.objects.create(username="victor", role="viewer")
    corpus = json.loads((SEEDS / "corpus.json").read_text(encoding="utf-8"))
    actors = {a["name"]: Actor.objects.create(name=a["name"], kind=a["kind"]) for a in corpus["actors"]}
    n_statements = n_conditions = 0
    for spec in corpus["articles"]:
        _, dateline, body = parse_article_file((SEEDS / spec["file"]).read_text(encoding="utf-8"))
        body = normalize_text(body)
        article = Article.objects.create(
            title=spec["title"], text=body, text_sha256=text_sha256(body), dateline=dateline
        )
        for st in spec["statements"]:
            start, end = locate(body, st["quote"], occurrence=st.get("occurrence", 1))
            statement = Statement.objects.create(
                article=article,
                annotator=analyst,
                start=start,
                end=end,
                quote=st["quote"],
                stance=st["stance"],
                speaker=actors.get(st.get("speaker")),
            )
            n_statements += 1
            for position, c in enumerate(st.get("conditions", [])):
                Condition.objects.create(statement=statement, description=c["description"], position=position)
                n_conditions += 1
        Review.objects.create(statement=statement, reviewer=lead, verdict="accept")
        Assignment.objects.create(article=article, analyst=analyst, assigned_by=lead)
    before = {
        "articles": sorted(Article.objects.values_list("pk", "text_sha256")),
        "statements": sorted(Statement.objects.values_list("pk", "article_id", "start", "end", "quote")),
    }
    assert n_statements >= 5 and n_conditions >= 1

    new = _migrate(AFTER)
    Project, Membership = new.get_model("statements", "Project"), new.get_model("statements", "Membership")
    Article, Statement = new.get_model("statements", "Article"), new.get_model("statements", "Statement")
    (project,) = Project.objects.all()
    assert (project.name, project.slug) == ("Default", "default")
    assert "demand beats caveat" in project.guidelines  # starts from the codebook
    assert set(Article.objects.values_list("project_id", flat=True)) == {project.pk}
    assert sorted(Article.objects.values_list("pk", "text_sha256")) == before["articles"]
    assert (
        sorted(Statement.objects.values_list("pk", "article_id", "start", "end", "quote"))
        == before["statements"]
    )
    assert new.get_model("statements", "Condition").objects.count() == n_conditions
    assert new.get_model("statements", "Review").objects.count() == len(corpus["articles"])
    assert new.get_model("statements", "ArticleAssignment").objects.count() == len(corpus["articles"])
    roles = dict(Membership.objects.values_list("user_id", "role"))
    assert roles == {lead.pk: "lead", analyst.pk: "analyst", viewer.pk: "viewer"}
    assert "role" not in {f.name for f in new.get_model("statements", "User")._meta.get_fields()}

    # the database triggers survived the table rebuilds: a quote that is not the text is refused
    statement = Statement.objects.first()
    with pytest.raises(Exception, match="statement_quote_matches_text|check"):
        Statement.objects.filter(pk=statement.pk).update(quote=statement.quote + "!")

    # and back: the strongest role becomes the global role again
    old = _migrate(BEFORE)
    assert dict(old.get_model("statements", "User").objects.values_list("username", "role")) == {
        "lena": "lead",
        "amira": "analyst",
        "victor": "viewer",
    }
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect it
