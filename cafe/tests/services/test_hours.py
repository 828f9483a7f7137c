"""``cafe.floor.hours``: a branch's open intervals on a day, in its time zone, as UTC
instants — past-midnight hours, exceptions replacing a weekday, the clock-change days,
a branch without hours."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from cafe.floor.hours import is_open_at, local_days, open_intervals
from cafe.floor.models import OpeningException, OpeningHours
from cafe.tests.factories import BranchFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
# 2026: Berlin's clocks go forward on Sunday 29 March (02:00 → 03:00) and back on
# Sunday 25 October (03:00 → 02:00).
SPRING, AUTUMN = datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)


def hours(branch, weekday: int, opens: str, closes: str) -> None:
    OpeningHours.unscoped.create(
        company=branch.company,
        branch=branch,
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )


def exception(branch, date: datetime.date, opens: str | None = None, closes: str | None = None, note="") -> None:
    OpeningException.unscoped.create(
        company=branch.company,
        branch=branch,
        date=date,
        opens=datetime.time.fromisoformat(opens) if opens else None,
        closes=datetime.time.fromisoformat(closes) if closes else None,
        note=note,
    )


def local(day: datetime.date, clock: str, here=BERLIN) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), tzinfo=here).astimezone(UTC)


@pytest.fixture
def berlin():
    return BranchFactory(timezone="Europe/Berlin")


def test_a_weekday_evening_in_the_branchs_zone(berlin):
    monday = datetime.date(2026, 6, 1)
    hours(berlin, 0, "10:00", "22:00")
    # Summer time: 10:00 in Berlin is 08:00 UTC.
    assert open_intervals(berlin, monday) == [
        (datetime.datetime(2026, 6, 1, 8, tzinfo=UTC), datetime.datetime(2026, 6, 1, 20, tzinfo=UTC))
    ]
    assert open_intervals(berlin, monday + datetime.timedelta(days=1)) == []


def test_hours_past_midnight_belong_to_both_days(berlin):
    friday, saturday = datetime.date(2026, 6, 5), datetime.date(2026, 6, 6)
    hours(berlin, 4, "18:00", "02:00")
    hours(berlin, 5, "12:00", "16:00")
    assert open_intervals(berlin, friday) == [(local(friday, "18:00"), local(saturday, "00:00"))]
    assert open_intervals(berlin, saturday) == [
        (local(saturday, "00:00"), local(saturday, "02:00")),
        (local(saturday, "12:00"), local(saturday, "16:00")),
    ]
    assert is_open_at(berlin, local(saturday, "01:59"))
    assert not is_open_at(berlin, local(saturday, "02:00"))
    assert is_open_at(berlin, local(friday, "23:00"))
    assert not is_open_at(berlin, local(friday, "17:59"))


def test_sunday_night_runs_into_monday(berlin):
    sunday, monday = datetime.date(2026, 6, 7), datetime.date(2026, 6, 8)
    hours(berlin, 6, "20:00", "01:00")
    assert open_intervals(berlin, monday) == [(local(monday, "00:00"), local(monday, "01:00"))]
    assert is_open_at(berlin, local(sunday, "23:30"))


def test_closing_at_opening_time_is_open_round_the_clock(berlin):
    monday = datetime.date(2026, 6, 1)
    hours(berlin, 0, "00:00", "00:00")
    assert open_intervals(berlin, monday) == [
        (local(monday, "00:00"), local(monday + datetime.timedelta(days=1), "00:00"))
    ]


def test_an_exception_replaces_its_weekdays_hours(berlin):
    christmas_eve = datetime.date(2026, 12, 24)  # a Thursday
    hours(berlin, 3, "10:00", "22:00")
    exception(berlin, christmas_eve, "12:00", "16:00", note="Christmas Eve")
    # Winter time: UTC+1.
    assert open_intervals(berlin, christmas_eve) == [(local(christmas_eve, "12:00"), local(christmas_eve, "16:00"))]
    assert not is_open_at(berlin, local(christmas_eve, "11:00"))
    assert open_intervals(berlin, christmas_eve + datetime.timedelta(days=7)) == [
        (
            local(christmas_eve + datetime.timedelta(days=7), "10:00"),
            local(christmas_eve + datetime.timedelta(days=7), "22:00"),
        )
    ]
    [day] = local_days(berlin, [christmas_eve])
    assert (day.exception, day.closed, day.note) == (True, False, "Christmas Eve")


def test_a_closed_exception_closes_the_day_but_not_the_night_before(berlin):
    saturday = datetime.date(2026, 6, 6)
    hours(berlin, 4, "18:00", "02:00")
    hours(berlin, 5, "18:00", "02:00")
    exception(berlin, saturday)
    # Friday night still runs until 02:00 on Saturday; Saturday's own evening is off.
    assert open_intervals(berlin, saturday) == [(local(saturday, "00:00"), local(saturday, "02:00"))]
    assert not is_open_at(berlin, local(saturday, "19:00"))
    [day] = local_days(berlin, [saturday])
    assert (day.exception, day.closed, day.hours) == (True, True, [])


def test_the_spring_change_keeps_wall_clock_times(berlin):
    hours(berlin, 6, "01:00", "04:00")
    hours(berlin, 6, "18:00", "23:00")
    # 01:00 CET is 00:00 UTC; 04:00 CEST is 02:00 UTC: the night is two hours long.
    assert open_intervals(berlin, SPRING) == [
        (datetime.datetime(2026, 3, 29, 0, tzinfo=UTC), datetime.datetime(2026, 3, 29, 2, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 29, 16, tzinfo=UTC), datetime.datetime(2026, 3, 29, 21, tzinfo=UTC)),
    ]
    # The week before, in winter time, 18:00 was 17:00 UTC.
    assert open_intervals(berlin, SPRING - datetime.timedelta(days=7))[1] == (
        datetime.datetime(2026, 3, 22, 17, tzinfo=UTC),
        datetime.datetime(2026, 3, 22, 22, tzinfo=UTC),
    )


def test_the_autumn_change_keeps_wall_clock_times(berlin):
    hours(berlin, 5, "22:00", "04:00")  # Saturday night into the change
    hours(berlin, 6, "18:00", "23:00")
    # 00:00 CEST is 22:00 UTC on Saturday; 04:00 CET is 03:00 UTC: five hours of night.
    assert open_intervals(berlin, AUTUMN) == [
        (datetime.datetime(2026, 10, 24, 22, tzinfo=UTC), datetime.datetime(2026, 10, 25, 3, tzinfo=UTC)),
        (datetime.datetime(2026, 10, 25, 17, tzinfo=UTC), datetime.datetime(2026, 10, 25, 22, tzinfo=UTC)),
    ]


def test_a_branch_without_hours_is_open_all_day_except_its_exceptions(berlin):
    monday = datetime.date(2026, 6, 1)
    assert open_intervals(berlin, monday) == [
        (local(monday, "00:00"), local(monday + datetime.timedelta(days=1), "00:00"))
    ]
    assert is_open_at(berlin, local(monday, "03:00"))
    exception(berlin, monday)
    assert open_intervals(berlin, monday) == []
    assert not is_open_at(berlin, local(monday, "03:00"))
    # The next day is still open all day: an exception closes only its date.
    assert is_open_at(berlin, local(monday + datetime.timedelta(days=1), "03:00"))


def test_local_days_reads_in_two_queries(berlin, django_assert_num_queries):
    hours(berlin, 0, "10:00", "22:00")
    exception(berlin, datetime.date(2026, 6, 2))
    with django_assert_num_queries(2):
        days = local_days(berlin, [datetime.date(2026, 6, 1) + datetime.timedelta(days=n) for n in range(30)])
    assert [day.closed for day in days[:7]] == [False, True, True, True, True, True, True]
