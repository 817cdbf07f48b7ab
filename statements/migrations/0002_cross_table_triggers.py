"""Database triggers for the invariants that span two tables, so that no path (admin, raw SQL,
a buggy bulk load) can store a broken row:

- statement_quote_matches_text: a statement's quote equals its article's text[start:end]
  (SQL substring positions are 1-based and count characters, i.e. code points);
- condition_evidence_matches_text: the same for a condition's evidence span;
- review_not_own_statement: nobody reviews their own statement;
- article_text_frozen: an article's text cannot change while statements point into it.

Written for PostgreSQL and SQLite, the two supported databases.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION statements_statement_quote_check() RETURNS trigger AS $$
DECLARE t text;
BEGIN
  -- A reversed or negative span is the CHECK constraints' to refuse, with their own names.
  IF NEW."end" <= NEW.start OR NEW.start < 0 THEN RETURN NEW; END IF;
  SELECT a.text INTO t FROM statements_article a WHERE a.id = NEW.article_id;
  IF NEW."end" > char_length(t)
     OR substring(t FROM NEW.start + 1 FOR NEW."end" - NEW.start) IS DISTINCT FROM NEW.quote THEN
    RAISE EXCEPTION 'statement_quote_matches_text: the quote is not article %''s text at [%, %)',
      NEW.article_id, NEW.start, NEW."end" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER statement_quote_matches_text
  BEFORE INSERT OR UPDATE OF article_id, start, "end", quote ON statements_statement
  FOR EACH ROW EXECUTE FUNCTION statements_statement_quote_check();

CREATE OR REPLACE FUNCTION statements_condition_evidence_check() RETURNS trigger AS $$
DECLARE t text;
BEGIN
  IF NEW.evidence_start IS NULL OR NEW.evidence_end IS NULL
     OR NEW.evidence_end <= NEW.evidence_start OR NEW.evidence_start < 0 THEN RETURN NEW; END IF;
  SELECT a.text INTO t FROM statements_article a
    JOIN statements_statement s ON s.article_id = a.id WHERE s.id = NEW.statement_id;
  IF NEW.evidence_end > char_length(t)
     OR substring(t FROM NEW.evidence_start + 1 FOR NEW.evidence_end - NEW.evidence_start)
        IS DISTINCT FROM NEW.evidence_quote THEN
    RAISE EXCEPTION 'condition_evidence_matches_text: the evidence is not the article text at [%, %)',
      NEW.evidence_start, NEW.evidence_end USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER condition_evidence_matches_text
  BEFORE INSERT OR UPDATE ON statements_condition
  FOR EACH ROW EXECUTE FUNCTION statements_condition_evidence_check();

CREATE OR REPLACE FUNCTION statements_review_not_own_check() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM statements_statement s
             WHERE s.id = NEW.statement_id AND s.annotator_id = NEW.reviewer_id) THEN
    RAISE EXCEPTION 'review_not_own_statement: user % cannot review their own statement %',
      NEW.reviewer_id, NEW.statement_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER review_not_own_statement
  BEFORE INSERT OR UPDATE ON statements_review
  FOR EACH ROW EXECUTE FUNCTION statements_review_not_own_check();

CREATE OR REPLACE FUNCTION statements_article_text_frozen_check() RETURNS trigger AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text
     AND EXISTS (SELECT 1 FROM statements_statement s WHERE s.article_id = OLD.id) THEN
    RAISE EXCEPTION 'article_text_frozen: article % has statements; its text cannot change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER article_text_frozen
  BEFORE UPDATE OF text ON statements_article
  FOR EACH ROW EXECUTE FUNCTION statements_article_text_frozen_check();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS statement_quote_matches_text ON statements_statement;
DROP FUNCTION IF EXISTS statements_statement_quote_check();
DROP TRIGGER IF EXISTS condition_evidence_matches_text ON statements_condition;
DROP FUNCTION IF EXISTS statements_condition_evidence_check();
DROP TRIGGER IF EXISTS review_not_own_statement ON statements_review;
DROP FUNCTION IF EXISTS statements_review_not_own_check();
DROP TRIGGER IF EXISTS article_text_frozen ON statements_article;
DROP FUNCTION IF EXISTS statements_article_text_frozen_check();
"""

# SQLite's length() and substr() count characters of UTF-8 text (code points), like Python.
_SQLITE_STATEMENT_WHEN = """
  NEW."end" > (SELECT length(a.text) FROM statements_article a WHERE a.id = NEW.article_id)
  OR substr((SELECT a.text FROM statements_article a WHERE a.id = NEW.article_id),
            NEW.start + 1, NEW."end" - NEW.start) IS NOT NEW.quote
"""
_SQLITE_CONDITION_WHEN = """
  NEW.evidence_start IS NOT NULL AND (
    NEW.evidence_end > (SELECT length(a.text) FROM statements_article a
                        JOIN statements_statement s ON s.article_id = a.id WHERE s.id = NEW.statement_id)
    OR substr((SELECT a.text FROM statements_article a
               JOIN statements_statement s ON s.article_id = a.id WHERE s.id = NEW.statement_id),
              NEW.evidence_start + 1, NEW.evidence_end - NEW.evidence_start) IS NOT NEW.evidence_quote)
"""
_SQLITE_REVIEW_WHEN = """
  EXISTS (SELECT 1 FROM statements_statement s
          WHERE s.id = NEW.statement_id AND s.annotator_id = NEW.reviewer_id)
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER statement_quote_matches_text_insert BEFORE INSERT ON statements_statement
        WHEN {_SQLITE_STATEMENT_WHEN}
        BEGIN SELECT RAISE(ABORT, 'statement_quote_matches_text'); END;""",
    f"""CREATE TRIGGER statement_quote_matches_text_update
        BEFORE UPDATE OF article_id, start, "end", quote ON statements_statement
        WHEN {_SQLITE_STATEMENT_WHEN}
        BEGIN SELECT RAISE(ABORT, 'statement_quote_matches_text'); END;""",
    f"""CREATE TRIGGER condition_evidence_matches_text_insert BEFORE INSERT ON statements_condition
        WHEN {_SQLITE_CONDITION_WHEN}
        BEGIN SELECT RAISE(ABORT, 'condition_evidence_matches_text'); END;""",
    f"""CREATE TRIGGER condition_evidence_matches_text_update BEFORE UPDATE ON statements_condition
        WHEN {_SQLITE_CONDITION_WHEN}
        BEGIN SELECT RAISE(ABORT, 'condition_evidence_matches_text'); END;""",
    f"""CREATE TRIGGER review_not_own_statement_insert BEFORE INSERT ON statements_review
        WHEN {_SQLITE_REVIEW_WHEN}
        BEGIN SELECT RAISE(ABORT, 'review_not_own_statement'); END;""",
    f"""CREATE TRIGGER review_not_own_statement_update BEFORE UPDATE ON statements_review
        WHEN {_SQLITE_REVIEW_WHEN}
        BEGIN SELECT RAISE(ABORT, 'review_not_own_statement'); END;""",
    """CREATE TRIGGER article_text_frozen BEFORE UPDATE OF text ON statements_article
        WHEN NEW.text IS NOT OLD.text
             AND EXISTS (SELECT 1 FROM statements_statement s WHERE s.article_id = OLD.id)
        BEGIN SELECT RAISE(ABORT, 'article_text_frozen'); END;""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "statement_quote_matches_text_insert",
        "statement_quote_matches_text_update",
        "condition_evidence_matches_text_insert",
        "condition_evidence_matches_text_update",
        "review_not_own_statement_insert",
        "review_not_own_statement_update",
        "article_text_frozen",
    )
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Through a plain cursor: with no parameters psycopg leaves the % signs of the
        # PL/pgSQL format strings alone.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    else:
        raise RuntimeError(f"Unsupported database {vendor!r}: use PostgreSQL or SQLite.")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("statements", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
