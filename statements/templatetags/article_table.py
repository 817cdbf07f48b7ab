"""Template tags of the article tables (statements/article_list.html, project_detail.html):
the rows and the progress pill, built by presenters/article_table.py."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from statements.presenters import article_table

register = template.Library()


@register.filter
def progress_pill(value: str) -> SafeString:
    return article_table.progress_pill(value)


@register.simple_tag
def article_rows(articles: Any, show_progress: bool = False, show_mine: bool = False) -> SafeString:
    return article_table.article_rows(articles, show_progress=bool(show_progress), show_mine=bool(show_mine))
