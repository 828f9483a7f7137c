"""Availability (cafe/bookings/availability.py): start times within opening hours,
tables and combinations that seat the party, bookings and their buffers, the past."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from cafe.bookings.availability import OPTIONS_PER_SLOT, availability
from cafe.bookings.models import Booking, BookingStatus, BookingTable
from cafe.floor.models import OpeningException, OpeningHours, Zone
from cafe.tests.factories import BranchFactory, TableFactory

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
DAY = datetime.date(2030, 3, 14)  # a Thursday
# A moment long before DAY: nothing is in the past unless a test says so.
EARLIER = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def branch():
    return BranchFactory(timezone="Europe/Moscow", booking_duration=120, booking_buffer=15, booking_step=30)


def hours(branch, weekday: int, opens: str, closes: str) -> None:
    OpeningHours.unscoped.create(
        company=branch.company,
        branch=branch,
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )


def at(day: datetime.date, clock: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), tzinfo=MOSCOW)


def book(tables, start: datetime.datetime, minutes: int = 120, status=BookingStatus.BOOKED) -> Booking:
    """A booking as the bookings service stores it: its tables blocked until its end
    plus the branch's buffer, holding while it is booked, confirmed or arrived."""
    branch = tables[0].branch
    end = start + datetime.timedelta(minutes=minutes)
    booking = Booking.unscoped.create(
        company=branch.company, branch=branch, guest_name="Anna", starts_at=start, ends_at=end, guests=2, status=status
    )
    for table in tables:
        BookingTable.objects.create(
            booking=booking,
            table=table,
            starts_at=start,
            blocks_until=end + datetime.timedelta(minutes=branch.booking_buffer),
            holding=status in (BookingStatus.BOOKED, BookingStatus.CONFIRMED, BookingStatus.ARRIVED),
        )
    return booking


def starts(answer) -> list[str]:
    return [slot.start.strftime("%H:%M") for slot in answer.slots]


def seating(slot) -> list[tuple[list[int], int]]:
    return [([table.number for table in option.tables], option.seats) for option in slot.options]


def slot_at(answer, clock: str):
    return next(slot for slot in answer.slots if slot.start.strftime("%H:%M") == clock)


def test_start_times_every_step_within_opening_hours_in_local_time(branch):
    hours(branch, DAY.weekday(), "12:00", "14:00")
    hours(branch, DAY.weekday(), "18:00", "19:30")
    TableFactory(branch=branch, number=1, seats=4)

    answer = availability(branch=branch, day=DAY, guests=2, now=EARLIER)

    assert starts(answer) == ["12:00", "12:30", "13:00", "13:30", "18:00", "18:30", "19:00"]
    assert answer.slots[0].start == at(DAY, "12:00")
    assert answer.slots[0].start.utcoffset() == datetime.timedelta(hours=3)
    assert (answer.step, answer.duration) == (30, 120)


def test_a_day_off_has_no_start_times_and_an_exception_replaces_the_weekday(branch):
    TableFactory(branch=branch, number=1)
    hours(branch, DAY.weekday(), "12:00", "14:00")
    assert starts(availability(branch=branch, day=DAY + datetime.timedelta(days=1), guests=2, now=EARLIER)) == []

    OpeningException.unscoped.create(
        company=branch.company, branch=branch, date=DAY, opens=datetime.time(20), closes=datetime.time(21)
    )
    assert starts(availability(branch=branch, day=DAY, guests=2, now=EARLIER)) == ["20:00", "20:30"]

    OpeningException.unscoped.filter(branch=branch).update(opens=None, closes=None)
    assert starts(availability(branch=branch, day=DAY, guests=2, now=EARLIER)) == []


def test_hours_past_midnight_give_the_early_hours_to_the_next_day(branch):
    TableFactory(branch=branch, number=1)
    hours(branch, DAY.weekday(), "22:00", "01:00")

    assert starts(availability(branch=branch, day=DAY, guests=2, now=EARLIER)) == ["22:00", "22:30", "23:00", "23:30"]
    following = availability(branch=branch, day=DAY + datetime.timedelta(days=1), guests=2, now=EARLIER)
    assert starts(following) == ["00:00", "00:30"]


def test_a_branch_without_opening_hours_is_open_all_day(branch):
    TableFactory(branch=branch, number=1)
    branch.booking_step = 60
    answer = availability(branch=branch, day=DAY, guests=2, now=EARLIER)
    assert len(answer.slots) == 24
    assert starts(answer)[0] == "00:00"
    assert starts(answer)[-1] == "23:00"


def test_no_start_in_the_past(branch):
    TableFactory(branch=branch, number=1)
    hours(branch, DAY.weekday(), "12:00", "14:00")
    answer = availability(branch=branch, day=DAY, guests=2, now=at(DAY, "12:40"))
    assert starts(answer) == ["13:00", "13:30"]
    assert availability(branch=branch, day=DAY, guests=2, now=at(DAY, "13:30")).slots[0].start == at(DAY, "13:30")


def test_a_booking_and_its_buffer_block_its_table_both_ways(branch):
    """Duration 120, buffer 15: a booking at 18:00 blocks its table until 20:15; a new
    booking must end (plus its buffer) by 18:00, so it may start at 15:45 at the latest."""
    branch.booking_step = 15
    hours(branch, DAY.weekday(), "12:00", "23:00")
    table = TableFactory(branch=branch, number=1, seats=2)
    book([table], at(DAY, "18:00"))

    free = starts(availability(branch=branch, day=DAY, guests=2, now=EARLIER))

    assert "15:45" in free
    assert "16:00" not in free
    assert "20:00" not in free
    assert "20:15" in free
    assert not any("16:00" <= clock < "20:15" for clock in free)


def test_a_shorter_stay_fits_before_a_booking(branch):
    branch.booking_step = 15
    hours(branch, DAY.weekday(), "12:00", "23:00")
    table = TableFactory(branch=branch, number=1, seats=2)
    book([table], at(DAY, "18:00"))

    free = starts(availability(branch=branch, day=DAY, guests=2, duration=60, now=EARLIER))

    assert "16:45" in free
    assert "17:00" not in free


def test_bookings_that_no_longer_hold_free_their_tables(branch):
    hours(branch, DAY.weekday(), "18:00", "20:00")
    table = TableFactory(branch=branch, number=1, seats=2)
    book([table], at(DAY, "18:00"), status=BookingStatus.CANCELLED)
    book([table], at(DAY, "18:30"), status=BookingStatus.NO_SHOW)

    assert "18:00" in starts(availability(branch=branch, day=DAY, guests=2, now=EARLIER))


def test_another_branchs_bookings_and_tables_do_not_count(branch):
    hours(branch, DAY.weekday(), "18:00", "19:00")
    TableFactory(branch=branch, number=1, seats=2)
    elsewhere = TableFactory(branch=BranchFactory(company=branch.company), number=1, seats=8)
    book([elsewhere], at(DAY, "18:00"))

    answer = availability(branch=branch, day=DAY, guests=2, now=EARLIER)
    assert [seating(slot) for slot in answer.slots] == [[([1], 2)], [([1], 2)]]
    assert availability(branch=branch, day=DAY, guests=6, now=EARLIER).slots == []


def test_smallest_fit_first_then_fewest_tables(branch):
    hours(branch, DAY.weekday(), "18:00", "18:30")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    TableFactory(branch=branch, number=1, seats=2, zone=hall)
    TableFactory(branch=branch, number=2, seats=4, zone=hall)
    TableFactory(branch=branch, number=3, seats=6, zone=hall)
    TableFactory(branch=branch, number=4, seats=4)  # in no hall: never joined

    (slot,) = availability(branch=branch, day=DAY, guests=4, now=EARLIER).slots
    # A table that seats them alone is never joined to another (2 + 4 is not offered).
    assert seating(slot) == [([2], 4), ([4], 4), ([3], 6)]

    (slot,) = availability(branch=branch, day=DAY, guests=5, now=EARLIER).slots
    # At equal spare seats, one table before two; table 4 (in no hall) joins none.
    assert seating(slot) == [([3], 6), ([1, 2], 6)]


def test_combinations_join_only_tables_of_one_hall_and_only_tables_needed(branch):
    hours(branch, DAY.weekday(), "18:00", "18:30")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    terrace = Zone.unscoped.create(company=branch.company, branch=branch, name="Terrace")
    for number in (1, 2, 3):
        TableFactory(branch=branch, number=number, seats=4, zone=hall)
    TableFactory(branch=branch, number=4, seats=6, zone=terrace)
    TableFactory(branch=branch, number=5, seats=2, zone=terrace)

    (slot,) = availability(branch=branch, day=DAY, guests=8, now=EARLIER).slots

    assert seating(slot) == [([1, 2], 8), ([1, 3], 8), ([2, 3], 8), ([4, 5], 8)]
    (slot,) = availability(branch=branch, day=DAY, guests=12, now=EARLIER).slots
    assert seating(slot) == [([1, 2, 3], 12)]
    assert availability(branch=branch, day=DAY, guests=13, now=EARLIER).slots == []


def test_a_booked_table_leaves_its_combinations(branch):
    hours(branch, DAY.weekday(), "18:00", "18:30")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    first = TableFactory(branch=branch, number=1, seats=4, zone=hall)
    TableFactory(branch=branch, number=2, seats=4, zone=hall)
    TableFactory(branch=branch, number=3, seats=4, zone=hall)
    book([first], at(DAY, "17:00"))

    (slot,) = availability(branch=branch, day=DAY, guests=8, now=EARLIER).slots
    assert seating(slot) == [([2, 3], 8)]


def test_options_per_start_time_are_bounded(branch):
    hours(branch, DAY.weekday(), "18:00", "18:30")
    for number in range(1, 11):
        TableFactory(branch=branch, number=number, seats=2)

    (slot,) = availability(branch=branch, day=DAY, guests=2, now=EARLIER).slots
    assert len(slot.options) == OPTIONS_PER_SLOT
    assert seating(slot) == [([n], 2) for n in range(1, OPTIONS_PER_SLOT + 1)]


def test_the_clock_change_day_keeps_wall_clock_start_times():
    berlin = BranchFactory(timezone="Europe/Berlin", booking_step=60)
    TableFactory(branch=berlin, number=1)
    change = datetime.date(2030, 3, 31)  # clocks go forward at 02:00
    hours(berlin, change.weekday(), "00:00", "05:00")
    answer = availability(branch=berlin, day=change, guests=2, now=EARLIER)
    # 00:00, 01:00, then 02:00 does not exist: one hour later is 03:00.
    assert starts(answer) == ["00:00", "01:00", "03:00", "04:00"]
    assert [slot.start.utcoffset() for slot in answer.slots][-1] == datetime.timedelta(hours=2)


@pytest.mark.parametrize("count", [4, 40])
def test_the_query_count_does_not_grow_with_tables(branch, count, django_assert_num_queries):
    hours(branch, DAY.weekday(), "12:00", "23:00")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    tables = [TableFactory(branch=branch, number=n, seats=2 + n % 4, zone=hall) for n in range(1, count + 1)]
    for index, table in enumerate(tables):
        book([table], at(DAY, "12:00") + datetime.timedelta(hours=index % 10))

    # Opening hours (whether the branch has any; the weekly hours and the two days'
    # exceptions, read for both days at once), the computation, the tables it names.
    with django_assert_num_queries(5):
        answer = availability(branch=branch, day=DAY, guests=5, now=EARLIER)
    assert answer.slots


def test_three_tables_with_fewer_seats_come_before_larger_single_tables(branch):
    """Five single tables seat the party with 2 to spare; three small tables of one
    hall seat it exactly, so they come first (three tables are looked for only where
    they can enter the first five, and here they can)."""
    hours(branch, DAY.weekday(), "18:00", "18:30")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    for number in (1, 2, 3):
        TableFactory(branch=branch, number=number, seats=2, zone=hall)
    for number in (4, 5, 6, 7, 8):
        TableFactory(branch=branch, number=number, seats=8)

    (slot,) = availability(branch=branch, day=DAY, guests=6, now=EARLIER).slots

    assert seating(slot) == [([1, 2, 3], 6), ([4], 8), ([5], 8), ([6], 8), ([7], 8)]


def test_three_tables_are_not_offered_where_five_options_already_fit_better(branch):
    hours(branch, DAY.weekday(), "18:00", "18:30")
    hall = Zone.unscoped.create(company=branch.company, branch=branch, name="Hall")
    for number in (1, 2, 3):
        TableFactory(branch=branch, number=number, seats=2, zone=hall)
    for number in (4, 5, 6, 7, 8):
        TableFactory(branch=branch, number=number, seats=6)

    (slot,) = availability(branch=branch, day=DAY, guests=6, now=EARLIER).slots

    assert seating(slot) == [([4], 6), ([5], 6), ([6], 6), ([7], 6), ([8], 6)]


def expected_by_hand(tables, bookings, starts, guests: int, span: datetime.timedelta) -> dict:
    """The rule written plainly in Python, to hold the query to: every start × every
    set of one to three free tables (of one hall when more than one) that seats the
    party with each table needed, ranked and cut as documented."""
    from itertools import combinations

    answer = {}
    for start in starts:
        free = [
            table for table in tables if not any(t == table and s < start + span and e > start for t, s, e in bookings)
        ]
        options = []
        for size in (1, 2, 3):
            for group in combinations(sorted(free, key=lambda table: table.number), size):
                seats = [table.seats for table in group]
                if size > 1 and (group[0].zone_id is None or len({table.zone_id for table in group}) > 1):
                    continue
                if sum(seats) >= guests and sum(seats) - min(seats) < guests:
                    options.append((sum(seats), size, [table.number for table in group] + [0] * (3 - size)))
        options.sort()
        if options:
            answer[start] = [(numbers[:size], seats) for seats, size, numbers in options[:OPTIONS_PER_SLOT]]
    return answer


@pytest.mark.parametrize("guests", [1, 3, 5, 7, 9, 11])
def test_the_query_agrees_with_the_rule_written_plainly(branch, guests):
    import random

    rng = random.Random(guests)
    hours(branch, DAY.weekday(), "17:00", "23:00")
    halls = [Zone.unscoped.create(company=branch.company, branch=branch, name=f"Hall {n}") for n in range(2)]
    tables = [
        TableFactory(branch=branch, number=number, seats=rng.choice([2, 2, 4, 6]), zone=rng.choice([*halls, None]))
        for number in range(1, 13)
    ]
    bookings = []
    for _ in range(12):
        table, start = rng.choice(tables), at(DAY, "17:00") + datetime.timedelta(minutes=30 * rng.randrange(12))
        if any(t == table and s < start + datetime.timedelta(minutes=135) and e > start for t, s, e in bookings):
            continue
        book([table], start)
        bookings.append((table, start, start + datetime.timedelta(minutes=135)))

    answer = availability(branch=branch, day=DAY, guests=guests, now=EARLIER)

    starts = [at(DAY, "17:00") + datetime.timedelta(minutes=30 * n) for n in range(12)]
    by_hand = expected_by_hand(tables, bookings, starts, guests, datetime.timedelta(minutes=135))
    assert {slot.start: seating(slot) for slot in answer.slots} == by_hand
