"""/api/statements/{id}/restore/ and /api/statements/{id}/undo/: Undo through the API, the same
services as the annotate page's Undo button (statements/services/undo.py).

restore brings back a deleted statement with its id, conditions, verdicts and comments; undo
takes back the caller's latest edit of a statement. Both answer 200 with the statement as
GET /api/statements/{id}/ shows it, 404 for what the caller may not read, 403 for what they may
not change, and 409 with the reason when it cannot be undone (something happened since).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from statements import permissions
from statements.api.base import ApiViewMixin
from statements.api.serializers import StatementSerializer
from statements.models import Statement, User
from statements.selectors import catalog
from statements.services import undo


class UndoInputSerializer(serializers.Serializer):
    event = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The history entry to undo (the deletion or the edit): 409 if it is no longer the latest.",
    )


def _answer(statement: Statement) -> Response:
    row = Statement.objects.filter(pk=statement.pk).for_display().prefetch_related("adjudicated_from").get()
    return Response(StatementSerializer(row).data, status=status.HTTP_200_OK)


def _conflict(exc: ValidationError) -> Response:
    return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)


def _event(request: Request) -> int | None:
    data = UndoInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("event")


class StatementRestoreView(ApiViewMixin, GenericAPIView):
    serializer_class = UndoInputSerializer

    @extend_schema(
        request=UndoInputSerializer,
        responses={200: StatementSerializer, 409: OpenApiResponse(description="It cannot come back.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Bring back a deleted statement, with its id, conditions, verdicts and comments."""
        event = _event(request)
        deletion = undo.last_event(pk)
        if deletion is None:
            raise Http404
        get_object_or_404(catalog.visible_articles(request.user), pk=deletion.article_id)
        user: User = request.user  # type: ignore[assignment]
        try:
            statement = undo.statement_restore(ref=pk, user=user, event=event)
        except ValidationError as exc:
            return _conflict(exc)
        return _answer(statement)


class StatementUndoView(ApiViewMixin, GenericAPIView):
    serializer_class = UndoInputSerializer

    @extend_schema(
        request=UndoInputSerializer,
        responses={200: StatementSerializer, 409: OpenApiResponse(description="Nothing to undo.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Take back the caller's latest edit of the statement."""
        event = _event(request)
        statement = get_object_or_404(
            catalog.visible_statements(request.user).select_related("article"), pk=pk
        )
        user: User = request.user  # type: ignore[assignment]
        if not permissions.can_edit_statement(user, statement):
            raise PermissionDenied("You can only change your own statements.")
        try:
            statement = undo.statement_undo(statement=statement, user=user, event=event)
        except ValidationError as exc:
            return _conflict(exc)
        return _answer(statement)
