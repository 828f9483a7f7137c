import copy
import logging
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import passwords, throttle, tokens
from accounts.models import BRANCH_ROLES, Branch, Company, Role, User
from accounts.tenancy import BranchNotAllowed, Tenant
from core.errors import Conflict, room_for_one_more

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

EMAIL_TAKEN = gettext_lazy("A user with this email already exists.")


def tokens_for(user: User) -> dict[str, str]:
    return tokens.tokens_for(user)


def _save_unique(obj, field: str, message: "StrOrPromise") -> None:
    """Saves in a savepoint: when a concurrent request took the same unique value
    first, the database's IntegrityError becomes a 400 naming the field."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None


def _check_email_free(email: str, exclude: User | None = None) -> str:
    email = _normalized_email(email)
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    return email


REGISTERED = gettext_lazy(
    "Registration received: if the address was free, the account is ready and you can log in with it. "
    "A message has been sent to the address either way."
)


def user_register(
    *,
    address: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str | None = None,
) -> str:
    """A new user; with ``company_name`` also a company, its first branch, and the user
    as owner. Throttled per client address (accounts.throttle.registration).

    The answer is the same whether the address was free or taken (it must not tell a
    stranger who has an account): the password is checked and hashed either way, and
    the address gets a message either way — a welcome, or a notice that someone tried
    to register with it. Returns the uniform answer's text."""
    throttle.registration(address=address)
    email = _normalized_email(email)
    _check_password(password, User(email=email, first_name=first_name, last_name=last_name))
    encoded = _hashed(password)
    created = _user_create_if_free(
        email=email, encoded_password=encoded, first_name=first_name, last_name=last_name, company_name=company_name
    )
    _registration_mail(email=email, created=created)
    return str(REGISTERED)


def _normalized_email(email: str) -> str:
    return User.objects.normalize_email(email).lower()


def _hashed(password: str) -> str:
    """``password`` hashed in one of this process's turns, holding no database
    connection meanwhile (accounts.passwords). Call it outside transactions."""
    with passwords.turn(passwords.deadline()):
        passwords.release_connection()
        return make_password(password)


def _user_create_if_free(
    *, email: str, encoded_password: str, first_name: str, last_name: str, company_name: str | None
) -> bool:
    """Creates the user (and company) unless the email is taken, also by a concurrent
    registration; whether it did."""
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                return False
            user = User(email=email, first_name=first_name, last_name=last_name, password=encoded_password)
            if company_name:
                user.company = Company.objects.create(name=company_name)
                Branch.objects.create(company=user.company, name="Main")
                user.role = Role.OWNER
            user.save()
    except IntegrityError:
        return False
    return True


def _registration_mail(*, email: str, created: bool) -> None:
    if created:
        subject = _("Your cafe account")
        body = _("An account was registered with this address. Log in with it and the password you chose.")
    else:
        subject = _("Someone tried to register with your address")
        body = _(
            "Someone tried to register an account with this address, which already has one. If it was you, "
            "log in with your password, or ask your company's owner to set a new one. If not, ignore this message."
        )
    try:
        send_mail(subject, body, None, [email])
    except Exception:
        # The answer must not depend on the mail; the failure is for the operator.
        log.exception("could not send the registration mail")


def user_login(*, email: str, password: str, address: str) -> User:
    """Checks credentials behind the login throttle (429 with Retry-After when full,
    see accounts.throttle.login_attempt)."""
    user = authenticate(email=email, password=password, address=address)
    if user is None:
        raise AuthenticationFailed(_("No active account found with the given credentials."))
    return user


def token_refresh(*, refresh: str) -> dict[str, str]:
    """A new access token for a refresh token; with ``ROTATE_REFRESH_TOKENS`` (on by
    default) also a new refresh token, and the old one is spent: of concurrent
    refreshes with one token, exactly one succeeds."""
    token = _refresh_token(refresh)
    user = _token_user(token)
    if not settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"]:
        return {"access": str(token.access_token)}
    if not tokens.blacklist_once(token):
        raise InvalidToken({"detail": _("Token is blacklisted"), "code": "token_not_valid"})
    return tokens.tokens_for(user)


def user_logout(*, refresh: str, everywhere: bool = False) -> None:
    """Revokes a refresh token; with ``everywhere`` every token of its user, access
    tokens included (other devices and open sockets are signed out within seconds)."""
    token = _refresh_token(refresh)
    user = _token_user(token)
    if everywhere:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            tokens.revoke_all(user)
            user.save(update_fields=["token_version"])
    tokens.blacklist_once(token)


def user_password_change(*, user: User, old_password: str, new_password: str, address: str) -> dict[str, str]:
    """Changes the caller's own password; the old one is checked behind the login
    throttle. Every token of the user is revoked; the answer carries new ones."""
    if authenticate(email=user.email, password=old_password, address=address) is None:
        raise ValidationError({"old_password": [_("The password is not correct.")]})
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from None
    encoded = _hashed(new_password)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.password = encoded
        tokens.revoke_all(user)
        user.save(update_fields=["password", "token_version"])
    return tokens.tokens_for(user)


def _refresh_token(raw: str) -> RefreshToken:
    try:
        return tokens.read(RefreshToken, raw)
    except tokens.BadToken as exc:
        raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None


def _token_user(token) -> User:
    try:
        return tokens.user_of(token)
    except tokens.BadToken as exc:
        raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None


@transaction.atomic
def branch_create(*, tenant: Tenant, name: str, address: str = "") -> Branch:
    """A company has at most ``COMPANY_MAX_BRANCHES`` branches (a change to a
    company-wide menu item is an event for each): counted with the company row
    locked, so two concurrent creations cannot both pass it."""
    if not tenant.company_wide:
        raise PermissionDenied(_("Only owners and admins create branches."))
    list(Company.objects.select_for_update(no_key=True).filter(pk=tenant.company_id).values_list("pk"))
    room_for_one_more(
        tenant.branches(),
        settings.COMPANY_MAX_BRANCHES,
        _("A company has at most %(limit)s branches (COMPANY_MAX_BRANCHES)."),
    )
    taken = _("A branch with this name already exists.")
    if tenant.branches().filter(name=name).exists():
        raise ValidationError({"name": [taken]})
    branch = Branch(company=tenant.company, name=name, address=address)
    _save_unique(branch, "name", taken)
    return branch


@transaction.atomic
def branch_update(*, tenant: Tenant, branch_id: uuid.UUID, **changes: Any) -> Branch:
    """Changes a branch's name, address, time zone, service charge, staff discount
    limit or the book's settings (owner and admin). A new service charge applies to dine-in orders taken
    after it; open orders keep the percent they were taken with."""
    if not tenant.company_wide:
        raise PermissionDenied(_("Only owners and admins change branches."))
    branch = tenant.branches().select_for_update(no_key=True).get(pk=branch_id)
    taken = _("A branch with this name already exists.")
    if "name" in changes and tenant.branches().filter(name=changes["name"]).exclude(pk=branch.pk).exists():
        raise ValidationError({"name": [taken]})
    for field, value in changes.items():
        setattr(branch, field, value)
    _save_unique(branch, "name", taken)
    return branch


def _check_staff_change(tenant: Tenant, user: User, branch_id: Any) -> None:
    """Role and branch rules for staff accounts; runs before saving."""
    if not tenant.company_wide:
        raise PermissionDenied(_("Only owners and admins manage staff."))
    if user.role == Role.OWNER and tenant.user.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner manages owners."))
    if branch_id is not None:
        try:
            user.branch = tenant.branch_by_id(branch_id)
        except BranchNotAllowed:
            raise ValidationError({"branch": [_("Branch not found.")]}) from None
    elif user.role in BRANCH_ROLES:
        raise ValidationError({"branch": [_("A %(role)s works in one branch: give its id.") % {"role": user.role}]})
    else:
        user.branch = None


def employee_create(
    *, tenant: Tenant, email: str, password: str, role: str, branch: uuid.UUID | None, **fields: Any
) -> User:
    """A staff account of the caller's company. Each attempt takes a slot of the
    company's email throttle (accounts.throttle.employee_email): the answer tells
    whether an email is taken, so a company may only ask so often."""
    if not tenant.company_wide:
        raise PermissionDenied(_("Only owners and admins manage staff."))
    throttle.employee_email(company_id=tenant.company.pk)
    user = User(email=_normalized_email(email), company=tenant.company, role=role, **fields)
    _check_staff_change(tenant, user, branch)
    _check_password(password, user)
    user.password = _hashed(password)
    with transaction.atomic():
        _check_email_free(user.email)
        _save_unique(user, "email", EMAIL_TAKEN)
    return user


def employee_list(*, tenant: Tenant):
    return tenant.scope(User).select_related("branch")


def employee_get(*, tenant: Tenant, employee_id: uuid.UUID) -> User:
    return employee_list(tenant=tenant).get(pk=employee_id)


LAST_OWNER = gettext_lazy("A company needs an active owner: make someone else an owner first.")


def is_active_owner(user: User) -> bool:
    return user.role == Role.OWNER and user.is_active and user.company_id is not None


def owners_lock(*, company_id: uuid.UUID | None) -> None:
    """Locks the rows of the company's active owners, in one order. Every change
    that can take an owner's rights away (role, activity, company, deletion) takes
    this lock first — before locking the user it changes — inside its transaction,
    so two such changes (two owners demoting each other) run one after the other
    and the second sees the first's result."""
    if company_id is not None:
        owners = User.objects.filter(company_id=company_id, role=Role.OWNER, is_active=True)
        list(owners.order_by("pk").select_for_update().values_list("pk", flat=True))


def owner_remains_check(*, before: User, after: User | None) -> None:
    """409 if changing ``before`` (the row as it is, read after ``owners_lock``) into
    ``after`` (None: deleted) leaves its company without an active owner."""
    if before.company_id is None or not is_active_owner(before):
        return
    if after is not None and is_active_owner(after) and after.company_id == before.company_id:
        return
    others = User.objects.filter(company_id=before.company_id, role=Role.OWNER, is_active=True).exclude(pk=before.pk)
    if not others.exists():
        raise Conflict(LAST_OWNER)


@transaction.atomic
def user_change_check(*, user: User) -> None:
    """For changes made outside ``employee_update`` (the Django admin), before saving
    ``user`` (changed in memory) inside the change's transaction: locks the owners of
    its company as stored and refuses (409) a change that leaves it without an
    active owner."""
    company_id = User.objects.filter(pk=user.pk).values_list("company_id", flat=True).first()
    owners_lock(company_id=company_id)
    owner_remains_check(before=User.objects.select_for_update().get(pk=user.pk), after=user)


@transaction.atomic
def users_delete(*, user_ids: Collection[uuid.UUID]) -> None:
    """Deletes users (the Django admin), or none of them (409) if that leaves a
    company without an active owner."""
    companies = User.objects.filter(pk__in=user_ids).values_list("company_id", flat=True)
    for company_id in sorted({company_id for company_id in companies if company_id is not None}):
        owners_lock(company_id=company_id)
    for user in User.objects.filter(pk__in=user_ids).select_for_update():
        if user.company_id is None or not is_active_owner(user):
            continue
        others = User.objects.filter(company_id=user.company_id, role=Role.OWNER, is_active=True)
        if not others.exclude(pk__in=user_ids).exists():
            raise Conflict(LAST_OWNER)
    User.objects.filter(pk__in=user_ids).delete()


def employee_update(*, tenant: Tenant, employee_id: uuid.UUID, **changes: Any) -> User:
    """Changes role, branch, names, email, activity or password. A new password or a
    deactivation revokes every token of the user; a socket of a user who is
    deactivated, moved or whose tokens were revoked is closed by the hub within
    seconds (4003). A change that would leave the company without an active owner
    (the last owner deactivated or demoted, themself or by another) answers 409. A
    new email takes a slot of the company's email throttle, as ``employee_create``."""
    if "email" in changes:
        throttle.employee_email(company_id=tenant.company.pk)
    password = changes.pop("password", None)
    encoded = _hashed(password) if password is not None else None
    return _employee_update(tenant=tenant, employee_id=employee_id, password=password, encoded=encoded, **changes)


@transaction.atomic
def _employee_update(
    *, tenant: Tenant, employee_id: uuid.UUID, password: str | None, encoded: str | None, **changes: Any
) -> User:
    owners_lock(company_id=tenant.company.pk)
    user = employee_list(tenant=tenant).select_for_update(of=("self",)).get(pk=employee_id)
    before = copy.copy(user)
    if user.role == Role.OWNER and tenant.user.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner manages owners."))
    branch = changes.pop("branch", user.branch_id)
    if "email" in changes:
        changes["email"] = _check_email_free(changes["email"], exclude=user)
    for field, value in changes.items():
        setattr(user, field, value)
    _check_staff_change(tenant, user, branch)
    if password is not None and encoded is not None:
        _check_password(password, user)
        user.password = encoded
    owner_remains_check(before=before, after=user)
    if password is not None or changes.get("is_active") is False:
        tokens.revoke_all(user)
    _save_unique(user, "email", EMAIL_TAKEN)
    return user
