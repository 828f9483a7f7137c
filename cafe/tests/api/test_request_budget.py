"""What one request may write (issue 18): the events of a transaction
(EVENTS_MAX_PER_REQUEST, EVENTS_MAX_BYTES_PER_REQUEST), and the sizes that make a
request fan out: branches per company (COMPANY_MAX_BRANCHES), modifiers per item
(MENU_ITEM_MAX_MODIFIERS) and portions per line (ORDER_LINE_MAX_QUANTITY). Each
limit answers with its name, and the refused change leaves nothing behind."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from accounts.models import Branch
from accounts.tenancy import tenant_for
from cafe.floor.events import TABLE_STATUS_CHANGED
from cafe.menu.models import MenuItem, Modifier
from cafe.menu.selectors import in_branch
from cafe.menu.serializers import MenuItemSerializer
from cafe.orders.models import KitchenTask, OrderItem, OrderItemEdit
from cafe.shared.serializers import represent
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    map_to_station,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from realtime.emit import PendingEvent, TooManyEvents, emit
from realtime.models import Event

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en", "format": "json"}


@pytest.fixture
def chain(branch):
    """A company of five branches and a company-wide item of three modifiers in two
    groups; the second branch has its own station and stop-list count for it."""
    company = branch.company
    others = [BranchFactory(company=company) for _ in range(4)]
    item = MenuItemFactory(category__company=company, title="Pizza", price=Decimal("500.00"))
    sizes, toppings = ModifierGroupFactory(menu_item=item, name="Size"), ModifierGroupFactory(menu_item=item)
    modifiers = [
        ModifierFactory(group=sizes, name="Large"),
        ModifierFactory(group=sizes),
        ModifierFactory(group=toppings),
    ]
    map_to_station(item, StationFactory(branch=others[0]), remaining=7)
    return {"owner": owner_of(company), "item": item, "modifier": modifiers[0], "company": company}


def rename(client_for, chain, name: str):
    return client_for(chain["owner"]).patch(f"/api/cafe/modifiers/{chain['modifier'].pk}/", {"name": name}, **EN)


def test_a_menu_change_sends_each_branch_the_item_as_it_sees_it(client_for, chain):
    """The normal path is unchanged: one event per branch, each the item as the REST
    API shows it from that branch (``in_branch``), whatever the branch's setting."""
    response = rename(client_for, chain, "Huge")

    assert response.status_code == 200, response.json()
    tenant = tenant_for(chain["owner"])
    messages = logged_messages(chain["company"])
    branches = sorted(Branch.unscoped.filter(company=chain["company"]).values_list("pk", flat=True))
    assert [(m["type"], m["data"]["branch_id"]) for m in messages] == [
        ("menu_item_updated", str(pk)) for pk in branches
    ]
    for message, pk in zip(messages, branches, strict=True):
        seen = in_branch(tenant, tenant.scope(MenuItem).filter(pk=chain["item"].pk), pk).get()
        assert message["data"] == {
            "menu_item": represent(MenuItemSerializer, seen),
            "company_id": str(chain["company"].pk),
            "branch_id": str(pk),
        }
    assert {m["data"]["menu_item"]["remaining"] for m in messages} == {None, 7}
    groups = messages[0]["data"]["menu_item"]["modifier_groups"]
    assert "Huge" in [modifier["name"] for group in groups for modifier in group["modifiers"]]


def test_a_menu_change_past_the_events_budget_is_refused(client_for, chain, settings):
    """Five branches, five events: with a budget of four the rename answers 409 and
    nothing is written."""
    settings.EVENTS_MAX_PER_REQUEST = 4

    response = rename(client_for, chain, "Huge")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This change would send 5 events; one request sends at most 4 (EVENTS_MAX_PER_REQUEST)."
    }
    assert Modifier.unscoped.get(pk=chain["modifier"].pk).name == "Large"
    assert not Event.objects.exists()
    settings.EVENTS_MAX_PER_REQUEST = 5
    assert rename(client_for, chain, "Huge").status_code == 200
    assert Event.objects.count() == 5


def test_a_menu_change_past_the_bytes_budget_is_refused(client_for, chain, settings):
    assert rename(client_for, chain, "Huge").status_code == 200
    written = sum(len(message.encode()) for message in Event.objects.values_list("message", flat=True))
    Event.objects.all().delete()
    settings.EVENTS_MAX_BYTES_PER_REQUEST = written - 100

    response = rename(client_for, chain, "Vast")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"This change would send more than {written - 100} bytes of events; one request sends at most "
        "that many (EVENTS_MAX_BYTES_PER_REQUEST)."
    }
    assert Modifier.unscoped.get(pk=chain["modifier"].pk).name == "Huge"
    assert not Event.objects.exists()


def test_the_budget_counts_every_emit_of_a_transaction_and_only_its_own(branch, settings):
    settings.EVENTS_MAX_PER_REQUEST = 3
    event = PendingEvent(
        TABLE_STATUS_CHANGED,
        branch.pk,
        {"table_id": "t", "table_number": 1, "status": "busy", "status_display": "x", "branch_id": str(branch.pk)},
    )
    with pytest.raises(TooManyEvents), transaction.atomic():  # noqa: PT012 - the block is one transaction, rolled back as a whole
        emit(company_id=branch.company_id, events=[event, event])
        emit(company_id=branch.company_id, events=[event, event])
    assert not Event.objects.exists()
    for _ in range(2):  # each transaction has a budget of its own
        with transaction.atomic():
            emit(company_id=branch.company_id, events=[event, event, event])
    assert Event.objects.count() == 6


def test_a_line_of_more_portions_than_the_limit_answers_400(client_for, branch, settings):
    settings.ORDER_LINE_MAX_QUANTITY = 5
    dish = station_dish(StationFactory(branch=branch))
    waiter = staff_of(branch)
    table = TableFactory(branch=branch)
    client = client_for(waiter)

    response = client.post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(dish.pk), "quantity": 6}]},
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {
        "items": {"0": {"quantity": ["A line has at most 5 portions (ORDER_LINE_MAX_QUANTITY)."]}}
    }
    assert not OrderItem.unscoped.exists()
    assert not Event.objects.exists()
    order = order_for(waiter, table, items=[(dish, 5)])
    line = order.items.get()
    events = Event.objects.count()
    response = client.patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", {"quantity": 6}, **EN)
    assert response.status_code == 400
    assert response.json() == {"quantity": ["A line has at most 5 portions (ORDER_LINE_MAX_QUANTITY)."]}
    assert OrderItem.unscoped.get(pk=line.pk).quantity == 5
    assert KitchenTask.unscoped.filter(line=line).count() == 5
    assert Event.objects.count() == events
    response = client.patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", {"note": "no onions"}, **EN)
    assert response.status_code == 200, response.json()
    assert Event.objects.count() == events + 6  # each portion's task and the order


def test_a_note_on_a_long_line_past_the_events_budget_is_refused(client_for, branch, settings):
    """The old shape of the attack: a line stored with more portions than the budget
    allows events (before ORDER_LINE_MAX_QUANTITY); its note edit is refused."""
    dish = station_dish(StationFactory(branch=branch))
    waiter = staff_of(branch)
    order = order_for(waiter, TableFactory(branch=branch), items=[(dish, 8)])
    line = order.items.get()
    events = Event.objects.count()
    settings.ORDER_LINE_MAX_QUANTITY, settings.EVENTS_MAX_PER_REQUEST = 5, 5

    response = client_for(waiter).patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", {"note": "no onions"}, **EN)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This change would send 9 events; one request sends at most 5 (EVENTS_MAX_PER_REQUEST)."
    }
    assert OrderItem.unscoped.get(pk=line.pk).note == ""
    assert Event.objects.count() == events
    assert not OrderItemEdit.unscoped.filter(line=line).exists()


def test_branches_past_the_limit_answer_409(client_for, branch, settings):
    settings.COMPANY_MAX_BRANCHES = 2
    client = client_for(owner_of(branch.company))

    assert client.post("/api/users/branches/", {"name": "Second"}, **EN).status_code == 201
    response = client.post("/api/users/branches/", {"name": "Third"}, **EN)

    assert response.status_code == 409
    assert response.json() == {"detail": "A company has at most 2 branches (COMPANY_MAX_BRANCHES)."}
    assert Branch.unscoped.filter(company=branch.company).count() == 2


def test_modifiers_past_the_limit_answer_409_counting_every_group(client_for, chain, settings):
    settings.MENU_ITEM_MAX_MODIFIERS = 3
    group = ModifierGroupFactory(menu_item=chain["item"], name="Sauce")

    response = client_for(chain["owner"]).post(
        "/api/cafe/modifiers/", {"group": str(group.pk), "name": "Garlic", "price": "10.00"}, **EN
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A menu item has at most 3 modifiers (MENU_ITEM_MAX_MODIFIERS)."}
    assert Modifier.unscoped.filter(group__menu_item=chain["item"]).count() == 3
    assert not Event.objects.exists()
    settings.MENU_ITEM_MAX_MODIFIERS = 4
    response = client_for(chain["owner"]).post(
        "/api/cafe/modifiers/", {"group": str(group.pk), "name": "Garlic", "price": "10.00"}, **EN
    )
    assert response.status_code == 201, response.json()


def _at_once(requests) -> list[int]:
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def run(request) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(request().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
def test_concurrent_branches_cannot_pass_the_limit(client_for, settings):
    """Counted with the company row locked: of four creations that would each fit
    alone, one gets 201."""
    settings.COMPANY_MAX_BRANCHES = 2
    branch = BranchFactory()
    clients = [client_for(owner_of(branch.company)) for _ in range(4)]
    requests = [
        lambda client=client, n=n: client.post("/api/users/branches/", {"name": f"Branch {n}"}, format="json")
        for n, client in enumerate(clients)
    ]

    assert _at_once(requests) == [201, 409, 409, 409]
    assert Branch.unscoped.filter(company=branch.company).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_modifiers_cannot_pass_the_limit(client_for, settings):
    """Counted with the item row locked: of four creations, in different groups of
    the item, that would each fit alone, one gets 201."""
    settings.MENU_ITEM_MAX_MODIFIERS = 2
    branch = BranchFactory()
    item = MenuItemFactory(category__company=branch.company)
    ModifierFactory(group=ModifierGroupFactory(menu_item=item))
    groups = [ModifierGroupFactory(menu_item=item) for _ in range(4)]
    clients = [client_for(owner_of(branch.company)) for _ in range(4)]
    requests = [
        lambda client=client, group=group: client.post(
            "/api/cafe/modifiers/", {"group": str(group.pk), "name": "Extra", "price": "1.00"}, format="json"
        )
        for client, group in zip(clients, groups, strict=True)
    ]

    assert _at_once(requests) == [201, 409, 409, 409]
    assert Modifier.unscoped.filter(group__menu_item=item).count() == 2
