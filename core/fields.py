"""The only decimal and date fields a client's input goes through.

DRF's ``DecimalField`` hands its input to ``decimal.Decimal`` after ``strip()``, so
``"1_000"``, ``"+5"``, ``" 5 "``, ``"1e2"``, ``"５"`` (full-width) and ``"٥"``
(Arabic-Indic) were all amounts; its ``DateField`` took ``2026-1-1``, non-ASCII
digits and a trailing newline. These fields accept what a client means and nothing
else; ``core/tests/test_fields.py`` fails if a serializer takes input through DRF's
own classes.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import ISO_8601, serializers

# The shape; DRF's own check then refuses a third decimal place with its message
# ("Ensure that there are no more than 2 decimal places."), so together they accept
# ^-?[0-9]+(\.[0-9]{1,2})?$ exactly.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StrictDecimalField(serializers.DecimalField):
    """A sum: ASCII digits, an optional leading minus and at most two decimal places
    (``^-?[0-9]+(\\.[0-9]{1,2})?$``), as a string (``"350.00"``) or a JSON number
    whose text is that (``350``, ``350.5``). ``core.formats.BoundedJSONParser`` reads
    JSON fractions as ``Decimal``, so the text is checked as sent: ``3.50e2`` and
    ``1.999999999999999999`` are refused, not rounded. ``-0`` is ``0``."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "Send a plain number: digits 0-9, an optional minus and at most two decimal places, such as 350.00."
        ),
    }

    def __init__(self, *, max_digits: int, **kwargs: Any) -> None:
        super().__init__(max_digits=max_digits, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        # bool is an int; a float could only come from a parser that lost the text.
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        text = str(data)
        if len(text) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        if not PLAIN_DECIMAL.fullmatch(text):
            self.fail("invalid")
        value = super().to_internal_value(text)
        return abs(value) if value.is_zero() else value


class StrictQuantityField(StrictDecimalField):
    """A measured quantity (a weight in kg): the same plain text as ``StrictDecimalField``
    with at most three decimal places (whole grams of a kilogram), ``"0.350"``."""

    default_error_messages = {
        "invalid": gettext_lazy("Send a plain number: digits 0-9 and at most three decimal places, such as 0.350."),
    }

    def __init__(self, *, max_digits: int, **kwargs: Any) -> None:
        serializers.DecimalField.__init__(self, max_digits=max_digits, decimal_places=3, **kwargs)


class StrictDateField(serializers.DateField):
    """A day as ``YYYY-MM-DD`` in ASCII digits, nothing before or after it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[ISO_8601], **kwargs)

    def to_internal_value(self, value: Any) -> datetime.date:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)
