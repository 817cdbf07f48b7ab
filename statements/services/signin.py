"""Sign-in throttling: by account and by address, for the sign-in page, the admin's sign-in and
API tokens. Each wrong password costs a password hash (~0.6 s of CPU with the production hasher),
so refusals come before the password is checked.

The counters live in the "signin" cache (settings: files beside the database, shared by the
processes of one machine, or Redis when REDIS_URL is set, shared by every machine):

- an account with `SIGNIN_ACCOUNT_FAILURES` failed sign-ins (default 5) within
  `SIGNIN_LOCKOUT_SECONDS` (default 900) is locked for that long, from any address;
- an address with `SIGNIN_ADDRESS_FAILURES` failures (default 20, any accounts) is refused for
  that long; wrong API tokens count against the address too (`SIGNIN_TOKEN_FAILURES`, 20).

A successful sign-in clears its account's counter. A lead of one of the account's projects, or an
administrator, unlocks it (`signin_unlock`: the admin's "Unlock sign-in" action, the
`unlock_signin` command).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError

from statements import permissions
from statements.models import User, name_key

_PREFIX = "signin"


def _cache():  # type: ignore[no-untyped-def]
    return caches["signin"] if "signin" in settings.CACHES else caches["default"]


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lockout_seconds() -> int:
    return _limit("SIGNIN_LOCKOUT_SECONDS", 900)


def _key(kind: str, value: str) -> str:
    # hashed: user names and addresses of any length and alphabet make valid cache keys
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{_PREFIX}:{kind}:{digest}"


def _account(username: str) -> str:
    return _key("account", name_key(" ".join(str(username or "").split())))


def _address(address: str | None, kind: str = "address") -> str:
    return _key(kind, address or "unknown")


def _failures(key: str) -> tuple[int, float]:
    """(failures, the time the window started) for a counter key."""
    value = _cache().get(key)
    if not value:
        return 0, 0.0
    count, since = value
    return int(count), float(since)


def _add_failure(key: str) -> int:
    count, since = _failures(key)
    now = time.time()
    if not count or now - since > lockout_seconds():
        count, since = 0, now
    count += 1
    _cache().set(key, (count, since), timeout=lockout_seconds())
    return count


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def signin_refusal(*, username: str | None, address: str | None) -> str | None:
    """Why a sign-in attempt is refused before its password is checked, or None."""
    if username:
        count, since = _failures(_account(username))
        if count >= _limit("SIGNIN_ACCOUNT_FAILURES", 5):
            wait = lockout_seconds() - (time.time() - since)
            return (
                f"Too many failed sign-ins for this account: it is locked for {_minutes(wait)}. "
                "Try again later, or ask a lead of your project or an administrator to unlock it."
            )
    count, since = _failures(_address(address))
    if count >= _limit("SIGNIN_ADDRESS_FAILURES", 20):
        wait = lockout_seconds() - (time.time() - since)
        return f"Too many failed sign-ins from your address. Try again in {_minutes(wait)}."
    return None


def signin_failed(*, username: str | None, address: str | None) -> None:
    """Count a failed sign-in against the account (when named) and the address."""
    if username:
        _add_failure(_account(username))
    _add_failure(_address(address))


def signin_succeeded(*, username: str) -> None:
    _cache().delete(_account(username))


def is_locked(username: str) -> bool:
    count, _since = _failures(_account(username))
    return count >= _limit("SIGNIN_ACCOUNT_FAILURES", 5)


def token_refusal(*, address: str | None) -> int | None:
    """Seconds to wait when `address` sent too many wrong API tokens, else None."""
    count, since = _failures(_address(address, "token"))
    if count >= _limit("SIGNIN_TOKEN_FAILURES", 20):
        return max(1, int(lockout_seconds() - (time.time() - since)))
    return None


def token_failed(*, address: str | None) -> None:
    _add_failure(_address(address, "token"))


def signin_unlock(*, user: User | None, account: User) -> bool:
    """Unlock `account`'s sign-in (its failure counter is forgotten); `user=None` for the command
    line. Returns whether it was locked."""
    if user is not None and not permissions.can_unlock_signin(user, account):
        raise PermissionDenied(
            "Only an administrator or a lead of one of this person's projects can unlock them."
        )
    was = is_locked(account.username)
    _cache().delete(_account(account.username))
    return was


def signin_attempt[T](*, username: str | None, address: str | None, check: Callable[[], T]) -> T:
    """Run a sign-in form's password check (`check`, e.g. AuthenticationForm.clean) under the
    throttle: a locked account or address raises ValidationError (code "throttled") before any
    password is hashed; a wrong password (code "invalid_login") is counted; a success clears the
    account's counter. The sign-in page's and the admin's forms both call this."""
    refusal = signin_refusal(username=username, address=address)
    if refusal:
        raise ValidationError(refusal, code="throttled")
    try:
        result = check()
    except ValidationError as exc:
        if any(e.code == "invalid_login" for e in exc.error_list):
            signin_failed(username=username, address=address)
        raise
    if username:
        signin_succeeded(username=username)
    return result
