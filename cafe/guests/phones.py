"""Phone numbers: parsed and checked with ``phonenumbers`` (Google's libphonenumber
metadata), stored in E.164 (``+79161234567``), and shown in full only to the roles that
may see them (``phone_masked`` for everyone else)."""

import phonenumbers
from django.conf import settings

# Longer input is refused before it is parsed (E.164 has at most 15 digits; spaces,
# brackets and dashes need some room).
PHONE_INPUT_MAX_LENGTH = 32


class InvalidPhone(ValueError):
    """Not a phone number that could be dialled (in ``PHONE_DEFAULT_REGION`` when given
    without a country code)."""


def phone_normalised(phone: str) -> str:
    """``phone`` in E.164, "" for an empty one. A number without ``+`` and a country code
    is read as a number of ``PHONE_DEFAULT_REGION`` (``8 916 …`` and ``916 …`` in
    Russia both give ``+7916…``). Raises ``InvalidPhone`` for anything that is not a
    valid number."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) > PHONE_INPUT_MAX_LENGTH:
        raise InvalidPhone(phone)
    try:
        number = phonenumbers.parse(phone, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(phone) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_masked(phone: str) -> str:
    """``phone`` for staff who may not see it: the country code and the last two digits,
    every other digit a ``*`` (``+79161234567`` → ``+7 *** ***-**-67``). Text that is not
    a valid number (an old order's free text) keeps only its last two digits."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, settings.PHONE_DEFAULT_REGION)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        return _hide_digits(phone, keep_first=0)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return _hide_digits(shown, keep_first=len(str(number.country_code)))


def _hide_digits(text: str, *, keep_first: int) -> str:
    digits = sum(ch.isdigit() for ch in text)
    seen, out = 0, []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_first or seen > digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def phone_digits(text: str) -> str:
    """The digits of a search term (``+7 916`` → ``7916``)."""
    return "".join(ch for ch in text if ch.isdigit())
