"""API tokens (DRF's authtoken: one per user), used by the settings page and `issue_token`."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from statements.models import User


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
