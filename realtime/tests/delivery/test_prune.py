"""`manage.py prune_events`: drops events and idempotency keys past retention."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Company
from cafe.tests.factories import MenuItemFactory, TableFactory, UserFactory, order_for
from core.models import IdempotencyKey
from realtime.management.commands.prune_events import Command
from realtime.models import Event

pytestmark = pytest.mark.django_db


def prune() -> str:
    out = io.StringIO()
    call_command("prune_events", stdout=out)
    return out.getvalue()


def age(queryset, hours: float) -> None:
    queryset.update(created_at=timezone.now() - timedelta(hours=hours))


def test_prunes_events_and_keys_older_than_24_hours_by_default(client_for):
    waiter = UserFactory()
    table = TableFactory(branch=waiter.branch)
    item = MenuItemFactory(category__company=waiter.company)
    for _ in range(3):
        order_for(waiter, table)  # order_created (+ table_status_changed the first time)
    assert list(Event.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    age(Event.objects.filter(seq__lte=2), 25)
    age(Event.objects.filter(seq=3), 23)

    client = client_for(waiter)
    body = {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(item.pk), "quantity": 1}]}
    for key in ("old", "recent"):
        assert client.post("/api/cafe/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    age(IdempotencyKey.objects.filter(key="old"), 25)
    age(IdempotencyKey.objects.filter(key="recent"), 23)

    assert prune().strip() == "Pruned 2 events and 1 idempotency keys."
    assert list(Event.objects.values_list("seq", flat=True)) == [3, 4, 5, 6]
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]

    # A key kept is still answered from storage; a pruned one is free again.
    other = {**body, "guests": 2}
    assert client.post("/api/cafe/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="recent").status_code == 422
    assert client.post("/api/cafe/orders/", other, format="json", HTTP_IDEMPOTENCY_KEY="old").status_code == 201


def test_retention_is_configurable_and_seq_goes_on_after_pruning_everything(settings):
    waiter = UserFactory()
    table = TableFactory(branch=waiter.branch)
    order_for(waiter, table)
    order_for(waiter, table)
    age(Event.objects.all(), 2)
    settings.EVENT_RETENTION = timedelta(hours=3)
    assert prune().startswith("Pruned 0 events")
    settings.EVENT_RETENTION = timedelta(hours=1)
    assert prune().startswith("Pruned 3 events")
    assert not Event.objects.exists()

    order_for(waiter, TableFactory(branch=waiter.branch))
    assert list(Event.objects.values_list("seq", flat=True)) == [4, 5]
    assert Company.objects.get(pk=waiter.company_id).event_seq == 5


def test_the_command_documents_itself():
    assert "EVENT_RETENTION_HOURS" in Command.help
    assert "IDEMPOTENCY_RETENTION_HOURS" in Command.help
