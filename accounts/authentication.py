import functools
import uuid
from typing import cast

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.db.models import ForeignKey
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import AccessToken

from accounts import devices, display, passwords, throttle, tokens
from accounts.models import Branch, Company, User
from core.rows import columns, key, rows_read


class TenantJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer-token authentication, loading the user's company and branch
    in the same query: every cafe request resolves its tenant from them. A token
    with odd claims, of an inactive user or issued before the user's tokens were
    revoked (``User.token_version``) answers 401. A device session's token (its
    ``device`` claim, accounts.devices) is accepted only with that live device's
    credential in ``X-Device``, and while its user still works in the device's branch."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        try:
            device_id = devices.session_claim(token)
        except tokens.BadToken as exc:
            raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None
        if device_id is not None and not devices.device_matches(
            device_id=device_id, key=request.headers.get(devices.HEADER), branch_id=cast(User, user).branch_id
        ):
            raise AuthenticationFailed(devices.DEVICE_REFUSED, code="device_not_valid")
        return user, token

    def get_validated_token(self, raw_token: bytes):
        try:
            return tokens.read(AccessToken, raw_token.decode("latin1"))
        except tokens.BadToken as exc:
            raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None

    # SimpleJWT annotates its get_user with a type variable no argument binds.
    def get_user(self, validated_token) -> User:  # type: ignore[override]
        try:
            return tokens.user_of(validated_token, find=user_with_tenant)
        except tokens.BadToken as exc:
            raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None


def user_with_tenant(user_id: uuid.UUID) -> User | None:
    """The user with their company and branch, as ``select_related("company",
    "branch")`` reads them, from a statement written once (``core.rows``): every
    authenticated request runs it, and compiling it was a good part of a small
    request's CPU."""
    alias = router.db_for_read(User)
    found = rows_read(alias, _user_sql(alias), [key(User, user_id, alias)], User, related=_USER_RELATED)
    return found[0] if found else None


_USER_RELATED = (("company", Company), ("branch", Branch))


@functools.cache
def _user_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    users = quote(User._meta.db_table)
    chosen, joins = [columns(User, alias)], ""
    for name, model in _USER_RELATED:
        field = cast(ForeignKey, User._meta.get_field(name))
        table, column = quote(model._meta.db_table), quote(field.column)
        chosen.append(columns(model, alias))
        joins += f" LEFT OUTER JOIN {table} ON ({users}.{column} = {table}.{quote(model._meta.pk.column)})"
    return f"SELECT {', '.join(chosen)} FROM {users}{joins} WHERE {users}.{quote(User._meta.pk.column)} = %s"


class ThrottledModelBackend(ModelBackend):
    """Django's email-and-password check, behind the login throttle and the password
    turns. Every password check passes here — the API's login and password change,
    and the admin's login page — so one limit covers them all
    (accounts.throttle.login_attempt, accounts.passwords.turn).

    The user's row is read, then the database connection given back, then the
    password hashed: a flood of logins holds at most ``LOGIN_CONCURRENCY`` hashes
    per process and no connection while hashing. An unknown email is hashed too,
    so it takes as long as a known one."""

    def authenticate(self, request, username=None, password=None, address=None, **kwargs):
        email = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if not isinstance(email, str) or password is None:
            return None
        if address is None:
            address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        until = passwords.deadline()
        with passwords.turn(until), throttle.login_attempt(email=email, address=address, deadline=until) as attempt:
            try:
                user: User | None = User.objects.get_by_natural_key(email.lower())
            except User.DoesNotExist:
                user = None
            passwords.release_connection()
            if user is None:
                User().set_password(password)
            elif user.check_password(password) and self.user_can_authenticate(user):
                attempt.succeeded = True
        return user if attempt.succeeded else None


class DisplayTokenAuthentication(BaseAuthentication):
    """``Authorization: Display <key>``: a display token (``accounts.display``). Only
    the views that list it accept it; the user is anonymous and ``request.auth`` is
    the token, so no staff endpoint ever sees it as a login."""

    keyword = "Display"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin1") != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Display token is invalid or revoked."))
        return AnonymousUser(), display.display_token_for_key(parts[1].decode("latin1"))

    def authenticate_header(self, request) -> str:
        return self.keyword


class DeviceAuthentication(BaseAuthentication):
    """``X-Device: <credential>``: a registered device (``accounts.devices``) with no
    one signed in. Only the views that list it accept it: the user is anonymous and
    ``request.auth`` is the device, so no staff endpoint ever sees it as a login."""

    def authenticate(self, request):
        key = request.headers.get(devices.HEADER)
        if key is None:
            return None
        return AnonymousUser(), devices.device_for_key(key)

    def authenticate_header(self, request) -> str:
        return devices.HEADER
