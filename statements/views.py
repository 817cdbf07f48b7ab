"""Server-rendered pages: function views, one template per page.

htmx fragments are `{% partialdef %}` blocks of the page's own template; a GET view renders one
of them instead of the whole page when an htmx request names its element in HX-Target (see
`_fragment`). Write views take POST only, call statements/services.py (the one place with
validation) and answer htmx with a fragment, plain forms with a redirect. Form errors come back
with status 422 (htmx is configured in base.html to swap 422 responses). Reads go through
statements/selectors.py, which applies the blind-annotation visibility rule; permissions come
from statements/permissions.py and are checked here and again by the services.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from statements import permissions, rendering, selectors, services
from statements.forms import ActorForm, ArticleForm, StatementForm, add_service_errors
from statements.models import VERDICT_STATUS, Actor, ActorKind, Article, Stance, Statement, Status
from statements.selectors import StatementRow

ARTICLE_PAGE_SIZE = 25
ACTOR_PAGE_SIZE = 50
CONDITION_PAGE_SIZE = 100
ARTICLE_PAGE = "statements/article_detail.html"
PICKER_ROLES = ("speaker", "addressee")
PICKER_PREFIXES = ("new", "edit")
# Service error fields that the statement form shows under another name.
STATEMENT_ERROR_FIELDS = {"start": "quote", "end": "quote", "version": "__all__", "statement": "__all__"}


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's login_required, except that an htmx request from a signed-out user (an expired
    session) gets HX-Redirect to the sign-in page, returning to the page it came from: a plain
    302 would be followed by the browser and the sign-in page would land inside the fragment."""
    guarded = django_login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
            )
        return guarded(request, *args, **kwargs)

    return wrapper


def _fragment(request: HttpRequest) -> str | None:
    """The id of the element an htmx request will swap (HX-Target), or None for the full page.

    A history-restore request comes from htmx but wants the whole page."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return htmx.target
    return None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _ids(value: str | None) -> list[int]:
    """Statement ids from `?statement=12,15` (innermost highlight first), de-duplicated."""
    out: list[int] = []
    for part in (value or "").replace(" ", ",").split(","):
        if part.isdigit() and int(part) not in out:
            out.append(int(part))
    return out[:20]


def _show(params: QueryDict, user) -> str:
    """'mine' or 'all': whose statements the article page shows."""
    return "mine" if params.get("show") == "mine" and permissions.can_annotate(user) else "all"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("article_list")


# --------------------------------------------------------------------------------------------
# Articles


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    source = request.GET.get("source", "").strip()
    actor_id = _int_or_none(request.GET.get("actor"))
    rows = selectors.article_rows(request.user, q=q, source=source, actor_id=actor_id)
    page = Paginator(rows, ARTICLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "source": source,
        "actor_id": actor_id,
        "filtered": bool(q or source or actor_id),
        "can_create": permissions.can_create_article(request.user),
    }
    if _fragment(request) == "results":
        return render(request, "statements/article_list.html#results", context)
    context.update(sources=selectors.article_sources(), actors=selectors.actor_choices())
    return render(request, "statements/article_list.html", context)


def _duplicate_of(text: str) -> Article | None:
    """The stored article whose text equals `text` once normalized, for a link in the error."""
    if not isinstance(text, str) or not text.strip():
        return None
    digest = services.text_sha256(services.normalize_text(text))
    return Article.objects.filter(text_sha256=digest).only("pk", "title").first()


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_article(request.user):
        raise PermissionDenied("Only analysts and leads can add articles.")
    duplicate = None
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.service_data()
            try:
                article = services.article_create(user=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                duplicate = _duplicate_of(data["text"])
            else:
                messages.success(request, "Article added. Select a quote in the text to tag it.")
                return redirect(article)
        return render(
            request, "statements/article_form.html", {"form": form, "duplicate": duplicate}, status=422
        )
    return render(request, "statements/article_form.html", {"form": ArticleForm(), "duplicate": None})


# --------------------------------------------------------------------------------------------
# The article (annotate) page


def _panel_context(
    request: HttpRequest,
    article: Article,
    chosen: list[StatementRow],
    *,
    editing: bool,
    edit_form: StatementForm | None = None,
    fresh: bool = False,
) -> dict:
    """What the side panel shows: the first chosen statement (the others covering the same text
    are offered as links), read-only unless the user may edit it and asked to. Only the edit
    form needs the statement itself (two queries); everything else comes from its row."""
    selected = chosen[0] if chosen else None
    can_edit = selected is not None and permissions.can_edit_statement(request.user, selected.as_statement())
    if edit_form is None and selected is not None and editing and can_edit:
        statement = _get_statement_for_user(request, selected.pk, edit=True)
        edit_form = StatementForm(article=article, statement=statement)
    ids = [row.pk for row in chosen]
    activity = {}
    if selected is not None:  # the edit form shows them too: the reviewer's comment is the brief
        # The verdicts and the discussion of the statement shown (two queries, only then; none
        # for a statement `fresh` from the tagging panel, which has neither yet).
        activity = {"reviews": [], "comments": []} if fresh else selectors.statement_activity(selected.pk)
        for review in activity["reviews"]:  # its outcome ("Changes requested"), as the review pages say
            review.given = Status(VERDICT_STATUS[review.verdict]).label
        statement = selected.as_statement()
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
        "can_annotate": permissions.can_annotate(request.user),
        "edit_form": edit_form if can_edit else None,
    }


def _article_context(
    request: HttpRequest,
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
    same rows, unless it is not among them (`show=mine` hides others')."""
    user = request.user
    rows = selectors.article_page_rows(article, user, mine=show == "mine")
    by_id = {row.pk: row for row in rows}
    missing = [i for i in selected_ids if i not in by_id]
    if missing:
        by_id.update((row.pk, row) for row in selectors.article_page_rows(article, user, ids=missing))
    chosen = [by_id[i] for i in selected_ids if i in by_id]
    can_annotate = permissions.can_annotate(user)
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
        "show": show,
        "can_annotate": can_annotate,
        "assignment": selectors.assignment_for(user, article) if full_page else None,
        "new_form": new_form,
        "stances": Stance.choices,
        **_panel_context(request, article, chosen, editing=editing, edit_form=edit_form, fresh=fresh),
    }


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The Annotate page. Fragments: `workspace` (text, panel and list: the mine/everyone's
    toggle) and `panel` (one statement, read-only or its edit form: `?statement=ID&edit=1`)."""
    article = get_object_or_404(Article, pk=pk)
    show = _show(request.GET, request.user)
    selected_ids = _ids(request.GET.get("statement"))
    editing = request.GET.get("edit") == "1"
    target = _fragment(request)
    if target == "panel":
        chosen = selectors.article_page_rows(article, request.user, ids=selected_ids) if selected_ids else []
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
    return render(request, ARTICLE_PAGE, context)


def _get_statement_for_user(request: HttpRequest, pk: int, *, edit: bool) -> Statement:
    """The statement `pk` if the user may see it (404 otherwise: a hidden statement does not
    exist for them); with `edit`, PermissionDenied unless they may change it."""
    statement = get_object_or_404(
        selectors.visible_statements(request.user)
        .select_related("article", "speaker", "addressee", "annotator")
        .prefetch_related("conditions"),
        pk=pk,
    )
    if edit and not permissions.can_edit_statement(request.user, statement):
        raise PermissionDenied("You can only change your own statements.")
    return statement


def _statement_url(article: Article, show: str, statement_id: int | None = None) -> str:
    params = {"show": show} if show == "mine" else {}
    if statement_id is not None:
        params["statement"] = str(statement_id)
    query = f"?{urlencode(params)}" if params else ""
    return f"{article.get_absolute_url()}{query}" + (f"#statement-{statement_id}" if statement_id else "")


def _after_write(
    request: HttpRequest,
    article: Article,
    show: str,
    message: str,
    statement_id: int | None = None,
    *,
    created: bool = False,
) -> HttpResponse:
    """htmx: the new workspace (highlights, panel and list) and a status message to announce;
    a plain form: back to the page (post/redirect/get). A statement just `created` has no
    verdicts or comments yet: the panel does not ask for them."""
    if request.htmx:
        ids = [statement_id] if statement_id is not None else []
        context = _article_context(
            request, article, show=show, selected_ids=ids, full_page=False, fresh=created
        )
        response = render(request, f"{ARTICLE_PAGE}#workspace", context)
        return trigger_client_event(response, "annotator:status", {"message": message})
    messages.success(request, message)
    return redirect(_statement_url(article, show, statement_id))


def _form_errors(request: HttpRequest, article: Article, show: str, fragment: str, **context) -> HttpResponse:
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
    return render(request, ARTICLE_PAGE, page, status=422)


@login_required
@require_POST
def statement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the tagging panel: offsets arrive in UTF-16 units, StatementForm converts them."""
    article = get_object_or_404(Article, pk=pk)
    if not permissions.can_annotate(request.user):
        raise PermissionDenied("Viewers cannot annotate.")
    show = _show(request.POST, request.user)
    form = StatementForm(request.POST, article=article)
    if form.is_valid():
        try:
            statement = services.statement_create(article=article, user=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc, STATEMENT_ERROR_FIELDS)
        else:
            return _after_write(request, article, show, "Statement saved.", statement.pk, created=True)
    return _form_errors(request, article, show, "tagger", new_form=form)


@login_required
@require_POST
def statement_update(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get_statement_for_user(request, pk, edit=True)
    article = statement.article
    show = _show(request.POST, request.user)
    form = StatementForm(request.POST, article=article, statement=statement)
    if form.is_valid():
        try:
            services.statement_update(
                statement=statement,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, STATEMENT_ERROR_FIELDS)
        else:
            return _after_write(request, article, show, "Statement updated.", statement.pk)
    return _form_errors(
        request,
        article,
        show,
        "panel",
        selected=statement,
        also_here=[],
        can_edit=True,
        edit_form=form,
    )


@login_required
@require_POST
def statement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get_statement_for_user(request, pk, edit=True)
    article = statement.article
    show = _show(request.POST, request.user)
    try:
        services.statement_delete(statement=statement, user=request.user)
    except ValidationError as exc:
        return _form_errors(
            request,
            article,
            show,
            "panel",
            selected=selectors.statement_row(statement),
            also_here=[],
            can_edit=True,
            can_annotate=True,
            panel_errors=exc.messages,
        )
    return _after_write(request, article, show, "Statement deleted.")


# --------------------------------------------------------------------------------------------
# Actors


def _picker_params(params: QueryDict) -> tuple[str, str] | None:
    """(role, prefix) when a request comes from a speaker/addressee picker on the annotate page."""
    role, prefix = params.get("picker"), params.get("prefix", "new")
    if role in PICKER_ROLES:
        return role, prefix if prefix in PICKER_PREFIXES else "new"
    return None


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def actor_list(request: HttpRequest) -> HttpResponse:
    """The Actors page; also answers the annotate page's pickers (`?picker=speaker&q=…`) with
    the matching actors, as that page's `actor_options` fragment."""
    q = request.GET.get("q", "").strip()
    picker = _picker_params(request.GET)
    if picker is not None and request.htmx:
        role, prefix = picker
        actors, exact = selectors.actor_matches(q)
        create = []
        if q and not exact and permissions.can_create_actor(request.user):
            create = [
                (label, json.dumps({"name": q, "kind": value, "picker": role, "prefix": prefix}))
                for value, label in ActorKind.choices
            ]
        context = {"actors": actors, "q": q, "role": role, "prefix": prefix, "create": create}
        return render(request, f"{ARTICLE_PAGE}#actor_options", context)
    kind = request.GET.get("kind", "")
    rows = selectors.actor_rows(request.user, q=q, kind=kind)
    page = Paginator(rows, ACTOR_PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    for actor in page:
        actor.editable = permissions.can_edit_actor(user, actor)
    context = {
        "page": page,
        "q": q,
        "kind": kind,
        "kinds": ActorKind.choices,
        "filtered": bool(q or kind),
        "can_create": permissions.can_create_actor(user),
    }
    if _fragment(request) == "results":
        return render(request, "statements/actor_list.html#results", context)
    return render(request, "statements/actor_list.html", context)


def safe_next(request: HttpRequest) -> str | None:
    """The `next` URL of the request if it points back to this site, else None."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


@login_required
@require_http_methods(["GET", "POST"])
def actor_create(request: HttpRequest) -> HttpResponse:
    """The New actor page; from a picker on the annotate page (htmx), it creates the actor in
    place and answers with that page's `actor_choice` fragment, the new actor chosen."""
    if not permissions.can_create_actor(request.user):
        raise PermissionDenied("Only analysts and leads can add actors.")
    picker = _picker_params(request.POST) if request.method == "POST" else None
    if picker is not None and request.htmx:
        role, prefix = picker
        try:
            actor = services.actor_create(
                user=request.user, name=request.POST.get("name", ""), kind=request.POST.get("kind", "")
            )
        except ValidationError as exc:
            context = {"actors": [], "q": request.POST.get("name", ""), "role": role, "prefix": prefix}
            context["errors"] = exc.messages
            response = render(request, f"{ARTICLE_PAGE}#actor_options", context, status=422)
            return retarget(response, f"#{prefix}-{role}-options")
        context = {"role": role, "prefix": prefix, "chosen": actor}
        response = render(request, f"{ARTICLE_PAGE}#actor_choice", context)
        return trigger_client_event(response, "annotator:status", {"message": f"Actor “{actor}” added."})
    choices = selectors.actor_choices()
    if request.method == "POST":
        form = ActorForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                actor = services.actor_create(user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Actor “{actor}” added.")
                return redirect(
                    safe_next(request) or f"{reverse('actor_list')}?{urlencode({'q': actor.name})}"
                )
        return render(request, "statements/actor_form.html", {"form": form, "actor": None}, status=422)
    form = ActorForm(choices=choices, initial={"name": request.GET.get("name", "")})
    return render(request, "statements/actor_form.html", {"form": form, "actor": None})


def _get_actor_for_user(request: HttpRequest, pk: int) -> Actor:
    """The actor `pk` (404 if missing); PermissionDenied unless the user may edit it."""
    actor = get_object_or_404(Actor.objects.with_aliases(), pk=pk)
    if not permissions.can_edit_actor(request.user, actor):
        raise PermissionDenied("Only a lead or the analyst who added this actor can edit it.")
    return actor


@login_required
@require_http_methods(["GET", "POST"])
def actor_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _get_actor_for_user(request, pk)
    choices = selectors.actor_choices()
    if request.method == "POST":
        form = ActorForm(request.POST, actor=actor, choices=choices)
        if form.is_valid():
            try:
                actor = services.actor_update(actor=actor, user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Actor “{actor}” saved.")
                return redirect(
                    safe_next(request) or f"{reverse('actor_list')}?{urlencode({'q': actor.name})}"
                )
        return render(request, "statements/actor_form.html", {"form": form, "actor": actor}, status=422)
    form = ActorForm(actor=actor, choices=choices)
    return render(request, "statements/actor_form.html", {"form": form, "actor": actor})


# --------------------------------------------------------------------------------------------
# Conditions


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def condition_list(request: HttpRequest) -> HttpResponse:
    """Every condition the user may see, grouped by speaker, with facets (conditions per speaker
    and per stance) that follow the other filters, so the page answers questions like "what
    does Russia, with its officials, attach to its support?" in two clicks."""
    user = request.user
    speaker_id = _int_or_none(request.GET.get("speaker"))
    members = request.GET.get("members") == "1"
    stance = request.GET.get("stance", "")
    status = request.GET.get("status", "")
    article_id = _int_or_none(request.GET.get("article"))
    q = request.GET.get("q", "").strip()

    base = selectors.conditions_for(user)
    if stance in Stance.values:
        base = base.filter(statement__stance=stance)
    if status in Status.values:
        base = base.filter(statement__status=status)
    if article_id is not None:
        base = base.filter(statement__article_id=article_id)
    if q:
        base = base.filter(
            Q(description__icontains=q) | Q(evidence_quote__icontains=q) | Q(statement__quote__icontains=q)
        )
    # The speaker facet ignores the speaker filter, so every speaker stays one click away.
    speaker_counts = selectors.condition_speaker_counts(base)
    filtered = base
    if speaker_id is not None:
        ids = selectors.actor_with_members(speaker_id) if members else {speaker_id}
        filtered = base.filter(statement__speaker_id__in=ids)

    page = Paginator(selectors.condition_rows(filtered), CONDITION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    totals = {row["statement__speaker_id"]: row["n"] for row in speaker_counts}
    groups: list[dict] = []
    for condition in page:
        speaker = condition.statement.speaker
        if not groups or groups[-1]["speaker_id"] != condition.statement.speaker_id:
            groups.append(
                {"speaker": speaker, "speaker_id": condition.statement.speaker_id, "items": [], "total": 0}
            )
            groups[-1]["total"] = totals.get(condition.statement.speaker_id, 0)
        groups[-1]["items"].append(condition)
    speaker_name = (
        Actor.objects.filter(pk=speaker_id).values_list("name", flat=True).first() if speaker_id else None
    )
    context = {
        "page": page,
        "groups": groups,
        "speaker_counts": speaker_counts,
        "total": sum(row["n"] for row in speaker_counts),
        "speaker_id": speaker_id,
        "speaker_name": speaker_name,
        "members": members,
        "stance": stance,
        "status": status,
        "q": q,
        "article_id": article_id,
        "article": (
            Article.objects.only("pk", "title").filter(pk=article_id).first()
            if article_id is not None
            else None
        ),
        "stances": Stance.choices,
        "statuses": Status.choices,
        "filtered": bool(speaker_id or stance or status or article_id or q),
    }
    if _fragment(request) == "results":
        return render(request, "statements/condition_list.html#results", context)
    return render(request, "statements/condition_list.html", context)
