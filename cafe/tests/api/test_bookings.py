"""The book through the API: taking, listing, moving and ending bookings, no two
overlapping on a table, times in the branch's zone (the clock-change day), seating a
party on several tables, the floor following the book (the timer's jobs, called with
a ``now``), orders on joined tables and ``override_booking``."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from cafe.bookings.models import Booking, BookingStatus, BookingTable
from cafe.bookings.timer import bookings_no_show_due, bookings_reserve_due
from cafe.floor.models import OpeningHours, Table, TableStatus
from cafe.guests.models import Guest
from cafe.orders.models import Order
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
URL = "/api/cafe/bookings/"


def soon(minutes: int = 60 * 24) -> datetime.datetime:
    """A UTC instant ``minutes`` from now, on the minute."""
    return (timezone.now() + datetime.timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() - 6) % 7)


def next_clock_change(month: int) -> datetime.date:
    today = timezone.now().date()
    day = last_sunday(today.year, month)
    return day if day > today else last_sunday(today.year + 1, month)


@pytest.fixture
def world(branch):
    return {
        "branch": branch,
        "waiter": staff_of(branch),
        "manager": staff_of(branch, role=Role.MANAGER),
        "t1": TableFactory(branch=branch, number=1, seats=4),
        "t2": TableFactory(branch=branch, number=2, seats=4),
    }


def book(client, tables, start, **fields):
    body = {"tables": [str(table.pk) for table in tables], "start": start, "guests": 2, "guest_name": "Anna"}
    return client.post(URL, {**body, **fields}, format="json", **EN)


def test_a_booking_in_local_time_is_stored_in_utc_and_shown_with_the_offset(client_for, world):
    branch = world["branch"]
    branch.timezone = "Asia/Yekaterinburg"  # UTC+5, no clock changes
    branch.save()
    start = soon()
    local = (start + datetime.timedelta(hours=5)).replace(tzinfo=None)
    response = book(
        client_for(world["manager"]), [world["t1"]], local.isoformat(), guest_phone="+7 (912) 555-12-34", note="x"
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    booking = Booking.unscoped.get()
    assert booking.starts_at == start
    assert answer["start"] == f"{local.isoformat()}+05:00"
    assert answer["duration"] == branch.booking_duration == 120
    assert answer["tables"] == [{"id": str(world["t1"].pk), "number": 1}]
    assert answer["status"] == "booked"
    assert answer["status_display"] == "Booked"
    assert answer["guest_phone"] == "+79125551234"  # the manager sees it whole, normalised
    assert answer["guest"] == str(Guest.unscoped.get(phone="+79125551234").pk)
    link = BookingTable.objects.get()
    assert (link.starts_at, link.blocks_until, link.holding) == (
        booking.starts_at,
        booking.ends_at + datetime.timedelta(minutes=branch.booking_buffer),
        True,
    )
    event = Event.objects.get(type="booking_created")
    assert event.branch_id == branch.pk
    sent = json.loads(event.message)["data"]["booking"]
    # The REST shape, the phone masked, labels in the server's language (Russian).
    assert sent == {**answer, "guest_phone": "+7 *** ***-**-34", "status_display": "Забронировано"}


def test_an_offset_is_that_instant_and_waiters_see_the_phone_masked(client_for, world):
    start = soon()
    response = book(client_for(world["waiter"]), [world["t1"]], start.isoformat(), guest_phone="+4915112345678")
    assert response.status_code == 201, response.json()
    assert Booking.unscoped.get().starts_at == start
    assert response.json()["start"] == start.isoformat()  # the branch is in UTC
    assert response.json()["guest_phone"] == "+49 **** *****78"


def test_the_rules_answer_400_naming_the_field(client_for, world, branch):
    client = client_for(world["waiter"])
    start = soon().isoformat()
    assert book(client, [world["t1"]], start, guests=5).json() == {"guests": ["The tables seat 4; the party is 5."]}
    assert book(client, [world["t1"], world["t2"]], start, guests=8).status_code == 201
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    assert book(client, [world["t1"]], past).json() == {"start": ["The start is in the past."]}
    assert list(book(client, [world["t1"]], "tomorrow at seven").json()) == ["start"]
    foreign = TableFactory()
    assert list(book(client, [foreign], start).json()) == ["tables"]
    other_branch = TableFactory(branch=BranchFactory(company=branch.company))
    assert list(book(client_for(owner_of(branch.company)), [world["t1"], other_branch], start).json()) == ["tables"]
    assert list(book(client, [world["t1"]], start, note="n" * 501).json()) == ["note"]
    assert list(book(client, [world["t1"]], start, guest_name="n" * 121).json()) == ["guest_name"]
    assert list(book(client, [world["t1"], world["t1"]], start).json()) == ["tables"]


def test_a_start_outside_the_opening_hours_is_refused(client_for, world, branch):
    start = soon()
    OpeningHours.unscoped.create(
        company=branch.company, branch=branch, weekday=start.weekday(), opens="00:00", closes="00:01"
    )
    response = book(client_for(world["waiter"]), [world["t1"]], start.replace(hour=12, minute=0).isoformat())
    assert response.status_code == 400
    assert response.json() == {"start": ["The branch is closed at this time."]}


def test_bookings_per_day_are_bounded(client_for, world, settings):
    settings.BOOKINGS_MAX_PER_DAY = 1
    client = client_for(world["waiter"])
    start = soon().replace(hour=12, minute=0)
    assert book(client, [world["t1"]], start.isoformat()).status_code == 201
    response = book(client, [world["t2"]], (start + datetime.timedelta(hours=1)).isoformat())
    assert response.status_code == 400
    assert response.json() == {"start": ["This branch takes at most 1 bookings a day (BOOKINGS_MAX_PER_DAY)."]}


def test_two_bookings_of_a_table_never_overlap_with_the_buffer(client_for, world):
    client = client_for(world["waiter"])
    start = soon().replace(hour=12, minute=0)
    first = book(client, [world["t1"]], start.isoformat(), duration=60)
    assert first.status_code == 201
    # It ends at 13:00; the buffer (15 minutes) holds the table until 13:15.
    refused = book(client, [world["t2"], world["t1"]], (start + datetime.timedelta(minutes=60)).isoformat())
    assert refused.status_code == 409
    day = f"{start:%Y-%m-%d}"
    assert refused.json() == {
        "detail": f"Table 1 is booked on {day} from 12:00 until 13:15 (with the turnover buffer); "
        "choose another time or table."
    }
    before = book(client, [world["t1"]], (start - datetime.timedelta(minutes=75)).isoformat(), duration=60)
    assert before.status_code == 201  # 10:45–11:45, held until 12:00
    assert book(client, [world["t1"]], (start + datetime.timedelta(minutes=75)).isoformat()).status_code == 201
    assert book(client, [world["t2"]], start.isoformat()).status_code == 201  # another table
    # A cancelled booking holds nothing: its time is free again.
    assert client.post(f"{URL}{first.json()['id']}/cancel/", **EN).status_code == 200
    assert BookingTable.objects.get(booking_id=first.json()["id"]).holding is False
    assert (
        book(client, [world["t1"]], (start + datetime.timedelta(minutes=10)).isoformat(), duration=50).status_code
        == 201
    )


def test_moving_a_booking_checks_everything_again(client_for, world):
    client = client_for(world["waiter"])
    start = soon().replace(hour=12, minute=0)
    one = book(client, [world["t1"]], start.isoformat()).json()
    two = book(client, [world["t2"]], start.isoformat()).json()
    path = f"{URL}{two['id']}/"
    assert client.patch(path, {"tables": [str(world["t1"].pk)]}, format="json", **EN).status_code == 409
    assert client.patch(path, {"guests": 9}, format="json", **EN).json() == {
        "guests": ["The tables seat 4; the party is 9."]
    }
    past = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
    assert client.patch(path, {"start": past}, format="json", **EN).json() == {"start": ["The start is in the past."]}
    later = (start + datetime.timedelta(hours=3)).isoformat()
    moved = client.patch(path, {"tables": [str(world["t1"].pk)], "start": later}, format="json", **EN)
    assert moved.status_code == 200, moved.json()
    assert moved.json()["tables"] == [{"id": str(world["t1"].pk), "number": 1}]
    assert (moved.json()["start"], moved.json()["duration"]) == (later, 120)
    assert list(BookingTable.objects.filter(booking_id=two["id"]).values_list("table", "starts_at")) == [
        (world["t1"].pk, start + datetime.timedelta(hours=3))
    ]
    assert Event.objects.filter(type="booking_updated").count() == 1
    # The first still holds table 1 at 12:00: moving onto it is refused, and nothing changed.
    assert client.patch(path, {"start": start.isoformat()}, format="json", **EN).status_code == 409
    assert Booking.unscoped.get(pk=two["id"]).starts_at == start + datetime.timedelta(hours=3)
    assert one["status"] == "booked"


def test_transitions_follow_the_dict_and_other_moves_are_409(client_for, world):
    client = client_for(world["waiter"])
    booking = book(client, [world["t1"]], soon().isoformat()).json()
    path = f"{URL}{booking['id']}/"
    assert client.post(f"{path}confirm/", **EN).json()["status"] == "confirmed"
    assert client.post(f"{path}confirm/", **EN).status_code == 409
    assert client.post(f"{path}no-show/", **EN).json()["status"] == "no_show"
    refused = client.post(f"{path}cancel/", **EN)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The booking is no-show; it cannot become cancelled."
    assert client.patch(path, {"note": "late"}, format="json", **EN).status_code == 409
    assert client.post(f"{path}arrive/", **EN).status_code == 409


def test_the_clock_change_day_keeps_the_wall_clock_time(client_for, world, branch):
    branch.timezone = "Europe/Berlin"
    branch.save()
    client = client_for(world["manager"])
    for month, offset in ((3, "+02:00"), (10, "+01:00")):
        day = next_clock_change(month)
        eve = day - datetime.timedelta(days=1)
        before = book(client, [world["t1"]], f"{eve}T19:00")
        on_the_day = book(client, [world["t1"]], f"{day}T19:00")
        assert before.status_code == on_the_day.status_code == 201, on_the_day.json()
        assert on_the_day.json()["start"] == f"{day}T19:00:00{offset}"
        assert on_the_day.json()["end"] == f"{day}T21:00:00{offset}"
        stored = Booking.unscoped.get(pk=on_the_day.json()["id"]).starts_at
        assert stored.astimezone(datetime.UTC).hour == (17 if month == 3 else 18)
        winter_or_summer = Booking.unscoped.get(pk=before.json()["id"]).starts_at.astimezone(datetime.UTC).hour
        assert winter_or_summer == (18 if month == 3 else 17)
        listed = client.get(URL, {"date": str(day), "branch": str(branch.pk)}, **EN).json()["results"]
        assert [row["id"] for row in listed] == [on_the_day.json()["id"]]
    gap = book(client, [world["t2"]], f"{next_clock_change(3)}T02:30")
    assert gap.json() == {"start": ["This local time does not exist on that day (the clocks go forward)."]}


def test_the_list_filters_and_other_tenants_see_nothing(client_for, world, branch):
    client = client_for(world["waiter"])
    start = soon()
    one = book(client, [world["t1"]], start.isoformat()).json()
    two = book(client, [world["t2"]], start.isoformat()).json()
    client.post(f"{URL}{two['id']}/cancel/", **EN)
    ids = lambda **query: [row["id"] for row in client.get(URL, query, **EN).json()["results"]]  # noqa: E731
    assert ids() == [one["id"], two["id"]]
    assert ids(status="cancelled") == [two["id"]]
    assert ids(table=str(world["t1"].pk)) == [one["id"]]
    assert ids(date=str(start.date())) == [one["id"], two["id"]]
    assert ids(date=str(start.date() + datetime.timedelta(days=1))) == []
    stranger = client_for(staff_of(BranchFactory()))
    assert stranger.get(f"{URL}{one['id']}/", **EN).status_code == 404
    assert stranger.get(URL, **EN).json()["results"] == []
    assert stranger.post(f"{URL}{one['id']}/cancel/", **EN).status_code == 404
    neighbour = client_for(staff_of(BranchFactory(company=branch.company)))
    assert neighbour.get(f"{URL}{one['id']}/", **EN).status_code == 404
    assert client_for(staff_of(branch, role=Role.COOK)).post(f"{URL}{one['id']}/cancel/", **EN).status_code == 403


def test_a_create_is_idempotent(client_for, world):
    client = client_for(world["waiter"])
    body = {"tables": [str(world["t1"].pk)], "start": soon().isoformat(), "guests": 2, "guest_name": "Anna"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1", **EN)
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1", **EN)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.unscoped.count() == 1


def test_arrive_seats_the_party_on_every_table_with_one_order(client_for, world):
    client = client_for(world["manager"])
    created = book(client, [world["t2"], world["t1"]], soon(30).isoformat(), guests=6, guest_phone="+4915112345678")
    assert created.status_code == 201, created.json()
    booking = created.json()
    assert bookings_reserve_due(timezone.now()) == 1
    assert Table.unscoped.get(pk=world["t1"].pk).reserved_for == uuid.UUID(booking["id"])
    arrived = client.post(f"{URL}{booking['id']}/arrive/", **EN)
    assert arrived.status_code == 200, arrived.json()
    assert arrived.json()["status"] == "arrived"
    order = Order.unscoped.get(pk=arrived.json()["order"])
    assert (order.table_id, order.guests, str(order.guest_id)) == (world["t1"].pk, 6, booking["guest"])
    assert list(order.joined_tables.values_list("pk", flat=True)) == [world["t2"].pk]
    tables = Table.unscoped.filter(pk__in=[world["t1"].pk, world["t2"].pk])
    assert {(table.status, table.reserved_for) for table in tables} == {(TableStatus.BUSY, None)}
    answer = client.get(f"/api/cafe/orders/{order.pk}/", **EN).json()
    assert answer["joined_tables"] == [str(world["t2"].pk)]
    assert answer["guest"] == booking["guest"]
    assert answer["booking_override"] is False
    # The order ends: both tables are free again.
    assert client.post(f"/api/cafe/orders/{order.pk}/close/", **EN).status_code == 200
    assert set(tables.values_list("status", flat=True)) == {TableStatus.FREE}


def test_a_walk_in_order_joins_tables_and_they_follow_it(client_for, world, branch):
    client = client_for(world["waiter"])
    t3 = TableFactory(branch=branch, number=3)
    body = {"table": str(world["t1"].pk), "guests": 7, "joined_tables": [str(world["t2"].pk)]}
    created = client.post("/api/cafe/orders/", body, format="json", **EN)
    assert created.status_code == 201, created.json()
    assert created.json()["joined_tables"] == [str(world["t2"].pk)]
    assert Table.unscoped.get(pk=world["t2"].pk).status == TableStatus.BUSY
    # Table 2 is busy with the first order: another cannot join it.
    busy = client.post(
        "/api/cafe/orders/",
        {"table": str(t3.pk), "guests": 1, "joined_tables": [str(world["t2"].pk)]},
        format="json",
        **EN,
    )
    assert busy.status_code == 409
    assert busy.json()["detail"] == "Table 2 is busy; it cannot be joined."
    other = TableFactory(branch=BranchFactory(company=branch.company))
    refused = client.post(
        "/api/cafe/orders/", {"table": str(t3.pk), "guests": 1, "joined_tables": [str(other.pk)]}, format="json"
    )
    assert list(refused.json()) == ["joined_tables"]
    assert client.post(f"/api/cafe/orders/{created.json()['id']}/cancel/", **EN).status_code == 200
    assert set(Table.unscoped.filter(pk__in=[world["t1"].pk, world["t2"].pk]).values_list("status", flat=True)) == {
        TableStatus.FREE
    }


def test_an_order_on_a_table_reserved_for_a_booking_needs_the_override(client_for, world):
    client = client_for(world["waiter"])
    start = soon(30)
    book(client, [world["t1"]], start.isoformat())
    bookings_reserve_due(timezone.now())
    body = {"table": str(world["t1"].pk), "guests": 2}
    refused = client.post("/api/cafe/orders/", body, format="json", **EN)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Table 1 is reserved for a booking at {start:%H:%M}; "
        'send "override_booking": true to seat someone there anyway.'
    )
    taken = client.post("/api/cafe/orders/", {**body, "override_booking": True}, format="json", **EN)
    assert taken.status_code == 201
    assert taken.json()["booking_override"] is True
    assert Order.unscoped.get().booking_override is True


def test_a_table_freed_by_hand_is_no_longer_held_for_the_booking(client_for, world):
    client = client_for(world["waiter"])
    book(client, [world["t1"]], soon(30).isoformat())
    bookings_reserve_due(timezone.now())
    freed = client.patch(f"/api/cafe/tables/{world['t1'].pk}/", {"status": "free"}, format="json", **EN)
    assert freed.status_code == 200, freed.json()
    assert Table.unscoped.get(pk=world["t1"].pk).reserved_for is None
    # A walk-in may sit there without the override until the timer reserves it again.
    body = {"table": str(world["t1"].pk), "guests": 2}
    assert client.post("/api/cafe/orders/", body, format="json", **EN).status_code == 201


def test_the_floor_follows_the_book(client_for, world, branch):
    client = client_for(world["waiter"])
    start = soon(90)
    booking = book(client, [world["t1"], world["t2"]], start.isoformat()).json()
    t1, t2 = world["t1"], world["t2"]
    assert bookings_reserve_due(timezone.now()) == 0  # 90 minutes ahead; the lead is 60
    assert bookings_reserve_due(start - datetime.timedelta(minutes=60)) == 1
    assert set(Table.unscoped.filter(pk__in=[t1.pk, t2.pk]).values_list("status", "reserved_for")) == {
        (TableStatus.RESERVED, uuid.UUID(booking["id"]))
    }
    assert Event.objects.filter(type="table_status_changed").count() == 2
    assert bookings_reserve_due(start - datetime.timedelta(minutes=59)) == 0  # nothing more to do
    # Moved off table 2: table 2 is free again at once.
    client.patch(f"{URL}{booking['id']}/", {"tables": [str(t1.pk)]}, format="json")
    assert Table.unscoped.get(pk=t2.pk).status == TableStatus.FREE
    # Moved later (out of the lead): the timer frees table 1 too.
    later = start + datetime.timedelta(hours=3)
    client.patch(f"{URL}{booking['id']}/", {"start": later.isoformat()}, format="json")
    assert bookings_reserve_due(start - datetime.timedelta(minutes=50)) == 1
    assert Table.unscoped.get(pk=t1.pk).status == TableStatus.FREE
    # Not arrived by the start plus the grace: a no-show, its table freed.
    assert bookings_reserve_due(later - datetime.timedelta(minutes=10)) == 1
    assert bookings_no_show_due(later + datetime.timedelta(minutes=19)) == 0
    assert bookings_no_show_due(later + datetime.timedelta(minutes=20)) == 1
    assert Booking.unscoped.get(pk=booking["id"]).status == BookingStatus.NO_SHOW
    assert (Table.unscoped.get(pk=t1.pk).status, Table.unscoped.get(pk=t1.pk).reserved_for) == (TableStatus.FREE, None)
    assert BookingTable.objects.get(booking_id=booking["id"]).holding is False
    assert Event.objects.filter(type="booking_updated").count() == 3


def test_a_no_show_leaves_a_table_an_order_holds_busy(client_for, world):
    client = client_for(world["waiter"])
    start = soon(30)
    booking = book(client, [world["t1"]], start.isoformat()).json()
    bookings_reserve_due(timezone.now())
    client.post(
        "/api/cafe/orders/", {"table": str(world["t1"].pk), "guests": 2, "override_booking": True}, format="json"
    )
    assert bookings_no_show_due(start + datetime.timedelta(minutes=30)) == 1
    assert Booking.unscoped.get(pk=booking["id"]).status == BookingStatus.NO_SHOW
    table = Table.unscoped.get(pk=world["t1"].pk)
    assert (table.status, table.reserved_for) == (TableStatus.BUSY, None)


def test_joined_tables_are_freed_when_the_order_is_paid_or_merged(client_for, world, branch):
    client = client_for(world["waiter"])
    dish = MenuItemFactory(category__company=branch.company, branch=branch, price="100.00")
    t3, t4 = TableFactory(branch=branch, number=3), TableFactory(branch=branch, number=4)
    lines = [{"menu_item": str(dish.pk), "quantity": 1}]
    body = {"table": str(world["t1"].pk), "guests": 6, "joined_tables": [str(world["t2"].pk)], "items": lines}
    order = client.post("/api/cafe/orders/", body, format="json", **EN).json()
    paid = client.post(
        f"/api/cafe/orders/{order['id']}/pay/",
        {"tenders": [{"method": "card", "amount": order["total"]}]},
        format="json",
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "closed"
    assert set(Table.unscoped.filter(pk__in=[world["t1"].pk, world["t2"].pk]).values_list("status", flat=True)) == {
        TableStatus.FREE
    }
    # Two orders at table 3, the second joined to table 4: merged into the first, table 4 is free.
    first = client.post("/api/cafe/orders/", {"table": str(t3.pk), "guests": 2}, format="json").json()
    second = client.post(
        "/api/cafe/orders/", {"table": str(t3.pk), "guests": 2, "joined_tables": [str(t4.pk)]}, format="json"
    ).json()
    assert Table.unscoped.get(pk=t4.pk).status == TableStatus.BUSY
    merged = client.post(f"/api/cafe/orders/{first['id']}/merge/", {"order": second["id"]}, format="json")
    assert merged.status_code == 200, merged.json()
    assert (Table.unscoped.get(pk=t3.pk).status, Table.unscoped.get(pk=t4.pk).status) == (
        TableStatus.BUSY,
        TableStatus.FREE,
    )


def test_a_party_is_not_seated_on_a_table_another_order_holds(client_for, world):
    client = client_for(world["waiter"])
    booking = book(client, [world["t1"]], soon(30).isoformat()).json()
    client.post("/api/cafe/orders/", {"table": str(world["t1"].pk), "guests": 2}, format="json")  # before the lead
    refused = client.post(f"{URL}{booking['id']}/arrive/", **EN)
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Table 1 is busy with another order; seat the party at a free table."}
    assert Booking.unscoped.get(pk=booking["id"]).status == BookingStatus.BOOKED
    assert Order.unscoped.count() == 1
    # Moved to a free table, the party is seated.
    client.patch(f"{URL}{booking['id']}/", {"tables": [str(world["t2"].pk)]}, format="json")
    assert client.post(f"{URL}{booking['id']}/arrive/", **EN).json()["status"] == "arrived"
