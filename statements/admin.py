"""Admin for every model. Writes made here go through the model admin, so the database
constraints and triggers still guard them; day-to-day work happens on the pages and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from statements.models import (
    Actor,
    ActorAlias,
    ActorQuerySet,
    Article,
    ArticleAssignment,
    ArticleQuerySet,
    Comment,
    Condition,
    Membership,
    Project,
    Review,
    Statement,
    StatementEvent,
    User,
)
from statements.services import signin

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _StanceCounts(TypedDict):
    n_statements: int


_STATEMENT_INLINE_FIELDS = ("start", "end", "quote", "speaker", "stance", "annotator", "status")


class AdminSignInForm(AdminAuthenticationForm):
    """/admin/login/ under the same throttle as the sign-in page (statements/services/signin.py)."""

    def clean(self) -> dict[str, Any]:
        return signin.signin_attempt(
            username=self.cleaned_data.get("username"),
            address=self.request.META.get("REMOTE_ADDR") if self.request is not None else None,
            check=super().clean,
        )


admin.site.login_form = AdminSignInForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    actions = ["unlock_signin"]

    @admin.action(description="Unlock sign-in (forget failed attempts)")
    def unlock_signin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        unlocked = [
            account.username
            for account in queryset
            if signin.signin_unlock(user=cast(User, request.user), account=account)
        ]
        if unlocked:
            self.message_user(request, f"Unlocked: {', '.join(unlocked)}.", messages.SUCCESS)
        else:
            self.message_user(request, "None of them was locked.", messages.INFO)


class StatementInline(admin.TabularInline):
    model = Statement
    fields = _STATEMENT_INLINE_FIELDS
    readonly_fields = _STATEMENT_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published", "dateline", "language", "n_statements", "created_by"]
    list_filter = ["source", "language", "published"]
    search_fields = ["title", "source", "text"]
    date_hierarchy = "published"
    readonly_fields = ["text_sha256", "created_at", "updated_at"]
    inlines = [StatementInline]

    def get_queryset(self, request: HttpRequest) -> ArticleQuerySet:
        # the default manager's queryset: Article.objects is an ArticleQuerySet manager
        articles = cast(ArticleQuerySet, super().get_queryset(request))
        return articles.with_stance_counts().select_related("created_by")

    @admin.display(description="Statements", ordering="n_statements")
    def n_statements(self, obj: WithAnnotations[Article, _StanceCounts]) -> int:
        return obj.n_statements


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 1


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "affiliation", "alias_list"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name", "description"]
    autocomplete_fields = ["affiliation"]
    inlines = [ActorAliasInline]

    def get_queryset(self, request: HttpRequest) -> ActorQuerySet:
        # the default manager's queryset: Actor.objects is an ActorQuerySet manager
        return cast(ActorQuerySet, super().get_queryset(request)).with_aliases()

    @admin.display(description="Aliases")
    def alias_list(self, obj: Actor) -> str:
        return ", ".join(obj.alias_names)


class ConditionInline(admin.TabularInline):
    model = Condition
    fields = ["position", "description", "evidence_start", "evidence_end", "evidence_quote"]
    extra = 0


class ReviewInline(admin.TabularInline):
    model = Review
    fields = ["reviewer", "verdict", "comment", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = [
        "short_quote",
        "speaker",
        "stance",
        "addressee",
        "status",
        "is_gold",
        "annotator",
        "article",
    ]
    list_filter = ["stance", "status", "is_gold", "annotator", "speaker__kind"]
    search_fields = ["quote", "note", "speaker__name", "article__title"]
    list_select_related = ["speaker", "addressee", "annotator", "article"]
    autocomplete_fields = ["speaker", "addressee"]
    raw_id_fields = ["article", "adjudicated_from"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ConditionInline, ReviewInline]

    @admin.display(description="Quote")
    def short_quote(self, obj: Statement) -> str:
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:77] + "…"


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["description", "statement", "evidence_start", "evidence_end"]
    search_fields = ["description", "evidence_quote", "statement__quote"]
    list_select_related = ["statement"]
    raw_id_fields = ["statement"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["statement", "reviewer", "verdict", "created_at"]
    list_filter = ["verdict", "reviewer"]
    search_fields = ["comment", "statement__quote"]
    list_select_related = ["statement", "reviewer"]
    raw_id_fields = ["statement"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["statement", "author", "created_at"]
    search_fields = ["body"]
    list_select_related = ["statement", "author"]
    raw_id_fields = ["statement"]


@admin.register(StatementEvent)
class StatementEventAdmin(admin.ModelAdmin):
    list_display = ["statement_ref", "action", "user", "article", "created_at"]
    list_filter = ["action", "user"]
    list_select_related = ["user", "article"]
    readonly_fields = [f.name for f in StatementEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StatementEvent | None = None) -> bool:
        return False


@admin.register(ArticleAssignment)
class ArticleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["article", "analyst", "assigned_at", "finished_at"]
    list_filter = ["analyst"]
    list_select_related = ["article", "analyst"]
    raw_id_fields = ["article"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "project"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "archived", "created_at"]
    list_filter = ["archived"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
