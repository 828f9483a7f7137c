"""End to end: two real server processes (`manage.py serve`) on loopback sharing
PostgreSQL and Redis, real WebSocket clients (`websockets`) and real HTTP.

Skipped with the reason on a machine without PostgreSQL and Redis; under CI=true
it must run (the `services` fixture fails instead of skipping)."""

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from accounts.models import Role, User
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    UserFactory,
    owner_of,
    staff_of,
    station_dish,
)
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, TABLES, close_code, receive, url

# Real server processes: the end-to-end tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def http(server, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.http + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def quiet(socket, timeout: float = 1) -> bool:
    try:
        message = socket.recv(timeout=timeout)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected message: {message}")


def refused_with(address: str) -> int | None:
    with connect(address, open_timeout=5) as socket:
        return close_code(socket)


def greeted(socket, company, branch) -> dict:
    greeting = receive(socket)
    group = f"cafe_orders_{company.pk}" + (f"_{branch.pk}" if branch else "")
    expected = {
        "type": "connection_established",
        "company_id": str(company.pk),
        "branch_id": str(branch.pk) if branch else None,
        "group": group,
        "seq": greeting["seq"],
    }
    assert greeting == expected
    return greeting


@pytest.fixture
def servers(start_server):
    return start_server("a"), start_server("b")


@pytest.fixture
def world():
    branch = BranchFactory()
    company = branch.company
    other_branch = BranchFactory(company=company)
    return {
        "company": company,
        "branch": branch,
        "other_branch": other_branch,
        "waiter": staff_of(branch),
        "other_waiter": staff_of(other_branch),
        "owner": owner_of(company),
        "table": TableFactory(branch=branch, number=3),
        "other_table": TableFactory(branch=other_branch, number=3),
        "dish": MenuItemFactory(category__company=company, price="350.00"),
    }


def test_an_order_posted_on_one_server_reaches_sockets_on_both(servers, world):
    a, b = servers
    w = world
    waiter_token, owner_token = access_token(w["waiter"]), access_token(w["owner"])
    with (
        connect(url(a, ORDERS, waiter_token)) as here,
        connect(url(a, ORDERS, access_token(w["other_waiter"]))) as there,
        connect(url(b, ORDERS, owner_token)) as everything,
        connect(url(a, TABLES, waiter_token)) as tables,
    ):
        seq = greeted(here, w["company"], w["branch"])["seq"]
        greeted(there, w["company"], w["other_branch"])
        greeted(everything, w["company"], None)
        receive(tables)
        here.send(json.dumps({"action": "ping"}))
        assert receive(here) == {"type": "pong"}

        body = {"table": str(w["table"].pk), "guests": 2, "items": [{"menu_item": str(w["dish"].pk), "quantity": 2}]}
        status, order = http(b, "POST", "/api/cafe/orders/", waiter_token, body)
        assert status == 201, order
        assert order["total"] == "700.00"

        created, busy = receive(here), receive(here)
        assert {key: created[key] for key in ("type", "data", "seq")} == {
            "type": "order_created",
            "data": {"order": order, "company_id": str(w["company"].pk), "branch_id": str(w["branch"].pk)},
            "seq": seq + 1,
        }
        assert {key: busy[key] for key in ("type", "data", "seq")} == {
            "type": "table_status_changed",
            "data": {
                "table_id": str(w["table"].pk),
                "table_number": 3,
                "status": "busy",
                "status_display": "Занят",
                "branch_id": str(w["branch"].pk),
            },
            "seq": seq + 2,
        }
        assert set(created) == set(busy) == {"type", "data", "event_id", "seq", "ts"}
        assert [receive(everything), receive(everything)] == [created, busy]
        assert receive(tables) == busy
        assert quiet(there), "another branch's socket gets nothing"

        # The other branch's order, posted on server A, reaches the company-wide socket on B.
        other_body = {"table": str(w["other_table"].pk), "guests": 1}
        status, other_order = http(a, "POST", "/api/cafe/orders/", owner_token, other_body)
        assert status == 201, other_order
        other_created = receive(everything)
        assert other_created["type"] == "order_created"
        assert other_created["data"]["order"] == other_order
        assert receive(everything)["type"] == "table_status_changed"
        assert receive(there) == other_created
        receive(there)

        status, closed = http(a, "POST", f"/api/cafe/orders/{order['id']}/close/", waiter_token)
        assert status == 200
        assert receive(here)["data"]["order"] == closed
        assert receive(here)["data"]["status_display"] == "Свободен"
        assert receive(tables)["data"]["status"] == "free"
        assert quiet(here, 0.5)


def test_close_codes_reach_a_real_client(servers, world):
    a, b = servers
    w = world
    loner = UserFactory(role="", branch=None, company=None)
    foreign = BranchFactory()
    assert refused_with(url(a, ORDERS)) == 4003
    assert refused_with(url(a, ORDERS, "garbage")) == 4003
    assert refused_with(url(b, TABLES, access_token(w["waiter"], lifetime=timedelta(seconds=-5)))) == 4003
    assert refused_with(url(a, ORDERS, access_token(loner))) == 4004
    assert refused_with(url(b, ORDERS, access_token(w["owner"]), branch_id="not-a-uuid")) == 4005
    assert refused_with(url(a, ORDERS, access_token(w["owner"]), branch_id=foreign.pk)) == 4005
    assert refused_with(url(a, TABLES, access_token(w["waiter"]), branch_id=w["other_branch"].pk)) == 4005

    inactive = staff_of(w["branch"])
    token = access_token(inactive)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert refused_with(url(b, ORDERS, token)) == 4003


def test_a_socket_is_closed_4003_when_its_right_ends(servers, world):
    a, b = servers
    w = world
    moving = staff_of(w["branch"], Role.CASHIER)
    with (
        connect(url(a, ORDERS, access_token(w["waiter"], lifetime=timedelta(seconds=6)))) as expiring,
        connect(url(b, TABLES, access_token(w["other_waiter"]))) as deactivated,
        connect(url(a, ORDERS, access_token(moving))) as moved,
        connect(url(b, ORDERS, access_token(w["owner"]))) as stays,
    ):
        for socket in (expiring, deactivated, moved, stays):
            assert receive(socket)["type"] == "connection_established"
        User.objects.filter(pk=w["other_waiter"].pk).update(is_active=False)
        User.objects.filter(pk=moving.pk).update(branch=w["other_branch"])
        assert close_code(deactivated, timeout=5) == 4003
        assert close_code(moved, timeout=5) == 4003
        assert close_code(expiring, timeout=15) == 4003  # generous: a loaded machine connects slowly
        stays.send(json.dumps({"action": "ping"}))
        assert receive(stays) == {"type": "pong"}


def test_bad_frames_and_oversize_frames_on_a_real_server(servers, world):
    a, _ = servers
    with connect(url(a, ORDERS, access_token(world["waiter"])), max_size=None) as socket:
        receive(socket)
        socket.send("not json")
        assert receive(socket)["code"] == "invalid_json"
        socket.send(json.dumps({"action": "dance"}))
        assert receive(socket)["code"] == "unknown_action"
        socket.send(json.dumps({"action": "ping"}))
        assert receive(socket) == {"type": "pong"}
        socket.send("x" * (64 * 1024 + 1))
        assert close_code(socket) == 1009


def test_browser_origin_must_be_allowed_and_clients_without_one_get_in(servers, world):
    a, _ = servers
    token = access_token(world["waiter"])
    with pytest.raises(InvalidStatus) as refused:
        connect(url(a, ORDERS, token), origin="https://evil.example", open_timeout=5)
    assert refused.value.response.status_code == 403
    with connect(url(a, ORDERS, token), origin="http://localhost:3000") as browser:
        assert receive(browser)["type"] == "connection_established"
    with connect(url(a, ORDERS, token)) as postman:
        assert receive(postman)["type"] == "connection_established"


def test_tokens_never_reach_the_server_logs(servers, world):
    a, b = servers
    good = access_token(world["waiter"])
    expired = access_token(world["owner"], lifetime=timedelta(seconds=-5))
    with connect(url(a, ORDERS, good)) as socket:
        receive(socket)
    assert refused_with(url(b, TABLES, expired)) == 4003
    assert refused_with(url(b, ORDERS, "not-a-real-token-0123456789")) == 4003
    with pytest.raises(InvalidStatus):
        connect(url(a, TABLES, good), origin="https://evil.example", open_timeout=5)
    time.sleep(0.3)  # let the servers flush their access log lines
    logs = a.log() + b.log()
    assert "/ws/cafe/orders/" in logs, "the WebSocket requests were logged"
    assert "[redacted]" in logs, "the WebSocket requests were logged"
    for secret in (good, expired, "not-a-real-token-0123456789", good.split(".")[2], expired.split(".")[2]):
        assert secret not in logs


def test_log_level_quiets_the_servers_request_lines(start_server, world):
    quiet_server = start_server("quiet", LOG_LEVEL="WARNING")
    with connect(url(quiet_server, ORDERS, access_token(world["waiter"]))) as socket:
        receive(socket)
    status, _ = http(quiet_server, "GET", "/api/cafe/tables/", access_token(world["waiter"]))
    assert status == 200
    time.sleep(0.3)
    assert "/ws/cafe/orders/" not in quiet_server.log()
    assert "/api/cafe/tables/" not in quiet_server.log()


def test_kitchen_socket_across_servers_with_station_and_resume(servers, world):
    a, b = servers
    w = world
    hot, bar = StationFactory(branch=w["branch"]), StationFactory(branch=w["branch"])
    soup, mojito = station_dish(hot, title="Борщ"), station_dish(bar, title="Мохито")
    cook = staff_of(w["branch"], Role.COOK)
    cook_token, waiter_token = access_token(cook), access_token(w["waiter"])
    with (
        connect(url(a, "/ws/cafe/kitchen/", cook_token, station=hot.pk)) as hot_screen,
        connect(url(b, ORDERS, waiter_token)) as tablet,
    ):
        start = receive(hot_screen)["seq"]
        receive(tablet)
        body = {
            "table": str(w["table"].pk),
            "guests": 2,
            "items": [{"menu_item": str(soup.pk), "quantity": 1}, {"menu_item": str(mojito.pk), "quantity": 1}],
        }
        status, order = http(b, "POST", "/api/cafe/orders/", waiter_token, body)
        assert status == 201, order
        created = receive(hot_screen)
        assert created["type"] == "kitchen_task_created"
        assert (created["data"]["task"]["title"], created["data"]["task"]["table_number"]) == ("Борщ", 3)
        assert quiet(hot_screen, 0.5), "the bar's portion is not the hot station's"
        task = created["data"]["task"]["id"]
        status, claimed = http(a, "POST", f"/api/cafe/kitchen/tasks/{task}/claim/", cook_token)
        assert status == 200
        assert claimed["cook"] == str(cook.pk)
        update = receive(hot_screen)
        assert update["data"]["task"] == claimed
    # The screen is off while the portion is made ready on the other server.
    status, ready = http(b, "POST", f"/api/cafe/kitchen/tasks/{task}/ready/", cook_token)
    assert status == 200
    with connect(url(b, "/ws/cafe/kitchen/", cook_token, station=hot.pk, since=update["seq"])) as back:
        assert receive(back)["type"] == "connection_established"
        missed = receive(back)
        assert (missed["type"], missed["data"]["task"]) == ("kitchen_task_updated", ready)
        assert quiet(back, 0.5)
    with connect(url(a, ORDERS, waiter_token, since=start)) as tablet_again:
        receive(tablet_again)
        types = [receive(tablet_again)["type"] for _ in range(3)]
        assert types == ["order_created", "table_status_changed", "kitchen_task_ready"]
