"""Writes of the guest book. A guest row is company-wide; no order or booking write
changes it, except linking one made on the fly from a phone (``guest_for_contact``)."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.tenancy import Tenant
from cafe.guests.models import Guest
from cafe.guests.phones import phone_normalised
from cafe.guests.selectors import guest_get
from cafe.shared.services import save_unique
from core.errors import Conflict

PHONE_TAKEN = gettext_lazy("A guest with this phone already exists.")


def _room_for_one_more(tenant: Tenant) -> bool:
    # Counted without a lock: concurrent creations may pass the bound by a few rows,
    # which is all it is for (a company cannot grow its book without end).
    return tenant.scope(Guest).count() < settings.GUESTS_MAX_PER_COMPANY


def guest_for_contact(*, tenant: Tenant, name: str = "", phone: str = "") -> Guest | None:
    """The company's guest with this phone, created on the fly; None without a phone,
    or when the company's book is full (``GUESTS_MAX_PER_COMPANY``: the order or
    booking is taken all the same, unlinked). Runs inside the caller's transaction,
    after its tables are locked and before anything else (lines, stock): a guest row is
    inserted there, and two writers racing for one new phone meet on its unique index.
    A known guest keeps their name (one without a name gets this one). Raises
    ``InvalidPhone`` for a phone that is not one (callers check it with ``PhoneField``)."""
    number = phone_normalised(phone)
    if not number:
        return None
    name = name.strip()[:120]
    guests = tenant.scope(Guest)
    guest = guests.filter(phone=number).first()
    if guest is None:
        if not _room_for_one_more(tenant):
            return None
        guest, _created = guests.get_or_create(company=tenant.company, phone=number, defaults={"name": name})
    if name and not guest.name:
        guest.name = name
        guest.save(update_fields=["name", "updated_at"])
    return guest


def _tags(tags: Sequence[str]) -> list[str]:
    """Each tag once (the first spelling of it, compared without case), in order given."""
    seen: set[str] = set()
    kept = []
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept


def guest_create(*, tenant: Tenant, name: str = "", phone: str = "", note: str = "", tags: Sequence[str] = ()) -> Guest:
    """A guest added by hand; a phone already in the book is 400 naming ``phone``."""
    if not _room_for_one_more(tenant):
        raise Conflict(
            _("A company keeps at most %(limit)s guests (GUESTS_MAX_PER_COMPANY).")
            % {"limit": settings.GUESTS_MAX_PER_COMPANY}
        )
    guest = Guest(company=tenant.company, name=name, phone=phone_normalised(phone), note=note, tags=_tags(tags))
    save_unique(guest, "phone", PHONE_TAKEN)
    return guest


@transaction.atomic
def guest_update(*, tenant: Tenant, guest_id: uuid.UUID, **changes: Any) -> Guest:
    """Changes a guest's name, phone, note or tags; an erased guest is 409."""
    guest = guest_get(tenant=tenant, guest_id=guest_id, lock=True)
    if guest.erased_at is not None:
        raise Conflict(_("This guest's data was erased; add them again as a new guest."))
    if "phone" in changes:
        changes["phone"] = phone_normalised(changes["phone"])
    if "tags" in changes:
        changes["tags"] = _tags(changes["tags"])
    for field, value in changes.items():
        setattr(guest, field, value)
    save_unique(guest, "phone", PHONE_TAKEN)
    return guest


def guest_row_erase(guest: Guest) -> bool:
    """Clears what the guest's row holds about them (name, phone, note, tags) and marks
    it erased; the row stays, so that the orders linked to it stay counted. False if it
    was erased already. The caller holds the row's lock (``guest_get(lock=True)``)."""
    if guest.erased_at is not None:
        return False
    guest.name, guest.phone, guest.note, guest.tags = "", "", "", []
    guest.erased_at = timezone.now()
    guest.save(update_fields=["name", "phone", "note", "tags", "erased_at", "updated_at"])
    return True
