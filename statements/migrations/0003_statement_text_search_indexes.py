"""Trigram indexes for the statements' free-text filter (`?q=`: quote or note contains, any case),
on PostgreSQL. Without them the filter reads every statement: 0.3–1 s for a page at 2,000,000
statements (bench/bench_export.py); with them, a bitmap of the matching rows.

Django's `icontains` is `UPPER(col::text) LIKE UPPER(%s)`, so the indexes are on `upper(col)`.
pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where that is
not allowed the migration says so and goes on without the indexes; the filter still works.
SQLite: nothing to do.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = {
    "statement_quote_trgm_idx": "upper(quote) gin_trgm_ops",
    "statement_note_trgm_idx": "upper(note) gin_trgm_ops",
}


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm is not available (%s); statement text search stays unindexed.", exc)
        return
    with connection.cursor() as cursor:
        for name, expression in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON statements_statement USING gin ({expression})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("statements", "0002_cross_table_triggers")]

    operations = [migrations.RunPython(forward, backward)]
