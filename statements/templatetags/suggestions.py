"""Template tags of the suggestions bar (#11, statements/includes/suggestions_bar.html)."""

from django import template

from statements.models import Article
from statements.selectors import suggestions as reads

register = template.Library()


@register.simple_tag
def suggestion_rights(user: object, article: Article) -> dict[str, bool]:
    """What the user may do with the article's suggestions (selectors/suggestions.py asks
    permissions.py): decide, accept_all, create_actor."""
    return reads.decision_rights(user, article)  # type: ignore[arg-type]  # request.user
