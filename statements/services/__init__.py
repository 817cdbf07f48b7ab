"""Every write to the domain goes through these functions: the pages, the API, the management
commands and the seed loader all call them, so validation lives in exactly one place.

Conventions: keyword-only arguments, `<thing>_<verb>` names, one transaction per call.
Bad input raises `django.core.exceptions.ValidationError` with a dict of field -> messages
(the forms and the API turn it into inline errors / a 400); a user acting beyond their role
raises `django.core.exceptions.PermissionDenied`. The database constraints stay the last line
of defence, so an `IntegrityError` here is a bug in the validation, not a user error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from statements import permissions
from statements.models import (
    MAX_ARTICLE_CHARS,
    VERDICT_STATUS,
    Actor,
    ActorAlias,
    ActorKind,
    AnchorState,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    EventAction,
    GuidelinesRevision,
    Membership,
    Project,
    Review,
    Role,
    Stance,
    Statement,
    StatementEvent,
    Status,
    UnitDismissal,
    User,
    Verdict,
    insert_new,
    name_key,
    read_by_id,
    update_saved,
)
from statements.selectors import alignment

MAX_CONDITIONS = 50
CONTEXT_CHARS = 80


# --------------------------------------------------------------------------------------------
# Text


def normalize_text(text: str) -> str:
    """The one normalization every article text goes through: `\\r\\n` and lone `\\r` become
    `\\n`, then Unicode NFC. Idempotent, so normalizing stored text changes nothing."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_int(value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        errors.setdefault(field, []).append(f"{field} is required and must be a whole number.")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(f"{field} must be a whole number, not {value!r}.")
        return None
    if isinstance(value, float) and value != number:
        errors.setdefault(field, []).append(f"{field} must be a whole number, not {value!r}.")
        return None
    return number


def validate_span(
    text: str,
    start: Any,
    end: Any,
    quote: str | None,
    *,
    start_field: str = "start",
    end_field: str = "end",
    quote_field: str = "quote",
) -> tuple[int, int, str]:
    """Check a span against an article text and return (start, end, quote).

    Offsets count code points, end exclusive. When `quote` is None it is taken from the text;
    otherwise it must equal `text[start:end]` exactly.
    """
    errors: dict[str, list[str]] = {}
    s = _as_int(start, start_field, errors)
    e = _as_int(end, end_field, errors)
    if errors:
        raise ValidationError(errors)
    assert s is not None and e is not None
    n = len(text)
    if s < 0:
        errors.setdefault(start_field, []).append(f"{start_field} must be 0 or more, not {s}.")
    if e <= s:
        errors.setdefault(end_field, []).append(
            f"{end_field} ({e}) must be greater than {start_field} ({s})."
        )
    if e > n:
        errors.setdefault(end_field, []).append(
            f"{end_field} ({e}) is past the end of the article, which has {n} characters."
        )
    if s >= n and s >= 0:
        errors.setdefault(start_field, []).append(
            f"{start_field} ({s}) is past the end of the article, which has {n} characters."
        )
    if errors:
        raise ValidationError(errors)
    actual = text[s:e]
    if quote is None:
        return s, e, actual
    if not isinstance(quote, str):
        raise ValidationError({quote_field: ["The quote must be text."]})
    if quote != actual:
        raise ValidationError(
            {
                quote_field: [
                    f"The quote does not match the article text at {s}–{e}: the text there is "
                    f"“{_excerpt(actual)}”, the quote given is “{_excerpt(quote)}”. "
                    "Offsets count Unicode code points of the stored text, end exclusive."
                ]
            }
        )
    return s, e, actual


# --------------------------------------------------------------------------------------------
# Articles


def _clean_article_fields(
    *,
    title: str,
    text: str,
    source: str,
    url: str,
    published: dt.date | str | None,
    dateline: str,
    language: str,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["The title is required."]
    elif len(title) > 300:
        errors["title"] = [f"The title has {len(title)} characters; the limit is 300."]
    if not isinstance(text, str):
        errors["text"] = ["The text must be a string."]
        text = ""
    text = normalize_text(text)
    if "\x00" in text:
        errors.setdefault("text", []).append("The text contains a NUL character (\\x00); remove it.")
    if not text.strip():
        errors.setdefault("text", []).append("The text is empty.")
    elif len(text) > MAX_ARTICLE_CHARS:
        errors.setdefault("text", []).append(
            f"The text has {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}."
        )
    source = (source or "").strip()
    if len(source) > 200:
        errors["source"] = ["The source may have at most 200 characters."]
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [f"“{_excerpt(url)}” is not a valid http(s) URL."]
        if len(url) > 1000:
            errors["url"] = ["The URL may have at most 1000 characters."]
    if isinstance(published, str):
        published = published.strip() or None
        if published:
            try:
                published = dt.date.fromisoformat(published)
            except ValueError:
                errors["published"] = [f"“{published}” is not a date; use YYYY-MM-DD."]
                published = None
    elif published is not None and not isinstance(published, dt.date):
        errors["published"] = ["The published date must be a date (YYYY-MM-DD)."]
    dateline = (dateline or "").strip()
    if len(dateline) > 100:
        errors["dateline"] = ["The dateline may have at most 100 characters."]
    language = (language or "en").strip() or "en"
    if len(language) > 16:
        errors["language"] = ["The language code may have at most 16 characters (e.g. en, ru, uk)."]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "text": text,
        "source": source,
        "url": url,
        "published": published,
        "dateline": dateline,
        "language": language,
    }


def _duplicate_text_error(existing: Article) -> ValidationError:
    return ValidationError(
        {"text": [f"An article with exactly this text already exists: “{existing.title}” (#{existing.pk})."]}
    )


# --------------------------------------------------------------------------------------------
# Projects, members and accounts

DEFAULT_GUIDELINES_FILE = Path(__file__).resolve().parent.parent / "data" / "guidelines.md"


def default_guidelines() -> str:
    """The codebook a new project starts from (statements/data/guidelines.md)."""
    return DEFAULT_GUIDELINES_FILE.read_text(encoding="utf-8")


def _unique_slug(name: str, *, exclude: int | None = None) -> str:
    base = slugify(name)[:70] or "project"
    slug, n = base, 1
    taken = Project.objects.exclude(pk=exclude) if exclude else Project.objects.all()
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_project_name(name: Any, *, exclude: int | None = None) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": ["The project needs a name."]})
    if len(name) > 200:
        raise ValidationError({"name": [f"The name has {len(name)} characters; the limit is 200."]})
    clash = Project.objects.filter(name__uexact=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": [f"A project named “{name}” already exists."]})
    return name


@transaction.atomic
def project_create(
    *, user: User | None, name: str, description: str = "", guidelines: str | None = None
) -> Project:
    """A new project (instance administrators; `user=None` for system callers such as the seed
    loader). Its guidelines start from the default codebook unless given; the creator, when
    given, becomes its first lead."""
    if user is not None and not permissions.can_create_project(user):
        raise PermissionDenied("Only an instance administrator can create projects.")
    name = _clean_project_name(name)
    body = default_guidelines() if guidelines is None else str(guidelines)
    project = Project.objects.create(
        name=name,
        slug=_unique_slug(name),
        description=str(description or "").strip(),
        guidelines=body,
        created_by=user,
    )
    GuidelinesRevision.objects.create(project=project, body=body, edited_by=user)
    if user is not None:
        Membership.objects.create(project=project, user=user, role=Role.LEAD, added_by=user)
        permissions.forget_roles(user)
    return project


@transaction.atomic
def project_update(*, project: Project, user: User, **changes: Any) -> Project:
    """Change a project's name, description, guidelines or archived flag (its leads). Every
    change of the guidelines is kept as a revision (who, when, the whole text)."""
    if not permissions.can_edit_project(user, project):
        raise PermissionDenied("Only a lead of this project can change it.")
    unknown = set(changes) - {"name", "description", "guidelines", "archived"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    fields = []
    if "name" in changes:
        project.name = _clean_project_name(changes["name"], exclude=project.pk)
        fields.append("name")
    if "description" in changes:
        project.description = str(changes["description"] or "").strip()
        fields.append("description")
    if "archived" in changes:
        project.archived = bool(changes["archived"])
        fields.append("archived")
    if "guidelines" in changes:
        body = str(changes["guidelines"] or "").replace("\r\n", "\n")
        if len(body) > 200_000:
            raise ValidationError({"guidelines": ["The guidelines may have at most 200,000 characters."]})
        if body != project.guidelines:
            project.guidelines = body
            fields.append("guidelines")
            GuidelinesRevision.objects.create(project=project, body=body, edited_by=user)
    if fields:
        project.save(update_fields=fields)
    return project


def project_for_writing(*, user: User | None, project: Project | None) -> Project:
    """`project`, or, when it is left out, the one project where `user` may add articles (a
    system caller: the only project there is). A clear error when there is no single one."""
    if project is not None:
        return project
    if user is None:
        candidates = list(Project.objects.filter(archived=False)[:2])
    else:
        ids = permissions.project_ids_where(user, Role.ANALYST, Role.LEAD)
        qs = Project.objects.filter(archived=False)
        candidates = list((qs if ids is None else qs.filter(pk__in=ids))[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        if user is not None:
            raise PermissionDenied("Only analysts and leads of a project can add articles.")
        raise ValidationError({"project": ["There is no open project to add the article to."]})
    raise ValidationError({"project": ["Choose the project the article belongs to."]})


def _role(value: Any) -> str:
    if value not in Role.values:
        raise ValidationError({"role": [f"“{value}” is not a role: use lead, analyst or viewer."]})
    return str(value)


@transaction.atomic
def membership_add(*, project: Project, member: User, role: str, user: User) -> Membership:
    """Add an existing user to the project with a role (its leads)."""
    if not permissions.can_manage_members(user, project):
        raise PermissionDenied("Only a lead of this project can change its members.")
    role = _role(role)
    if not member.is_active:
        raise ValidationError({"user": [f"{member} is not an active account."]})
    if Membership.objects.filter(project=project, user=member).exists():
        raise ValidationError({"user": [f"{member} is already a member of this project."]})
    membership = Membership.objects.create(project=project, user=member, role=role, added_by=user)
    permissions.forget_roles(member)
    return membership


def _lead_count(project: Project) -> int:
    return Membership.objects.select_for_update().filter(project=project, role=Role.LEAD).count()


def _forget(*memberships: Membership) -> None:
    """Drop the kept roles of the member, on every user object at hand (the caller's too)."""
    for m in memberships:
        if m._state.fields_cache.get("user") is not None:
            permissions.forget_roles(m.user)


@transaction.atomic
def membership_update(*, membership: Membership, role: str, user: User) -> Membership:
    """Change a member's role; the last lead stays a lead."""
    given = membership
    membership = (
        Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
    )
    if not permissions.can_manage_members(user, membership.project):
        raise PermissionDenied("Only a lead of this project can change its members.")
    role = _role(role)
    if membership.role == Role.LEAD and role != Role.LEAD and _lead_count(membership.project) <= 1:
        raise ValidationError({"role": ["The project needs a lead: make someone else lead first."]})
    membership.role = role
    membership.save(update_fields=["role"])
    _forget(given, membership)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, user: User) -> None:
    """Remove a member from the project; the last lead cannot be removed. Their statements stay
    (the project's data), they just no longer see the project."""
    given = membership
    membership = (
        Membership.objects.select_for_update().select_related("project", "user").get(pk=membership.pk)
    )
    if not permissions.can_manage_members(user, membership.project):
        raise PermissionDenied("Only a lead of this project can change its members.")
    if membership.role == Role.LEAD and _lead_count(membership.project) <= 1:
        raise ValidationError({"user": ["The last lead of a project cannot be removed."]})
    membership.delete()
    _forget(given, membership)


@transaction.atomic
def account_create(
    *, user: User, username: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """A new account with no usable password (administrators, and leads inviting someone): the
    person sets it through a one-time link (`password_link_token`)."""
    if not permissions.can_create_account(user):
        raise PermissionDenied("Only an administrator or a project lead can create accounts.")
    username = str(username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["A user name is required."]
    elif len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors["username"] = ["Use at most 150 letters, digits and @ . + - _ for the user name."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"The user name “{username}” is taken."]
    if email and "@" not in email:
        errors["email"] = ["Enter a valid e-mail address, or leave it empty."]
    if errors:
        raise ValidationError(errors)
    account = User(
        username=username,
        first_name=str(first_name or "").strip()[:150],
        last_name=str(last_name or "").strip()[:150],
        email=str(email or "").strip(),
    )
    account.set_unusable_password()
    account.save()
    return account


@transaction.atomic
def article_create(
    *,
    user: User | None,
    project: Project | None = None,
    title: str,
    text: str,
    source: str = "",
    url: str = "",
    published: dt.date | str | None = None,
    dateline: str = "",
    language: str = "en",
) -> Article:
    """Create an article from raw text. The text is normalized (line ends, NFC) and hashed;
    an identical text already stored is refused with a link to it. `user=None` is for
    trusted system callers (seeds, imports run by an operator)."""
    article, created = article_get_or_create(
        user=user,
        project=project,
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        dateline=dateline,
        language=language,
    )
    if not created:
        raise _duplicate_text_error(article)
    return article


@transaction.atomic
def article_get_or_create(
    *,
    user: User | None,
    project: Project | None = None,
    title: str,
    text: str,
    source: str = "",
    url: str = "",
    published: dt.date | str | None = None,
    dateline: str = "",
    language: str = "en",
) -> tuple[Article, bool]:
    """Like article_create, but an article whose normalized text is already stored is returned
    as it is (`created` False) instead of refused: importing the same file twice adds nothing.
    The other fields are validated either way. Articles are unique by text within a project;
    `project` may be left out when the user writes in exactly one project."""
    project = project_for_writing(user=user, project=project)
    if user is not None and not permissions.can_create_article(user, project):
        if project.archived:
            raise ValidationError({"project": [f"“{project}” is archived: nothing can be added to it."]})
        raise PermissionDenied("Only analysts and leads of the project can add articles.")
    fields = _clean_article_fields(
        title=title,
        text=text,
        source=source,
        url=url,
        published=published,
        dateline=dateline,
        language=language,
    )
    digest = text_sha256(fields["text"])
    existing = Article.objects.filter(project=project, text_sha256=digest).first()
    if existing is not None:
        return existing, False
    return Article.objects.create(**fields, project=project, text_sha256=digest, created_by=user), True


@transaction.atomic
def article_update(*, article: Article, user: User | None, **changes: Any) -> Article:
    """Change an article's metadata, or its text while no statement points into it."""
    if user is not None and not permissions.can_edit_article(user, article):
        raise PermissionDenied("Only the article's creator or a lead can edit it.")
    unknown = set(changes) - {"title", "text", "source", "url", "published", "dateline", "language"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    article = Article.objects.select_for_update().get(pk=article.pk)
    current = {
        "title": article.title,
        "text": article.text,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "dateline": article.dateline,
        "language": article.language,
    }
    fields = _clean_article_fields(**{**current, **changes})
    if fields["text"] != article.text:
        n = article.statements.count()
        if n:
            raise ValidationError(
                {
                    "text": [
                        f"The text cannot change: {n} statement{'s' if n != 1 else ''} point into it. "
                        "Delete them first, or create a new article."
                    ]
                }
            )
        digest = text_sha256(fields["text"])
        same = Article.objects.filter(project_id=article.project_id, text_sha256=digest)
        existing = same.exclude(pk=article.pk).first()
        if existing is not None:
            raise _duplicate_text_error(existing)
        article.text_sha256 = digest
    changed = [name for name, value in fields.items() if getattr(article, name) != value]
    for name in changed:
        setattr(article, name, fields[name])
    if changed:
        article.save(update_fields=[*changed, *(["text_sha256"] if "text" in changed else []), "updated_at"])
    return article


@transaction.atomic
def article_delete(*, article: Article, user: User) -> None:
    """Delete an article; refused while statements point into it (they would be lost)."""
    if not permissions.can_delete_article(user, article):
        raise PermissionDenied("Only a lead can delete articles.")
    n = article.statements.count()
    if n:
        raise ValidationError(
            {"article": [f"The article has {n} statement{'s' if n != 1 else ''}; delete them first."]}
        )
    article.delete()


# --------------------------------------------------------------------------------------------
# Actors


def _clean_aliases(name: str, aliases: Iterable[str] | None, errors: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    seen = {name_key(name)}
    if aliases is None:
        return out
    if isinstance(aliases, str):
        aliases = [a for a in aliases.replace("\n", ",").split(",")]
    for raw in aliases:
        if not isinstance(raw, str):
            errors.setdefault("aliases", []).append("Each alias must be text.")
            continue
        alias = " ".join(raw.split())
        if not alias or name_key(alias) in seen:
            continue
        if len(alias) > 200:
            errors.setdefault("aliases", []).append(
                f"The alias “{_excerpt(alias)}” is longer than 200 characters."
            )
            continue
        seen.add(name_key(alias))
        out.append(alias)
    return out


def _resolve_actor(value: Actor | int | str | None, field: str) -> Actor | None:
    if value is None or value == "":
        return None
    if isinstance(value, Actor):
        return value
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [f"“{value}” is not an actor id."]}) from None
    actor = read_by_id(Actor, pk)
    if actor is None:
        raise ValidationError({field: [f"There is no actor with id {pk}."]})
    return actor


def _check_affiliation(actor: Actor | None, affiliation: Actor | None) -> None:
    if affiliation is None or actor is None or actor.pk is None:
        return
    seen = set()
    current: Actor | None = affiliation
    while current is not None and current.pk not in seen:
        if current.pk == actor.pk:
            raise ValidationError(
                {
                    "affiliation": [
                        f"“{affiliation}” cannot be the affiliation: it already belongs to “{actor}”."
                    ]
                }
            )
        seen.add(current.pk)
        current = current.affiliation


@transaction.atomic
def actor_create(
    *,
    user: User | None,
    name: str,
    kind: str = ActorKind.PERSON,
    affiliation: Actor | int | None = None,
    aliases: Iterable[str] | str | None = None,
    description: str = "",
) -> Actor:
    """Create an actor; names are unique regardless of case, aliases are de-duplicated."""
    if user is not None and not permissions.can_create_actor(user):
        raise PermissionDenied("Only analysts and leads can add actors.")
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["The name is required."]
    elif len(name) > 200:
        errors["name"] = ["The name may have at most 200 characters."]
    elif Actor.objects.filter(name__uexact=name).exists():
        errors["name"] = [f"An actor named “{name}” already exists."]
    if kind not in ActorKind.values:
        errors["kind"] = [f"“{kind}” is not a kind; choose one of {', '.join(ActorKind.values)}."]
    clean_aliases = _clean_aliases(name, aliases, errors)
    try:
        affiliation_actor = _resolve_actor(affiliation, "affiliation")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        affiliation_actor = None
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            actor = Actor.objects.create(
                name=name,
                kind=kind,
                affiliation=affiliation_actor,
                description=(description or "").strip(),
                created_by=user,
            )
    except IntegrityError:  # a concurrent create of the same name won the race
        raise ValidationError({"name": [f"An actor named “{name}” already exists."]}) from None
    ActorAlias.objects.bulk_create([ActorAlias(actor=actor, name=a) for a in clean_aliases])
    return actor


@transaction.atomic
def actor_update(*, actor: Actor, user: User | None, **changes: Any) -> Actor:
    """Change an actor. `aliases`, when given, replaces the whole alias list."""
    if user is not None and not permissions.can_edit_actor(user, actor):
        raise PermissionDenied("Only a lead or the analyst who added this actor can edit it.")
    unknown = set(changes) - {"name", "kind", "affiliation", "aliases", "description"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    actor = Actor.objects.select_for_update().get(pk=actor.pk)
    errors: dict[str, list[str]] = {}
    name = " ".join(str(changes.get("name", actor.name) or "").split())
    if not name:
        errors["name"] = ["The name is required."]
    elif len(name) > 200:
        errors["name"] = ["The name may have at most 200 characters."]
    elif Actor.objects.filter(name__uexact=name).exclude(pk=actor.pk).exists():
        errors["name"] = [f"An actor named “{name}” already exists."]
    kind = changes.get("kind", actor.kind)
    if kind not in ActorKind.values:
        errors["kind"] = [f"“{kind}” is not a kind; choose one of {', '.join(ActorKind.values)}."]
    new_aliases = _clean_aliases(name, changes["aliases"], errors) if "aliases" in changes else None
    affiliation = actor.affiliation
    if "affiliation" in changes:
        try:
            affiliation = _resolve_actor(changes["affiliation"], "affiliation")
            _check_affiliation(actor, affiliation)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    actor.name = name
    actor.kind = kind
    actor.affiliation = affiliation
    if "description" in changes:
        actor.description = (changes["description"] or "").strip()
    actor.save()
    if new_aliases is not None:
        actor.aliases.all().delete()
        ActorAlias.objects.bulk_create([ActorAlias(actor=actor, name=a) for a in new_aliases])
    return actor


@transaction.atomic
def actor_delete(*, actor: Actor, user: User) -> None:
    """Delete an actor that no statement names as speaker or addressee."""
    if not permissions.can_delete_actor(user, actor):
        raise PermissionDenied("Only a lead can delete actors.")
    n = Statement.objects.filter(speaker=actor).count() + Statement.objects.filter(addressee=actor).count()
    if n:
        raise ValidationError({"actor": [f"“{actor}” is named in {n} statement(s); reassign them first."]})
    actor.delete()


# --------------------------------------------------------------------------------------------
# Statements and conditions


_CONDITION_FIELDS = ("description", "evidence_start", "evidence_end", "evidence_quote")


def condition_input(condition: Condition) -> dict[str, Any]:
    """A stored condition as the services take it (and as the history records it)."""
    return {name: getattr(condition, name) for name in _CONDITION_FIELDS}


def statement_snapshot(statement: Statement, conditions: Sequence[Condition] | None = None) -> dict[str, Any]:
    """A JSON-able picture of a statement and its conditions, for the history. Pass the
    conditions when they are at hand (just written) to save the query that reads them."""
    return {
        "start": statement.start,
        "end": statement.end,
        "quote": statement.quote,
        "speaker": statement.speaker_id,
        "speaker_name": statement.speaker.name if statement.speaker else None,
        "addressee": statement.addressee_id,
        "addressee_name": statement.addressee.name if statement.addressee else None,
        "stance": statement.stance,
        "note": statement.note,
        "status": statement.status,
        "is_gold": statement.is_gold,
        "version": statement.version,
        "conditions": [
            condition_input(c)
            for c in (
                conditions if conditions is not None else statement.conditions.order_by("position", "id")
            )
        ],
    }


def _record(
    *,
    statement: Statement,
    user: User,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> StatementEvent:
    event = StatementEvent(
        statement=statement if action != EventAction.DELETED else None,
        statement_ref=statement.pk,
        article_id=statement.article_id,
        user=user,
        action=action,
        before=before,
        after=after,
    )
    insert_new(event)
    return event


def _clean_conditions(article: Article, conditions: Sequence[Mapping[str, Any]]) -> list[Condition]:
    """Validate condition inputs (description, optional evidence span) into unsaved Conditions."""
    if isinstance(conditions, (str, bytes)) or not isinstance(conditions, Sequence):
        raise ValidationError({"conditions": ["Conditions must be a list."]})
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": [f"At most {MAX_CONDITIONS} conditions per statement."]})
    out: list[Condition] = []
    errors: list[str] = []
    for i, raw in enumerate(conditions, start=1):
        if not isinstance(raw, Mapping):
            errors.append(f"Condition {i}: must be an object with a description.")
            continue
        description = " ".join(str(raw.get("description") or "").split())
        if not description:
            errors.append(f"Condition {i}: the description is required.")
            continue
        if len(description) > 500:
            errors.append(f"Condition {i}: the description may have at most 500 characters.")
            continue
        ev_start, ev_end = raw.get("evidence_start"), raw.get("evidence_end")
        ev_quote = raw.get("evidence_quote") or None
        condition = Condition(description=description, position=i - 1)
        if ev_start not in (None, "") or ev_end not in (None, ""):
            try:
                s, e, q = validate_span(
                    article.text,
                    ev_start,
                    ev_end,
                    ev_quote,
                    start_field="evidence_start",
                    end_field="evidence_end",
                    quote_field="evidence_quote",
                )
            except ValidationError as exc:
                for messages in exc.message_dict.values():
                    errors.extend(f"Condition {i}: {m}" for m in messages)
                continue
            condition.evidence_start, condition.evidence_end, condition.evidence_quote = s, e, q
        elif ev_quote:
            errors.append(f"Condition {i}: an evidence quote needs evidence_start and evidence_end.")
            continue
        out.append(condition)
    if errors:
        raise ValidationError({"conditions": errors})
    return out


def _clean_statement_fields(
    *, article: Article, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Condition] | None]:
    """Validate every statement field present in `data`; collect all errors at once."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if {"start", "end", "quote"} & set(data):
        try:
            s, e, q = validate_span(article.text, data.get("start"), data.get("end"), data.get("quote"))
            fields.update(start=s, end=e, quote=q)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "stance" in data:
        stance = data["stance"]
        if stance in (None, ""):
            errors["stance"] = ["Choose a stance: support, caveat or demand."]
        elif stance not in Stance.values:
            errors["stance"] = [f"“{stance}” is not a stance; choose support, caveat or demand."]
        else:
            fields["stance"] = stance
    for field in ("speaker", "addressee"):
        if field in data:
            try:
                fields[field] = _resolve_actor(data[field], field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "note" in data:
        note = data["note"] or ""
        if not isinstance(note, str):
            errors["note"] = ["The note must be text."]
        elif len(note) > 5000:
            errors["note"] = ["The note may have at most 5,000 characters."]
        else:
            fields["note"] = note.strip()
    conditions = None
    if "conditions" in data and data["conditions"] is not None:
        try:
            conditions = _clean_conditions(article, data["conditions"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return fields, conditions


def _save_conditions(statement: Statement, conditions: list[Condition]) -> None:
    for condition in conditions:
        condition.statement = statement
    insert_new(*conditions)


@transaction.atomic
def statement_create(
    *,
    article: Article,
    user: User,
    start: int,
    end: int,
    quote: str,
    stance: str,
    speaker: Actor | int | None = None,
    addressee: Actor | int | None = None,
    note: str = "",
    conditions: Sequence[Mapping[str, Any]] = (),
) -> Statement:
    """Tag a span of `article` as a statement by `speaker`.

    `start`/`end` are code-point offsets (end exclusive) and `quote` must equal
    `article.text[start:end]`: a client that measured the selection wrongly gets an error,
    never a highlight in the wrong place. Conditions are dicts with a `description` and an
    optional evidence span (`evidence_start`, `evidence_end`, `evidence_quote`).
    """
    if not permissions.can_annotate(user, article):
        raise PermissionDenied("Viewers cannot annotate.")
    data = {
        "start": start,
        "end": end,
        "quote": quote,
        "stance": stance,
        "speaker": speaker,
        "addressee": addressee,
        "note": note,
        "conditions": list(conditions or ()),
    }
    fields, clean_conditions = _clean_statement_fields(article=article, data=data)
    statement = Statement(article=article, annotator=user, **fields)
    insert_new(statement)
    _save_conditions(statement, clean_conditions or [])
    _record(
        statement=statement,
        user=user,
        action=EventAction.CREATED,
        before=None,
        after=statement_snapshot(statement, clean_conditions or []),
    )
    return statement


_CONTENT_FIELDS = ("start", "end", "quote", "stance", "speaker", "addressee", "note")


def statement_update(
    *,
    statement: Statement,
    user: User,
    expected_version: int | None = None,
    locked: bool = False,
    **changes: Any,
) -> Statement:
    """Change a statement's span, stance, speaker, addressee, note or conditions.

    Only the fields given change; `conditions`, when given, replaces the whole list. With
    `expected_version`, a statement edited by someone else in the meantime is refused instead of
    overwritten. A content change after a verdict sends the statement back to pending (the
    verdict stays in the history); gold statements stay accepted. `locked`: the caller read
    `statement` with its row lock (locked_statement_rows) in the transaction it is still in, so
    it is not read again, and the caller's transaction is the unit of work (no savepoint of its
    own: an error rolls the caller's transaction back).
    """
    if locked:
        if not transaction.get_connection(statement._state.db).in_atomic_block:
            raise RuntimeError("A statement read with its lock must be written in that transaction.")
        return _statement_update(statement, user, expected_version, changes, locked=True)
    with transaction.atomic():
        return _statement_update(statement, user, expected_version, changes, locked=False)


def _statement_update(
    statement: Statement, user: User, expected_version: int | None, changes: dict[str, Any], *, locked: bool
) -> Statement:
    """statement_update() inside its transaction."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only edit your own statements.")
    unknown = set(changes) - {*_CONTENT_FIELDS, "conditions"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if locked:
        _check_version(statement, expected_version)
    else:
        statement = _lock_statement(statement, expected_version)
    if ({"start", "end"} & set(changes)) and "quote" not in changes:
        raise ValidationError({"quote": ["Send the quote with new offsets, so they can be checked."]})
    data = dict(changes)
    if "quote" in data:
        data.setdefault("start", statement.start)
        data.setdefault("end", statement.end)
    fields, new_conditions = _clean_statement_fields(article=statement.article, data=data)
    current = list(statement.conditions.order_by("position", "id"))  # read once: before and after
    before = statement_snapshot(statement, current)
    changed = [name for name, value in fields.items() if getattr(statement, name) != value]
    if new_conditions is not None:
        old = [(c["description"], c["evidence_start"], c["evidence_end"]) for c in before["conditions"]]
        new = [(c.description, c.evidence_start, c.evidence_end) for c in new_conditions]
        conditions_changed = old != new
    else:
        conditions_changed = False
    if not changed and not conditions_changed:
        return statement
    for name in changed:
        setattr(statement, name, fields[name])
    update_fields = [*changed, "version", "updated_at"]
    if {"start", "end", "quote"} & set(changed) and statement.anchor_state != AnchorState.ANCHORED:
        # A new span chosen on the current text: an orphan is re-attached, a changed text confirmed.
        statement.anchor_state, statement.orphan_of = AnchorState.ANCHORED, None
        update_fields += ["anchor_state", "orphan_of"]
    statement.version += 1
    if statement.status != Status.PENDING and not statement.is_gold:
        statement.status = Status.PENDING
        update_fields.append("status")
    update_saved(statement, update_fields)
    if conditions_changed:
        _replace_conditions(statement, new_conditions or [])
    _record(
        statement=statement,
        user=user,
        action=EventAction.UPDATED,
        before=before,
        after=statement_snapshot(statement, None if conditions_changed else current),
    )
    return statement


@transaction.atomic
def statement_delete(*, statement: Statement, user: User) -> None:
    """Delete a statement. Its last state stays in the history (StatementEvent 'deleted')."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only delete your own statements.")
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.gold_versions.exists() and not permissions.is_lead(user, statement):
        raise ValidationError({"statement": ["A gold statement was adjudicated from this one; ask a lead."]})
    from statements.services.undo import kept_with_deletion  # (undo imports this module)

    _record(
        statement=statement,
        user=user,
        action=EventAction.DELETED,
        # what the database deletes with it, for statement_restore (Undo)
        before={**statement_snapshot(statement), "kept": kept_with_deletion(statement)},
        after=None,
    )
    statement.delete()


def locked_statement_rows[Q: QuerySet[Statement]](statements: Q) -> Q:
    """`statements` read with their row locks and what a write needs with them (inside a
    transaction): the lock every write to a statement or its conditions takes first, so that
    concurrent writers queue up. A caller that reads its statement so (the API's edit, which
    also checks visibility and permission on it) passes `locked=True` to statement_update."""
    return statements.select_for_update(of=("self",)).select_related("article", "speaker", "addressee")


def _lock_statement(statement: Statement, expected_version: int | str | None) -> Statement:
    """Lock the statement's row (locked_statement_rows) and refuse a stale `expected_version`."""
    locked = locked_statement_rows(Statement.objects.filter(pk=statement.pk)).first()
    if locked is None:
        raise Statement.DoesNotExist("This statement was deleted in the meantime.")
    _check_version(locked, expected_version)
    return locked


def _check_version(locked: Statement, expected_version: int | str | None) -> None:
    """Refuse a stale `expected_version` of the locked statement."""
    if expected_version is not None:
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            raise ValidationError({"version": ["The version must be a whole number."]}) from None
        if expected != locked.version:
            raise ValidationError(
                {
                    "version": [
                        "Someone changed this statement since you opened it "
                        f"(version {locked.version}, you had {expected_version}). Reload and try again."
                    ]
                }
            )


def _condition_key(c: Condition) -> tuple[Any, ...]:
    return (c.description, c.evidence_start, c.evidence_end, c.evidence_quote or "")


def _replace_conditions(statement: Statement, new: list[Condition]) -> None:
    """Make the statement's conditions equal `new` (in order) while keeping the ids of the rows
    that stay: an unchanged condition keeps its row, a changed one at the same place is updated
    in place, only what is really gone is deleted. Clients holding a condition's id keep a
    valid id unless that very condition was removed."""
    old = list(statement.conditions.order_by("position", "id"))
    by_key: dict[tuple[Any, ...], list[Condition]] = {}
    for row in old:
        by_key.setdefault(_condition_key(row), []).append(row)
    kept: list[Condition | None] = []
    for c in new:
        same = by_key.get(_condition_key(c))
        kept.append(same.pop(0) if same else None)
    used = {row.pk for row in kept if row is not None}
    spare = [row for row in old if row.pk not in used]
    to_update: list[Condition] = []
    to_create: list[Condition] = []
    for position, (c, match) in enumerate(zip(new, kept, strict=True)):
        if match is None and spare:
            reused = spare.pop(0)
            reused.description, reused.evidence_start = c.description, c.evidence_start
            reused.evidence_end, reused.evidence_quote = c.evidence_end, c.evidence_quote or ""
            reused.evidence_orphan_of = None  # new evidence is on the current text
            reused.position = position
            to_update.append(reused)
        elif match is None:
            c.statement, c.position = statement, position
            c.evidence_quote = c.evidence_quote or ""
            to_create.append(c)
        elif match.position != position:
            match.position = position
            to_update.append(match)
    if spare:
        Condition.objects.filter(pk__in=[row.pk for row in spare]).delete()
    if to_update:
        Condition.objects.bulk_update(
            to_update,
            [
                "description",
                "evidence_start",
                "evidence_end",
                "evidence_quote",
                "evidence_orphan_of",
                "position",
            ],
        )
    if to_create:
        Condition.objects.bulk_create(to_create)


def _conditions_changed(*, statement: Statement, user: User, before: dict[str, Any]) -> Statement:
    """A condition of `statement` (locked) was added, changed or removed: a new version of the
    statement, back to pending after a verdict (gold stays accepted), and an entry in its history."""
    update_fields = ["version", "updated_at"]
    statement.version += 1
    if statement.status != Status.PENDING and not statement.is_gold:
        statement.status = Status.PENDING
        update_fields.append("status")
    statement.save(update_fields=update_fields)
    _record(
        statement=statement,
        user=user,
        action=EventAction.UPDATED,
        before=before,
        after=statement_snapshot(statement),
    )
    return statement


def _locked_condition(condition: Condition, statement: Statement) -> Condition:
    """Re-read the condition under its statement's lock: the caller's copy may be stale."""
    current = Condition.objects.filter(pk=condition.pk, statement=statement).first()
    if current is None:
        raise Condition.DoesNotExist("This condition was removed in the meantime.")
    return current


@transaction.atomic
def condition_add(
    *,
    statement: Statement,
    user: User,
    description: str,
    evidence_start: int | None = None,
    evidence_end: int | None = None,
    evidence_quote: str | None = None,
    expected_version: int | None = None,
) -> Condition:
    """Attach one more condition to a statement (recorded as an edit of the statement).

    The statement is locked first, then only the new row is inserted: parallel additions all
    land, and the other conditions keep their ids. With `expected_version` (the statement's),
    an addition to a statement changed in the meantime is refused."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only edit your own statements.")
    statement = _lock_statement(statement, expected_version)
    before = statement_snapshot(statement)
    if len(before["conditions"]) >= MAX_CONDITIONS:
        raise ValidationError({"conditions": [f"At most {MAX_CONDITIONS} conditions per statement."]})
    new = {
        "description": description,
        "evidence_start": evidence_start,
        "evidence_end": evidence_end,
        "evidence_quote": evidence_quote,
    }
    (condition,) = _clean_conditions(statement.article, [new])
    last = statement.conditions.order_by("-position").values_list("position", flat=True).first()
    condition.statement = statement
    condition.position = 0 if last is None else last + 1
    condition.evidence_quote = condition.evidence_quote or ""
    condition.save()
    _conditions_changed(statement=statement, user=user, before=before)
    return condition


@transaction.atomic
def condition_delete(*, condition: Condition, user: User, expected_version: int | str | None = None) -> None:
    """Remove one condition from its statement (recorded as an edit of the statement); the others
    keep their rows and ids. A condition already removed by someone else raises
    Condition.DoesNotExist."""
    statement = condition.statement
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only edit your own statements.")
    statement = _lock_statement(statement, expected_version)
    current = _locked_condition(condition, statement)
    before = statement_snapshot(statement)
    current.delete()
    _conditions_changed(statement=statement, user=user, before=before)


@transaction.atomic
def condition_update(
    *, condition: Condition, user: User, expected_version: int | None = None, **changes: Any
) -> Condition:
    """Change one condition of a statement (its description and/or evidence span), recorded as an
    edit of the statement. New evidence offsets need the evidence quote, so they can be checked.

    Only that row changes and it keeps its id; the statement is locked first, so a concurrent
    edit of another condition is never lost."""
    unknown = set(changes) - set(_CONDITION_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    statement = condition.statement
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only edit your own statements.")
    statement = _lock_statement(statement, expected_version)
    current = _locked_condition(condition, statement)
    item = {**condition_input(current), **changes}
    (clean,) = _clean_conditions(statement.article, [item])
    if _condition_key(clean) == _condition_key(current):
        return current
    before = statement_snapshot(statement)
    current.description, current.evidence_start = clean.description, clean.evidence_start
    current.evidence_end, current.evidence_quote = clean.evidence_end, clean.evidence_quote or ""
    current.evidence_orphan_of = None  # checked against the current text above
    current.save(
        update_fields=[
            "description",
            "evidence_start",
            "evidence_end",
            "evidence_quote",
            "evidence_orphan_of",
        ]
    )
    _conditions_changed(statement=statement, user=user, before=before)
    return current


# --------------------------------------------------------------------------------------------
# Review and discussion


@transaction.atomic
def statement_review(*, statement: Statement, reviewer: User, verdict: str, comment: str = "") -> Review:
    """Give a verdict on someone else's statement; the statement's status follows the verdict.

    Reject and request-changes need a comment (the annotator must learn what to fix).
    """
    if not permissions.can_review(reviewer, statement):
        raise PermissionDenied("Viewers cannot review.")
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if not permissions.can_see_statement(reviewer, statement):
        raise PermissionDenied("Finish your own annotation of this article before reviewing others'.")
    errors: dict[str, list[str]] = {}
    if statement.annotator_id == reviewer.pk:
        errors["statement"] = ["You cannot review your own statement."]
    if statement.is_gold:
        errors.setdefault("statement", []).append("Gold statements are adjudicated, not reviewed.")
    if verdict not in Verdict.values:
        errors["verdict"] = [f"“{verdict}” is not a verdict; choose accept, reject or request_changes."]
    comment = (comment or "").strip()
    if verdict in (Verdict.REJECT, Verdict.REQUEST_CHANGES) and not comment:
        errors["comment"] = ["Say why: a comment is required to reject or request changes."]
    if len(comment) > 5000:
        errors["comment"] = ["The comment may have at most 5,000 characters."]
    if errors:
        raise ValidationError(errors)
    before_status = statement.status
    review = Review.objects.create(
        statement=statement,
        reviewer=reviewer,
        verdict=verdict,
        comment=comment,
        statement_version=statement.version,
    )
    statement.status = VERDICT_STATUS[Verdict(verdict)]
    statement.save(update_fields=["status", "updated_at"])
    _record(
        statement=statement,
        user=reviewer,
        action=EventAction.REVIEWED,
        before={"status": before_status},
        after={"status": statement.status, "verdict": verdict, "comment": comment},
    )
    return review


@transaction.atomic
def comment_add(*, statement: Statement, author: User, body: str) -> Comment:
    """Add a message to a statement's discussion thread."""
    if not permissions.can_comment(author, statement) or not permissions.can_see_statement(author, statement):
        raise PermissionDenied("You cannot comment on this statement.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["The comment is empty."]})
    if len(body) > 5000:
        raise ValidationError({"body": ["The comment may have at most 5,000 characters."]})
    return Comment.objects.create(statement=statement, author=author, body=body)


# --------------------------------------------------------------------------------------------
# Assignments (blind double annotation)


@transaction.atomic
def assignment_create(*, article: Article, analyst: User, user: User) -> ArticleAssignment:
    """Assign `analyst` to annotate `article` blind (idempotent)."""
    if not permissions.can_manage_assignments(user, article):
        raise PermissionDenied("Only a lead can assign articles.")
    if not permissions.can_annotate(analyst, article):
        raise ValidationError({"analyst": [f"{analyst} is a viewer and cannot annotate."]})
    assignment, _ = ArticleAssignment.objects.get_or_create(
        article=article, analyst=analyst, defaults={"assigned_by": user}
    )
    return assignment


@transaction.atomic
def assignment_finish(*, article: Article, user: User, finished: bool = True) -> ArticleAssignment:
    """Mark (or unmark) one's own work on an article finished; finishing reveals the others'."""
    assignment = ArticleAssignment.objects.select_for_update().filter(article=article, analyst=user).first()
    if assignment is None:
        raise ValidationError({"article": ["You are not assigned to this article."]})
    assignment.finished_at = timezone.now() if finished else None
    assignment.save(update_fields=["finished_at"])
    return assignment


# --------------------------------------------------------------------------------------------
# Adjudication (gold statements)


@transaction.atomic
def statement_adjudicate(
    *,
    article: Article,
    user: User,
    sources: Sequence[Statement],
    start: int,
    end: int,
    quote: str,
    stance: str,
    speaker: Actor | int | None = None,
    addressee: Actor | int | None = None,
    note: str = "",
    conditions: Sequence[Mapping[str, Any]] = (),
) -> Statement:
    """Make the gold version of one or more analysts' statements: an ordinary statement by the
    lead, marked adjudicated and accepted, linked to the statements it came from.

    The fields are the lead's choice (one analyst's version, or a merged edit). A source that
    already fed a gold statement is refused: edit that gold statement instead.
    """
    if not permissions.can_adjudicate(user, article):
        raise PermissionDenied("Only a lead can adjudicate.")
    source_ids = sorted({s.pk for s in sources})
    found = list(Statement.objects.select_for_update().filter(pk__in=source_ids).order_by("pk"))
    errors: dict[str, list[str]] = {}
    if not source_ids:
        errors["sources"] = ["Choose at least one analyst statement to adjudicate."]
    if len(found) != len(source_ids):
        errors["sources"] = ["Some of the chosen statements no longer exist; reload the page."]
    if any(s.article_id != article.pk for s in found):
        errors["sources"] = ["All source statements must belong to this article."]
    if any(s.is_gold for s in found):
        errors["sources"] = ["A gold statement cannot be the source of another."]
    taken = Statement.objects.filter(is_gold=True, adjudicated_from__in=source_ids).values_list(
        "pk", flat=True
    )
    if taken:
        ids = ", ".join(f"#{pk}" for pk in sorted(set(taken)))
        errors["sources"] = [f"Already adjudicated into gold statement {ids}; edit that one instead."]
    elif UnitDismissal.objects.filter(statements__in=source_ids).exists():
        errors["sources"] = ["This unit was dismissed (see its history); it takes no gold statement."]
    data = {
        "start": start,
        "end": end,
        "quote": quote,
        "stance": stance,
        "speaker": speaker,
        "addressee": addressee,
        "note": note,
        "conditions": list(conditions or ()),
    }
    try:
        fields, clean_conditions = _clean_statement_fields(article=article, data=data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    gold = Statement.objects.create(
        article=article, annotator=user, is_gold=True, status=Status.ACCEPTED, **fields
    )
    gold.adjudicated_from.set(found)
    _save_conditions(gold, clean_conditions or [])
    _record(
        statement=gold,
        user=user,
        action=EventAction.ADJUDICATED,
        before={"sources": source_ids},
        after=statement_snapshot(gold),
    )
    return gold


@transaction.atomic
def gold_accept_agreed(*, article: Article, user: User) -> list[Statement]:
    """Adjudicate, in one go, every unit on which all the article's analysts agree (same span,
    stance, speaker, addressee and conditions) and which has no gold statement yet. Returns the
    new gold statements. Units with any disagreement are left for the lead to decide."""
    if not permissions.can_adjudicate(user, article):
        raise PermissionDenied("Only a lead can adjudicate.")
    comparison = alignment.compare_article(article)
    created = []
    for unit in comparison.agreed:
        model = unit.statements[0]
        created.append(
            statement_adjudicate(
                article=article,
                user=user,
                sources=unit.statements,
                start=model.start,
                end=model.end,
                quote=model.quote,
                stance=model.stance,
                speaker=model.speaker_id,
                addressee=model.addressee_id,
                note=model.note,
                conditions=[condition_input(c) for c in model.conditions.all()],
            )
        )
    return created


# ---- API tokens (DRF's authtoken: one per user), for the settings page and `issue_token` ----


@transaction.atomic
def token_issue(*, user: User, regenerate: bool = False) -> tuple[Token, bool]:
    """The user's token, created if they have none; with `regenerate`, a new key replaces the old
    one (which stops working at once). Returns (token, created)."""
    if regenerate:
        Token.objects.filter(user=user).delete()
    return Token.objects.get_or_create(user=user)


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
