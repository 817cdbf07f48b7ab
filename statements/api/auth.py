"""API authentication: DRF's token, throttled (its own module: DRF's settings import it while
rest_framework.views is still loading, so it must not import the views)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from statements import permissions
from statements.models import User
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
        """DRF's lookup (the token with its user; refused when unknown or the user inactive), with
        the user's memberships in the same query (permissions.read_user_with_roles)."""
        found = permissions.read_user_with_roles(
            f"{Token._meta.db_table} b JOIN {User._meta.db_table} u ON u.id = b.user_id",
            "b.key = %s",
            [key],
            before=Token,
        )
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        token.user = user  # type: ignore[union-attr]
        return user, token
