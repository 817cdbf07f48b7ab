"""API authentication: DRF's token, throttled (its own module: DRF's settings import it while
rest_framework.views is still loading, so it must not import the views)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.request import Request

from statements import permissions
from statements.services import signin


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with wrong tokens counted against the client's address
    (statements/services/signin.py): past the limit, 429 with Retry-After before any lookup."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        address = request.META.get("REMOTE_ADDR")
        words = get_authorization_header(request).split()
        if words and words[0].lower() == self.keyword.lower().encode():
            wait = signin.token_refusal(address=address)
            if wait is not None:
                raise exceptions.Throttled(
                    wait, detail=f"Too many wrong API tokens from your address; try again in {wait} s."
                )
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            signin.token_failed(address=address)
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        """DRF's lookup (the same answers and messages), with the user's project roles read in
        the same query (permissions.roles_expression): one query fewer on every API request."""
        model: Any = self.get_model()
        token = (
            model.objects.select_related("user")
            .annotate(project_roles=permissions.roles_expression("user_id"))
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        permissions.remember_roles(token.user, token.project_roles)
        return (token.user, token)
