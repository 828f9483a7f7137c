"""Reads of the guest book: finding a guest by phone or name."""

import uuid

from django.db.models import Q, QuerySet

from accounts.tenancy import Tenant
from cafe.guests.models import Guest
from cafe.guests.phones import phone_digits

# A search term with at least this many digits (and nothing but digits, spaces and
# + ( ) -) looks in phones as well as names.
DIGITS_MIN = 3


def guest_list(*, tenant: Tenant, q: str = "", phone: str = "", by_digits: bool = False) -> QuerySet[Guest]:
    """The company's guests that are not erased, found by ``phone`` (E.164, exact) and by
    ``q``: part of the name, without regard to case, or — with ``by_digits`` (the roles
    that see phones in full) — part of the phone's digits (``4567``). Others find a
    guest by the whole phone only, so that masked phones cannot be read back digit by
    digit."""
    guests = tenant.scope(Guest).filter(erased_at__isnull=True)
    if phone:
        guests = guests.filter(phone=phone)
    q = q.strip()
    if q:
        found = Q(name__icontains=q)
        digits = phone_digits(q)
        if by_digits and len(digits) >= DIGITS_MIN and not q.strip("0123456789 +()-"):
            found |= Q(phone__contains=digits)
        guests = guests.filter(found)
    return guests


def guest_get(*, tenant: Tenant, guest_id: uuid.UUID, lock: bool = False) -> Guest:
    """One guest of the caller's company (erased ones too); another company's is a 404."""
    guests = tenant.scope(Guest)
    if lock:
        guests = guests.select_for_update()
    return guests.get(pk=guest_id)
