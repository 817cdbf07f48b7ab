"""The project pages: the projects home (`/`), a project's page (its documents with progress),
its members (leads), its guidelines (everyone reads, leads edit, every edit kept) and the bulk
upload (analysts and leads). Conventions: views/__init__.py.

A project the user does not belong to does not exist for them (404, never 403); a member
without the role a page needs gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, TooManyFilesSent, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from statements import permissions, services
from statements.data import article_import_job, importing
from statements.models import Article, Membership, Project, Role, User, label_of
from statements.presenters.markdown import render_markdown
from statements.selectors import catalog
from statements.selectors import projects as project_reads
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    fragment_target,
    login_required,
    parse_id,
    remember_project,
)

HOME_PAGE = "statements/project_home.html"
DETAIL_PAGE = "statements/project_detail.html"
MEMBERS_PAGE = "statements/project_members.html"
GUIDELINES_PAGE = "statements/project_guidelines.html"
GUIDELINES_EDIT_PAGE = "statements/project_guidelines_edit.html"
UPLOAD_PAGE = "statements/project_upload.html"
DOCUMENT_PAGE_SIZE = 25

# Bulk upload limits. A .txt file is one article: at most 500,000 characters, which UTF-8 fits
# in 2 MB; a JSON or JSON Lines file holds many. The browser checks them before sending
# (static/js/upload.js), the server again (a larger request by its declared length).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_TEXT_FILE_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_FILES = 100  # Django's DATA_UPLOAD_MAX_NUMBER_FILES default
TEXT_SUFFIXES = {".txt"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}


def _project_for(request: HtmxHttpRequest, slug: str) -> Project:
    """The project `slug` if the user belongs to it (administrators: any), else 404."""
    return get_object_or_404(catalog.visible_projects(request.user), slug=slug)


def _role_label(user: User, project: Project) -> str:
    """The user's role in `project` as the pages name it (administrators who are not members:
    "Administrator")."""
    role = permissions.roles(user).get(project.pk)
    if role is None:
        return "Administrator" if permissions.is_admin(user) else ""
    return label_of(Role, role)


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# --------------------------------------------------------------------------------------------
# The projects home


@login_required
@require_http_methods(["GET", "POST"])
def project_home(request: HtmxHttpRequest) -> HttpResponse:
    """The projects the user belongs to, each with its progress; administrators also create
    projects here (POST name, description). Queries: the projects with their counts (one)."""
    user = request.user
    can_create = permissions.can_create_project(user)
    form = {"name": "", "description": ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied("Only an instance administrator can create projects.")
        form = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        try:
            project = services.project_create(user=user, name=form["name"], description=form["description"])
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": _messages_of(exc)}
            status = 422
        else:
            messages.success(request, f"Project “{project.name}” created. Add its members and its articles.")
            return redirect(project)
    rows = list(project_reads.project_rows(user))
    for row in rows:
        row.role_label = _role_label(user, row)  # type: ignore[attr-defined]
    context = {
        "projects": rows,
        "can_create": can_create,
        "form": form,
        "errors": errors,
        "error_list": [m for ms in errors.values() for m in ms],
    }
    return render(request, HOME_PAGE, context, status=status)


# --------------------------------------------------------------------------------------------
# The project page


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def project_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A project's documents with the statements the user may see and the progress of the user
    and of the team (selectors/projects.py says when a document is done), the article list's
    search and filters plus "your progress". Fragment: `results` (the article list's).
    Visiting it makes it the current project."""
    user = request.user
    project = _project_for(request, slug)
    remember_project(request, project)
    q = request.GET.get("q", "").strip()
    source = request.GET.get("source", "").strip()
    actor_id = parse_id(request.GET.get("actor"))
    progress = request.GET.get("progress", "")
    progress = progress if progress in project_reads.PROGRESS_VALUES else ""
    documents = project_reads.documents(
        user, project, q=q, source=source, actor_id=actor_id, progress=progress
    )
    page = Paginator(documents.rows, DOCUMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    project_reads.fill_documents(user, project, list(page.object_list))
    can_annotate = permissions.can_annotate(user, project)
    can_upload = permissions.can_create_article(user, project)
    list_url = project.get_absolute_url()
    context: dict[str, Any] = {
        "project": project,
        "page": page,
        "q": q,
        "source": source,
        "actor_id": actor_id,
        "progress": progress,
        "filtered": bool(q or source or actor_id or progress),
        "list_url": list_url,
        "show_progress": True,
        "show_mine": can_annotate,
        "can_create": can_upload,
        "create_url": reverse("project_upload", args=[project.slug]) if can_upload else "",
    }
    if fragment_target(request) == "results":
        return render(request, "statements/article_list.html#results", context)
    is_lead = permissions.is_lead(user, project)
    context.update(
        sources=catalog.article_sources(user, project.pk),
        actors=catalog.actor_choices(),
        progress_choices=project_reads.PROGRESS_CHOICES if can_annotate else None,
        counts=documents.counts if can_annotate else None,
        role_label=_role_label(user, project),
        can_annotate=can_annotate,
        can_upload=can_upload,
        is_lead=is_lead,
        can_manage_members=permissions.can_manage_members(user, project),
    )
    return render(request, DETAIL_PAGE, context)


# --------------------------------------------------------------------------------------------
# Members


def _set_password_link(request: HtmxHttpRequest, account: User) -> str:
    """A one-time link where `account` chooses a password (Django's password-reset token: it
    stops working once the password is set, and after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    return request.build_absolute_uri(reverse("password_set", args=[uid, token]))


def _members_context(request: HtmxHttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "members": list(project_reads.members(project)),
        "roles": Role.choices,
        "default_role": Role.ANALYST,
        "can_create_account": permissions.can_create_account(request.user),
        "errors": [],
        "form": {},
        **extra,
    }


def _member_action(request: HtmxHttpRequest, project: Project) -> tuple[str, User | None]:
    """Do what the members form asks (add, invite, role, remove): a message for the toast and,
    for an invitation, the new account. Raises ValidationError with the reason otherwise."""
    user = request.user
    action = request.POST.get("action", "")
    role = request.POST.get("role", "")
    if action == "add":
        username = request.POST.get("username", "").strip()
        if not username:
            raise ValidationError({"username": ["Enter the user name of the person to add."]})
        member = User.objects.filter(username__iexact=username).first()
        if member is None:
            raise ValidationError(
                {"username": [f"There is no account called “{username}”: invite them instead."]}
            )
        services.membership_add(project=project, member=member, role=role, user=user)
        return f"{member} added as {label_of(Role, role).lower()}.", None
    if action == "invite":
        if not permissions.can_create_account(user):
            raise PermissionDenied("Only an administrator or a project lead can create accounts.")
        with transaction.atomic():  # no account without its membership
            account = services.account_create(
                user=user,
                username=request.POST.get("username", ""),
                first_name=request.POST.get("first_name", ""),
                last_name=request.POST.get("last_name", ""),
                email=request.POST.get("email", ""),
            )
            services.membership_add(project=project, member=account, role=role, user=user)
        return f"Account {account.username} created and added as {label_of(Role, role).lower()}.", account
    if action in ("role", "remove"):
        membership = get_object_or_404(
            Membership.objects.select_related("user"),
            project=project,
            pk=parse_id(request.POST.get("membership")),
        )
        if action == "role":
            services.membership_update(membership=membership, role=role, user=user)
            return f"{membership.user} is now {label_of(Role, role).lower()}.", None
        services.membership_remove(membership=membership, user=user)
        return f"{membership.user} removed from the project.", None
    raise ValidationError("Choose add, invite, change role or remove.")


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The project's members and their roles, for its leads: add an existing account, invite
    a new one (an account with a one-time set-password link, shown once), change a role,
    remove someone (the last lead stays). Fragment: `members` (after each change, for htmx)."""
    project = _project_for(request, slug)
    if not permissions.can_manage_members(request.user, project):
        raise PermissionDenied("Only a lead of this project manages its members.")
    if request.method == "GET":
        return render(request, MEMBERS_PAGE, _members_context(request, project))
    form = {
        key: request.POST.get(key, "") for key in ("action", "username", "first_name", "last_name", "email")
    }
    try:
        message, account = _member_action(request, project)
    except ValidationError as exc:
        context = _members_context(request, project, errors=_messages_of(exc), form=form)
        template = f"{MEMBERS_PAGE}#members" if request.htmx else MEMBERS_PAGE
        return render(request, template, context, status=422)
    permissions.forget_roles(request.user)
    if not permissions.can_manage_members(request.user, project):  # a lead stepped down
        messages.success(request, message)
        if request.htmx:
            return HttpResponseClientRedirect(project.get_absolute_url())
        return redirect(project)
    invited = {"account": account, "link": _set_password_link(request, account)} if account else None
    if request.htmx:
        context = _members_context(request, project, invited=invited)
        return announce(render(request, f"{MEMBERS_PAGE}#members", context), message)
    if invited:  # the link is shown once, in this answer: never stored, never sent again
        return render(
            request, MEMBERS_PAGE, _members_context(request, project, invited=invited, notice=message)
        )
    messages.success(request, message)
    return redirect("project_members", project.slug)


# --------------------------------------------------------------------------------------------
# Guidelines


@login_required
@require_GET
def project_guidelines(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The project's guidelines rendered from Markdown, with the history of their edits
    (`?revision=ID` shows an earlier version). Every member reads them."""
    project = _project_for(request, slug)
    revisions = project_reads.guideline_revisions(project)
    revision = None
    if "revision" in request.GET:
        revision = project_reads.guideline_revision(project, parse_id(request.GET.get("revision")))
        if revision is None:
            messages.error(request, "There is no such version of these guidelines.")
            return redirect("project_guidelines", project.slug)
    body = revision.body if revision is not None else project.guidelines
    context = {
        "project": project,
        "revision": revision,
        "current_revision_id": revisions[0].pk if revisions else None,
        "revisions": revisions,
        "html": render_markdown(body),
        "can_edit": permissions.can_edit_project(request.user, project),
    }
    return render(request, GUIDELINES_PAGE, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_guidelines_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The leads' editor for the guidelines (Markdown in a textarea); "Preview" renders it
    without saving, "Save" keeps a new revision (services.project_update)."""
    project = _project_for(request, slug)
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied("Only a lead of this project can change its guidelines.")
    body = project.guidelines
    errors: list[str] = []
    preview = None
    status = 200
    if request.method == "POST":
        body = request.POST.get("guidelines", "").replace("\r\n", "\n")
        if "preview" in request.POST:
            preview = render_markdown(body)
        else:
            changed = body != project.guidelines
            try:
                services.project_update(project=project, user=request.user, guidelines=body)
            except ValidationError as exc:
                errors, status = _messages_of(exc), 422
            else:
                messages.success(request, "Guidelines saved." if changed else "Nothing changed.")
                return redirect("project_guidelines", project.slug)
    context = {"project": project, "body": body, "errors": errors, "preview": preview}
    return render(request, GUIDELINES_EDIT_PAGE, context, status=status)


# --------------------------------------------------------------------------------------------
# Bulk upload


@dataclass
class UploadRow:
    """One line of the upload's result table: a .txt file, or an item of a JSON file."""

    name: str  # the file name, or "item 3" / "line 12" of a JSON file
    title: str = ""
    outcome: str = "ok"  # created, existing, refused, ok (valid, not imported: others were refused)
    reasons: list[str] | None = None
    article: Article | None = None
    same_as: str = ""  # for a text repeated within the upload: the file it repeats
    new_text: str = ""  # text_differs: the uploaded text, for the text editor's preview (issue 14)

    @property
    def outcome_label(self) -> str:
        return {
            "created": "Created",
            "existing": "Already there",
            "refused": "Refused",
            "ok": "Not imported",
            "text_differs": "A new version of an existing article (same URL): not imported",
        }[self.outcome]


class UploadRefused(Exception):
    """The upload as a whole is refused (no file, mixed kinds, too large): nothing was read."""


_FIELD_NAMES = {"non_field_errors": "", "__all__": "", "text": "Text", "title": "Title", "file": ""}


def _reasons(errors: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for field, problems in errors.items():
        label = _FIELD_NAMES.get(field, field.replace("_", " ").capitalize())
        out.extend(f"{label}: {p}" if label else str(p) for p in problems)
    return out


def _title_from(name: str) -> str:
    """A .txt file's title: its name without the extension, underscores read as spaces."""
    stem = PurePath(name).stem
    return " ".join(stem.replace("_", " ").split()) or stem


def _uploaded_files(request: HtmxHttpRequest) -> list[UploadedFile]:
    declared = parse_id(request.META.get("CONTENT_LENGTH")) or 0
    if declared > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"The upload is {declared / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB "
            "at once. Upload fewer files at a time."
        )
    try:
        files = request.FILES.getlist("files")
    except TooManyFilesSent:
        files = None
    if files is None or len(files) > MAX_UPLOAD_FILES:
        raise UploadRefused(f"At most {MAX_UPLOAD_FILES} files at once, please.")
    if not files:
        raise UploadRefused("Choose one or more .txt files, or one JSON or JSON Lines file.")
    suffixes = [PurePath(f.name or "").suffix.lower() for f in files]
    unknown = sorted(
        {f.name or "" for f, s in zip(files, suffixes, strict=True) if s not in TEXT_SUFFIXES | JSON_SUFFIXES}
    )
    if unknown:
        raise UploadRefused(f"Only .txt, .json and .jsonl files can be uploaded, not {', '.join(unknown)}.")
    if any(s in JSON_SUFFIXES for s in suffixes) and len(files) > 1:
        raise UploadRefused("Upload one JSON or JSON Lines file on its own, or several .txt files.")
    return files


def _text_items(files: list[UploadedFile], rows: list[UploadRow]) -> list[tuple[int, Any]]:
    """The .txt files as import items (position: their row), and a row each; a file that cannot
    be read (too large, not UTF-8) is refused on its row."""
    items: list[tuple[int, Any]] = []
    for position, upload in enumerate(files):
        name = upload.name or f"file {position + 1}"
        row = UploadRow(name=name, title=_title_from(name))
        rows.append(row)
        if (upload.size or 0) > MAX_TEXT_FILE_BYTES:
            row.outcome, row.reasons = (
                "refused",
                [
                    f"The file is {(upload.size or 0) / 2**20:.1f} MB; a text file may have at most "
                    f"{MAX_TEXT_FILE_BYTES // 2**20} MB (an article at most 500,000 characters)."
                ],
            )
            continue
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            row.outcome, row.reasons = "refused", ["The file is not UTF-8 text."]
            continue
        items.append((position, {"title": row.title, "text": text}))
    return items


def _json_items(upload: UploadedFile, rows: list[UploadRow]) -> list[tuple[int, Any]]:
    """The items of one JSON array or JSON Lines file (position: their row)."""
    items: list[tuple[int, Any]] = []
    for position, (where, raw) in enumerate(importing.read_items(upload)):
        title = raw.get("title") if isinstance(raw, dict) else None
        rows.append(UploadRow(name=where, title=title if isinstance(title, str) else ""))
        items.append((position, raw))
    if not rows:
        raise UploadRefused(f"{upload.name} holds no article.")
    return items


def _queue_big_upload(request: HtmxHttpRequest, project: Project) -> str | None:
    """Files over article_import_job.INLINE_MAX_BYTES in all are imported by a background job:
    the address of its page, or None to import them now (small, or a text file to refuse)."""
    files = _uploaded_files(request)
    if sum(f.size or 0 for f in files) <= article_import_job.INLINE_MAX_BYTES:
        return None
    first = files[0]
    if PurePath(first.name or "").suffix.lower() in JSON_SUFFIXES:
        payload, names = first.read(), None
    else:
        texts: list[tuple[str, str]] = []
        for upload in files:
            if (upload.size or 0) > MAX_TEXT_FILE_BYTES:
                return None  # refused on its row by the inline path, which stores nothing
            try:
                texts.append((_title_from(upload.name or ""), upload.read().decode("utf-8-sig")))
            except UnicodeDecodeError:
                return None
            upload.seek(0)
        payload = article_import_job.texts_as_payload(texts)
        names = [upload.name or f"file {i + 1}" for i, upload in enumerate(files)]
    job = article_import_job.start_article_import(
        user=request.user, project=project, payload=payload, name=first.name or "upload", names=names
    )
    return job.get_absolute_url()


def _import_upload(request: HtmxHttpRequest, project: Project) -> tuple[list[UploadRow], bool]:
    """Import the uploaded files into `project`, all or nothing (one transaction): the result
    rows, and whether anything was stored."""
    files = _uploaded_files(request)
    rows: list[UploadRow] = []
    if PurePath(files[0].name or "").suffix.lower() in JSON_SUFFIXES:
        try:
            items = _json_items(files[0], rows)
        except importing.ImportFailed as exc:  # not JSON at all
            raise UploadRefused(" ".join(_reasons(exc.errors.get("file", {})))) from None
    else:
        items = _text_items(files, rows)
    unreadable = any(row.outcome == "refused" for row in rows)
    report = None
    try:
        with transaction.atomic():
            report = importing.import_articles(items, user=request.user, project=project)
            if unreadable:  # check the others too, but store nothing
                transaction.set_rollback(True)
    except importing.ImportFailed as exc:
        for position, errors in exc.errors.items():
            rows[position].outcome, rows[position].reasons = "refused", _reasons(errors)
        return rows, False
    if unreadable or report is None:
        return rows, False
    ids = [a.id for a in report.articles] + [d.article_id for d in report.text_differs]
    stored = {a.pk: a for a in Article.objects.filter(pk__in=ids).only("pk", "title")}
    for differs in report.text_differs:  # issue 14: offer the text editor's preview with the new text
        row = rows[differs.position]
        row.outcome, row.article, row.new_text = "text_differs", stored.get(differs.article_id), differs.text
    created_by_row: dict[int, str] = {}
    for imported in report.articles:
        row = rows[imported.position]
        row.article = stored.get(imported.id)
        row.outcome = "created" if imported.created else "existing"
        if imported.created:
            created_by_row[imported.id] = row.name
        else:
            row.same_as = created_by_row.get(imported.id, "")
    return rows, True


@login_required
@require_http_methods(["GET", "POST"])
def project_upload(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Several .txt files (one article each, titled by the file name) or one JSON / JSON Lines
    file in the import format, into this project: all or nothing, with a result per file.
    Analysts and leads. Fragment: `result` (the answer to the htmx upload)."""
    project = _project_for(request, slug)
    if not permissions.can_annotate(request.user, project):
        raise PermissionDenied("Only analysts and leads of the project can add articles.")
    context: dict[str, Any] = {
        "project": project,
        "archived": project.archived,
        "max_mb": MAX_UPLOAD_BYTES // 2**20,
        "max_text_mb": MAX_TEXT_FILE_BYTES // 2**20,
        "max_files": MAX_UPLOAD_FILES,
    }
    if request.method == "GET":
        return render(request, UPLOAD_PAGE, context)
    stored = False
    try:
        if project.archived:
            raise UploadRefused(f"“{project}” is archived: nothing can be added to it.")
        job_url = _queue_big_upload(request, project)
        if job_url is not None:  # the job's page follows its progress and shows the result
            return HttpResponseClientRedirect(job_url) if request.htmx else redirect(job_url)
        rows, stored = _import_upload(request, project)
    except UploadRefused as exc:
        context.update(errors=[str(exc)], rows=[], stored=False)
    else:
        context.update(
            errors=[],
            rows=rows,
            stored=stored,
            n_created=sum(r.outcome == "created" for r in rows),
            n_existing=sum(r.outcome == "existing" for r in rows),
            n_refused=sum(r.outcome == "refused" for r in rows),
        )
    status = 200 if stored else 422
    template = f"{UPLOAD_PAGE}#result" if request.htmx else UPLOAD_PAGE
    response = render(request, template, context, status=status)
    if stored and request.htmx:
        announce(
            response, f"{context['n_created']} article{'s' if context['n_created'] != 1 else ''} created."
        )
    return response
