"""Names unique regardless of case for every script (issue 13): the constraints on actor, alias and
project names fold with `statements.models.Folded` (UPPER(REPLACE(x, 'İ', 'I')) on PostgreSQL,
the Python `name_key` on SQLite) instead of lower(), which on SQLite folds ASCII only.

Before the new constraints, names that only now clash (SQLite let "Сергей" and "сергей" both in)
are made distinct: a later actor or project gets " (2)", " (3)", … after its name (logged); an
alias repeated on one actor in another case is dropped (it adds nothing).

On PostgreSQL the trigram indexes of the statements' `?q=` (migration 0003) follow the new
expression, UPPER(REPLACE(col, 'İ', 'I')), so the search stays indexed.
"""

import logging

import statements.models
from django.db import migrations, models

logger = logging.getLogger(__name__)


def _renumber(model, label: str) -> None:
    Folded = statements.models.Folded
    rows = list(model.objects.annotate(key=Folded("name")).order_by("id").values_list("id", "name", "key"))
    taken = {key for _pk, _name, key in rows}
    seen: set[str] = set()
    for pk, name, key in rows:
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while True:
            candidate = f"{name[:190]} ({n})"
            candidate_key = statements.models.name_key(candidate)
            if candidate_key not in taken:
                break
            n += 1
        taken.add(candidate_key)
        seen.add(candidate_key)
        model.objects.filter(pk=pk).update(name=candidate)
        logger.warning("The %s “%s” (id %s) clashes with another in another case: renamed “%s”.", label, name, pk, candidate)


TRGM = {
    "statement_quote_trgm_idx": "quote",
    "statement_note_trgm_idx": "note",
}


def _trigram_indexes(schema_editor, template: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:  # 0003 went on without them: nothing to move
            return
        for name, column in TRGM.items():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute(
                f"CREATE INDEX {name} ON statements_statement USING gin ({template.format(column)} gin_trgm_ops)"
            )


def indexes_forward(apps, schema_editor):
    _trigram_indexes(schema_editor, "upper(replace({}, 'İ', 'I'))")


def indexes_backward(apps, schema_editor):
    _trigram_indexes(schema_editor, "upper({})")


def forward(apps, schema_editor):
    _renumber(apps.get_model("statements", "Actor"), "actor")
    _renumber(apps.get_model("statements", "Project"), "project")
    ActorAlias = apps.get_model("statements", "ActorAlias")
    seen: set[tuple[int, str]] = set()
    rows = ActorAlias.objects.annotate(key=statements.models.Folded("name")).order_by("id")
    for pk, actor_id, key in rows.values_list("id", "actor_id", "key"):
        if (actor_id, key) in seen:
            ActorAlias.objects.filter(pk=pk).delete()
        seen.add((actor_id, key))


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0007_unit_dismissal'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='actor',
            name='actor_name_ci_unique',
        ),
        migrations.RemoveConstraint(
            model_name='actoralias',
            name='actor_alias_ci_unique',
        ),
        migrations.RemoveConstraint(
            model_name='project',
            name='project_name_ci_unique',
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(indexes_forward, indexes_backward),
        migrations.AddConstraint(
            model_name='actor',
            constraint=models.UniqueConstraint(statements.models.Folded('name'), name='actor_name_ci_unique', violation_error_message='An actor with this name already exists.'),
        ),
        migrations.AddConstraint(
            model_name='actoralias',
            constraint=models.UniqueConstraint(models.F('actor'), statements.models.Folded('name'), name='actor_alias_ci_unique'),
        ),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.UniqueConstraint(statements.models.Folded('name'), name='project_name_ci_unique', violation_error_message='A project with this name already exists.'),
        ),
    ]
