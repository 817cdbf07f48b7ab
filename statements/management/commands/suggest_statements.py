"""manage.py suggest_statements --article ID | --project P [--format text|jsonl|json] [--store]"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from statements.filters import project_lookup
from statements.models import Article, Project
from statements.selectors import suggestions as reads
from statements.services import suggestions as suggestion_services


def _article_id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**63:
        raise CommandError(f"--article takes an article id (a positive number), not {value!r}.")
    return int(value)


class Command(BaseCommand):
    help = (
        "Print the suggestion engine's statements for one article or a project's articles (the "
        "engine's own output, before anyone's decisions): a readable list, JSON Lines (one "
        "suggestion a line, with its article) or one JSON document. --store keeps them as the "
        "articles' pre-computed suggestions (what the pre-annotation job does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--article", help="An article id.")
        which.add_argument("--project", help="A project's id or slug: all its articles.")
        parser.add_argument("--format", choices=["text", "jsonl", "json"], default="text")
        parser.add_argument("--store", action="store_true", help="Keep them as pre-computed suggestions.")

    def _articles(self, options: dict[str, Any]) -> QuerySet[Article]:
        if options["article"] is not None:
            articles = Article.objects.filter(pk=_article_id(options["article"]))
            if not articles.exists():
                raise CommandError(f"There is no article {options['article']}.")
            return articles
        project = Project.objects.filter(project_lookup(options["project"])).first()
        if project is None:
            raise CommandError(f"There is no project {options['project']!r}.")
        return Article.objects.filter(project=project).order_by("pk")

    def handle(self, *args: Any, **options: Any) -> None:
        articles = self._articles(options)
        actors = reads.actor_registry()
        fmt = options["format"]
        everything: list[dict[str, Any]] = []
        for article in articles.iterator(chunk_size=200):
            if options["store"]:
                suggestion_services.suggestion_set_store(article=article, actors=actors)
            items = reads.computed_suggestions(article, actors)
            if fmt == "text":
                self.stdout.write(f"#{article.pk} {article.title}: {len(items)} suggestion(s)")
                for s in items:
                    speaker = (
                        s["speaker_name"]
                        or (s["new_speaker"] or {}).get("name")
                        or ("anonymous" if s["anonymous"] else "?")
                    )
                    self.stdout.write(
                        f"  {s['start']}-{s['end']} {s['score']:.2f} {s['rule']:<22} {s['stance']:<7} "
                        f"{speaker}: {s['quote']}"
                    )
            for s in items:
                row = {"article": article.pk, **s}
                if fmt == "jsonl":
                    self.stdout.write(json.dumps(row, ensure_ascii=False))
                elif fmt == "json":
                    everything.append(row)
        if fmt == "json":
            self.stdout.write(json.dumps(everything, ensure_ascii=False, indent=2))
