"""``OrderSerializer`` and ``KitchenTaskSerializer`` build their output by hand (the
order's events and REST answers are written on every request), and so do the menu's
item, modifier group and modifier serializers (a sale that changes the stop-list
sends its item); what they build must be what DRF's field-by-field walk of their
declared fields makes, to the byte: the answers and the events are the clients'
contract, and the OpenAPI and AsyncAPI documents describe the declared fields."""

import contextlib
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from rest_framework import serializers

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.services import order_discount_set, order_pay
from cafe.bill.till import order_refund
from cafe.menu.models import MenuItemBranch
from cafe.menu.selectors import menu_item_list
from cafe.menu.serializers import MenuItemSerializer, ModifierGroupSerializer, ModifierSerializer, menu_item_fields
from cafe.orders.kitchen import task_act
from cafe.orders.models import KitchenTask
from cafe.orders.selectors import order_get, task_list
from cafe.orders.serializers import KitchenTaskSerializer, OrderSerializer, SplitSerializer
from cafe.orders.services import order_create, order_line_update, order_line_void
from cafe.orders.split import order_split
from cafe.tests.factories import (
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    staff_of,
)

pytestmark = pytest.mark.django_db


def as_drf(serializer_class, instance) -> dict:
    """What DRF's own ``Serializer.to_representation`` makes of the declared fields."""
    return serializers.Serializer.to_representation(serializer_class(), instance)


def text(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


@pytest.fixture
def rich(branch):
    """A paid and part-refunded dine-in order with modifiers, a note, a held second
    course, line and order discounts, a voided line, a claimed portion and a split-off
    order; and a takeaway order with a pickup number and no lines."""
    manager = tenant_for(staff_of(branch, Role.MANAGER))
    station = StationFactory(branch=branch, company=branch.company, name="Гриль")

    soup = MenuItemFactory(category__company=branch.company, branch=branch, station=station, price=Decimal("350.00"))
    tea = MenuItemFactory(category__company=branch.company, branch=branch, price=Decimal("99.90"), title="Чай «Эрл»")
    group = ModifierGroupFactory(menu_item=soup, name="Size")
    large = ModifierFactory(group=group, name="Large", price=Decimal("50.00"))
    table = TableFactory(branch=branch, company=branch.company)
    order = order_create(
        tenant=manager,
        table=table.pk,
        guests=3,
        items=[
            {"menu_item": soup.pk, "quantity": 3, "modifiers": [large.pk], "note": 'no "salt"\nplease'},
            {"menu_item": tea.pk, "quantity": 2},
            {"menu_item": soup.pk, "quantity": 2, "course": 2},
            {"menu_item": tea.pk, "quantity": 1},
        ],
    )
    lines = sorted(order.items.all(), key=lambda line: (line.created_at, line.title, line.quantity))
    soup_line = next(line for line in lines if line.quantity == 3)
    tea_line = next(line for line in lines if line.quantity == 2)
    voided = next(line for line in lines if line.quantity == 1 and line.menu_item_id == tea.pk)
    later = next(line for line in lines if line.course == 2)
    order_line_update(tenant=manager, order_id=order.pk, line_id=soup_line.pk, note="well done")
    order_line_update(tenant=manager, order_id=order.pk, line_id=later.pk, quantity=1)
    order_line_void(tenant=manager, order_id=order.pk, line_id=voided.pk, reason="Spilt")
    order_discount_set(
        tenant=manager, order_id=order.pk, kind="percent", value=Decimal("10"), reason="Regular", line_id=tea_line.pk
    )
    order_discount_set(tenant=manager, order_id=order.pk, kind="amount", value=Decimal("15.5"), reason="Late")
    cook = tenant_for(staff_of(branch, Role.COOK))
    first = task_list(tenant=cook, station=station.pk).filter(status="pending").first()
    task_act(tenant=cook, task_ids=[first.pk], action="claim")
    other = order_split(tenant=manager, order_id=order.pk, lines=[{"line": tea_line.pk, "quantity": 1}], guests=1)[1]
    part = order_pay(tenant=manager, order_id=order.pk, tenders=[{"method": "card", "amount": Decimal("100.00")}])
    rest = order_pay(
        tenant=manager,
        order_id=order.pk,
        tenders=[{"method": "transfer", "amount": part.total - part.paid + Decimal("20.00")}],
        tip=Decimal("20.00"),
    )
    assert (rest.status, rest.paid) == ("closed", rest.total), (rest.status, rest.paid, rest.total)
    order_refund(
        tenant=manager, order_id=order.pk, method="card", reason="Cold", lines=[{"line": tea_line.pk, "quantity": 1}]
    )
    takeaway = order_create(
        tenant=manager, service="takeaway", customer_name="Анна", customer_phone="+7 (900) 000-00-00"
    )
    return manager, [order.pk, other.pk, takeaway.pk]


@pytest.mark.parametrize(("language", "zone"), [("ru", "UTC"), ("en", "Asia/Kathmandu")])
def test_orders_and_tasks_are_represented_as_drf_would(rich, language, zone):
    manager, order_ids = rich
    with translation.override(language), timezone.override(zone):
        orders = [order_get(tenant=manager, order_id=pk) for pk in order_ids]
        for order in orders:
            assert text(OrderSerializer().to_representation(order)) == text(as_drf(OrderSerializer, order))
        first = OrderSerializer().to_representation(orders[0])
        assert (len(first["payments"]), len(first["refunds"]), first["discount"]["kind"]) == (2, 1, "amount")
        assert any(line["voided"] for line in first["items"])
        assert any(line["modifiers"] for line in first["items"])
        assert orders[2].pickup_number is not None
        assert orders[2].table_id is None
        split = SplitSerializer({"order": orders[0], "new_order": orders[1]}).data
        assert text(split["order"]) == text(as_drf(OrderSerializer, orders[0]))
        tasks = list(task_list(tenant=manager))
        assert {task.status for task in tasks} >= {"held", "pending", "in_progress", "cancelled"}
        for task in tasks:
            assert text(KitchenTaskSerializer().to_representation(task)) == text(as_drf(KitchenTaskSerializer, task))
        assert KitchenTask.unscoped.filter(cook__isnull=False).exists()


def as_drf_walk(serializer_class, instance) -> dict:
    """DRF's own walk of the declared fields, nested serializers walked by DRF too."""
    with contextlib.ExitStack() as stack:
        for nested in (ModifierGroupSerializer, ModifierSerializer):
            walk = serializers.Serializer.to_representation
            stack.enter_context(mock.patch.object(nested, "to_representation", walk))
        return serializers.Serializer.to_representation(serializer_class(), instance)


def test_menu_items_groups_and_modifiers_are_represented_as_drf_would(branch):
    """``MenuItemSerializer`` (a ``menu_item_updated`` on every sale that changes the
    stop-list) and its modifier groups and modifiers, built by hand: company-wide items
    seen from a branch (with its station, availability and count, or with nothing set
    there) and from no branch, a branch's own item, one sold by weight."""
    owner = tenant_for(staff_of(branch, Role.OWNER))
    station = StationFactory(branch=branch, company=branch.company, name="Гриль")
    shared = MenuItemFactory(category__company=branch.company, title="Суп «Дня»", price=Decimal("99.90"))
    MenuItemBranch.unscoped.create(
        company=branch.company, branch=branch, menu_item=shared, station=station, is_available=False, remaining=3
    )
    MenuItemFactory(category=shared.category, title="Tea", is_available=False)
    MenuItemFactory(category=shared.category, branch=branch, station=station, remaining=0, sold_by="weight")
    MenuItemFactory(category=shared.category, branch=branch, title="")
    size = ModifierGroupFactory(menu_item=shared, name="Size", required=True, max_choices=2, position=3)
    ModifierFactory(group=size, name="Large", price=Decimal("50.00"), position=2)
    ModifierFactory(group=size, name="Small")
    ModifierGroupFactory(menu_item=shared, name="Extras")
    seen = list(menu_item_list(tenant=owner, branch=branch.pk)) + list(menu_item_list(tenant=owner))
    assert len(seen) == 8
    for item in seen:
        assert text(MenuItemSerializer().to_representation(item)) == text(as_drf_walk(MenuItemSerializer, item))
        assert text(menu_item_fields(item)) == text(
            {k: v for k, v in as_drf_walk(MenuItemSerializer, item).items() if k != "modifier_groups"}
        )
    groups = [group for item in seen for group in item.modifier_groups.all()]
    assert len(groups) == 4
    for group in groups:
        assert text(ModifierGroupSerializer().to_representation(group)) == text(
            as_drf_walk(ModifierGroupSerializer, group)
        )
        for modifier in group.modifiers.all():
            assert text(ModifierSerializer().to_representation(modifier)) == text(
                as_drf_walk(ModifierSerializer, modifier)
            )
    assert {(row["station"], row["is_available"], row["remaining"]) for row in map(menu_item_fields, seen)} >= {
        (str(station.pk), False, 3),
        (None, True, None),
        (str(station.pk), True, 0),
    }
    with_groups = [MenuItemSerializer().to_representation(item)["modifier_groups"] for item in seen[:4]]
    assert sorted(len(groups) for groups in with_groups) == [0, 0, 0, 2]
