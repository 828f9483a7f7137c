"""The answers kept for one user's `Idempotency-Key`s are bounded (issue 18): each key
used to keep its whole answer — 59 KiB for a large order — with no limit per user.
Past ``IDEMPOTENCY_USER_BYTES`` the oldest answers are dropped; a retry of one answers
409 and changes nothing."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum

from cafe.orders.models import Order
from cafe.tests.factories import MenuItemFactory, TableFactory, UserFactory, staff_of
from core.models import IdempotencyKey
from realtime.models import Event
from realtime.tests.delivery.conftest import http
from realtime.tests.delivery.test_idempotency import at_once

ORDERS = "/api/cafe/orders/"
DROPPED = {
    "detail": "This request was already carried out; its answer is no longer kept. "
    "Read the current state instead of retrying it."
}


@pytest.fixture
def waiter():
    return UserFactory()


@pytest.fixture
def body(waiter):
    table = TableFactory(branch=waiter.branch)
    item = MenuItemFactory(category__company=waiter.company)
    return {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(item.pk), "quantity": 1}]}


def stored(user) -> dict[str, int | None]:
    return dict(IdempotencyKey.objects.filter(user=user).order_by("created_at", "pk").values_list("key", "body_bytes"))


def kept_bytes(user) -> int:
    return IdempotencyKey.objects.filter(user=user, body_bytes__gt=0).aggregate(total=Sum("body_bytes"))["total"]


def post(client, body, key):
    return client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_the_stored_size_is_the_answers_json(client_for, waiter, body):
    answer = post(client_for(waiter), body, "k").json()
    record = IdempotencyKey.objects.get(key="k")
    assert record.body == answer
    assert record.body_bytes == len(json.dumps(answer, cls=DjangoJSONEncoder).encode()) > 500


@pytest.mark.django_db
def test_the_oldest_answers_are_dropped_to_stay_within_the_allowance(client_for, waiter, body, settings):
    client = client_for(waiter)
    size = post(client, body, "k0").json() and IdempotencyKey.objects.get(key="k0").body_bytes
    settings.IDEMPOTENCY_USER_BYTES = 3 * size + size // 2  # room for three
    answers = {f"k{n}": post(client, body, f"k{n}").json() for n in range(1, 5)}
    assert list(stored(waiter).values())[:2] == [None, None]  # k0 and k1
    assert all(list(stored(waiter).values())[2:])
    assert kept_bytes(waiter) <= settings.IDEMPOTENCY_USER_BYTES
    orders, events = Order.unscoped.count(), Event.objects.count()

    kept = post(client, body, "k4")  # the newest: replayed as before
    assert (kept.status_code, kept.json(), kept.headers["Idempotent-Replayed"]) == (201, answers["k4"], "true")
    dropped = post(client, body, "k1")  # done, but its answer is gone: not done again
    assert (dropped.status_code, dropped.json(), dropped.headers["Idempotent-Replayed"]) == (409, DROPPED, "true")
    assert (Order.unscoped.count(), Event.objects.count()) == (orders, events)
    other = post(client, {**body, "guests": 3}, "k1")  # still the key of another request
    assert other.status_code == 422


@pytest.mark.django_db
def test_an_answer_larger_than_the_allowance_is_not_kept(client_for, waiter, body, settings):
    settings.IDEMPOTENCY_USER_BYTES = 100
    client = client_for(waiter)
    first = post(client, body, "big")
    assert first.status_code == 201
    assert stored(waiter) == {"big": None}
    retry = post(client, body, "big")
    assert (retry.status_code, retry.json()) == (409, DROPPED)
    assert Order.unscoped.count() == 1


@pytest.mark.django_db
def test_one_users_answers_do_not_push_out_anothers(client_for, waiter, body, settings):
    colleague = staff_of(waiter.branch)
    post(client_for(colleague), body, "mine")
    settings.IDEMPOTENCY_USER_BYTES = IdempotencyKey.objects.get().body_bytes + 10
    for n in range(3):
        post(client_for(waiter), body, f"k{n}")
    assert stored(colleague)["mine"] is not None
    assert list(stored(waiter).values())[:2] == [None, None]
    assert post(client_for(waiter), body, "k0").status_code == 409


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_of_one_user_stay_within_the_allowance(start_server, make_world):
    """The bound holds for one user's requests at once on two processes, each order at
    its own table (their events still serialise them on the company's row)."""
    probe = start_server("probe")
    world = make_world(branches=1, tables=13)
    branch = str(world.branches[0].pk)
    token = world.waiters[branch][0][1]
    tables = [str(table.pk) for table in world.tables[branch]]

    def body(n: int) -> dict:  # each at its own table: nothing else makes them wait for each other
        return {"table": tables[n], "guests": 2, "items": [{"menu_item": str(world.menu[0].pk), "quantity": 1}]}

    assert http(probe.http, "POST", ORDERS, token, body(12), key="probe").status == 201
    size = IdempotencyKey.objects.get(key="probe").body_bytes
    probe.stop()
    allowance = str(4 * size + size // 2)
    servers = [start_server("a", IDEMPOTENCY_USER_BYTES=allowance), start_server("b", IDEMPOTENCY_USER_BYTES=allowance)]

    answers = at_once(12, lambda n: http(servers[n % 2].http, "POST", ORDERS, token, body(n), key=f"k{n}"))
    assert [a.status for a in answers] == [201] * 12, [a.body for a in answers]
    user = IdempotencyKey.objects.get(key="probe").user
    assert kept_bytes(user) <= int(allowance)
    assert sum(1 for size in stored(user).values() if size) == 4
