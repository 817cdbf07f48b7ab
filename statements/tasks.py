"""Which function does each kind of background job: kind -> dotted path of its handler.

A handler is `handler(job: Job, progress: Progress) -> dict | JobOutput` (statements/services/jobs.py
says what those are and how failures are reported). This module is a registry of names only, so
that any layer may register a handler without the job machinery importing it upward.
"""

HANDLERS: dict[str, str] = {
    "import_articles": "statements.data.article_import_job.run_article_import",
    "export_statements": "statements.data.export_job.run_export",
    "import_statements": "statements.data.statement_import.run_import_job",
    "preannotate": "statements.services.suggestions.preannotate_job",
}
