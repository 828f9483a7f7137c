"""Modifiers on lines (price, the group rules) and the stop-list (availability per
branch, a remaining count taken atomically and given back), with their events."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.exceptions import ValidationError

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.menu.models import MenuItem, MenuItemBranch
from cafe.menu.services import menu_item_branch_set, menu_item_update
from cafe.menu.stock import StockShort
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.services import order_create, order_finish, order_line_update, order_line_void
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    TableFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted as written in the code (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch)


@pytest.fixture
def coffee(branch):
    return MenuItemFactory(category__company=branch.company, title="Латте", price=Decimal("200.00"))


@pytest.fixture
def milk(coffee):
    group = ModifierGroupFactory(menu_item=coffee, name="Milk", required=True, max_choices=1)
    return (
        group,
        ModifierFactory(group=group, name="oat", price=Decimal("40.00")),
        ModifierFactory(group=group, name="soy"),
    )


@pytest.fixture
def extras(coffee):
    group = ModifierGroupFactory(menu_item=coffee, name="Extras", max_choices=3)
    return group, [ModifierFactory(group=group, name=f"syrup {n}", price=Decimal("30.00")) for n in range(4)]


def line(item, quantity=1, **fields):
    return {"menu_item": item.pk, "quantity": quantity, **fields}


def create(user, table, *lines):
    return order_create(tenant=tenant_for(user), table=table.pk, guests=1, items=list(lines))


def test_line_price_includes_its_modifiers_which_are_copied(waiter, table, coffee, milk, extras):
    _, oat, _ = milk
    _, syrups = extras
    order = create(waiter, table, line(coffee, 2, modifiers=[oat.pk, syrups[0].pk, syrups[1].pk], note="extra hot"))
    row = order.items.get()
    assert row.price == Decimal("300.00")
    assert row.total == Decimal("600.00")
    assert row.note == "extra hot"
    assert list(row.modifiers.values_list("group", "name", "price")) == [
        ("Milk", "oat", Decimal("40.00")),
        ("Extras", "syrup 0", Decimal("30.00")),
        ("Extras", "syrup 1", Decimal("30.00")),
    ]
    oat.price = Decimal("99.00")
    oat.save()
    assert order.items.get().modifiers.first().price == Decimal("40.00")


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        (lambda milk, extras, stranger: [], "Choose from Milk."),
        (lambda milk, extras, stranger: [milk[1].pk, milk[2].pk], "Choose at most 1 from Milk."),
        (lambda milk, extras, stranger: [milk[1].pk, *[m.pk for m in extras[1]]], "Choose at most 3 from Extras."),
        (lambda milk, extras, stranger: [milk[1].pk, milk[1].pk], "Choose each modifier once."),
        (lambda milk, extras, stranger: [milk[1].pk, stranger.pk], "Not offered with this menu item"),
    ],
)
def test_invalid_modifier_choices_answer_400_naming_the_field(waiter, table, coffee, milk, extras, choose, message):
    stranger = ModifierFactory()  # another company's
    with pytest.raises(ValidationError) as exc:
        create(
            waiter, table, line(coffee, modifiers=[milk[1].pk]), line(coffee, modifiers=choose(milk, extras, stranger))
        )
    assert list(exc.value.detail["items"]) == ["1"]
    problems = exc.value.detail["items"]["1"]["modifiers"]
    assert any(str(problem).startswith(message) for problem in problems), problems
    assert (Order.unscoped.count(), OrderItem.unscoped.count()) == (0, 0)


def test_a_modifier_of_another_item_is_refused(waiter, table, coffee, milk):
    tea = MenuItemFactory(category__company=waiter.company)
    with pytest.raises(ValidationError) as exc:
        create(waiter, table, line(tea, modifiers=[milk[1].pk]))
    assert "modifiers" in exc.value.detail["items"]["0"]


# Stop-list


def test_remaining_count_is_taken_and_stops_the_item_at_zero(waiter, table, branch):
    item = MenuItemFactory(category__company=branch.company, branch=branch, remaining=3)
    create(waiter, table, line(item, 2))
    item.refresh_from_db()
    assert item.remaining == 1
    with pytest.raises(StockShort) as exc:
        create(waiter, table, line(item, 2))
    assert exc.value.status_code == 409
    assert exc.value.detail["remaining"] == 1
    assert exc.value.detail["menu_item"] == str(item.pk)
    create(waiter, table, line(item, 1))
    item.refresh_from_db()
    assert item.remaining == 0
    with pytest.raises(StockShort):
        create(waiter, table, line(item, 1))


def test_company_wide_item_is_stopped_per_branch(waiter, table, branch):
    item = MenuItemFactory(category__company=branch.company)
    other_branch = BranchFactory(company=branch.company)
    manager = owner_of(branch.company)
    menu_item_branch_set(tenant=tenant_for(manager), menu_item_id=item.pk, branch=branch.pk, is_available=False)
    with pytest.raises(ValidationError) as exc:
        create(waiter, table, line(item))
    assert exc.value.detail["items"]["0"]["menu_item"] == ["This menu item is not available."]
    create(staff_of(other_branch), TableFactory(branch=other_branch), line(item))  # fine elsewhere

    menu_item_branch_set(
        tenant=tenant_for(manager), menu_item_id=item.pk, branch=branch.pk, is_available=True, remaining=1
    )
    create(waiter, table, line(item))
    assert MenuItemBranch.unscoped.get(branch=branch).remaining == 0
    with pytest.raises(StockShort):
        create(waiter, table, line(item))


def test_every_stop_list_change_emits_menu_item_updated(waiter, table, branch):
    manager = staff_of(branch, Role.MANAGER)
    item = MenuItemFactory(category__company=branch.company, branch=branch)
    menu_item_update(tenant=tenant_for(manager), menu_item_id=item.pk, remaining=2)
    create(waiter, table, line(item, 2))
    messages = logged_messages(branch.company)
    updates = [m["data"] for m in messages if m["type"] == "menu_item_updated"]
    assert [(u["menu_item"]["id"], u["menu_item"]["remaining"], u["branch_id"]) for u in updates] == [
        (str(item.pk), 2, str(branch.pk)),
        (str(item.pk), 0, str(branch.pk)),
    ]
    assert [m["type"] for m in messages][-1] == "menu_item_updated"  # after the order's own events


def test_company_wide_change_is_reported_to_every_branch(branch):
    other_branch = BranchFactory(company=branch.company)
    item = MenuItemFactory(category__company=branch.company)
    menu_item_update(tenant=tenant_for(owner_of(branch.company)), menu_item_id=item.pk, is_available=False)
    updates = [m["data"] for m in logged_messages(branch.company) if m["type"] == "menu_item_updated"]
    assert sorted(u["branch_id"] for u in updates) == sorted([str(branch.pk), str(other_branch.pk)])
    assert all(u["menu_item"]["is_available"] is False for u in updates)


def test_voided_reduced_and_cancelled_portions_go_back_on_the_list(waiter, table, branch):
    item = MenuItemFactory(category__company=branch.company, branch=branch, remaining=10)
    order = create(waiter, table, line(item, 4))
    row = order.items.get()
    tenant = tenant_for(waiter)
    order_line_update(tenant=tenant, order_id=order.pk, line_id=row.pk, quantity=6)
    assert MenuItem.unscoped.get(pk=item.pk).remaining == 4
    order_line_update(tenant=tenant, order_id=order.pk, line_id=row.pk, quantity=5)
    assert MenuItem.unscoped.get(pk=item.pk).remaining == 5
    with pytest.raises(StockShort):
        order_line_update(tenant=tenant, order_id=order.pk, line_id=row.pk, quantity=11)
    order_line_void(tenant=tenant, order_id=order.pk, line_id=row.pk, reason="spilt")
    assert MenuItem.unscoped.get(pk=item.pk).remaining == 10
    second = create(waiter, table, line(item, 3))
    order_finish(tenant=tenant, order_id=second.pk, status=OrderStatus.CANCELLED)
    assert MenuItem.unscoped.get(pk=item.pk).remaining == 10


def test_station_and_remaining_of_a_company_wide_item_are_set_per_branch(branch):
    item = MenuItemFactory(category__company=branch.company)
    owner = tenant_for(owner_of(branch.company))
    with pytest.raises(ValidationError) as exc:
        menu_item_update(tenant=owner, menu_item_id=item.pk, remaining=5)
    assert "remaining" in exc.value.detail


@pytest.mark.django_db(transaction=True)
def test_the_last_portion_ordered_by_two_waiters_at_once_goes_to_one(services, english_threads, run_in_threads):
    branch = BranchFactory()
    item = MenuItemFactory(category__company=branch.company, branch=branch, remaining=1)
    waiters = [staff_of(branch) for _ in range(2)]
    tables = [TableFactory(branch=branch) for _ in range(2)]

    results = run_in_threads(2, lambda i: order_for(waiters[i], tables[i], [(item, 1)]))

    assert sum(isinstance(r, Order) for r in results) == 1
    assert sum(isinstance(r, StockShort) for r in results) == 1
    item.refresh_from_db()
    assert item.remaining == 0
    assert OrderItem.unscoped.count() == 1
