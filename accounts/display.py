"""Display tokens: long-lived, read-only credentials for customer-facing screens.

A manager opens the pickup board on a TV with one (``/app/pickup/#display=KEY``);
the key authenticates nothing but the board's endpoint (``Authorization: Display
KEY``), which carries pickup numbers and their state only. Revoking a token stops
the board at its next poll (within seconds). Bounds: docs/security.md.
"""

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError

from accounts.keys import key_hash, key_new
from accounts.models import Company, DisplayToken
from accounts.tenancy import Tenant, branch_for_write

# Live (unrevoked) display tokens a company may hold at once.
DISPLAY_TOKENS_MAX = 50
KEY_PREFIX = "dsp_"
KEY_MAX_LENGTH = 100


def display_token_list(*, tenant: Tenant) -> QuerySet[DisplayToken]:
    return tenant.scope(DisplayToken).order_by("-created_at", "id")


def display_token_create(*, tenant: Tenant, branch: uuid.UUID | None, label: str = "") -> tuple[DisplayToken, str]:
    """A new token for ``branch`` (a branch-bound manager's own by default) and its key,
    which is never stored and cannot be shown again."""
    target = branch_for_write(tenant, branch)
    key = key_new(KEY_PREFIX)
    with transaction.atomic():
        # The company row serialises concurrent creations, so the cap holds.
        Company.objects.select_for_update().filter(pk=tenant.company_id).first()
        live = tenant.scope(DisplayToken).filter(revoked_at__isnull=True).count()
        if live >= DISPLAY_TOKENS_MAX:
            raise ValidationError(
                {
                    "detail": _("A company holds at most %(max)d display tokens: revoke one first.")
                    % {"max": DISPLAY_TOKENS_MAX}
                }
            )
        token = DisplayToken.objects.create(
            company=tenant.company, branch=target, label=label, key_hash=key_hash(key), created_by=tenant.user
        )
    return token, key


def display_token_revoke(*, tenant: Tenant, token_id: uuid.UUID) -> DisplayToken:
    """Revokes a token of the tenant's scope (revoking twice changes nothing)."""
    token = display_token_list(tenant=tenant).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def display_token_for_key(key: str) -> DisplayToken:
    """The live token a key belongs to, with its branch; 401 otherwise. Cross-tenant
    by design: the key alone says which company and branch it is for."""
    if not key.startswith(KEY_PREFIX) or len(key) > KEY_MAX_LENGTH:
        raise AuthenticationFailed(_("Display token is invalid or revoked."))
    token = DisplayToken.unscoped.select_related("branch").filter(key_hash=key_hash(key)).first()
    if token is None or token.revoked_at is not None:
        raise AuthenticationFailed(_("Display token is invalid or revoked."))
    return token
