"""When a branch is open: its weekday hours, replaced on a date by that date's
exceptions, in the branch's time zone, as UTC instants. An interval whose ``closes``
is at or before ``opens`` runs past midnight, so a day's open time also includes the
previous day's late hours. Wall-clock times are read on the day they name, so on the
day the clocks change an 18:00–23:00 evening is still 18:00–23:00 local (and one hour
shorter or longer in UTC only if it spans the change)."""

import datetime

from accounts.models import Branch
from cafe.shared.business_day import UTC, zone

Interval = tuple[datetime.datetime, datetime.datetime]


def _local_hours(branch: Branch, day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
    exceptions = list(branch.opening_exceptions.filter(date=day).values_list("opens", "closes"))
    if exceptions:
        return [(opens, closes) for opens, closes in exceptions if opens is not None and closes is not None]
    return list(branch.opening_hours.filter(weekday=day.weekday()).values_list("opens", "closes"))


def open_intervals(branch: Branch, day: datetime.date) -> list[Interval]:
    """The UTC intervals [opens, closes) during which the branch is open on its local
    ``day``: the day's own hours and what runs into it from the day before, clipped to
    the day, merged and in order."""
    here = zone(branch)
    day_start = datetime.datetime.combine(day, datetime.time.min, tzinfo=here).astimezone(UTC)
    day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=here).astimezone(
        UTC
    )
    spans: list[Interval] = []
    for start_day in (day - datetime.timedelta(days=1), day):
        for opens, closes in _local_hours(branch, start_day):
            end_day = start_day if closes > opens else start_day + datetime.timedelta(days=1)
            start = datetime.datetime.combine(start_day, opens, tzinfo=here).astimezone(UTC)
            end = datetime.datetime.combine(end_day, closes, tzinfo=here).astimezone(UTC)
            start, end = max(start, day_start), min(end, day_end)
            if start < end:
                spans.append((start, end))
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def is_open_at(branch: Branch, moment: datetime.datetime) -> bool:
    """Whether the branch is open at ``moment`` (a start time a guest may book). A branch
    with no opening hours set at all is always open (a new branch books at once)."""
    if not branch.opening_hours.exists() and not branch.opening_exceptions.exists():
        return True
    day = moment.astimezone(zone(branch)).date()
    return any(start <= moment < end for start, end in open_intervals(branch, day))
