"""A branch's business day: its calendar day in its own time zone
(``Branch.timezone``, an IANA name read with ``zoneinfo``). Pickup numbers restart
and the reports count by it; a day is the half-open span [00:00, next 00:00) of
local time, which is 23 or 25 hours long on the days the clocks change."""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from accounts.models import Branch

UTC = datetime.UTC


def zone(branch: Branch) -> ZoneInfo:
    """The branch's zone; an unknown name counts as UTC rather than failing a sale."""
    try:
        return ZoneInfo(branch.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(branch: Branch, moment: datetime.datetime | None = None) -> datetime.date:
    """The branch's calendar day at ``moment`` (now by default)."""
    return timezone.localtime(moment or timezone.now(), zone(branch)).date()


def day_span(
    branch: Branch, first: datetime.date, last: datetime.date | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants [start, end) covering the branch's days ``first`` to ``last`` (inclusive)."""
    here = zone(branch)
    after = (last or first) + datetime.timedelta(days=1)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=here)
    end = datetime.datetime.combine(after, datetime.time.min, tzinfo=here)
    return start.astimezone(UTC), end.astimezone(UTC)
