import pytest
from rest_framework.exceptions import ValidationError

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_create, table_delete, table_update
from cafe.orders.models import OrderStatus
from cafe.orders.services import order_finish
from cafe.tests.factories import BranchFactory, TableFactory, logged_messages, order_for, owner_of, staff_of
from core.errors import Conflict
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(branch):
    return staff_of(branch, role=Role.MANAGER)


def test_create_in_own_branch_writes_table_created(manager, branch):
    table = table_create(tenant=tenant_for(manager), number=3, seats=6)

    assert (table.branch, table.company, table.number, table.seats, table.status) == (
        branch, branch.company, 3, 6, TableStatus.FREE,
    )  # fmt: skip
    [event] = logged_messages()
    assert event["type"] == "table_created"
    assert event["seq"] == 1
    assert event["data"] == {
        "table": {
            "id": str(table.pk),
            "branch": str(branch.pk),
            "number": 3,
            "seats": 6,
            "status": "free",
            "status_display": "Свободен",
            "zone": None,
            "x": 0,
            "y": 0,
            "width": 100,
            "height": 100,
            "shape": "rect",
            "rotation": 0,
        },
        "company_id": str(branch.company_id),
        "branch_id": str(branch.pk),
    }


def test_owner_must_name_a_branch_of_the_company(branch):
    owner = owner_of(branch.company)
    with pytest.raises(ValidationError) as exc:
        table_create(tenant=tenant_for(owner), number=1, seats=2)
    assert "branch" in exc.value.detail
    with pytest.raises(ValidationError) as exc:
        table_create(tenant=tenant_for(owner), number=1, seats=2, branch=BranchFactory().pk)
    assert "branch" in exc.value.detail
    table = table_create(tenant=tenant_for(owner), number=1, seats=2, branch=branch.pk)
    assert table.branch == branch


def test_branch_staff_cannot_create_in_another_branch(manager):
    other = BranchFactory(company=manager.company)
    with pytest.raises(ValidationError) as exc:
        table_create(tenant=tenant_for(manager), number=1, seats=2, branch=other.pk)
    assert "branch" in exc.value.detail
    assert Table.unscoped.count() == 0


def test_duplicate_number_in_branch_is_refused_without_event(manager, branch):
    TableFactory(branch=branch, number=5)
    with pytest.raises(ValidationError) as exc:
        table_create(tenant=tenant_for(manager), number=5, seats=2)
    assert "number" in exc.value.detail
    assert Event.objects.count() == 0
    # The same number in another branch is fine.
    other = BranchFactory(company=branch.company)
    table_create(tenant=tenant_for(owner_of(branch.company)), number=5, seats=2, branch=other.pk)


def test_reserve_and_free_write_status_change_then_update(manager, branch):
    table = TableFactory(branch=branch, number=2)
    tenant = tenant_for(manager)

    table_update(tenant=tenant, table_id=table.pk, status=TableStatus.RESERVED)
    table_update(tenant=tenant, table_id=table.pk, status=TableStatus.FREE)

    msgs = logged_messages()
    assert [m["type"] for m in msgs] == [
        "table_status_changed", "table_updated", "table_status_changed", "table_updated",
    ]  # fmt: skip
    assert [m["seq"] for m in msgs] == [1, 2, 3, 4]
    assert msgs[0]["data"] == {
        "table_id": str(table.pk),
        "table_number": 2,
        "status": "reserved",
        "status_display": "Забронирован",
        "branch_id": str(branch.pk),
    }
    assert msgs[1]["data"]["table"]["status"] == "reserved"
    assert msgs[3]["data"]["table"]["status_display"] == "Свободен"


def test_update_without_status_change_sends_no_status_event(manager, branch):
    table = TableFactory(branch=branch)
    table_update(tenant=tenant_for(manager), table_id=table.pk, seats=8)
    assert [m["type"] for m in logged_messages()] == ["table_updated"]
    assert logged_messages()[0]["data"]["table"]["seats"] == 8


def test_busy_table_stays_busy(manager, branch):
    table = TableFactory(branch=branch)
    order_for(manager, table)
    before = Event.objects.count()
    for status in (TableStatus.FREE, TableStatus.RESERVED):
        with pytest.raises(Conflict):
            table_update(tenant=tenant_for(manager), table_id=table.pk, status=status)
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY
    assert Event.objects.count() == before


def test_reserved_table_freed_after_its_order_ends(manager, branch):
    table = TableFactory(branch=branch, status=TableStatus.RESERVED)
    order = order_for(manager, table)
    order_finish(tenant=tenant_for(manager), order_id=order.pk, status=OrderStatus.CLOSED)
    table.refresh_from_db()
    assert table.status == TableStatus.FREE


def test_table_cannot_move_branch(manager, branch):
    table = TableFactory(branch=branch)
    with pytest.raises(ValidationError) as exc:
        table_update(tenant=tenant_for(manager), table_id=table.pk, branch=BranchFactory().pk)
    assert "branch" in exc.value.detail


def test_renumber_to_taken_number_is_refused(manager, branch):
    TableFactory(branch=branch, number=1)
    table = TableFactory(branch=branch, number=2)
    with pytest.raises(ValidationError) as exc:
        table_update(tenant=tenant_for(manager), table_id=table.pk, number=1)
    assert "number" in exc.value.detail
    table.refresh_from_db()
    assert table.number == 2
    assert Event.objects.count() == 0


def test_delete_writes_table_deleted(manager, branch):
    table = TableFactory(branch=branch, number=9)
    table_id = table.pk
    table_delete(tenant=tenant_for(manager), table_id=table_id)
    assert not Table.unscoped.filter(pk=table_id).exists()
    [event] = logged_messages()
    assert event["type"] == "table_deleted"
    assert event["data"]["table"]["id"] == str(table_id)
    assert event["data"]["table"]["number"] == 9
    assert event["data"]["branch_id"] == str(branch.pk)


def test_table_with_orders_cannot_be_deleted(manager, branch):
    table = TableFactory(branch=branch)
    order_for(manager, table)
    before = Event.objects.count()
    with pytest.raises(Conflict):
        table_delete(tenant=tenant_for(manager), table_id=table.pk)
    assert Table.unscoped.filter(pk=table.pk).exists()
    assert Event.objects.count() == before


def test_other_branch_table_is_not_found_for_branch_staff(manager):
    table = TableFactory(branch=BranchFactory(company=manager.company))
    with pytest.raises(Table.DoesNotExist):
        table_update(tenant=tenant_for(manager), table_id=table.pk, seats=2)
    with pytest.raises(Table.DoesNotExist):
        table_delete(tenant=tenant_for(manager), table_id=table.pk)
