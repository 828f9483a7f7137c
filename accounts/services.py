import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled, ValidationError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import BRANCH_ROLES, Branch, Company, Role, User
from accounts.tenancy import BranchNotAllowed, Tenant


def tokens_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None


def _check_email_free(email: str, exclude: User | None = None) -> str:
    email = User.objects.normalize_email(email).lower()
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"email": ["A user with this email already exists."]})
    return email


@transaction.atomic
def user_register(
    *, email: str, password: str, first_name: str = "", last_name: str = "", company_name: str | None = None
) -> User:
    """A new user; with ``company_name`` also a company, its first branch, and the user as owner."""
    user = User(email=_check_email_free(email), first_name=first_name, last_name=last_name)
    _check_password(password, user)
    if company_name:
        user.company = Company.objects.create(name=company_name)
        Branch.objects.create(company=user.company, name="Main")
        user.role = Role.OWNER
    user.set_password(password)
    user.save()
    return user


def _failure_keys(email: str, ip: str) -> tuple[str, str]:
    return f"login-failures:email:{email.lower()}", f"login-failures:ip:{ip}"


def user_login(*, email: str, password: str, ip: str) -> User:
    """Checks credentials; after ``LOGIN_FAILURES_ALLOWED`` failures for one email
    (or ten times that from one address) within the window, answers 429."""
    allowed, window = settings.LOGIN_FAILURES_ALLOWED, settings.LOGIN_FAILURE_WINDOW
    email_key, ip_key = _failure_keys(email, ip)
    failures = cache.get_many([email_key, ip_key])
    if failures.get(email_key, 0) >= allowed or failures.get(ip_key, 0) >= allowed * 10:
        raise Throttled(wait=window, detail="Too many failed logins. Try again later.")
    user = authenticate(email=email.lower(), password=password)
    if user is None:
        for key in (email_key, ip_key):
            cache.add(key, 0, window)
            cache.incr(key)
        raise AuthenticationFailed("No active account found with the given credentials.")
    cache.delete(email_key)
    return user


def branch_create(*, tenant: Tenant, name: str, address: str = "") -> Branch:
    if not tenant.company_wide:
        raise PermissionDenied("Only owners and admins create branches.")
    if tenant.branches().filter(name=name).exists():
        raise ValidationError({"name": ["A branch with this name already exists."]})
    return Branch.objects.create(company=tenant.company, name=name, address=address)


def _check_staff_change(tenant: Tenant, user: User, branch_id: Any) -> None:
    """Role and branch rules for staff accounts; runs before saving."""
    if not tenant.company_wide:
        raise PermissionDenied("Only owners and admins manage staff.")
    if user.role == Role.OWNER and tenant.user.role != Role.OWNER:
        raise PermissionDenied("Only an owner manages owners.")
    if branch_id is not None:
        try:
            user.branch = tenant.branch_by_id(branch_id)
        except BranchNotAllowed:
            raise ValidationError({"branch": ["Branch not found."]}) from None
    elif user.role in BRANCH_ROLES:
        raise ValidationError({"branch": [f"A {user.role} works in one branch: give its id."]})
    else:
        user.branch = None


@transaction.atomic
def employee_create(
    *, tenant: Tenant, email: str, password: str, role: str, branch: uuid.UUID | None, **fields: Any
) -> User:
    user = User(email=_check_email_free(email), company=tenant.company, role=role, **fields)
    _check_staff_change(tenant, user, branch)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def employee_list(*, tenant: Tenant):
    return tenant.scope(User).select_related("branch")


def employee_get(*, tenant: Tenant, employee_id: uuid.UUID) -> User:
    return employee_list(tenant=tenant).get(pk=employee_id)


@transaction.atomic
def employee_update(*, tenant: Tenant, employee_id: uuid.UUID, **changes: Any) -> User:
    """Changes role, branch, names, email, activity or password. A socket of a user
    who is deactivated or moved is closed by the hub within seconds (4003)."""
    user = employee_list(tenant=tenant).select_for_update(of=("self",)).get(pk=employee_id)
    if user.role == Role.OWNER and tenant.user.role != Role.OWNER:
        raise PermissionDenied("Only an owner manages owners.")
    password = changes.pop("password", None)
    branch = changes.pop("branch", user.branch_id)
    if "email" in changes:
        changes["email"] = _check_email_free(changes["email"], exclude=user)
    for field, value in changes.items():
        setattr(user, field, value)
    _check_staff_change(tenant, user, branch)
    if password is not None:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    return user
