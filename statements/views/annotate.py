"""The Annotate page (an article, its highlighted statements, the tagging panel) and the
statement writes it sends: create, update, delete.

htmx fragments are `{% partialdef %}` blocks of the page's own template; a GET view renders one
of them instead of the whole page when an htmx request names its element in HX-Target (see
`http.fragment_target`). Write views take POST only, call statements/services/ (the one place with
validation) and answer htmx with a fragment, plain forms with a redirect. Form errors come back
with status 422 (htmx is configured in base.html to swap 422 responses). Reads go through
statements/selectors/, which applies the blind-annotation visibility rule; permissions come
from statements/permissions.py and are checked here and again by the services.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from statements import permissions, services
from statements.forms import StatementForm, add_service_errors
from statements.models import (
    VERDICT_STATUS,
    Article,
    Stance,
    Statement,
    Status,
)
from statements.permissions import AnyUser
from statements.presenters import rendering
from statements.selectors import catalog, workspace
from statements.selectors import projects as project_reads
from statements.services import suggestions as suggestion_services
from statements.services import undo
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    fragment_target,
    login_required,
    parse_id,
    parse_ids,
    remember_project,
)

ARTICLE_PAGE = "statements/article_detail.html"
# Service error fields that the statement form shows under another name.
STATEMENT_ERROR_FIELDS = {"start": "quote", "end": "quote", "version": "__all__", "statement": "__all__"}


def _show(params: QueryDict, user: AnyUser, article: Article) -> str:
    """The layer the article page draws: 'mine', 'all' (everyone's the user may see) or 'gold'."""
    value = params.get("show")
    if value == "gold":
        return "gold"
    return "mine" if value == "mine" and permissions.can_annotate(user, article) else "all"


# --------------------------------------------------------------------------------------------
# Articles


# --------------------------------------------------------------------------------------------
# The article (annotate) page


def _panel_context(
    request: HtmxHttpRequest,
    article: Article,
    chosen: list[workspace.StatementRow],
    *,
    editing: bool,
    edit_form: StatementForm | None = None,
    fresh: bool = False,
) -> dict:
    """What the side panel shows: the first chosen statement (the others covering the same text
    are offered as links), read-only unless the user may edit it and asked to. Only the edit
    form needs the statement itself (two queries); everything else comes from its row."""
    selected = chosen[0] if chosen else None
    can_edit = selected is not None and permissions.can_edit_statement(
        request.user, selected.as_statement(article)
    )
    if edit_form is None and selected is not None and editing and can_edit:
        statement = _get_statement_for_user(request, selected.pk, edit=True)
        edit_form = StatementForm(article=article, statement=statement)
    ids = [row.pk for row in chosen]
    activity = {}
    if selected is not None:  # the edit form shows them too: the reviewer's comment is the brief
        # The verdicts and the discussion of the statement shown (two queries, only then; none
        # for a statement `fresh` from the tagging panel, which has neither yet).
        activity = {"reviews": [], "comments": []} if fresh else workspace.statement_activity(selected.pk)
        for review in activity["reviews"]:  # its outcome ("Changes requested"), as the review pages say
            review.given = Status(VERDICT_STATUS[review.verdict]).label
        statement = selected.as_statement(article)
        activity["can_review"] = (
            permissions.can_review_statement(request.user, statement)
            and selected.status == Status.PENDING
            and not selected.is_gold
        )
    return {
        **activity,
        "selected": selected,
        # each other statement on the same text, with the ids that put it first (and keep the rest)
        "also_here": [
            (row, ",".join(map(str, [row.pk, *(i for i in ids if i != row.pk)]))) for row in chosen[1:]
        ],
        "can_edit": can_edit,
        "can_annotate": permissions.can_annotate(request.user, article),
        "edit_form": edit_form if can_edit else None,
    }


def _article_context(
    request: HtmxHttpRequest,
    article: Article,
    *,
    show: str,
    selected_ids: list[int],
    editing: bool = False,
    new_form: StatementForm | None = None,
    edit_form: StatementForm | None = None,
    full_page: bool = True,
    fresh: bool = False,
) -> dict:
    """Everything the annotate page renders. Queries: the statements as rows (speaker, addressee,
    annotator and conditions joined); for the full page, whether the user annotates this article
    blind (the notice sits outside the workspace fragment). The panel's statement comes from the
    same rows, unless it is not among them (`show=mine` hides others'). The full page also
    asks for the previous / next document of the project and the next one without a statement
    of the user's (selectors/projects.py: one query)."""
    user = request.user
    rows = workspace.article_page_rows(article, user, mine=show == "mine", gold=show == "gold")
    by_id = {row.pk: row for row in rows}
    missing = [i for i in selected_ids if i not in by_id]
    if missing:
        by_id.update((row.pk, row) for row in workspace.article_page_rows(article, user, ids=missing))
    chosen = [by_id[i] for i in selected_ids if i in by_id]
    can_annotate = permissions.can_annotate(user, article)
    stance_counts = Counter(row.stance for row in rows)
    if new_form is None and can_annotate:
        new_form = StatementForm(article=article)
    article_url = article.get_absolute_url()
    return {
        "article": article,
        "article_url": article_url,
        "statements": rows,
        "text_html": rendering.highlighted_text(article.text, rows),
        "statement_items": rendering.statement_items(
            rows, article_url=article_url, show=show, user_id=user.pk
        ),
        "stance_counts": [(value, label, stance_counts[value]) for value, label in Stance.choices],
        "n_statements": len(rows),
        "show": show,
        "can_annotate": can_annotate,
        "assignment": (assignment := workspace.assignment_for(user, article) if full_page else None),
        "neighbours": project_reads.neighbours(user, article, untouched=can_annotate) if full_page else None,
        "blind": permissions.blind_by(user, assignment, article),
        "can_edit_text": full_page and permissions.can_edit_article(user, article),
        "new_form": new_form,
        "stances": Stance.choices,
        "statuses": Status.choices,
        **_panel_context(request, article, chosen, editing=editing, edit_form=edit_form, fresh=fresh),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The Annotate page. Fragments: `workspace` (text, panel and list: the mine/everyone's
    toggle) and `panel` (one statement, read-only or its edit form: `?statement=ID&edit=1`)."""
    article = get_object_or_404(catalog.visible_articles(request.user).select_related("project"), pk=pk)
    show = _show(request.GET, request.user, article)
    selected_ids = parse_ids(request.GET.get("statement"))
    editing = request.GET.get("edit") == "1"
    target = fragment_target(request)
    if target == "panel":
        chosen = workspace.article_page_rows(article, request.user, ids=selected_ids) if selected_ids else []
        context = {
            "article": article,
            "article_url": article.get_absolute_url(),
            "show": show,
            "stances": Stance.choices,
            **_panel_context(request, article, chosen, editing=editing),
        }
        return render(request, f"{ARTICLE_PAGE}#panel", context)
    context = _article_context(
        request,
        article,
        show=show,
        selected_ids=selected_ids,
        editing=editing,
        full_page=target != "workspace",
    )
    if target == "workspace":
        return render(request, f"{ARTICLE_PAGE}#workspace", context)
    remember_project(request, article.project)
    return render(request, ARTICLE_PAGE, context)


def _get_statement_for_user(request: HtmxHttpRequest, pk: int, *, edit: bool) -> Statement:
    """The statement `pk` if the user may see it (404 otherwise: a hidden statement does not
    exist for them); with `edit`, PermissionDenied unless they may change it."""
    statement = get_object_or_404(
        catalog.visible_statements(request.user).for_display().select_related("article__project"),
        pk=pk,
    )
    if edit and not permissions.can_edit_statement(request.user, statement):
        raise PermissionDenied("You can only change your own statements.")
    return statement


def _statement_url(article: Article, show: str, statement_id: int | None = None) -> str:
    params = {"show": show} if show != "all" else {}
    if statement_id is not None:
        params["statement"] = str(statement_id)
    query = f"?{urlencode(params)}" if params else ""
    return f"{article.get_absolute_url()}{query}" + (f"#statement-{statement_id}" if statement_id else "")


def _after_write(
    request: HtmxHttpRequest,
    article: Article,
    show: str,
    message: str,
    statement_id: int | None = None,
    *,
    created: bool = False,
    undo_url: str | None = None,
) -> HttpResponse:
    """htmx: the new workspace (highlights, panel and list) and a status message to announce
    (with an Undo button that POSTs to `undo_url`, when given); a plain form: back to the page
    (post/redirect/get). A statement just `created` has no verdicts or comments yet: the panel
    does not ask for them."""
    if request.htmx:
        ids = [statement_id] if statement_id is not None else []
        context = _article_context(
            request, article, show=show, selected_ids=ids, full_page=False, fresh=created
        )
        response = render(request, f"{ARTICLE_PAGE}#workspace", context)
        action = {"label": "Undo", "url": undo_url, "values": {"show": show}} if undo_url else None
        return announce(response, message, action=action)
    messages.success(request, message)
    return redirect(_statement_url(article, show, statement_id))


def _u16(text: str, index: int) -> int:
    """A code-point offset as the UTF-16 offset the browser counts (astral characters count 2)."""
    return index if text.isascii() else len(text[:index].encode("utf-16-le")) // 2


def _spans_of(start: int, end: int, conditions: Iterable[Any]) -> list[tuple[int, int]]:
    """A statement's span and its conditions' evidence spans: what its highlights cover."""
    out = [(start, end)]
    for c in conditions:
        ev_start = c.get("evidence_start") if isinstance(c, dict) else c.evidence_start
        ev_end = c.get("evidence_end") if isinstance(c, dict) else c.evidence_end
        if isinstance(ev_start, int) and isinstance(ev_end, int):
            out.append((ev_start, ev_end))
    return out


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# A fresh tagging panel is the same for every create on an article and layer but for the CSRF
# token: rendered once per process with a marker in the token's place, the token filled in per
# request (a save's answer spent a third of its rendering time on it). Bounded, and not kept in
# DEBUG, where templates are reloaded when they change.
_BLANK_TAGGERS: dict[tuple[int, str], str] = {}
_BLANK_TAGGERS_MAX = 1024
_CSRF_MARK = "csrf-token-placeholder-5f0b"


def _blank_tagger(request: HtmxHttpRequest, article: Article, show: str) -> str:
    """The `tagger` fragment with an empty form, out of band, with this request's CSRF token."""
    key = (article.pk, show)
    html = _BLANK_TAGGERS.get(key)
    if html is None:
        context = {
            "article": article,
            "show": show,
            "stances": Stance.choices,
            "oob": True,
            "new_form": StatementForm(article=article),
            "csrf_token": _CSRF_MARK,
        }
        html = render_to_string(f"{ARTICLE_PAGE}#tagger", context)
        if not settings.DEBUG:
            if len(_BLANK_TAGGERS) >= _BLANK_TAGGERS_MAX:
                _BLANK_TAGGERS.clear()
            _BLANK_TAGGERS[key] = html
    return mark_safe(html.replace(_CSRF_MARK, get_token(request)))  # noqa: S308  # our own render; the token is [A-Za-z0-9]


def _after_save(
    request: HtmxHttpRequest,
    article: Article,
    show: str,
    message: str,
    *,
    regions: list[tuple[int, int]],
    statement_id: int,
    span: tuple[int, int] | None,
    listed_before: bool,
    created: bool = False,
    deleted: bool = False,
    undo_url: str | None = None,
) -> HttpResponse:
    """The htmx answer to a save, an edit or a delete: only what changed, as out-of-band swaps
    (the `saved` fragment; the request's own target is not swapped): the highlights of the
    changed `regions` (code points; static/js/textpatch.js splices them into the text), the
    statement's list entry (removed, and put back at its place in text order), the stance
    counts and the list heading, the panel (the statement, or nothing after a delete) and,
    after a create, a fresh tagging panel. Element ids stay those of the full page
    (#article-text, #statement-<id>, #statement-items, #stance-counts, #list-heading, #panel,
    #tagger). `span`: the statement's (start, end) as saved, None after a delete. One query
    (workspace.saved_view): the counts, the statements overlapping the regions and where the
    entry goes; none reads every row. When the list appears or empties, the whole workspace."""
    user = request.user
    shown = None if deleted else statement_id
    if not regions:
        return _after_write(request, article, show, message, shown, created=created, undo_url=undo_url)
    regions = _merged(regions)
    saved = None if deleted or span is None else (span[0], span[1], statement_id)
    view = workspace.saved_view(
        article, user, regions=regions, saved=saved, mine=show == "mine", gold=show == "gold"
    )
    counts, rows = view.counts, view.rows
    total = sum(counts.values())
    if total == 0 or (created and total == 1):
        return _after_write(request, article, show, message, shown, created=created, undo_url=undo_url)
    text = article.text
    patches = []
    for a, b in regions:
        near = [r for r in rows if any(s < b and e > a for s, e in _spans_of(r.start, r.end, r.conditions))]
        patches.append((_u16(text, a), _u16(text, b), rendering.highlighted_text(text, near, region=(a, b))))
    row = None if deleted else next((r for r in rows if r.pk == statement_id), None)
    article_url = article.get_absolute_url()
    item = (
        rendering.statement_items([row], article_url=article_url, show=show, user_id=user.pk) if row else ""
    )
    context: dict[str, Any] = {
        "article": article,
        "article_url": article_url,
        "show": show,
        "stances": Stance.choices,
        "oob": True,
        "patches": patches,
        "removed_id": statement_id if listed_before else None,
        "item": item,
        "item_before": view.next_id if row else None,
        "stance_counts": [(value, label, counts.get(value, 0)) for value, label in Stance.choices],
        "n_statements": total,
        "tagger_html": _blank_tagger(request, article, show) if created else "",
        **_panel_context(request, article, [row] if row else [], editing=False, fresh=created),
    }
    response = render(request, f"{ARTICLE_PAGE}#saved", context)
    action = {"label": "Undo", "url": undo_url, "values": {"show": show}} if undo_url else None
    return announce(reswap(response, "none"), message, action=action)


def _form_errors(
    request: HtmxHttpRequest,
    article: Article,
    show: str,
    fragment: str,
    **context: Any,
) -> HttpResponse:
    """422 with the form and its errors: into its own element for htmx, the page otherwise."""
    if request.htmx:
        base = {"article": article, "article_url": article.get_absolute_url(), "show": show}
        base["stances"] = Stance.choices
        response = render(request, f"{ARTICLE_PAGE}#{fragment}", {**base, **context}, status=422)
        return reswap(retarget(response, f"#{fragment}"), "outerHTML")
    page = _article_context(
        request,
        article,
        show=show,
        selected_ids=[context["selected"].pk] if context.get("selected") else [],
        editing=context.get("edit_form") is not None,
        new_form=context.get("new_form"),
        edit_form=context.get("edit_form"),
    )
    page["panel_errors"] = context.get("panel_errors")
    page["conflict"] = context.get("conflict")
    return render(request, ARTICLE_PAGE, page, status=422)


@login_required
@require_POST
def statement_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save the tagging panel: offsets arrive in UTF-16 units, StatementForm converts them."""
    article = catalog.visible_article(request.user, pk)
    if article is None:
        raise Http404("No such article.")
    if not permissions.can_annotate(request.user, article):
        raise PermissionDenied("Viewers cannot annotate.")
    show = _show(request.POST, request.user, article)
    form = StatementForm(request.POST, article=article)
    if form.is_valid():
        suggestion = request.POST.get("suggestion", "")  # suggestions (#11): opened from one (suggest.js)
        try:
            data = form.service_data()
            if suggestion:
                statement = suggestion_services.suggestion_accept(
                    article=article,
                    user=request.user,
                    suggestion=suggestion,
                    edits=data,
                    create_speaker=request.POST.get("create_speaker") == "1",
                )
            else:
                statement = services.statement_create(article=article, user=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc, STATEMENT_ERROR_FIELDS)
        else:
            message = "Suggestion accepted." if suggestion else "Statement saved."
            if request.htmx:
                regions = _spans_of(statement.start, statement.end, data.get("conditions") or [])
                return _after_save(
                    request,
                    article,
                    show,
                    message,
                    regions=regions,
                    statement_id=statement.pk,
                    span=(statement.start, statement.end),
                    listed_before=False,
                    created=True,
                )
            return _after_write(request, article, show, message, statement.pk, created=True)
    return _form_errors(request, article, show, "tagger", new_form=form)


# The fields a version conflict compares, as (name, label); "span" is the quote and its offsets.
CONFLICT_FIELDS = (
    ("span", "Quote"),
    ("stance", "Stance"),
    ("speaker", "Speaker"),
    ("addressee", "Addressee"),
    ("note", "Note"),
    ("conditions", "Conditions"),
)


def _theirs_into(data: QueryDict, statement: Statement, fields: set[str]) -> QueryDict:
    """The posted edit form with the stored statement's values for `fields` (a merge after a
    version conflict: the user chose "theirs" for them)."""
    data = data.copy()
    text = statement.article.text
    if "span" in fields:
        data["start_u16"] = str(len(text[: statement.start].encode("utf-16-le")) // 2)
        data["end_u16"] = str(len(text[: statement.end].encode("utf-16-le")) // 2)
        data["quote"] = statement.quote
    for name in ("stance", "note"):
        if name in fields:
            data[name] = getattr(statement, name)
    for name in ("speaker", "addressee"):
        if name in fields:
            data[name] = str(getattr(statement, f"{name}_id") or "")
    if "conditions" in fields:
        conditions = list(statement.conditions.all())
        data.setlist("condition", [c.description for c in conditions])
        data.setlist("condition_id", [str(c.pk) for c in conditions])
        data.setlist("condition_ev_start", ["" for _ in conditions])  # kept by id
        data.setlist("condition_ev_end", ["" for _ in conditions])
        data.setlist("condition_ev_quote", [c.evidence_quote for c in conditions])
    return data


def _conflict(form: StatementForm, statement: Statement) -> dict[str, Any]:
    """Both versions of each field that differs: the user's (the posted form) and the stored
    one, for the conflict table of the edit form."""
    stored, by = workspace.stored_version(statement.pk)
    data = form.cleaned_data
    stance_label = dict(Stance.choices)

    def actor_name(value: Any) -> str:
        value = str(value or "")
        for role in ("speaker", "addressee"):
            actor = getattr(form, f"{role}_actor")
            if actor is not None and str(actor.pk) == value:
                return actor.name
        return "" if not value else f"Actor #{value}"

    mine = {
        "span": data.get("quote") if data.get("start_u16") is not None else stored.quote,
        "stance": stance_label.get(data.get("stance") or "", data.get("stance") or ""),
        "speaker": actor_name(data.get("speaker")),
        "addressee": actor_name(data.get("addressee")),
        "note": data.get("note") or "",
        "conditions": "; ".join(row.description for row in form.condition_rows if row.description.strip()),
    }
    theirs = {
        "span": stored.quote,
        "stance": stance_label.get(stored.stance, stored.stance),
        "speaker": stored.speaker.name if stored.speaker else "",
        "addressee": stored.addressee.name if stored.addressee else "",
        "note": stored.note,
        "conditions": "; ".join(c.description for c in stored.conditions.all()),
    }
    rows = [
        {"name": name, "label": label, "mine": mine[name], "theirs": theirs[name]}
        for name, label in CONFLICT_FIELDS
        if mine[name] != theirs[name]
    ]
    return {"version": stored.version, "rows": rows, "by": by}


@login_required
@require_POST
def statement_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save the edit form. A version conflict (someone saved meanwhile) comes back as both
    versions side by side; the form is sent again with `resolve=mine` (keep mine: the new
    version number, my values) or `resolve=merge` (per field, `take_<field>=theirs` takes the
    stored value), so nothing is retyped."""
    statement = _get_statement_for_user(request, pk, edit=True)
    article = statement.article
    show = _show(request.POST, request.user, article)
    data: QueryDict = request.POST
    if data.get("resolve") == "merge":
        taken = {name for name, _ in CONFLICT_FIELDS if data.get(f"take_{name}") == "theirs"}
        if taken:
            data = _theirs_into(data, statement, taken)
    form = StatementForm(data, article=article, statement=statement)
    conflict = None
    if form.is_valid():
        old_spans = _spans_of(statement.start, statement.end, statement.conditions.all())
        try:
            updated = services.statement_update(
                statement=statement,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_data(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "version" in exc.error_dict:
                conflict = _conflict(form, statement)
            else:
                add_service_errors(form, exc, STATEMENT_ERROR_FIELDS)
        else:
            undo_url = reverse("statement_undo", args=[statement.pk])
            if request.htmx:
                new_spans = _spans_of(updated.start, updated.end, form.service_data().get("conditions") or [])
                return _after_save(
                    request,
                    article,
                    show,
                    "Statement updated.",
                    regions=old_spans + new_spans,
                    statement_id=statement.pk,
                    span=(updated.start, updated.end),
                    listed_before=True,
                    undo_url=undo_url,
                )
            return _after_write(request, article, show, "Statement updated.", statement.pk, undo_url=undo_url)
    return _form_errors(
        request,
        article,
        show,
        "panel",
        selected=statement,
        also_here=[],
        can_edit=True,
        edit_form=form,
        conflict=conflict,
    )


@login_required
@require_POST
def statement_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    statement = _get_statement_for_user(request, pk, edit=True)
    article = statement.article
    show = _show(request.POST, request.user, article)
    spans = _spans_of(statement.start, statement.end, statement.conditions.all())
    listed = {"mine": statement.annotator_id == request.user.pk, "gold": statement.is_gold}.get(show, True)
    try:
        services.statement_delete(statement=statement, user=request.user)
    except ValidationError as exc:
        return _form_errors(
            request,
            article,
            show,
            "panel",
            selected=workspace.statement_row(statement),
            also_here=[],
            can_edit=True,
            can_annotate=True,
            panel_errors=exc.messages,
        )
    undo_url = reverse("statement_restore", args=[pk])
    if request.htmx:
        return _after_save(
            request,
            article,
            show,
            "Statement deleted.",
            regions=spans,
            statement_id=pk,
            span=None,
            listed_before=listed,
            deleted=True,
            undo_url=undo_url,
        )
    return _after_write(request, article, show, "Statement deleted.", undo_url=undo_url)


def _undo_refused(
    request: HtmxHttpRequest, article: Article, show: str, exc: ValidationError
) -> HttpResponse:
    """An undo that cannot be done: 409 with the reason (announced in the toast for htmx,
    nothing swapped; a message on the page for a plain form)."""
    message = " ".join(exc.messages)
    if request.htmx:
        return announce(reswap(HttpResponse(message, status=409), "none"), message)
    messages.error(request, message)
    return redirect(_statement_url(article, show))


@login_required
@require_POST
def statement_restore(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Undo a delete: statement `pk` comes back from its history with its id, conditions,
    verdicts and comments (services.undo.statement_restore). 404 unless the user may read its
    article; 403 unless they could edit it; 409 when it cannot come back."""
    deletion = undo.last_event(pk)
    if deletion is None:
        raise Http404("No such statement.")
    article = get_object_or_404(
        catalog.visible_articles(request.user).select_related("project"), pk=deletion.article_id
    )
    show = _show(request.POST, request.user, article)
    try:
        undo.statement_restore(ref=pk, user=request.user, event=parse_id(request.POST.get("event")))
    except ValidationError as exc:
        return _undo_refused(request, article, show, exc)
    return _after_write(request, article, show, "Statement restored.", pk)


@login_required
@require_POST
def statement_undo(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Undo the user's last edit of statement `pk` (services.undo.statement_undo): 409 when
    someone changed it since or there is nothing to undo."""
    statement = _get_statement_for_user(request, pk, edit=True)
    article = statement.article
    show = _show(request.POST, request.user, article)
    try:
        undo.statement_undo(statement=statement, user=request.user, event=parse_id(request.POST.get("event")))
    except ValidationError as exc:
        return _undo_refused(request, article, show, exc)
    return _after_write(request, article, show, "Edit undone.", pk)


# --------------------------------------------------------------------------------------------
# Actors


# --------------------------------------------------------------------------------------------
# Conditions
