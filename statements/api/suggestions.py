"""/api/articles/{id}/suggestions/: the machine's suggested statements for an article (#11), and
the decisions on them: accept (with optional edits), reject, a lead's accept-all-above-a-score;
/api/projects/{id}/preannotate/ starts a pre-annotation job.

Reading needs only read access to the article (viewers too); deciding needs an annotating role
in its project. Suggestions never reveal anyone else's statements: what is hidden depends on the
caller's own statements and decisions only (selectors/suggestions.py).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from statements import permissions
from statements.api.base import ApiViewMixin
from statements.api.serializers import StatementSerializer, StatementUpdateSerializer
from statements.models import Article, Project, Statement, User
from statements.selectors import catalog
from statements.selectors import suggestions as reads
from statements.services import suggestions as suggestion_services


class SuggestionConditionSerializer(serializers.Serializer):
    description = serializers.CharField()
    start = serializers.IntegerField(allow_null=True, help_text="Evidence span (code points), optional.")
    end = serializers.IntegerField(allow_null=True)


class SuggestionSerializer(serializers.Serializer):
    """One suggested statement (documentation of the engine's output; the views pass it through)."""

    id = serializers.CharField(help_text="The suggestion's name: its span, “start-end”.")
    start = serializers.IntegerField(help_text="Code points, end exclusive: quote == text[start:end].")
    end = serializers.IntegerField()
    quote = serializers.CharField()
    direct = serializers.BooleanField(help_text="A quotation (true) or reported speech (false).")
    speaker = serializers.IntegerField(allow_null=True, help_text="A registry actor's id.")
    speaker_name = serializers.CharField(allow_null=True)
    new_speaker = serializers.DictField(
        allow_null=True, help_text="{name, kind}: a named source not in the registry."
    )
    anonymous = serializers.BooleanField(help_text="An unnamed source (“a senior official said”).")
    speaker_mention = serializers.CharField(help_text="The words that name the speaker.")
    addressee = serializers.IntegerField(allow_null=True)
    addressee_name = serializers.CharField(allow_null=True)
    stance = serializers.CharField()
    conditions = SuggestionConditionSerializer(many=True)
    score = serializers.FloatField(help_text="0 to 1.")
    why = serializers.ListField(child=serializers.CharField(), help_text="The cues that fired.")
    kind = serializers.CharField(help_text="The rule that found it (the same as `rule`).")
    rule = serializers.CharField()
    engine_version = serializers.CharField()


class DecisionInputSerializer(serializers.Serializer):
    suggestion = serializers.CharField(max_length=40, help_text="The suggestion's id, “start-end”.")


class AcceptInputSerializer(DecisionInputSerializer):
    edits = serializers.DictField(
        required=False, help_text="Statement fields to change first (start, end, quote, stance, …)."
    )
    create_speaker = serializers.BooleanField(
        required=False, default=False, help_text="Create the suggested new_speaker as an actor."
    )


class AcceptAboveInputSerializer(serializers.Serializer):
    min_score = serializers.FloatField(min_value=0, max_value=1)
    create_speakers = serializers.BooleanField(required=False, default=False)


def _caller(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated ran first
    return user


def _article(request: Request, pk: int) -> Article:
    """The article if the caller may read it; 404 otherwise (another project's does not exist)."""
    return get_object_or_404(catalog.visible_articles(request.user).select_related("project"), pk=pk)


def _statement_output(statements: list[Statement]) -> list[dict[str, Any]]:
    rows = (
        Statement.objects.filter(pk__in=[s.pk for s in statements])
        .for_display()
        .prefetch_related("adjudicated_from")
        .order_by("start", "id")
    )
    return [StatementSerializer(row).data for row in rows]


class ArticleSuggestionsView(ApiViewMixin, GenericAPIView):
    serializer_class = SuggestionSerializer

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The suggestions offered to the caller on the article: the engine's, less those
        overlapping the caller's own statements and those the caller already decided on."""
        article = _article(request, pk)
        return Response(reads.offered_suggestions(article, _caller(request)))


class SuggestionAcceptView(ApiViewMixin, GenericAPIView):
    serializer_class = AcceptInputSerializer

    @extend_schema(request=AcceptInputSerializer, responses={201: StatementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Accept a suggestion: it becomes the caller's statement (with the `edits` applied)."""
        article = _article(request, pk)
        data = AcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edits = data.validated_data.get("edits") or {}
        if edits:
            unknown = sorted(set(edits) - set(suggestion_services.EDITABLE))
            if unknown:
                raise serializers.ValidationError(
                    {"edits": [f"Not a statement field: {', '.join(unknown)}."]}
                )
            checked = StatementUpdateSerializer(data=edits, partial=True)
            if not checked.is_valid():
                raise serializers.ValidationError({"edits": checked.errors})
            edits = {k: v for k, v in checked.validated_data.items() if k != "version"}
            if "conditions" in edits:
                edits["conditions"] = [dict(c) for c in edits["conditions"]]
        statement = suggestion_services.suggestion_accept(
            article=article,
            user=_caller(request),
            suggestion=data.validated_data["suggestion"],
            edits=edits,
            create_speaker=data.validated_data["create_speaker"],
        )
        return Response(_statement_output([statement])[0], status=status.HTTP_201_CREATED)


class SuggestionRejectView(ApiViewMixin, GenericAPIView):
    serializer_class = DecisionInputSerializer

    @extend_schema(request=DecisionInputSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        """Reject a suggestion: it is not offered to the caller again."""
        article = _article(request, pk)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = suggestion_services.suggestion_reject(
            article=article, user=_caller(request), suggestion=data.validated_data["suggestion"]
        )
        return Response(
            {
                "suggestion": data.validated_data["suggestion"],
                "decision": decision.decision,
                "rule": decision.rule,
            },
            status=status.HTTP_201_CREATED,
        )


class SuggestionAcceptAboveView(ApiViewMixin, GenericAPIView):
    serializer_class = AcceptAboveInputSerializer

    @extend_schema(request=AcceptAboveInputSerializer, responses={201: StatementSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        """A lead accepts every suggestion offered to them with a score of at least `min_score`."""
        article = _article(request, pk)
        data = AcceptAboveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statements = suggestion_services.suggestions_accept_above(
            article=article,
            user=_caller(request),
            min_score=data.validated_data["min_score"],
            create_speakers=data.validated_data["create_speakers"],
        )
        return Response(_statement_output(statements), status=status.HTTP_201_CREATED)


class ProjectPreannotateView(ApiViewMixin, GenericAPIView):
    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, pk: int) -> Response:
        """A lead starts pre-annotating the project (a background job); answers with the job."""
        project = get_object_or_404(
            Project.objects.filter(permissions.visible_projects_q(request.user)), pk=pk
        )
        job = suggestion_services.preannotate_start(project=project, user=_caller(request))
        url = request.build_absolute_uri(reverse("api-job-detail", args=[job.pk]))
        return Response({"job": job.pk, "url": url}, status=status.HTTP_202_ACCEPTED)
