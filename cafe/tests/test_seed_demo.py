"""`make run`'s demo data: a day at the Center's till, so the reports show figures."""

import io
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Branch, User
from cafe.bill.models import Shift
from cafe.bookings.models import Booking, BookingTable
from cafe.floor.models import OpeningException, OpeningHours, Table
from cafe.floor.plan import footprint, overflow
from cafe.orders.models import Order, OrderStatus
from cafe.store.models import Recipe, StockLevel, StockMovement
from cafe.tests.factories import logged_messages

pytestmark = pytest.mark.django_db


def test_the_demo_day_fills_the_reports_and_loading_twice_adds_nothing(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    center = Branch.unscoped.get(name="Center")
    closed, current = Shift.unscoped.filter(branch=center).order_by("opened_at")
    # 5000.00 float + cash taken 2182.50 (1360.00 with its tip, 282.50, 540.00) − 1000.00 to the bank.
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        Decimal("6182.50"),
        Decimal("6172.50"),
        Decimal("-10.00"),
    )
    assert current.closed_at is None  # cash can be taken at once
    assert Order.unscoped.filter(branch=center, status=OrderStatus.CLOSED).count() == 4
    manager = client_for(User.objects.get(email="manager@demo.cafe"))
    day = closed.closed_at.astimezone(ZoneInfo(center.timezone)).date()
    summary = manager.get(f"/api/cafe/reports/daily/?date={day}").json()["totals"]["summary"]
    assert (summary["revenue"], summary["orders"], summary["refunds"], summary["tips"]) == (
        "3673.20",
        4,
        "330.75",
        "150.00",
    )
    z = manager.get(f"/api/cafe/shifts/{closed.pk}/report/").json()
    assert (z["kind"], z["expected_cash"], z["difference"]) == ("z", "6182.50", "-10.00")
    # A returning guest in the guest book: two closed visits (one today), an order open
    # now, and her bookings (docs/floor.md, "Demo data").
    maria = manager.get("/api/cafe/guests/", {"phone": "+79161234567"}).json()["results"]
    assert [(guest["name"], guest["visits"]) for guest in maria] == [("Мария", 2)]
    history = manager.get(f"/api/cafe/guests/{maria[0]['id']}/history/").json()
    assert {"closed", "open"} <= {entry["status"] for entry in history["results"]}


def test_the_demo_floor_has_two_drawn_halls_hours_tonights_book_and_returning_guests(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    center = Branch.unscoped.get(name="Center")
    manager = client_for(User.objects.get(email="manager@demo.cafe"))
    halls = manager.get("/api/cafe/zones/").json()["results"]
    assert [hall["name"] for hall in halls] == ["Зал", "Веранда"]
    for hall in halls:
        tables = Table.unscoped.filter(zone=hall["id"])
        assert tables.exists()
        for table in tables:
            box = footprint(
                x=table.x, y=table.y, width=table.width, height=table.height, shape=table.shape, rotation=table.rotation
            )
            assert overflow(box, width=hall["width"], height=hall["height"]) == (False, False), table.number
    assert not Table.unscoped.filter(branch=center, zone=None).exists()
    assert {"round", "rect"} <= set(Table.unscoped.filter(branch=center).values_list("shape", flat=True))
    week = manager.get("/api/cafe/opening-hours/week/").json()["days"]
    assert all(day["hours"] for day in week)
    assert OpeningHours.unscoped.filter(branch=center).count() == 7
    assert OpeningException.unscoped.filter(branch=center).count() == 1

    now = timezone.now()
    tonight = Booking.unscoped.filter(branch=center, status__in=["booked", "confirmed"]).order_by("starts_at")
    late, soon = tonight
    assert late.starts_at < now < late.starts_at + timedelta(minutes=center.booking_grace)
    assert now < soon.starts_at < now + timedelta(minutes=center.booking_lead)
    for booking in (late, soon):
        links = BookingTable.objects.filter(booking=booking)
        assert links.exists()
        for link in links:
            assert (link.starts_at, link.blocks_until, link.holding) == (
                booking.starts_at,
                booking.ends_at + timedelta(minutes=center.booking_buffer),
                True,
            )
            assert (link.table.status, link.table.reserved_for) == ("reserved", booking.pk)
    # Returning guests: each has tonight's booking and a past visit or no-show.
    for booking in (late, soon):
        guest = booking.guest
        past = Booking.unscoped.filter(guest=guest, starts_at__lt=now - timedelta(hours=1))
        assert past.exists()
    maria = soon.guest
    assert Order.unscoped.filter(guest=maria, status=OrderStatus.CLOSED).count() == 2
    assert Booking.unscoped.filter(guest=maria, status="arrived").get().order.guest == maria
    assert Booking.unscoped.filter(guest=late.guest, status="no_show").get().table_links.get().holding is False
    assert Booking.unscoped.count() == 4


def test_the_demo_storeroom_has_a_delivery_a_write_off_and_a_count_with_a_variance(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    manager = client_for(User.objects.get(email="manager@demo.cafe"))
    [delivery] = manager.get("/api/cafe/purchases/").json()["results"]
    assert (delivery["status"], delivery["invoice"], delivery["total"]) == ("posted", "МФ-0412", "3300.00")
    [write_off] = manager.get("/api/cafe/write-offs/").json()["results"]
    assert (write_off["status"], write_off["reason"]) == ("posted", "spoiled")
    [count] = manager.get("/api/cafe/stock-counts/").json()["results"]
    variance = manager.get(f"/api/cafe/stock-counts/{count['id']}/variance/").json()
    assert [(row["name"], row["variance"]) for row in variance["rows"]] == [
        ("Пармезан", "-0.050"),
        ("Сметана", "0.000"),
    ]
    assert variance["rows"][0]["value"].startswith("-")
    assert variance["shortage"] == variance["rows"][0]["value"]
    # Сырники still ran out: the documents touch no cottage cheese.
    menu = {item["title"]: item for item in manager.get("/api/cafe/menu-items/?limit=100").json()["results"]}
    assert menu["Сырники"]["remaining"] == 0


def test_the_demo_storeroom_has_recipes_and_a_dish_that_runs_out(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    center = Branch.unscoped.get(name="Center")
    manager = client_for(User.objects.get(email="manager@demo.cafe"))
    menu = {item["title"]: item for item in manager.get("/api/cafe/menu-items/?limit=100").json()["results"]}
    # Five portions of сырники sold, the cottage cheese for five bought: they ran out.
    assert menu["Сырники"]["remaining"] == 0
    assert menu["Борщ"]["remaining"] > 0
    assert menu["Чай"]["remaining"] is None  # no recipe: no limit
    assert Recipe.unscoped.filter(company=center.company).count() == 6
    stock = {row["name"]: row for row in manager.get("/api/cafe/stock/?limit=100").json()["results"]}
    assert (stock["Творог"]["on_hand"], stock["Творог"]["low"]) == ("0.000", True)
    for level in StockLevel.unscoped.filter(branch=center):
        moved = StockMovement.unscoped.filter(branch=center, ingredient=level.ingredient_id)
        # Summed as a float by SQLite: to the ledger's three decimals.
        assert level.on_hand == Decimal(moved.aggregate(total=Sum("quantity"))["total"]).quantize(Decimal("0.001"))
    low = [message for message in logged_messages(center.company) if message["type"] == "stock_low"]
    assert [message["data"]["ingredient"]["name"] for message in low] == ["Творог"]
    sold_out = [
        message
        for message in logged_messages(center.company)
        if message["type"] == "menu_item_updated" and message["data"]["menu_item"]["title"] == "Сырники"
    ]
    assert sold_out[-1]["data"]["menu_item"]["remaining"] == 0
