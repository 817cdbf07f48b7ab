"""The REST API: projects (with their members), articles, actors, statements (with conditions),
conditions, reviews, users, the streaming export and the bulk article import.

Every view: signed in (token or session), the role rules of statements/permissions.py, writes
through statements/services.py, querysets scoped to what the user may see (the projects they
belong to; statements through `visible_statements_q`, the blind double annotation) and
prefetching what the serializer reads. Another project's objects do not exist for a non-member: a
404, never a 403 that would confirm them. Actors are global. Every list takes `?project=` (an id
or a slug; see statements/filters.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, cast

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, mixins, parsers, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from statements import agreement, permissions, services
from statements.api import serializers as s
from statements.api.base import (
    ApiViewMixin,
    IdCursorPagination,
    JSONLinesParser,
    JSONLParser,
    PagePagination,
)
from statements.data import article_import_job, export_job, export_trailer, exporting, peer_exports
from statements.data.importing import ImportFailed, import_articles
from statements.filters import (
    MAX_ID,
    ActorFilter,
    ArticleFilter,
    ConditionFilter,
    ProjectFilter,
    ReviewFilter,
    StatementFilter,
    project_lookup,
)
from statements.models import (
    Actor,
    ActorQuerySet,
    Article,
    Condition,
    Membership,
    Project,
    Review,
    Role,
    Statement,
    StatementQuerySet,
    User,
)
from statements.permissions import AnyUser
from statements.selectors import alignment, catalog, statement_rows
from statements.services import text_edits

_FILTERS = [DjangoFilterBackend, filters.OrderingFilter]


def _of_visible_statements[M: Model](queryset: QuerySet[M], user: AnyUser) -> QuerySet[M]:
    """Conditions or reviews of the statements `user` may see (administrators: all of them; a
    lead only in the projects they lead, the blind rule elsewhere)."""
    if permissions.is_admin(user):
        return queryset
    return queryset.filter(statement__in=catalog.visible_statements(user).values("pk"))


def _caller(request: Request) -> User:
    """The signed-in user of a request that passed the views' permission checks."""
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated let an anonymous user through: never
        raise PermissionDenied()
    return user


def _instance[T](serializer: drf_serializers.BaseSerializer[T]) -> T:
    """The object an update's serializer was made with (UpdateModelMixin always gives one)."""
    instance = serializer.instance
    assert instance is not None, "perform_update without an instance"
    return instance


def _project_named(user: AnyUser, ref: int | str | None, *, field: str = "project") -> Project | None:
    """The project `ref` (an id or a slug) names among the ones `user` belongs to; None for None.
    Another project's id reads like an unknown one: a 400 "no such project"."""
    if ref is None or ref == "":
        return None
    project = catalog.visible_projects(user).filter(project_lookup(str(ref))).first()
    if project is None:
        raise ValidationError({field: [f"There is no project “{ref}”."]})
    return project


# ---- Users ------------------------------------------------------------------------------------


class UserFilter(django_filters.FilterSet):
    """`?project=`: the members of that project, if it is one of the caller's (a join on any
    membership would tell who belongs to a project the caller cannot see)."""

    project = ProjectFilter(method="members_of")

    class Meta:
        model = User
        fields: list[str] = []

    def members_of(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # no request (the filter set used on its own): nobody's projects
        projects = catalog.visible_projects(self.request.user if self.request else AnonymousUser())
        return queryset.filter(memberships__project__in=projects.filter(project_lookup(value)).values("pk"))


class UserViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """People (read-only, minimal fields): who annotated and reviewed what. The users endpoint has
    no `role` any more (roles are per project): each user comes with their `memberships`, project
    and role, in the projects the caller belongs to. The list holds the members of the caller's
    projects (and the caller; administrators: everyone); `?project=` the members of one."""

    serializer_class = s.UserSerializer
    pagination_class = PagePagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = UserFilter
    ordering_fields = ["id", "username"]
    ordering = ["username"]

    def get_queryset(self) -> QuerySet[User]:
        return catalog.visible_users(self.request.user).order_by("username")


# ---- Projects and members -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses=s.ProjectListSerializer(many=True)),
    create=extend_schema(request=s.ProjectSerializer, responses={201: s.ProjectSerializer}),
)
class ProjectViewSet(
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Studies, each with its own members, guidelines, articles and exports. The list holds the
    projects you belong to (administrators: all) with your role in each. Instance administrators
    create projects (and become their first lead); a project's leads change its name, description,
    guidelines (kept as revisions) and archived flag. Projects are not deleted: archive one."""

    pagination_class = PagePagination
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["name", "id"]
    create_rule = staticmethod(permissions.can_create_project)
    edit_rule = staticmethod(permissions.can_edit_project)

    def get_queryset(self) -> QuerySet[Project]:
        projects = catalog.visible_projects(self.request.user)
        return projects.defer("guidelines") if self.action == "list" else projects

    def get_serializer_class(self) -> type[drf_serializers.BaseSerializer]:
        if self.action == "list":
            return s.ProjectListSerializer
        if self.action == "members":
            return s.MembershipCreateSerializer if self.request.method == "POST" else s.MembershipSerializer
        if self.action == "member":
            return s.MembershipUpdateSerializer
        return s.ProjectSerializer

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        archived = data.pop("archived", False)
        user = _caller(self.request)
        project = services.project_create(user=user, **data)
        if archived:
            project = services.project_update(project=project, user=user, archived=True)
        serializer.instance = project

    def perform_update(self, serializer: drf_serializers.BaseSerializer[Project]) -> None:
        project = _instance(serializer)
        serializer.instance = services.project_update(
            project=project, user=_caller(self.request), **serializer.validated_data
        )

    def _project(self, pk: str | None) -> Project:
        """The project of the URL among the caller's (404 otherwise), without the object
        permission check: the member actions ask their own rule (reading: any member)."""
        project = None
        if pk is not None and pk.isascii() and pk.isdigit() and len(pk) <= 18:
            project = self.get_queryset().filter(pk=int(pk)).first()
        if project is None:
            raise NotFound()
        return project

    def _memberships(self, project: Project) -> QuerySet[Membership]:
        return (
            Membership.objects.filter(project=project).select_related("user").order_by("user__username", "id")
        )

    @extend_schema(
        summary="A project's members",
        description=(
            "GET: the members of the project with their roles (any member reads them). POST: add "
            "an existing user (`user`: an id or a user name) with a `role` (the project's leads)."
        ),
        request=s.MembershipCreateSerializer,
        responses={200: s.MembershipSerializer(many=True), 201: s.MembershipSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="members")
    def members(self, request: Request, pk: str | None = None) -> Response:
        project = self._project(pk)  # a project of someone else's: 404
        if request.method == "GET":
            page = self.paginate_queryset(self._memberships(project))
            return self.get_paginated_response(s.MembershipSerializer(page, many=True).data)
        if not permissions.can_manage_members(request.user, project):
            raise PermissionDenied("Only a lead of this project can change its members.")
        serializer = s.MembershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ref = serializer.validated_data["user"]
        lookup = Q(pk=ref) if isinstance(ref, int) else Q(username=ref)
        member = User.objects.filter(lookup).first()
        if member is None:
            raise ValidationError({"user": [f"There is no user “{ref}”."]})
        membership = services.membership_add(
            project=project, member=member, role=serializer.validated_data["role"], user=_caller(request)
        )
        membership = self._memberships(project).get(pk=membership.pk)
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member's role, or remove them",
        description=(
            'PATCH `{"role": …}` changes the role, DELETE removes the member (the project\'s '
            "leads). The last lead of a project keeps the role and cannot be removed (a 400)."
        ),
        request=s.MembershipUpdateSerializer,
        responses={200: s.MembershipSerializer, 204: None},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<membership_pk>[0-9]{1,18})")
    def member(self, request: Request, pk: str | None = None, membership_pk: str | None = None) -> Response:
        project = self._project(pk)
        membership = self._memberships(project).filter(pk=int(membership_pk or 0)).first()
        if membership is None:
            raise NotFound()
        if not permissions.can_manage_members(request.user, project):
            raise PermissionDenied("Only a lead of this project can change its members.")
        if request.method == "DELETE":
            services.membership_remove(membership=membership, user=_caller(request))
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = s.MembershipUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_update(
            membership=membership, role=serializer.validated_data["role"], user=_caller(request)
        )
        return Response(s.MembershipSerializer(self._memberships(project).get(pk=membership.pk)).data)


# ---- Articles ---------------------------------------------------------------------------------


def _text_edit_options(body: Mapping[str, Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """`dry_run`, `mode` and `base_sha256` of an article PATCH (body, or query string)."""
    errors: dict[str, list[str]] = {}
    raw = body.get("dry_run", query.get("dry_run", False))
    if isinstance(raw, str):
        raw = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}.get(
            raw.strip().lower(), raw
        )
    if not isinstance(raw, bool):
        errors["dry_run"] = ["dry_run must be true or false."]
    mode = body.get("mode", query.get("mode", "replace"))
    if mode not in text_edits.MODES:
        errors["mode"] = ["The mode must be 'replace' (search each quote) or 'edit' (follow the diff)."]
    base = body.get("base_sha256", query.get("base_sha256"))
    if base is not None and not (isinstance(base, str) and len(base) == 64):
        errors["base_sha256"] = ["base_sha256 must be the 64-character text_sha256 of the text you edited."]
    if errors:
        raise ValidationError(errors)
    return {"dry_run": raw, "mode": mode, "base_sha256": base}


class ArticleViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """News articles. Lists leave out the text; one article includes it. Analysts and leads add
    articles; their creator or a lead edits one (the text only while no statement points into
    it); only a lead deletes one, and only without statements."""

    pagination_class = PagePagination
    filter_backends = _FILTERS
    filterset_class = ArticleFilter
    ordering_fields = ["id", "published", "title", "created_at"]
    ordering = ["-published", "-id"]
    create_rule = staticmethod(permissions.can_create_article)
    edit_rule = staticmethod(permissions.can_edit_article)
    delete_rule = staticmethod(permissions.can_delete_article)
    import_max_bytes = 64 * 1024 * 1024  # bigger files: manage.py import_articles streams them

    def get_queryset(self) -> QuerySet[Article]:
        articles = catalog.visible_articles(self.request.user)
        return articles.defer("text") if self.action == "list" else articles

    def get_serializer_class(self) -> type[drf_serializers.BaseSerializer]:
        if self.action == "list":
            return s.ArticleListSerializer
        return s.ArticleSerializer

    @property
    def max_body_bytes(self) -> int:
        return self.import_max_bytes if self.action == "import_articles" else super().max_body_bytes

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        project = _project_named(self.request.user, data.pop("project_id", None))
        serializer.instance = services.article_create(user=_caller(self.request), project=project, **data)

    @extend_schema(
        description=(
            "Change an article's metadata, or its text (issue 14): the statements and condition "
            "evidence follow the new text (`mode`: `replace`, the default, searches each quote by "
            "its context; `edit` moves offsets through the diff), or become orphans. Body extras: "
            "`dry_run` (true: nothing is saved, the answer says what would happen), `mode`, "
            "`base_sha256` (refuse if the text changed meanwhile). The answer's `text_change` "
            "gives the outcome per statement: kept, moved, reanchored, orphaned."
        )
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._text_change: dict[str, Any] | None = None
        response = super().update(request, *args, **kwargs)
        if self._text_change is not None and isinstance(response.data, dict):
            response.data["text_change"] = self._text_change
        return response

    def perform_update(self, serializer: drf_serializers.BaseSerializer[Article]) -> None:
        article = _instance(serializer)
        data = dict(serializer.validated_data)
        if "project_id" in data:
            project = _project_named(self.request.user, data.pop("project_id"))
            if project is not None and project.pk != article.project_id:
                raise ValidationError({"project": ["An article stays in its project."]})
        user = _caller(self.request)
        extras = self.request.data if isinstance(self.request.data, dict) else {}
        options = _text_edit_options(extras, self.request.query_params)
        if "text" in data and services.normalize_text(data["text"]) != article.text:
            text = data.pop("text")
            visible = set(
                catalog.visible_statements(user).filter(article=article).values_list("pk", flat=True)
            )
            with transaction.atomic():
                if options["dry_run"]:
                    result = text_edits.text_edit_preview(
                        article=article, user=user, text=text, mode=options["mode"]
                    )
                    self._text_change = result.as_dict(visible)
                    serializer.instance = article
                    return
                result = text_edits.text_edit_apply(
                    article=article,
                    user=user,
                    text=text,
                    mode=options["mode"],
                    base_sha256=options["base_sha256"],
                )
                self._text_change = result.as_dict(visible)
                serializer.instance = services.article_update(article=result.article, user=user, **data)
            return
        data.pop("text", None)
        if options["dry_run"]:
            serializer.instance = article
            return
        serializer.instance = services.article_update(article=article, user=user, **data)

    def perform_destroy(self, instance: Article) -> None:
        services.article_delete(article=instance, user=_caller(self.request))

    @extend_schema(
        summary="Import articles in bulk",
        description=(
            "A JSON array of articles, or JSONL (`Content-Type: application/x-ndjson`), one article "
            "per line, each with `title` and `text` and optionally `source`, `url`, `published`, "
            "`dateline`, `language` (other keys are ignored), into the project `?project=` names "
            "(an id or a slug; it may be left out when you add articles to exactly one open "
            "project). All or nothing: one invalid item refuses the whole request with messages "
            "per item position. Articles are unique by their normalized text within a project: an "
            "item already stored there is reported with `created: false`. A body over 1 MB (up to "
            "64 MB), or `?background=true`, is imported by a background job instead: the answer "
            "is 202 with the job's id and URL (`GET /api/jobs/<id>/`: progress, then the same "
            "outcome per item as `result`, or the messages per item as `errors`). An item whose `url` "
            "is an existing article's of the project, with another text, is not created: it is listed "
            "in `text_differs` (the article, and its text editor); with `?replace_text=true` the "
            "article's text is replaced and its statements re-found or orphaned, as PATCH does."
        ),
        parameters=[
            OpenApiParameter("project", OpenApiTypes.STR, description="The project's id or slug."),
            OpenApiParameter(
                "background", OpenApiTypes.BOOL, description="Import in a background job whatever the size."
            ),
            OpenApiParameter(
                "replace_text",
                OpenApiTypes.BOOL,
                description="Replace the text of the article with the same URL (statements follow it).",
            ),
        ],
        request={
            "application/json": s.ArticleInputSerializer(many=True),
            "application/x-ndjson": OpenApiTypes.STR,
        },
        responses={
            200: s.ImportResultSerializer,
            201: s.ImportResultSerializer,
            202: OpenApiResponse(description='Queued as a background job: `{"job": id, "url": …}`.'),
            400: OpenApiResponse(description="Errors per item."),
            413: OpenApiResponse(description="The body is over 64 MB."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.JSONParser, JSONLinesParser, JSONLParser],
    )
    def import_articles(self, request: Request) -> Response:
        if not permissions.can_annotate(request.user):  # before the body is read, whatever it is
            raise exceptions.PermissionDenied("Viewers cannot import articles.")
        if self._import_in_background(request):
            return self._queue_import(request)
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": ["Send a JSON array of articles, or JSONL."]})
        ref = request.query_params.get("project", "").strip()
        if len(ref) > 80 or "\x00" in ref:
            raise ValidationError({"project": ["Give a project's id or slug."]})
        user = _caller(request)
        project = services.project_for_writing(user=user, project=_project_named(user, ref))
        replace = request.query_params.get("replace_text", "").strip().lower() in {"1", "true", "yes"}
        try:
            report = import_articles(enumerate(items), user=user, project=project, replace_text=replace)
        except ImportFailed as exc:
            raise ValidationError({"items": {str(k): v for k, v in exc.errors.items()}}) from None
        data = {
            "created": report.created,
            "existing": report.existing,
            "articles": [{"index": a.position, "id": a.id, "created": a.created} for a in report.articles],
            # issue 14: items with an existing article's URL and another text (?replace_text=true)
            "text_differs": [d.as_dict() for d in report.text_differs],
        }
        return Response(data, status=status.HTTP_201_CREATED if report.created else status.HTTP_200_OK)

    def _import_in_background(self, request: Request) -> bool:
        background = request.query_params.get("background", "").strip().lower()
        if background in {"1", "true", "yes"}:
            return True
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        return length > article_import_job.INLINE_MAX_BYTES

    def _queue_import(self, request: Request) -> Response:
        """Hand the raw body to a job (statements/data/article_import_job.py): the items are
        checked by the worker, as the inline import checks them; the caller's right now."""
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type not in {parser.media_type for parser in self.get_parsers()}:
            raise exceptions.UnsupportedMediaType(media_type)
        ref = request.query_params.get("project", "").strip()
        if len(ref) > 80 or "\x00" in ref:
            raise ValidationError({"project": ["Give a project's id or slug."]})
        user = _caller(request)
        project = services.project_for_writing(user=user, project=_project_named(user, ref))
        job = article_import_job.start_article_import(
            user=user, project=project, payload=request.stream.read() if request.stream else b""
        )
        url = request.build_absolute_uri(reverse("api-job-detail", args=[job.pk]))
        return Response({"job": job.pk, "url": url}, status=status.HTTP_202_ACCEPTED)


# ---- Actors -----------------------------------------------------------------------------------


class ActorViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Speakers and addressees: people, states, organizations, groups, with aliases and an
    affiliation. Analysts and leads add actors; the analyst who added one or a lead edits it; a
    lead deletes one no statement names."""

    serializer_class = s.ActorSerializer
    pagination_class = PagePagination
    filter_backends = _FILTERS
    filterset_class = ActorFilter
    ordering_fields = ["id", "name"]
    ordering = ["name"]
    create_rule = staticmethod(permissions.can_create_actor)
    edit_rule = staticmethod(permissions.can_edit_actor)
    delete_rule = staticmethod(permissions.can_delete_actor)

    def get_queryset(self) -> ActorQuerySet:
        return Actor.objects.with_aliases()

    def _fields(self, data: Mapping[str, Any]) -> dict[str, Any]:
        data = dict(data)
        if "affiliation_id" in data:
            data["affiliation"] = data.pop("affiliation_id")
        if "alias_names" in data:
            data["aliases"] = data.pop("alias_names")
        return data

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        actor = services.actor_create(user=_caller(self.request), **self._fields(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=actor.pk)

    def perform_update(self, serializer: drf_serializers.BaseSerializer[Actor]) -> None:
        actor = services.actor_update(
            actor=_instance(serializer), user=_caller(self.request), **self._fields(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=actor.pk)

    def perform_destroy(self, instance: Actor) -> None:
        services.actor_delete(actor=instance, user=_caller(self.request))


# ---- Statements -------------------------------------------------------------------------------


def _statements_for_output(queryset: StatementQuerySet) -> StatementQuerySet:
    return (
        queryset.select_related("speaker", "addressee", "annotator")
        .with_conditions()
        .prefetch_related(Prefetch("adjudicated_from", queryset=Statement.objects.only("id")))
    )


_PLAIN_LIST_PARAMS = frozenset({"article", "page_size", "cursor"})


def _plain_article_filter(request: Request) -> list[int] | None | Literal[False]:
    """For a statements list whose only filter is `article` (ids, as IdsFilter takes them):
    the article ids, or None without that filter; False when anything else is asked (another
    filter, an ordering, a value the filter would refuse), which the FilterSet then handles."""
    params = request.query_params
    if not _PLAIN_LIST_PARAMS.issuperset(params) or any(len(params.getlist(k)) != 1 for k in params):
        return False
    value = params.get("article")
    if value is None:
        return None
    parts = value.split(",")
    if not 1 <= len(parts) <= 100 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    ids = [int(p) for p in parts]
    return ids if all(1 <= i <= MAX_ID for i in ids) else False


@extend_schema_view(
    create=extend_schema(request=s.StatementCreateSerializer, responses={201: s.StatementSerializer}),
    update=extend_schema(request=s.StatementUpdateSerializer, responses=s.StatementSerializer),
    partial_update=extend_schema(request=s.StatementUpdateSerializer, responses=s.StatementSerializer),
)
class StatementViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Quoted or reported statements with their conditions, as the user may see them (while an
    analyst annotates an article blind, others' statements on it are hidden). Analysts and leads
    create statements; the annotator edits and deletes their own, a lead any."""

    pagination_class = IdCursorPagination
    filter_backends = _FILTERS
    filterset_class = StatementFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    ordering = ["id"]
    create_rule = staticmethod(permissions.can_annotate)
    edit_rule = staticmethod(permissions.can_edit_statement)
    delete_rule = staticmethod(permissions.can_edit_statement)

    def get_queryset(self) -> StatementQuerySet:
        visible = catalog.visible_statements(self.request.user)
        if self.action in ("update", "partial_update"):
            # read once, with its lock, inside update()'s transaction (the service then does
            # not read it again); the answer comes from rows
            return services.locked_statement_rows(visible)
        if self.action == "destroy":
            # the service reads it again, locked. The article comes along for the permission
            # check (its project), which would read it on its own.
            return visible.select_related("article")
        return _statements_for_output(visible)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Rows, not instances (statements/selectors/statement_rows.py): the same JSON, two
        queries, a fraction of the time. Without filters other than `article` (the annotate
        page's and the issue's hot path), the rows come from one hand-written query
        (statement_rows.RawPage), through the same paginator."""
        articles = _plain_article_filter(request)
        if articles is not False:
            raw = cast(Any, statement_rows.RawPage(request.user, articles))  # what the paginator calls
            rows = cast("list[dict[str, Any]] | None", self.paginate_queryset(raw))
            assert rows is not None, "the statements are always paginated"
            return self.get_paginated_response(statement_rows.render(rows))
        queryset = self.filter_queryset(catalog.visible_statements(request.user))
        page = self.paginate_queryset(statement_rows.rows(queryset))
        assert page is not None, "the statements are always paginated"
        return self.get_paginated_response(statement_rows.render(page))

    def get_serializer_class(self) -> type[drf_serializers.BaseSerializer]:
        if self.action == "create":
            return s.StatementCreateSerializer
        if self.action in ("update", "partial_update"):
            return s.StatementUpdateSerializer
        return s.StatementSerializer

    def _output(
        self, statement: Statement, status_code: int = status.HTTP_200_OK, *, childless: bool = False
    ) -> Response:
        rows = statement_rows.render(statement_rows.RawPage.written(statement.pk), childless=childless)
        return Response(rows[0], status=status_code)

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        """A write names its statement by id: the list's filters (a FilterSet, ~2 ms) do not
        apply to it, only the visibility rule of get_queryset()."""
        if self.action in ("update", "partial_update", "destroy"):
            return queryset
        return super().filter_queryset(queryset)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        statement = services.statement_create(user=_caller(request), **data)
        # just created: no gold sources, and no conditions unless it was given some
        return self._output(statement, status.HTTP_201_CREATED, childless=not data.get("conditions"))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with transaction.atomic():  # the statement is read once, locked (get_queryset)
            statement = self.get_object()
            serializer = self.get_serializer(statement, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            changes = dict(serializer.validated_data)
            version = changes.pop("version", None)
            if not partial:  # PUT replaces: what it leaves out is cleared
                changes = {"speaker": None, "addressee": None, "note": "", "conditions": [], **changes}
            updated = services.statement_update(
                statement=statement, user=_caller(request), expected_version=version, locked=True, **changes
            )
        return self._output(updated)

    def perform_destroy(self, instance: Statement) -> None:
        services.statement_delete(statement=instance, user=_caller(self.request))


# ---- Conditions -------------------------------------------------------------------------------


class ConditionViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Conditions one at a time (a statement's list is also editable on the statement). Changing
    one is an edit of its statement, by the statement's annotator or a lead."""

    serializer_class = s.ConditionSerializer
    pagination_class = IdCursorPagination
    filter_backends = _FILTERS
    filterset_class = ConditionFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    create_rule = staticmethod(permissions.can_annotate)
    delete_rule = edit_rule = staticmethod(
        lambda user, condition: permissions.can_edit_statement(user, condition.statement)
    )

    def get_queryset(self) -> QuerySet[Condition]:
        return _of_visible_statements(Condition.objects.select_related("statement"), self.request.user)

    def _statement(self, statement_id: int) -> Statement:
        statement = catalog.visible_statements(self.request.user).filter(pk=statement_id).first()
        if statement is None:
            raise ValidationError({"statement": [f"There is no statement with id {statement_id}."]})
        return statement

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        statement = self._statement(data.pop("statement_id"))
        serializer.instance = services.condition_add(
            statement=statement,
            user=_caller(self.request),
            expected_version=data.pop("version", None),
            **data,
        )

    def perform_update(self, serializer: drf_serializers.BaseSerializer[Condition]) -> None:
        condition = _instance(serializer)
        data = dict(serializer.validated_data)
        statement_id = data.pop("statement_id", condition.statement_id)
        if statement_id != condition.statement_id:
            raise ValidationError({"statement": ["A condition cannot move to another statement."]})
        serializer.instance = services.condition_update(
            condition=condition,
            user=_caller(self.request),
            expected_version=data.pop("version", None),
            **data,
        )

    def perform_destroy(self, instance: Condition) -> None:
        version = self.request.query_params.get("version")
        services.condition_delete(condition=instance, user=_caller(self.request), expected_version=version)


# ---- Reviews ----------------------------------------------------------------------------------


class ReviewViewSet(
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Verdicts on statements (accept, reject, request changes; the last two need a comment). An
    analyst or lead reviews other people's statements, never their own. Reviews are a record:
    they are not edited or deleted."""

    serializer_class = s.ReviewSerializer
    pagination_class = IdCursorPagination
    filter_backends = _FILTERS
    filterset_class = ReviewFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]
    create_rule = staticmethod(permissions.can_review)

    def get_queryset(self) -> QuerySet[Review]:
        return _of_visible_statements(Review.objects.select_related("reviewer"), self.request.user)

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        statement_id = data.pop("statement_id")
        statement = catalog.visible_statements(self.request.user).filter(pk=statement_id).first()
        if statement is None:
            raise ValidationError({"statement": [f"There is no statement with id {statement_id}."]})
        review = services.statement_review(statement=statement, reviewer=_caller(self.request), **data)
        serializer.instance = Review.objects.select_related("reviewer").get(pk=review.pk)


# ---- Export -----------------------------------------------------------------------------------


class _AnyFormat(DefaultContentNegotiation):
    """`?format=` names the export format here, not a DRF renderer: errors are JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


@extend_schema(
    summary="Export statements",
    description=(
        "Streams every statement the user may see that matches the filters, in statement id "
        "order: `jsonl` (one JSON object per line), `json` (an array), `csv` (a header and one "
        "row per statement, conditions in one readable column) or `w3c` (a W3C Web Annotation "
        "collection; each statement an Annotation with TextQuoteSelector and TextPositionSelector "
        "in code points, bodies for the stance, speaker, addressee, note and conditions). Each "
        "row carries the article's metadata, 80 characters of context on each side, speaker and "
        "addressee with kind and affiliation, conditions, annotator, status and review counts, "
        "and the suggestion provenance: `suggested` (`{rule, score, engine_version, changed}` "
        "for a statement accepted from a suggestion, otherwise null; CSV: `suggested_rule`, "
        "`suggested_score`, `suggested_engine_version`, `suggested_changed`, empty otherwise; "
        "W3C: a commenting body)."
    ),
    parameters=[
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=[*exporting.FORMATS, *peer_exports.FORMATS],
            default="jsonl",
            description="The file format.",
        ),
        OpenApiParameter(
            "trailer",
            OpenApiTypes.BOOL,
            default=False,
            description="JSONL and CSV: end with a trailer line holding the row count and the "
            "SHA-256 of everything before it, so that a saved file can be checked "
            "(`python -m statements.data.export_trailer FILE`).",
        ),
        OpenApiParameter(
            "raw",
            OpenApiTypes.BOOL,
            default=False,
            description="CSV only: keep cells exactly as stored. By default a cell starting with "
            "`=`, `+`, `-`, `@`, tab or CR gets a `'` before it, so a spreadsheet does not run it "
            "as a formula (OWASP's advice on CSV injection).",
        ),
        OpenApiParameter(
            "fields",
            OpenApiTypes.STR,
            description="jsonl, json, csv, w3c: keep only these fields, comma-separated, in this "
            "order (CSV: column names; JSON: keys; W3C: the JSON keys of the parts to keep, id, "
            "target and stance always stay). Default: all.",
        ),
        OpenApiParameter(
            "context",
            OpenApiTypes.INT,
            default=80,
            description=f"jsonl, json, csv, w3c: characters of context before and after each "
            f"quote, 0 to {exporting.MAX_CONTEXT}.",
        ),
    ],
    filters=True,
    responses={
        (200, "application/x-ndjson"): OpenApiTypes.STR,
        (200, "application/json"): OpenApiTypes.STR,
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/ld+json"): OpenApiTypes.STR,
        400: OpenApiResponse(description="An unknown format or an invalid filter value."),
    },
)
class StatementExportView(ApiViewMixin, GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = StatementFilter
    content_negotiation_class = _AnyFormat
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> StatementQuerySet:
        return catalog.visible_statements(self.request.user)

    def get(self, request: Request) -> StreamingHttpResponse:
        fmt = request.query_params.get("format", "jsonl")
        if fmt in peer_exports.FORMATS:  # label-studio, doccano, brat, events (data/peer_exports.py)
            return self._peer(request, fmt)
        if fmt not in exporting.FORMATS:
            choices = ", ".join((*exporting.FORMATS, *peer_exports.FORMATS))
            raise ValidationError({"format": [f"“{fmt}” is not a format; choose one of {choices}."]})
        raw = request.query_params.get("raw", "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise ValidationError({"raw": [f"“{raw}” is not true or false."]})
        trailer = _export_trailer_param(request, fmt)
        try:
            fields = exporting.parse_fields(fmt, request.query_params.get("fields"))
        except ValueError as error:
            raise ValidationError({"fields": [str(error)]}) from None
        try:
            context = exporting.parse_context(request.query_params.get("context"))
        except ValueError as error:
            raise ValidationError({"context": [str(error)]}) from None
        queryset = self.filter_queryset(self.get_queryset())  # a bad filter value is a 400 here
        base_url = request.build_absolute_uri("/").rstrip("/")
        counter = export_trailer.RowCounter()
        chunks: Iterator[bytes] = exporting.export_statements(
            queryset,
            fmt=fmt,
            base_url=base_url,
            collection_id=request.build_absolute_uri(),
            raw=raw in ("true", "1"),
            on_rows=counter,
            fields=fields,
            context=context,
        )
        if trailer:  # a last line with the row count and checksum (data/export_trailer.py)
            chunks = export_trailer.with_trailer(chunks, fmt, counter)
        response = StreamingHttpResponse(chunks, content_type=exporting.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{exporting.export_filename(fmt)}"'
        response["X-Accel-Buffering"] = "no"  # let a proxy pass the stream on as it comes
        response["Cache-Control"] = "no-store"
        return _gzip_if_accepted(request, response)

    @extend_schema(
        summary="Export statements to a file (a background job)",
        description=(
            "The same parameters as the GET (format, raw, the filters); the export runs in the "
            "job worker and its file is kept on the job: the answer is 202 with the job's id and "
            "URL, whose `output` is the download once it is done. JSONL and CSV files end with "
            "the trailer (row count and SHA-256)."
        ),
        request=None,
        responses={
            202: OpenApiResponse(description='`{"job": id, "url": …}`.'),
            400: OpenApiResponse(description="An unknown format or an invalid filter value."),
        },
    )
    def post(self, request: Request) -> Response:
        fmt = request.query_params.get("format", "jsonl")
        raw = request.query_params.get("raw", "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise ValidationError({"raw": [f"“{raw}” is not true or false."]})
        filters = {name: request.query_params.getlist(name) for name in request.query_params}
        job = export_job.start_export(
            user=_caller(request),
            fmt=fmt,
            filters=filters,
            raw=raw in ("true", "1"),
            base_url=request.build_absolute_uri("/"),
        )
        url = request.build_absolute_uri(reverse("api-job-detail", args=[job.pk]))
        return Response({"job": job.pk, "url": url}, status=status.HTTP_202_ACCEPTED)

    def _peer(self, request: Request, fmt: str) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())  # a bad filter value is a 400 here
        response = StreamingHttpResponse(
            peer_exports.export_peer(queryset, fmt=fmt), content_type=peer_exports.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{peer_exports.export_filename(fmt)}"'
        response["X-Accel-Buffering"] = "no"
        response["Cache-Control"] = "no-store"
        return _gzip_if_accepted(request, response)


def _accepts_gzip(request: Request) -> bool:
    """Does the client's Accept-Encoding take gzip (not with q=0)?"""
    for item in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            params = params.strip().lower()
            q = params.removeprefix("q=").strip() if params.startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _gzip_if_accepted(request: Request, response: StreamingHttpResponse) -> StreamingHttpResponse:
    """An export compressed on the fly when the client accepts gzip: chunk by chunk, memory flat
    (exporting.gzip_chunks). Downloads shrink several times (JSON of the workload: 84 MB to a
    few MB)."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if _accepts_gzip(request):
        chunks = cast(Iterator[bytes], response.streaming_content)  # a sync view's: not async
        response.streaming_content = exporting.gzip_chunks(chunks)
        response["Content-Encoding"] = "gzip"
    return response


def _export_trailer_param(request: Request, fmt: str) -> bool:
    value = request.query_params.get("trailer", "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise ValidationError({"trailer": [f"“{value}” is not true or false."]})
    wanted = value in ("true", "1")
    if wanted and fmt not in export_trailer.FORMATS:
        raise ValidationError({"trailer": [f"Only {' and '.join(export_trailer.FORMATS)} have a trailer."]})
    return wanted


# ---- Agreement ---------------------------------------------------------------------------------


class AgreementParams(drf_serializers.Serializer):
    """The agreement endpoint's own parameters (the statement filters come from StatementFilter)."""

    threshold = drf_serializers.FloatField(
        required=False,
        default=agreement.DEFAULT_THRESHOLD,
        min_value=0.05,
        max_value=1.0,
        help_text="Character Jaccard a pair of spans needs to match (default 0.5).",
    )
    finished = drf_serializers.BooleanField(
        required=False,
        default=False,
        help_text="Count, on each article, only the analysts who marked their work finished.",
    )


@extend_schema(
    summary="Inter-annotator agreement",
    description=(
        "Agreement between the analysts over the articles of the statements matching the filters "
        "(e.g. `?article=12`, or `?article=3,7,12&stance=demand`; no article filter: every "
        "article). The statement filters also narrow the statements compared. The same numbers as "
        "the Agreement page: per analyst pair, exact and overlap span matching (precision, recall, "
        "F1), stance raw agreement, Cohen's kappa and confusion matrix, speaker agreement; across "
        "analysts, Krippendorff's alpha for the stance over matched units and unitizing alpha_U "
        "per stance and overall. Undefined values are null. Gold statements never count as an "
        "analyst's. Someone annotating an article blind gets no numbers for it."
    ),
    parameters=[AgreementParams],
    filters=True,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="An invalid parameter.")},
)
class AgreementView(ApiViewMixin, GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = StatementFilter

    def get_queryset(self) -> StatementQuerySet:
        return catalog.visible_statements(self.request.user)

    def get(self, request: Request) -> Response:
        params = AgreementParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        statements = self.filter_queryset(self.get_queryset())
        articles = Article.objects.filter(pk__in=statements.values("article_id"))
        leading = permissions.project_ids_where(request.user, Role.LEAD)
        if leading is not None:  # blind where they do not lead (administrators lead everywhere)
            articles = articles.exclude(
                Q(pk__in=permissions.blind_article_ids(request.user)) & ~Q(project_id__in=leading)
            )
        report = alignment.agreement_for_articles(
            articles,
            finished_only=params.validated_data["finished"],
            threshold=params.validated_data["threshold"],
            statements=statements,
        )
        analysts = (
            User.objects.filter(pk__in=report.annotators).order_by("username") if report.annotators else []
        )
        return Response(
            {
                "analysts": [{"id": u.pk, "username": u.username, "name": str(u)} for u in analysts],
                **report.to_dict(),
            }
        )
