"""The time clock: clocking in and out and breaks (on a device session or a session
of one's own), a manager's corrections kept with the values they replaced, hours per
employee per local day with a shift across midnight split at the branch's midnight,
and hours beside each waiter's sales, as JSON and CSV. Per role and cross-tenant."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.orders.models import Order
from cafe.tests.api.test_devices import device_client, register, with_pin
from cafe.tests.api.test_pin import session
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
    paid,
    staff_of,
)
from cafe.timeclock.models import ClockBreak, ClockCorrection, ClockEntry

pytestmark = pytest.mark.django_db

MSK = datetime.timezone(datetime.timedelta(hours=3))
CLOCK = "/api/cafe/timeclock/"


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of March 2026 in Moscow time."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=MSK)


@pytest.fixture
def branch():
    return BranchFactory(timezone="Europe/Moscow")


def entry(employee, start, end=None, breaks=()):
    row = ClockEntry.unscoped.create(
        company=employee.company, branch=employee.branch, employee=employee, started_at=start, ended_at=end
    )
    for pause_start, pause_end in breaks:
        ClockBreak.unscoped.create(company=employee.company, entry=row, started_at=pause_start, ended_at=pause_end)
    return row


def test_clock_in_break_and_out(client_for, branch):
    waiter = staff_of(branch)
    client = client_for(waiter)
    assert client.get(f"{CLOCK}me/").json() == {"entry": None}
    started = client.post(f"{CLOCK}clock-in/")
    assert started.status_code == 201
    entry_id = started.json()["entry"]["id"]
    assert started.json()["entry"]["branch"] == str(branch.pk)
    assert started.json()["entry"]["ended_at"] is None
    assert client.post(f"{CLOCK}clock-in/").status_code == 409
    assert client.post(f"{CLOCK}break-end/").status_code == 409
    on_break = client.post(f"{CLOCK}break-start/").json()["entry"]
    assert on_break["on_break"] is True
    assert len(on_break["breaks"]) == 1
    assert client.post(f"{CLOCK}break-start/").status_code == 409
    back = client.post(f"{CLOCK}break-end/").json()["entry"]
    assert back["on_break"] is False
    assert back["breaks"][0]["ended_at"] is not None
    client.post(f"{CLOCK}break-start/")
    done = client.post(f"{CLOCK}clock-out/")
    assert done.status_code == 200
    assert done.json()["entry"]["id"] == entry_id
    assert done.json()["entry"]["ended_at"] is not None
    assert all(pause["ended_at"] for pause in done.json()["entry"]["breaks"])  # the running break ended too
    assert client.post(f"{CLOCK}clock-out/").status_code == 409
    assert client.post(f"{CLOCK}break-start/").status_code == 409
    assert client.get(f"{CLOCK}me/").json() == {"entry": None}


def test_a_retried_tap_with_its_key_clocks_in_once(client_for, branch):
    client = client_for(staff_of(branch))
    first = client.post(f"{CLOCK}clock-in/", {}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    again = client.post(f"{CLOCK}clock-in/", {}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert ClockEntry.unscoped.count() == 1


def test_clocking_on_a_device_records_the_device(client_for, branch):
    device = register(client_for, staff_of(branch, Role.MANAGER))
    waiter = with_pin(staff_of(branch))
    client = device_client(device["key"], session(device["key"], waiter))
    answer = client.post(f"{CLOCK}clock-in/")
    assert answer.status_code == 201
    assert answer.json()["entry"]["device"] == device["id"]
    assert answer.json()["entry"]["employee"] == str(waiter.pk)


def test_owners_clock_in_at_a_branch_they_name(client_for, branch):
    client = client_for(owner_of(branch.company))
    assert list(client.post(f"{CLOCK}clock-in/").json()) == ["branch"]
    foreign = client.post(f"{CLOCK}clock-in/", {"branch": str(BranchFactory().pk)}, format="json")
    assert foreign.status_code == 400
    assert list(foreign.json()) == ["branch"]
    assert client.post(f"{CLOCK}clock-in/", {"branch": str(branch.pk)}, format="json").status_code == 201


def test_a_manager_corrects_an_entry_and_the_original_is_kept(client_for, branch):
    waiter = staff_of(branch)
    row = entry(waiter, at(14, 9))
    manager = staff_of(branch, Role.MANAGER)
    body = {"ended_at": at(14, 17, 3).isoformat(), "reason": "Forgot to clock out"}
    answer = client_for(manager).post(f"{CLOCK}{row.pk}/correct/", body, format="json")
    assert answer.status_code == 200, answer.json()
    corrected = answer.json()
    assert corrected["ended_at"] == "2026-03-14T14:03:00Z"
    [correction] = corrected["corrections"]
    assert correction["reason"] == "Forgot to clock out"
    assert correction["corrected_by"] == str(manager.pk)
    assert correction["before"] == {"started_at": "2026-03-14T06:00:00Z", "ended_at": None}
    assert correction["after"] == {"started_at": "2026-03-14T06:00:00Z", "ended_at": "2026-03-14T14:03:00Z"}
    second = {"started_at": at(14, 9, 30).isoformat(), "reason": "Came late"}
    assert client_for(manager).post(f"{CLOCK}{row.pk}/correct/", second, format="json").status_code == 200
    kept = list(ClockCorrection.unscoped.filter(entry=row).order_by("created_at").values_list("before", flat=True))
    assert kept == [
        {"started_at": "2026-03-14T06:00:00Z", "ended_at": None},
        {"started_at": "2026-03-14T06:00:00Z", "ended_at": "2026-03-14T14:03:00Z"},
    ]


def test_a_break_is_corrected_within_its_entry(client_for, branch):
    waiter = staff_of(branch)
    row = entry(waiter, at(14, 9), at(14, 17), breaks=[(at(14, 13), at(14, 13, 30))])
    pause = ClockBreak.unscoped.get(entry=row)
    client = client_for(staff_of(branch, Role.MANAGER))
    body = {"break": str(pause.pk), "ended_at": at(14, 13, 45).isoformat(), "reason": "Longer lunch"}
    answer = client.post(f"{CLOCK}{row.pk}/correct/", body, format="json")
    assert answer.status_code == 200
    assert answer.json()["breaks"][0]["ended_at"] == "2026-03-14T10:45:00Z"
    assert answer.json()["corrections"][0]["clock_break"] == str(pause.pk)
    outside = {"break": str(pause.pk), "ended_at": at(14, 18).isoformat(), "reason": "x"}
    refused = client.post(f"{CLOCK}{row.pk}/correct/", outside, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["break"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ended_at": "2026-03-14T05:00:00Z", "reason": "x"}, "ended_at"),  # before the start
        ({"ended_at": "2999-01-01T00:00:00Z", "reason": "x"}, "ended_at"),  # in the future
        ({"started_at": "2026-03-14T10:00:00Z"}, "reason"),
        ({"reason": "nothing to change"}, "detail"),
        ({"ended_at": None, "reason": "reopen"}, "ended_at"),  # an end cannot be taken away
        ({"started_at": "2026-03-13T23:00:00Z", "reason": "x"}, "started_at"),  # overlaps the day before
        ({"started_at": "yesterday", "reason": "x"}, "started_at"),
    ],
)
def test_a_bad_correction_names_its_field_and_changes_nothing(client_for, branch, body, field):
    waiter = staff_of(branch)
    entry(waiter, at(14, 0), at(14, 8))
    row = entry(waiter, at(14, 9), at(14, 17))
    answer = client_for(staff_of(branch, Role.MANAGER)).post(f"{CLOCK}{row.pk}/correct/", body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    row.refresh_from_db()
    assert (row.started_at, row.ended_at) == (at(14, 9), at(14, 17))
    assert not ClockCorrection.unscoped.exists()


def test_only_managers_of_the_entrys_scope_correct_it(client_for, branch):
    waiter = staff_of(branch)
    row = entry(waiter, at(14, 9))
    body = {"ended_at": at(14, 17).isoformat(), "reason": "x"}
    assert client_for(waiter).post(f"{CLOCK}{row.pk}/correct/", body, format="json").status_code == 403
    for stranger in (staff_of(BranchFactory(company=branch.company), Role.MANAGER), owner_of(BranchFactory().company)):
        assert client_for(stranger).post(f"{CLOCK}{row.pk}/correct/", body, format="json").status_code == 404
        assert client_for(stranger).get(f"{CLOCK}{row.pk}/").status_code == 404
        assert client_for(stranger).get(CLOCK).json()["results"] == []
    row.refresh_from_db()
    assert row.ended_at is None


def test_staff_see_their_own_entries_managers_their_branchs(client_for, branch):
    anna, boris = staff_of(branch), staff_of(branch)
    mine, theirs = entry(anna, at(14, 9), at(14, 17)), entry(boris, at(14, 9), at(14, 17))
    assert [row["id"] for row in client_for(anna).get(CLOCK).json()["results"]] == [str(mine.pk)]
    assert client_for(anna).get(f"{CLOCK}{theirs.pk}/").status_code == 404
    manager = client_for(staff_of(branch, Role.MANAGER))
    assert {row["id"] for row in manager.get(CLOCK).json()["results"]} == {str(mine.pk), str(theirs.pk)}
    assert [row["id"] for row in manager.get(f"{CLOCK}?employee={boris.pk}").json()["results"]] == [str(theirs.pk)]


def test_hours_split_a_shift_across_midnight_by_the_branchs_day(client_for, branch):
    waiter = staff_of(branch, first_name="Anna", last_name="Petrova")
    entry(waiter, at(14, 22), at(15, 2), breaks=[(at(14, 23, 30), at(15, 0, 30))])
    entry(waiter, at(15, 10), at(15, 12))
    manager = client_for(staff_of(branch, Role.MANAGER))
    answer = manager.get(f"{CLOCK}hours/?from=2026-03-14&to=2026-03-15")
    assert answer.status_code == 200
    assert answer.json()["timezone"] == "Europe/Moscow"
    assert answer.json()["results"] == [
        {"employee": str(waiter.pk), "first_name": "Anna", "last_name": "Petrova", "date": "2026-03-14",
         "worked_seconds": 7200, "break_seconds": 1800, "hours": "1.50"},
        {"employee": str(waiter.pk), "first_name": "Anna", "last_name": "Petrova", "date": "2026-03-15",
         "worked_seconds": 4 * 3600, "break_seconds": 1800, "hours": "3.50"},
    ]  # fmt: skip
    only_sunday = manager.get(f"{CLOCK}hours/?from=2026-03-15&to=2026-03-15").json()["results"]
    assert [row["hours"] for row in only_sunday] == ["3.50"]
    csv = manager.get(f"{CLOCK}hours/?from=2026-03-14&to=2026-03-15&format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.decode().splitlines()[1] == f"{waiter.pk},Anna,Petrova,2026-03-14,7200,1800,1.50"


def test_staff_see_only_their_own_hours(client_for, branch):
    anna, boris = staff_of(branch), staff_of(branch)
    entry(anna, at(14, 9), at(14, 17))
    entry(boris, at(14, 9), at(14, 12))
    rows = client_for(anna).get(f"{CLOCK}hours/?from=2026-03-14&to=2026-03-14&employee={boris.pk}").json()["results"]
    assert [(row["employee"], row["hours"]) for row in rows] == [(str(anna.pk), "8.00")]


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-03-14&to=2026-09-14", "to"), ("from=2026-03-15&to=2026-03-14", "to"), ("to=2026-03-14", "from"),
     ("from=2026-03-14&to=2026-03-14&format=xls", "format")],
)  # fmt: skip
def test_hours_ranges_are_bounded(client_for, branch, query, field):
    answer = client_for(staff_of(branch, Role.MANAGER)).get(f"{CLOCK}hours/?{query}")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]


def test_the_report_puts_hours_beside_each_waiters_sales(client_for, branch):
    anna = staff_of(branch, first_name="Anna", last_name="A")
    boris = staff_of(branch, first_name="Boris", last_name="B")
    cook = staff_of(branch, Role.COOK, first_name="Cook", last_name="C")
    entry(anna, at(14, 9), at(14, 17), breaks=[(at(14, 13), at(14, 14))])
    entry(cook, at(14, 8), at(14, 16))
    dish = MenuItemFactory(category=CategoryFactory(company=branch.company), price=Decimal("350.00"))
    sold = [
        paid(order_for(anna, TableFactory(branch=branch, number=1), [(dish, 2)]), "card", tip="50.00"),
        paid(order_for(anna, TableFactory(branch=branch, number=2), [(dish, 1)]), "card"),
        paid(order_for(boris, TableFactory(branch=branch, number=3), [(dish, 1)]), "cash", tip="10.00"),
    ]
    Order.unscoped.filter(pk__in=[order.pk for order in sold]).update(paid_at=at(14, 15))
    order_for(anna, TableFactory(branch=branch, number=4), [(dish, 5)])  # open: not sold yet
    late = paid(order_for(anna, TableFactory(branch=branch, number=5), [(dish, 1)]), "card")
    Order.unscoped.filter(pk=late.pk).update(paid_at=at(15, 1))  # the next local day
    manager = client_for(staff_of(branch, Role.MANAGER))
    answer = manager.get(f"{CLOCK}report/?from=2026-03-14&to=2026-03-14")
    assert answer.status_code == 200
    assert answer.json()["results"] == [
        {"employee": str(anna.pk), "first_name": "Anna", "last_name": "A", "hours": "7.00", "orders": 2,
         "revenue": "1050.00", "tips": "50.00"},
        {"employee": str(boris.pk), "first_name": "Boris", "last_name": "B", "hours": "0.00", "orders": 1,
         "revenue": "350.00", "tips": "10.00"},
        {"employee": str(cook.pk), "first_name": "Cook", "last_name": "C", "hours": "8.00", "orders": 0,
         "revenue": "0.00", "tips": "0.00"},
    ]  # fmt: skip
    csv = manager.get(f"{CLOCK}report/?from=2026-03-14&to=2026-03-14&format=csv").content.decode().splitlines()
    assert csv[0] == "employee,first_name,last_name,hours,orders,revenue,tips"
    assert csv[1] == f"{anna.pk},Anna,A,7.00,2,1050.00,50.00"


def test_the_report_is_a_managers_of_their_branch(client_for, branch):
    query = "?from=2026-03-14&to=2026-03-14"
    assert client_for(staff_of(branch)).get(f"{CLOCK}report/{query}").status_code == 403
    other = BranchFactory(company=branch.company)
    manager = client_for(staff_of(branch, Role.MANAGER))
    answer = manager.get(f"{CLOCK}report/{query}&branch={other.pk}")
    assert answer.status_code == 400
    assert list(answer.json()) == ["branch"]
    foreign = client_for(owner_of(BranchFactory().company)).get(f"{CLOCK}report/{query}&branch={branch.pk}")
    assert foreign.status_code == 400
