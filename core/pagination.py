"""Paging for every list: ``?limit=&offset=``, checked.

``limit`` is a whole number from 1; above ``PAGE_SIZE_MAX`` it is capped (DRF's
``max_limit``). ``offset`` is a whole number from 0; past the end the page is
empty. Anything else (text, a sign, a fraction, ``limit=0``) answers 400 naming
the parameter; an empty value counts as not given. A limit past the database's
integer range used to reach the query and answer 500.
"""

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def _whole_number(request, name: str, smallest: int, message: str) -> int | None:
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    try:
        if not (raw.isascii() and raw.isdigit()):
            raise ValueError(raw)
        value = int(raw)  # ValueError past Python's 4300-digit conversion limit
    except ValueError:
        raise ValidationError({name: [message]}) from None
    if value < smallest:
        raise ValidationError({name: [message]})
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    @property  # read per request, so settings can change it
    def max_limit(self) -> int:  # type: ignore[override]
        return settings.PAGE_SIZE_MAX

    def get_limit(self, request) -> int:
        message = f"A whole number from 1 (more than {self.max_limit} gives {self.max_limit})."
        limit = _whole_number(request, self.limit_query_param, 1, message)
        if limit is None:
            return self.default_limit or self.max_limit
        return min(limit, self.max_limit)

    def get_offset(self, request) -> int:
        offset = _whole_number(request, self.offset_query_param, 0, "A whole number from 0.")
        return offset or 0
