"""Phone numbers: E.164 from any spelling (and the default region), refused when they
are not numbers, masked for the roles that may not see them."""

import pytest

from cafe.guests.phones import InvalidPhone, phone_masked, phone_normalised


@pytest.mark.parametrize(
    ("given", "e164"),
    [
        ("+7 916 123-45-67", "+79161234567"),
        ("8 (916) 123-45-67", "+79161234567"),  # Russia's trunk prefix
        ("916 123 45 67", "+79161234567"),  # the default region's number without its code
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (650) 253-0000", "+16502530000"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_a_phone_is_stored_in_e164(given, e164):
    assert phone_normalised(given) == e164


@pytest.mark.parametrize("given", ["call me", "123", "+7 916 12", "+999 1234567", "+7 916 123 45 67 89 01", "1" * 40])
def test_what_is_not_a_phone_is_refused(given):
    with pytest.raises(InvalidPhone):
        phone_normalised(given)


def test_the_default_region_reads_numbers_without_a_country_code(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert phone_normalised("020 7946 0958") == "+442079460958"
    assert phone_normalised("+7 916 123-45-67") == "+79161234567"  # a country code wins


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("+79161234567", "+7 *** ***-**-67"),
        ("+442079460958", "+44 ** **** **58"),
        ("+16502530000", "+1 ***-***-**00"),
        # Free text an old order kept: every digit but the last two hidden.
        ("call 12-34", "call **-34"),
        ("", ""),
    ],
)
def test_a_masked_phone_shows_the_country_code_and_the_last_two_digits(phone, shown):
    assert phone_masked(phone) == shown
