"""Formatting for agreement numbers: two decimals, or "—" with the reason it is undefined."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from statements.presenters.charts import fmt
from statements.presenters.reports import UNDEFINED

register = template.Library()


def _undefined(kind: str) -> SafeString:
    reason = UNDEFINED.get(kind, "Undefined.")
    return format_html(
        '<span class="undef" title="{}">—<span class="sr-only"> ({})</span></span>', reason, reason
    )


@register.filter
def score(value: float | None, kind: str = "kappa") -> str:
    """0.83, −0.12, or a "—" whose tooltip (and screen-reader text) says why it is undefined.
    `kind` is one of statements.adjudication.UNDEFINED's keys."""
    if value is None:
        return _undefined(kind)
    return fmt(value)


@register.filter
def percent(value: float | None, kind: str = "share") -> str:
    """A share as a whole percentage (83%), or an explained "—"."""
    if value is None:
        return _undefined(kind)
    return f"{round(100 * value)}%"
