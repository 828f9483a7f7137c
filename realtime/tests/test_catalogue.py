"""The event catalogue: one declaration per event type, exact routing, payloads in
step with the REST shapes, and a JSON Schema for each."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from cafe.bill import payloads as bill
from cafe.bill.serializers import ShiftSerializer
from cafe.bookings import payloads as bookings
from cafe.bookings.serializers import BookingSerializer, BookingTableSerializer
from cafe.floor import payloads as floor
from cafe.floor.events import TABLE_STATUS_CHANGED
from cafe.floor.serializers import TableSerializer, ZoneSerializer
from cafe.menu import payloads as menu
from cafe.menu.serializers import MenuItemSerializer, ModifierGroupSerializer, ModifierSerializer
from cafe.orders import payloads as orders
from cafe.orders.serializers import (
    BillSerializer,
    DiscountSerializer,
    KitchenTaskSerializer,
    LineModifierSerializer,
    OrderItemSerializer,
    OrderSerializer,
    PaymentSerializer,
    RefundLineSerializer,
    RefundSerializer,
)
from cafe.tests.factories import BranchFactory, TableFactory, order_for, staff_of
from realtime import asyncapi, catalogue, eventlog
from realtime.emit import PendingEvent, emit
from realtime.models import Event

ROOT = Path(__file__).resolve().parents[2]


def test_every_event_type_is_declared_once_with_its_streams():
    assert catalogue.TYPES_BY_STREAM == {
        "orders": (
            "order_created",
            "order_updated",
            "order_closed",
            "order_cancelled",
            "order_paid",
            "order_refunded",
            "order_ready",
            "order_merged",
            "shift_opened",
            "shift_closed",
            "table_status_changed",
            "booking_created",
            "booking_updated",
            "kitchen_task_ready",
            "menu_item_updated",
            "stock_low",
        ),
        "tables": (
            "table_status_changed",
            "table_created",
            "table_updated",
            "table_deleted",
            "zone_created",
            "zone_updated",
            "zone_deleted",
            "booking_created",
            "booking_updated",
        ),
        "kitchen": ("kitchen_task_created", "kitchen_task_updated", "menu_item_updated", "stock_low"),
    }


@pytest.mark.parametrize(
    ("payload", "serializer"),
    [
        (orders.OrderObject, OrderSerializer),
        (orders.Bill, BillSerializer),
        (orders.Discount, DiscountSerializer),
        (orders.PaymentObject, PaymentSerializer),
        (orders.RefundObject, RefundSerializer),
        (orders.RefundLineObject, RefundLineSerializer),
        (bill.ShiftObject, ShiftSerializer),
        (orders.OrderLine, OrderItemSerializer),
        (floor.TableObject, TableSerializer),
        (floor.ZoneObject, ZoneSerializer),
        (orders.LineModifier, LineModifierSerializer),
        (orders.KitchenTaskObject, KitchenTaskSerializer),
        (bookings.BookingObject, BookingSerializer),
        (bookings.BookingTableRef, BookingTableSerializer),
        (menu.MenuItemObject, MenuItemSerializer),
        (menu.ModifierGroupObject, ModifierGroupSerializer),
        (menu.ModifierObject, ModifierSerializer),
    ],
)
def test_declared_payloads_have_the_rest_shapes_fields(payload, serializer):
    assert list(payload.__annotations__) == list(serializer().fields)


def test_describe_gives_a_json_schema_per_event():
    described = catalogue.describe()
    assert set(described) == set(catalogue.CATALOGUE)
    status = described["table_status_changed"]
    assert status["streams"] == ["orders", "tables"]
    assert status["payload"] == {
        "type": "object",
        "properties": {
            "table_id": {"type": "string"},
            "table_number": {"type": "integer"},
            "status": {"enum": ["free", "busy", "reserved"]},
            "status_display": {"type": "string"},
            "branch_id": {"type": "string"},
        },
        "required": ["branch_id", "status", "status_display", "table_id", "table_number"],
        "additionalProperties": False,
    }
    low = described["stock_low"]
    assert low["streams"] == ["kitchen", "orders"]
    assert low["payload"]["required"] == sorted(
        ["ingredient", "on_hand", "low_threshold", "negative", "company_id", "branch_id"]
    )
    order = described["order_created"]["payload"]["properties"]["order"]
    assert order["properties"]["items"]["items"]["required"] == sorted(orders.OrderLine.__annotations__)
    assert order["properties"]["waiter"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    json.dumps(described)  # plain JSON all the way down


@pytest.mark.django_db
def test_a_socket_reads_back_exactly_the_event_types_of_its_stream():
    branch = BranchFactory()
    waiter = staff_of(branch)
    order_for(waiter, TableFactory(branch=branch))  # order_created, table_status_changed
    company = str(branch.company_id)
    logged = dict(Event.objects.filter(company=branch.company).values_list("seq", "type"))

    def read(stream: str) -> list[str]:
        rows = eventlog.event_backlog(
            company_id=company, branch_id=None, stream=stream, after=0, upto=max(logged), limit=100
        )
        return [logged[seq] for seq, _message in rows]

    assert read("orders") == ["order_created", "table_status_changed"]
    assert read("tables") == ["table_status_changed"]


@pytest.mark.django_db
def test_an_event_is_logged_under_its_declared_name():
    branch = BranchFactory()
    data = floor.TableStatusData(
        table_id="t", table_number=1, status="busy", status_display="Занят", branch_id=str(branch.pk)
    )
    with transaction.atomic():
        [row] = emit(company_id=branch.company_id, events=[PendingEvent(TABLE_STATUS_CHANGED, branch.pk, data)])
    assert row.type == "table_status_changed"
    assert json.loads(row.message)["type"] == "table_status_changed"


def test_every_event_type_the_cafe_declares_is_registered():
    areas = sorted(path.parent.name for path in (ROOT / "cafe").glob("*/events.py"))
    assert areas == ["bill", "bookings", "floor", "menu", "orders", "shared", "store"]
    declared = {
        value.name: value
        for area in areas
        for value in vars(importlib.import_module(f"cafe.{area}.events")).values()
        if isinstance(value, catalogue.EventType)
    }
    assert declared == catalogue.CATALOGUE
    assert list(catalogue.STREAMS) == ["orders", "tables", "kitchen"]
    assert list(catalogue.NARROWINGS) == ["kitchen"]


DOCUMENT = "import json; from realtime import asyncapi; print(json.dumps(asyncapi.document()))"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-c", f"import config.asgi; {DOCUMENT}"], id="the ASGI application"),
        pytest.param(
            [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", DOCUMENT], id="a management command"
        ),
    ],
)
def test_every_entry_point_sees_the_whole_catalogue(command):
    """The catalogue is filled when Django sets up (``CafeConfig.ready``): a process
    started through the ASGI application or ``manage.py`` documents every socket."""
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    assert json.loads(out) == json.loads(json.dumps(asyncapi.document()))
