"""The domain: articles, actors, statements (quoted spans), their conditions, reviews and history.

Offsets (`start`, `end`) count Unicode code points of the stored, normalized article text, end
exclusive, exactly like Python slicing: `statement.quote == article.text[start:end]`.

Invariants are enforced twice: `statements/services.py` validates with clear messages, and named
database constraints (plus triggers for the rules that span two tables, see migration 0002) make
sure that no path, not even raw SQL, can store a broken row.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import DatabaseError, connections, models, router
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse

MAX_ARTICLE_CHARS = 500_000


# --------------------------------------------------------------------------------------------
# Instances read by hand-written SQL. On the hottest paths (every signed-in request reads its
# user; a save reads its article and speaker) building and compiling a queryset costs several
# times the query. These read the same row and build the same instance as the ORM (Model.from_db
# with each field's database converters), without a queryset.


def _reader(
    model: type[models.Model], db: str
) -> tuple[list[str], list[str], list[tuple[int, Any, list[Any]]]]:
    """`model`'s attribute names, quoted columns and, per field that has any, its database
    converters (those of the backend's operations and the field's own, as the compiler applies
    them): worked out once per model and connection."""
    connection = connections[db]
    cache = connection.__dict__.setdefault("_annotator_row_readers", {})
    found = cache.get(model)
    if found is None:
        fields = model._meta.concrete_fields
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            found_converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found_converters:
                converters.append((i, col, found_converters))
        columns = [connection.ops.quote_name(f.column or f.attname) for f in fields]
        found = cache[model] = ([f.attname for f in fields], columns, converters)
    return found


def model_columns[M: models.Model](model: type[M], alias: str, using: str | None = None) -> str:
    """The SELECT list of `model`'s concrete fields under table alias `alias`, in field order:
    what instance_from_row() takes."""
    return ", ".join(f"{alias}.{column}" for column in _reader(model, using or router.db_for_read(model))[1])


def instance_from_row[M: models.Model](model: type[M], values: Sequence[Any], using: str | None = None) -> M:
    """The instance the ORM builds from a row of model_columns() (the first len(fields) values)."""
    db = using or router.db_for_read(model)
    names, _columns, converters = _reader(model, db)
    converted = list(values[: len(names)])
    connection = connections[db]
    for i, col, functions in converters:
        for convert in functions:
            converted[i] = convert(converted[i], col, connection)
    return model.from_db(db, names, converted)


def read_one[M: models.Model](model: type[M], where: str, params: Sequence[Any]) -> M | None:
    """The row of `model` (table alias t) matching `where`, for a condition that a unique
    constraint makes match at most one row, in one hand-written query (None when none does)."""
    db = router.db_for_read(model)
    table = connections[db].ops.quote_name(model._meta.db_table)
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT {model_columns(model, 't', db)} FROM {table} t WHERE {where}", list(params))
        found = cursor.fetchone()
    return None if found is None else instance_from_row(model, found, db)


def read_by_id[M: models.Model](model: type[M], pk: int) -> M | None:
    """`model.objects.filter(pk=pk).first()` (no default filtering: these models have none) in one
    hand-written query. An id no column can hold is no row (as the ORM answers it)."""
    if not isinstance(pk, int) or not -(2**63) <= pk < 2**63:
        return None
    return read_one(model, "t.id = %s", [pk])


def _has_save_signals(model: type[models.Model]) -> bool:
    """Whether a receiver listens to `model`'s saves: then the hand-written writes below leave the
    save to the ORM, which sends the signals."""
    return models.signals.pre_save.has_listeners(model) or models.signals.post_save.has_listeners(model)


def insert_new(*instances: models.Model) -> None:
    """Save new instances of one model as their first save() does (each field's pre_save, so the
    auto_now(_add) times are set, and the database's form of each value), in one hand-written
    `INSERT … RETURNING id` without building a queryset: the three inserts of a save (the
    statement, its conditions, its history event) cost several times their SQL through the ORM.
    No signal is connected to these models; if one is (or the database cannot return ids), each
    instance is saved by the ORM instead, signals included."""
    if not instances:
        return
    model = type(instances[0])
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    if (
        any(type(obj) is not model or not obj._state.adding for obj in instances)
        or _has_save_signals(model)
        or not connection.features.can_return_rows_from_bulk_insert
        or meta.pk is None
        or meta.pk.attname != "id"
    ):
        for obj in instances:
            obj.save(force_insert=True, using=db)
        return
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column or f.attname) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list[Any] = []
    for obj in instances:
        obj._prepare_related_fields_for_save(operation_name="insert_new")  # type: ignore[attr-defined]  # as save()
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    sql = (
        f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(instances))}"
        f" RETURNING {ops.quote_name(meta.pk.column or 'id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [found[0] for found in cursor.fetchall()]
    for obj, pk in zip(instances, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db


def update_saved(instance: models.Model, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` as one hand-written UPDATE (each field's pre_save, so
    auto_now times are set, and the database's form of each value): an edit's write. Like
    save(), an instance whose row is gone raises DatabaseError; with a signal connected to the
    model, save() itself runs instead."""
    model = type(instance)
    db = instance._state.db or router.db_for_write(model)
    connection = connections[db]
    if _has_save_signals(model):
        instance.save(update_fields=names, using=db)
        return
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in dict.fromkeys(names)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    pk_column = quote(meta.pk.column if meta.pk is not None and meta.pk.column else "id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk_column} = %s", [*params, instance.pk]
        )
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


# --------------------------------------------------------------------------------------------
# Case-insensitive for every script. SQLite's LIKE, lower() and upper() fold ASCII only, so
# "вершинин" would not find "Вершинин"; and no database's default equates the Turkish İ with i.
# One rule, in Python (`name_key`) and in SQL (`Folded` and the `uexact`/`ucontains`/
# `ustartswith` lookups): PostgreSQL folds with UPPER(REPLACE(x, 'İ', 'I')) (Unicode-aware with a
# UTF-8 ctype), SQLite calls `name_key` itself, registered on every connection (apps.py).


def name_key(value: str) -> str:
    """The key two names share when they differ only in case, in any script: "Сергей Вершинин"
    and "сергей вершинин", "ΣΩΚΡΆΤΗΣ" and "Σωκράτης" (σ, final ς and Σ are one letter), and the
    Turkish İ, I, ı and i (one letter here, so "izmir" finds "İzmir" and "ISPARTA" "ısparta").
    Bulk code that matches names in memory calls this; the database uses the same rule."""
    return value.replace("İ", "I").upper()


def _sqlite_name_key(value: object) -> object:
    return name_key(value) if isinstance(value, str) else value


def register_sqlite_functions(sender: object, connection: object, **kwargs: object) -> None:
    """`connection_created` receiver: SQLite gets `name_key` as a deterministic SQL function
    (indexes on expressions need that), so that constraints and searches fold as Python does."""
    if getattr(connection, "vendor", None) == "sqlite":
        connection.connection.create_function(  # type: ignore[attr-defined]
            "name_key", 1, _sqlite_name_key, deterministic=True
        )


def _fold_sql(connection: object, sql: str) -> str:
    if getattr(connection, "vendor", None) == "sqlite":
        return f"name_key({sql})"
    return f"UPPER(REPLACE({sql}, 'İ', 'I'))"


class Folded(models.Func):
    """`name_key` in SQL: for unique constraints regardless of case (`Folded("name")`)."""

    arity = 1
    output_field = models.TextField()

    def as_sql(  # type: ignore[no-untyped-def, override]
        self, compiler, connection, function=None, template=None, **extra
    ):
        sql, params = compiler.compile(self.source_expressions[0])
        return _fold_sql(connection, sql), params


class _FoldedLookup(models.Lookup):
    """Compare both sides folded by the database (the same function on both sides)."""

    like: str | None = None  # "{}" the value: "%{}%" contains, "{}%" starts with; None: equality

    def get_db_prep_lookup(self, value, connection):  # type: ignore[no-untyped-def]
        if self.like is not None:
            value = self.like.format(connection.ops.prep_for_like_query(value))
        return "%s", [value]

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        lhs, rhs = _fold_sql(connection, lhs), _fold_sql(connection, rhs)
        if self.like is None:
            return f"{lhs} = {rhs}", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


@models.CharField.register_lookup
@models.TextField.register_lookup
class FoldedExact(_FoldedLookup):
    lookup_name = "uexact"


@models.CharField.register_lookup
@models.TextField.register_lookup
class FoldedContains(_FoldedLookup):
    lookup_name = "ucontains"
    like = "%{}%"


@models.CharField.register_lookup
@models.TextField.register_lookup
class FoldedStartsWith(_FoldedLookup):
    lookup_name = "ustartswith"
    like = "{}%"


class Role(models.TextChoices):
    """A member's role in one project (statements/permissions.py says what each may do)."""

    ANALYST = "analyst", "Analyst"
    LEAD = "lead", "Lead"
    VIEWER = "viewer", "Viewer"


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How a user is named on every page (User.__str__): the full name, else the username; from
    the three values, for reads that have them as plain columns."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A person with an account. What they may do depends on their role in each project they
    belong to (Membership); superusers are the instance administrators."""

    def __str__(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)

    @property
    def display_name(self) -> str:
        return str(self)


class Project(models.Model):
    """A study with its own members, codebook (guidelines), corpus and exported dataset. An
    article belongs to exactly one project; everything hanging off an article belongs to it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown: the project's codebook.")
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="projects_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Folded("name"),
                name="project_name_ci_unique",
                violation_error_message="A project with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="project_name_not_blank"),
            models.CheckConstraint(condition=~Q(slug=""), name="project_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.slug])


class Membership(models.Model):
    """A user's role in one project: lead, analyst or viewer."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role, default=Role.ANALYST)
    added_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships_added"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.project}"


class GuidelinesRevision(models.Model):
    """One saved version of a project's guidelines: who changed them, when, and the text."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="guideline_revisions")
    body = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="guideline_revisions"
    )
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} guidelines, {self.edited_at:%Y-%m-%d %H:%M}"


class ArticleQuerySet(models.QuerySet["Article"]):
    def with_stance_counts(self) -> ArticleQuerySet:
        """Annotate statement counts per stance (one aggregate query, no N+1)."""
        return self.annotate(
            n_statements=Count("statements", distinct=True),
            n_support=Count("statements", filter=Q(statements__stance=Stance.SUPPORT), distinct=True),
            n_caveat=Count("statements", filter=Q(statements__stance=Stance.CAVEAT), distinct=True),
            n_demand=Count("statements", filter=Q(statements__stance=Stance.DEMAND), distinct=True),
        )


class Article(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=200, blank=True, help_text="The outlet, e.g. Reuters.")
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    dateline = models.CharField(max_length=100, blank=True, help_text="Place, e.g. MOSCOW.")
    language = models.CharField(max_length=16, default="en")
    text = models.TextField(help_text="Normalized body text: \\n line ends, Unicode NFC.")
    text_sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="articles_created", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    GreaterThanOrEqual(Length("text"), 1), LessThanOrEqual(Length("text"), MAX_ARTICLE_CHARS)
                ),
                name="article_text_length",
                violation_error_message=f"The text must have 1 to {MAX_ARTICLE_CHARS:,} characters.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_blank"),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=r"^[0-9a-f]{64}$"), name="article_sha256_hex"
            ),
            models.UniqueConstraint(
                fields=["project", "text_sha256"],
                name="article_text_unique_in_project",
                violation_error_message="An article with exactly this text already exists in this project.",
            ),
        ]
        indexes = [models.Index(fields=["source"], name="article_source_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article_detail", args=[self.pk])


class TextChange(models.TextChoices):
    """How an article's text was changed (statements/services/text_edits.py)."""

    EDIT = "edit", "Edited in the app"
    REPLACE = "replace", "Replaced"


class ArticleTextRevision(models.Model):
    """A previous text of an article, kept when the text is edited or replaced (issue 14). The
    spans of orphaned statements and evidence point into it (`Statement.orphan_of`,
    `Condition.evidence_orphan_of`), so that every stored quote still equals the text it belongs
    to at its span. The article trigger only lets the text of an annotated article change once
    its old text is kept here (migration 0009)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="text_revisions")
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    change = models.CharField(max_length=16, choices=TextChange, default=TextChange.EDIT)
    changed_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="text_revisions"
    )
    summary = models.JSONField(default=dict, blank=True, help_text="Counts of outcomes of the change.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__in=TextChange.values), name="text_revision_change_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Text of #{self.article_id} before {self.created_at:%Y-%m-%d %H:%M}"


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    STATE = "state", "State"
    ORGANIZATION = "organization", "Organization"
    GROUP = "group", "Group"
    OTHER = "other", "Other"


class ActorQuerySet(models.QuerySet["Actor"]):
    def search(self, query: str) -> ActorQuerySet:
        """Actors whose name or one of whose aliases contains `query` (any case, any script)."""
        query = query.strip()
        if not query:
            return self
        matching = ActorAlias.objects.filter(name__ucontains=query).values("actor_id")
        return self.filter(Q(name__ucontains=query) | Q(pk__in=matching))

    def with_aliases(self) -> ActorQuerySet:
        return self.select_related("affiliation").prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"))
        )


class Actor(models.Model):
    """Someone who speaks or is spoken to: a person, a state, an organization, a group."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ActorKind, default=ActorKind.PERSON)
    affiliation = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="actors_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Folded("name"),
                name="actor_name_ci_unique",
                violation_error_message="An actor with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_blank"),
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
            models.CheckConstraint(condition=~Q(affiliation=F("pk")), name="actor_not_own_affiliation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_names(self) -> list[str]:
        """Alias names; uses the prefetch from `with_aliases()` when present."""
        return [a.name for a in self.aliases.all()]


class ActorAlias(models.Model):
    """Another name an actor goes by in the text: "the Kremlin", "the Russian leader"."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint("actor", Folded("name"), name="actor_alias_ci_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="actor_alias_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class Stance(models.TextChoices):
    SUPPORT = "support", "Support"
    CAVEAT = "caveat", "Caveat"
    DEMAND = "demand", "Demand"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class AnchorState(models.TextChoices):
    """Where a statement stands after its article's text changed (issue 14)."""

    ANCHORED = "anchored", "Anchored"
    TEXT_CHANGED = "text_changed", "Text changed"  # re-anchored onto changed characters: to confirm
    ORPHAN = "orphan", "Orphan"  # not found in the new text: old span and quote kept (orphan_of)


class StatementQuerySet(models.QuerySet["Statement"]):
    def with_conditions(self) -> StatementQuerySet:
        """Prefetch each statement's conditions in their order (one query for the lot)."""
        ordered = Condition.objects.order_by("position", "id")
        return self.prefetch_related(Prefetch("conditions", queryset=ordered))

    def for_display(self) -> StatementQuerySet:
        """A statement as the pages and the API show it: article, speaker, addressee and
        annotator joined, conditions prefetched (1 query + 1 prefetch, whatever the rows)."""
        return self.select_related("article", "speaker", "addressee", "annotator").with_conditions()

    def unit_settled(self) -> StatementQuerySet:
        """Analysts' statements whose unit a lead has closed: adjudicated into a gold statement,
        or dismissed (UnitDismissal). Their review no longer matters: the unit is decided."""
        return self.filter(
            Q(Exists(_GOLD_SOURCE.filter(to_statement=OuterRef("pk"))))
            | Q(Exists(_DISMISSED.filter(statement=OuterRef("pk"))))
        )

    def awaiting_review(self) -> StatementQuerySet:
        """Statements waiting for a verdict: pending, not gold, and not in a unit a lead has
        closed (adjudicated or dismissed). The one rule for the review queue, its badge, the
        dashboard's backlog and the projects' 'awaiting review' counts. A gold statement awaiting a
        lead's confirmation after a text change (gold_unconfirmed) waits for that lead, not a verdict."""
        return (
            self.filter(status=Status.PENDING, is_gold=False, gold_unconfirmed=False)
            .exclude(Exists(_GOLD_SOURCE.filter(to_statement=OuterRef("pk"))))
            .exclude(Exists(_DISMISSED.filter(statement=OuterRef("pk"))))
        )


class Statement(models.Model):
    """A quoted or reported statement: a span of an article attributed to a speaker."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="statements")
    start = models.PositiveIntegerField(help_text="Code-point offset of the first character.")
    end = models.PositiveIntegerField(help_text="Code-point offset after the last character.")
    quote = models.TextField(help_text="Always article.text[start:end].")
    speaker = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    addressee = models.ForeignKey(
        Actor, on_delete=models.PROTECT, null=True, blank=True, related_name="addressed_statements"
    )
    stance = models.CharField(max_length=16, choices=Stance)
    note = models.TextField(blank=True)
    annotator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="statements")
    status = models.CharField(max_length=24, choices=Status, default=Status.PENDING)
    is_gold = models.BooleanField(
        default=False, help_text="Adjudicated by a lead from the analysts' statements."
    )
    adjudicated_from = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="gold_versions"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every edit (optimistic lock).")
    anchor_state = models.CharField(max_length=16, choices=AnchorState, default=AnchorState.ANCHORED)
    orphan_of = models.ForeignKey(
        ArticleTextRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orphans",
        help_text="An orphan's span and quote are this old text's (the current text lost them).",
    )
    gold_unconfirmed = models.BooleanField(
        default=False,
        help_text="Was gold; re-anchored by approximation or orphaned: gold again once a lead confirms.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "start", "-end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="statement_start_non_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="statement_end_after_start"),
            models.CheckConstraint(
                condition=Q(Exact(Length("quote"), F("end") - F("start"))), name="statement_quote_length"
            ),
            models.CheckConstraint(condition=Q(stance__in=Stance.values), name="statement_stance_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="statement_status_valid"),
            models.CheckConstraint(
                condition=Q(is_gold=False) | Q(status=Status.ACCEPTED), name="statement_gold_is_accepted"
            ),
            models.CheckConstraint(
                condition=Q(anchor_state__in=AnchorState.values), name="statement_anchor_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(anchor_state=AnchorState.ORPHAN, orphan_of__isnull=False)
                | (~Q(anchor_state=AnchorState.ORPHAN) & Q(orphan_of__isnull=True)),
                name="statement_orphan_has_revision",
            ),
            models.CheckConstraint(
                condition=Q(gold_unconfirmed=False) | Q(is_gold=False),
                name="statement_gold_unconfirmed_not_gold",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="statement_article_start_idx"),
            models.Index(fields=["annotator", "article"], name="statement_annotator_idx"),
            models.Index(fields=["status", "id"], name="statement_status_idx"),
            models.Index(fields=["stance", "id"], name="statement_stance_idx"),
            models.Index(fields=["speaker"], name="statement_speaker_idx"),
            models.Index(fields=["updated_at"], name="statement_updated_idx"),
            models.Index(fields=["created_at"], name="statement_created_idx"),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” ({self.get_stance_display()})"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#statement-{self.pk}"


class Condition(models.Model):
    """What a speaker attaches to a statement, optionally with its own evidence span."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="conditions")
    description = models.CharField(max_length=500)
    evidence_start = models.PositiveIntegerField(null=True, blank=True)
    evidence_end = models.PositiveIntegerField(null=True, blank=True)
    evidence_quote = models.TextField(blank=True)
    evidence_orphan_of = models.ForeignKey(
        ArticleTextRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orphaned_evidence",
        help_text="Orphaned evidence: its span and quote are this old text's.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="condition_description_not_blank"),
            models.CheckConstraint(
                condition=(
                    Q(evidence_start__isnull=True, evidence_end__isnull=True, evidence_quote="")
                    | Q(
                        Exact(Length("evidence_quote"), F("evidence_end") - F("evidence_start")),
                        # explicit: a CHECK passes when its expression is NULL
                        evidence_start__isnull=False,
                        evidence_end__isnull=False,
                        evidence_start__gte=0,
                        evidence_end__gt=F("evidence_start"),
                    )
                ),
                name="condition_evidence_complete",
            ),
            models.CheckConstraint(
                condition=Q(evidence_orphan_of__isnull=True) | Q(evidence_start__isnull=False),
                name="condition_orphan_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def has_evidence(self) -> bool:
        return self.evidence_start is not None


class Verdict(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


VERDICT_STATUS = {
    Verdict.ACCEPT: Status.ACCEPTED,
    Verdict.REJECT: Status.REJECTED,
    Verdict.REQUEST_CHANGES: Status.CHANGES_REQUESTED,
}


@functools.cache
def _labels(choices: type[models.TextChoices]) -> dict[str, Any]:
    """value -> label (lazy, so the active language still applies) of one choices class."""
    return {str(value): label for value, label in choices.choices}


def label_of(choices: type[models.TextChoices], value: object) -> str:
    """The label of `value` in `choices` ("changes_requested" -> "Changes requested"); an unknown
    value (an old snapshot, a typo in a file) reads as itself, an empty one as "". A dict lookup:
    pages call it for every highlight and list entry (the enum's own lookup costs ~10 µs)."""
    if value is None:
        return ""
    label = _labels(choices).get(str(value))
    return str(value) if label is None else str(label)


def verdict_outcome(verdict: object) -> str:
    """A verdict as the outcome it gives ("Accepted", "Changes requested"): lists of verdicts
    read better that way than as the buttons' imperatives ("Accept")."""
    if verdict in Verdict.values:
        return label_of(Status, VERDICT_STATUS[Verdict(verdict)])
    return label_of(Verdict, verdict)


class Review(models.Model):
    """A reviewer's verdict on someone else's statement. Nobody reviews their own."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reviews")
    verdict = models.CharField(max_length=16, choices=Verdict)
    comment = models.TextField(blank=True)
    statement_version = models.PositiveIntegerField(
        default=1, help_text="The statement version the verdict was given on."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="review_verdict_valid"),
        ]
        indexes = [models.Index(fields=["reviewer", "created_at"], name="review_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} by {self.reviewer} on #{self.statement_id}"


class Comment(models.Model):
    """One message in the discussion thread of a statement."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement_id", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_blank")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class UnitDismissal(models.Model):
    """A lead's decision that one unit of the compare page (the analysts' statements at one place
    in the text) gets no gold statement: not a statement after all, outside the codebook, a
    duplicate. The reason is required; each source statement's history records it (action
    'dismissed'). The statements leave the review queue and the dashboard's open units."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="dismissals")
    statements = models.ManyToManyField(Statement, related_name="dismissals")
    reason = models.TextField()
    dismissed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="dismissals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="dismissal_reason_not_blank")]

    def __str__(self) -> str:
        return f"Unit dismissed on {self.article_id} by {self.dismissed_by}: {self.reason[:40]}"


# The link tables the unit_settled / awaiting_review subqueries read.
_GOLD_SOURCE = Statement.adjudicated_from.through.objects
_DISMISSED = UnitDismissal.statements.through.objects


class EventAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    REVIEWED = "reviewed", "Reviewed"
    ADJUDICATED = "adjudicated", "Adjudicated"
    DISMISSED = "dismissed", "Dismissed"
    REANCHORED = "reanchored", "Re-anchored"  # its article's text changed: moved, orphaned, re-attached


class StatementEvent(models.Model):
    """History: who did what to a statement (and its conditions), with before/after snapshots.

    `statement_ref` keeps the id after the statement itself is deleted, so nothing disappears
    silently: the deletion and the last state stay here.
    """

    statement = models.ForeignKey(
        Statement, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    statement_ref = models.PositiveBigIntegerField(db_index=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="statement_events")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="statement_events")
    action = models.CharField(max_length=16, choices=EventAction)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement_ref", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=EventAction.values), name="event_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.statement_ref} by {self.user}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field that differs between the two snapshots."""
        before, after = self.before or {}, self.after or {}
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        return [(k, before.get(k), after.get(k)) for k in keys]


class ArticleAssignment(models.Model):
    """An analyst assigned to annotate an article independently (blind double annotation)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    analyst = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments_made"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article_id", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "analyst"], name="assignment_unique_per_analyst"),
        ]

    def __str__(self) -> str:
        return f"{self.analyst} on {self.article}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A long piece of work (a big import, an export to file, a suggestion run) done by the
    background worker (django.tasks, see statements/tasks.py) with progress the pages can show.

    `payload` holds the uploaded file for the worker (so any app server may take the upload and
    any worker machine run it: the database is the one shared store); `output` holds a produced
    file. Both are deferred in every read of the list (selectors/jobs.py)."""

    kind = models.CharField(max_length=40)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(null=True, blank=True)
    payload_name = models.CharField(max_length=255, blank=True)
    result = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    output = models.BinaryField(null=True, blank=True)
    output_name = models.CharField(max_length=255, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in JobStatus]), name="job_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


# --------------------------------------------------------------------------------------------
# Suggestions (#11): what analysts decided about the engine's proposals, and the pre-computed sets


class Decision(models.TextChoices):
    """What an analyst did with one suggestion."""

    ACCEPTED = "accepted", "Accepted unchanged"
    CHANGED = "changed", "Accepted with changes"
    REJECTED = "rejected", "Rejected"


class SuggestionDecision(models.Model):
    """One analyst's decision on one suggestion: accepted (unchanged or changed first, with the
    statement it became) or rejected. The provenance of a suggested statement and the raw material
    of the per-rule precision on the dashboard. A decided suggestion is not offered to that analyst
    again; `suggested` keeps it as it was offered (the engine's output, as_dict())."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_decisions")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="suggestion_decisions")
    statement = models.OneToOneField(
        Statement, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestion_decision"
    )
    decision = models.CharField(max_length=16, choices=Decision)
    rule = models.CharField(max_length=40, help_text="The engine's rule (kind): direct, reported-that, …")
    engine_version = models.CharField(max_length=20)
    score = models.FloatField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    suggested = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="suggestion_decision_valid"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="suggestion_score_range"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggestion_end_after_start"),
            models.UniqueConstraint(
                fields=["article", "user", "start", "end"], name="suggestion_decided_once_per_user"
            ),
        ]
        indexes = [models.Index(fields=["rule", "decision"], name="suggestion_rule_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.rule} suggestion by {self.user} on #{self.article_id}"

    @property
    def changed(self) -> bool:
        return self.decision == Decision.CHANGED


class SuggestionSet(models.Model):
    """An article's suggestions computed ahead (a lead's pre-annotation job), so the annotate page
    shows them without running the engine. Valid only while the engine version, the article's
    text and the actor registry (`registry_key`, a digest of actors and aliases) are unchanged;
    otherwise the suggestions are computed afresh."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="suggestion_set")
    engine_version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    registry_key = models.CharField(max_length=64)
    items = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{len(self.items)} suggestions for #{self.article_id} (engine {self.engine_version})"
