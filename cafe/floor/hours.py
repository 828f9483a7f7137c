"""When a branch is open: its weekday hours, replaced on a date by that date's
exceptions, in the branch's time zone, as UTC instants. An interval whose ``closes``
is at or before ``opens`` runs past midnight, so a day's open time also includes the
previous day's late hours (even when the day itself is closed by an exception: that
night belongs to the day before). Wall-clock times are read on the day they name, so
on the day the clocks change an 18:00–23:00 evening is still 18:00–23:00 local (and
one hour shorter or longer in UTC only if it spans the change).

A branch with no weekday hours at all is open all day, every day, except on the dates
its exceptions name: a new branch takes bookings at once, and a holiday entered
before the week's hours closes only that day."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from accounts.models import Branch
from cafe.shared.business_day import UTC, zone

Interval = tuple[datetime.datetime, datetime.datetime]
LocalHours = tuple[datetime.time, datetime.time]

_ALL_DAY: LocalHours = (datetime.time.min, datetime.time.min)


@dataclass(frozen=True)
class LocalDay:
    """A date's opening hours as the branch's wall clock reads them."""

    date: datetime.date
    # The date's exceptions replace its weekday's hours.
    exception: bool
    hours: list[LocalHours]
    note: str

    @property
    def closed(self) -> bool:
        return not self.hours


def local_days(branch: Branch, days: Iterable[datetime.date]) -> list[LocalDay]:
    """Each of ``days``' own opening hours (the intervals that start on it), in order
    of time; two queries whatever the number of days."""
    days = sorted(set(days))
    weekly: dict[int, list[LocalHours]] = {}
    for weekday, opens, closes in branch.opening_hours.values_list("weekday", "opens", "closes"):
        weekly.setdefault(weekday, []).append((opens, closes))
    exceptions: dict[datetime.date, list[tuple[datetime.time | None, datetime.time | None, str]]] = {}
    dated = branch.opening_exceptions.filter(date__in=days).values_list("date", "opens", "closes", "note")
    for date, dated_opens, dated_closes, note in dated:
        exceptions.setdefault(date, []).append((dated_opens, dated_closes, note))
    result = []
    for day in days:
        if day in exceptions:
            rows = exceptions[day]
            hours = [(opens, closes) for opens, closes, _ in rows if opens is not None and closes is not None]
            note = "; ".join(note for _, _, note in rows if note)
            result.append(LocalDay(day, True, sorted(hours), note))
        elif not weekly:
            result.append(LocalDay(day, False, [_ALL_DAY], ""))
        else:
            result.append(LocalDay(day, False, sorted(weekly.get(day.weekday(), [])), ""))
    return result


def _instant(day: datetime.date, moment: datetime.time, here: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, moment, tzinfo=here).astimezone(UTC)


def open_intervals(branch: Branch, day: datetime.date) -> list[Interval]:
    """The UTC intervals [opens, closes) during which the branch is open on its local
    ``day``: the day's own hours and what runs into it from the day before, clipped to
    the day, merged and in order."""
    here = zone(branch)
    one = datetime.timedelta(days=1)
    day_start, day_end = _instant(day, datetime.time.min, here), _instant(day + one, datetime.time.min, here)
    spans: list[Interval] = []
    for local in local_days(branch, (day - one, day)):
        for opens, closes in local.hours:
            end_day = local.date if closes > opens else local.date + one
            start = max(_instant(local.date, opens, here), day_start)
            end = min(_instant(end_day, closes, here), day_end)
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
    """Whether the branch is open at ``moment`` (a start time a guest may book)."""
    day = moment.astimezone(zone(branch)).date()
    return any(start <= moment < end for start, end in open_intervals(branch, day))
