"""JWTs: issuing, reading and revoking them.

Every token carries the ``token_version`` of its user at issue time. Bumping the
user's version (password change, deactivation, logout everywhere) refuses every
token issued before at once — access tokens too, which SimpleJWT's blacklist
alone cannot reach — on REST (401) and on sockets (4003, also for sockets
already open: the hub re-reads ``User.token_version``). Refresh tokens are also
blacklisted, one by one, through SimpleJWT's ``token_blacklist`` app.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import User

AnyToken = TypeVar("AnyToken", bound=Token)

VERSION_CLAIM = "token_version"


class BadToken(Exception):
    """Not a token this server would accept: malformed, forged, expired, revoked, or
    with claims it never issues. The message is safe to show to the client."""


def tokens_for(user: User) -> dict[str, str]:
    """A new pair for ``user``. Nothing is written: the blacklist learns of a refresh
    token only when it is spent (rotation, logout), and revoking them all is a bump
    of the user's version (``revoke_all``). Safe to call from async code."""
    refresh = RefreshToken()  # not RefreshToken.for_user, which writes a row per login
    refresh[api_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[VERSION_CLAIM] = user.token_version
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def read(token_class: type[AnyToken], raw: object) -> AnyToken:
    """A verified token of ``token_class`` (signature, expiry, type, blacklist),
    refusing odd claims (an ``exp`` past year 9999, a missing ``jti``) with BadToken
    instead of letting them crash the request."""
    if not isinstance(raw, str):
        raise BadToken(_("Token is invalid"))
    try:
        return token_class(raw)  # type: ignore[arg-type]  # SimpleJWT annotates the text as a Token
    except TokenError as exc:
        raise BadToken(str(exc.args[0]) if exc.args else _("Token is invalid")) from None
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        raise BadToken(_("Token is invalid")) from None


def claims(token: Token) -> tuple[uuid.UUID, int]:
    """The user id and token version a verified token names; BadToken if either is
    not of the kind this server issues (say, a non-UUID ``user_id``)."""
    try:
        user_id = uuid.UUID(str(token[api_settings.USER_ID_CLAIM]))
    except (KeyError, ValueError, TypeError):
        raise BadToken(_("Token contained no recognizable user identification")) from None
    version = token.get(VERSION_CLAIM, 0)  # tokens issued before versions existed
    if type(version) is not int:
        raise BadToken(_("Token is invalid"))
    return user_id, version


def user_of(token: Token, find: Callable[[uuid.UUID], User | None] | None = None) -> User:
    """The active user a token belongs to, if the token is still of their current
    version (``find``: how the user is read by id, say with their company)."""
    user_id, version = claims(token)
    user = find(user_id) if find is not None else User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise BadToken(_("User not found or inactive"))
    if version != user.token_version:
        raise BadToken(_("Token has been revoked"))
    return user


def _outstanding(token: Token) -> OutstandingToken:
    user_id, _ = claims(token)
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=str(token[api_settings.JTI_CLAIM]),
        defaults={
            "user_id": user_id if User.objects.filter(pk=user_id).exists() else None,
            "token": str(token),
            "created_at": timezone.now(),
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    return outstanding


def blacklist_once(token: Token) -> bool:
    """Blacklists a refresh token; True for exactly one of any number of concurrent
    callers (the unique blacklist row settles the race), so a refresh token is
    used for one rotation only."""
    with transaction.atomic():
        _, created = BlacklistedToken.objects.get_or_create(token=_outstanding(token))
    return created


def revoke_all(user: User) -> None:
    """Refuses every token ``user`` holds, access and refresh: their version is no
    longer the user's. Runs inside the caller's transaction, with ``user`` locked
    (``select_for_update``) and saved by the caller after."""
    user.token_version += 1
