"""Writes of the guest book."""

from accounts.tenancy import Tenant
from cafe.guests.models import Guest


def phone_normalised(phone: str) -> str:
    """``phone`` in E.164. (A first cut: the guests area replaces it with a real parser.)"""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits}" if digits else ""


def guest_for_contact(*, tenant: Tenant, name: str = "", phone: str = "") -> Guest | None:
    """The company's guest with this phone, created on the fly (None without a phone).
    Runs inside the caller's transaction; a known guest keeps their name."""
    number = phone_normalised(phone)
    if not number:
        return None
    guest, _created = tenant.scope(Guest).get_or_create(company=tenant.company, phone=number, defaults={"name": name})
    return guest
