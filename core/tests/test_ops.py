"""Request ids, request lines, HTTP and business metrics, the metrics guard and the
log redaction, in this process (the real servers: core/tests/test_ops_servers.py)."""

import io
import json
import logging
import re
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, staff_of
from core.logging import JsonFormatter, RedactTokens, RequestContext, redact
from core.metrics import OTHER, BoundedLabel
from core.ops import metrics_allowed
from core.requestlog import readable

pytestmark = pytest.mark.django_db


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def request_lines():
    """The ``cafe.requests`` records, written as the JSON lines production writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("cafe.requests")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def world():
    branch = BranchFactory()
    return {
        "branch": branch,
        "waiter": staff_of(branch),
        "table": TableFactory(branch=branch, number=1),
        "dish": MenuItemFactory(category__company=branch.company, price="350.00"),
    }


def test_a_sane_request_id_is_echoed_and_any_other_replaced(api_client):
    assert api_client.get("/api/users/me/", HTTP_X_REQUEST_ID="lb-42.7:a_b")["X-Request-ID"] == "lb-42.7:a_b"
    for insane in ("", "a" * 65, "two words", "x\u00e9", "<script>"):
        answered = api_client.get("/api/users/me/", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), insane
    first, second = (api_client.get("/api/users/me/")["X-Request-ID"] for _ in range(2))
    assert first != second


def test_each_request_has_one_line_with_its_id_user_company_route_status_and_duration(client_for, world, request_lines):
    waiter = world["waiter"]
    answer = client_for(waiter).get(f"/api/cafe/tables/{world['table'].pk}/", HTTP_X_REQUEST_ID="req-1")
    assert answer.status_code == 200
    (line,) = request_lines()
    assert line.pop("time")
    assert line.pop("duration_ms") >= 0
    assert line == {
        "level": "INFO",
        "logger": "cafe.requests",
        "message": "GET /api/cafe/tables/{pk}/ 200",
        "request_id": "req-1",
        "method": "GET",
        "route": "/api/cafe/tables/{pk}/",
        "status": 200,
        "user_id": str(waiter.pk),
        "company_id": str(waiter.company_id),
    }


def test_an_anonymous_or_unrouted_request_has_no_user_and_no_raw_path(api_client, request_lines):
    api_client.get("/api/users/me/")
    api_client.get("/no/such/page/3fa85f64-5717-4562-b3fc-2c963f66afa6/")
    me, unrouted = request_lines()
    assert (me["route"], me["status"], "user_id" in me) == ("/api/users/me/", 401, False)
    assert (unrouted["route"], unrouted["status"]) == ("unmatched", 404)
    assert "3fa85f64" not in json.dumps(unrouted)


def test_http_requests_are_counted_and_timed_by_route_never_by_path(client_for, world):
    client = client_for(world["waiter"])
    route = {"method": "GET", "route": "/api/cafe/tables/{pk}/"}
    before = sample("cafe_http_requests_total", **route, status="200")
    timed = sample("cafe_http_request_duration_seconds_count", **route)
    for _ in range(3):
        assert client.get(f"/api/cafe/tables/{world['table'].pk}/").status_code == 200
    assert client.get("/api/cafe/tables/3fa85f64-5717-4562-b3fc-2c963f66afa6/").status_code == 404
    assert sample("cafe_http_requests_total", **route, status="200") == before + 3
    assert sample("cafe_http_requests_total", **route, status="404") >= 1
    assert sample("cafe_http_request_duration_seconds_count", **route) == timed + 4
    paths = [s.labels.get("route", "") for m in REGISTRY.collect() for s in m.samples]
    assert not any(str(world["table"].pk) in path for path in paths)


def test_router_patterns_read_as_paths():
    uuid = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    assert readable(f"api/cafe/orders/(?P<pk>{uuid})/pay/$") == "/api/cafe/orders/{pk}/pay/"
    assert readable("api/x/(?P<a>(b|c)\\))/(?P<d>[^/]+)/$") == "/api/x/{a}/{d}/"
    assert readable("api/users/login/") == "/api/users/login/"


@pytest.mark.django_db(transaction=True)
def test_orders_payments_and_revenue_are_counted_per_branch_at_commit(client_for, world):
    branch = str(world["branch"].pk)
    client = client_for(world["waiter"])
    created = sample("cafe_orders_created_total", branch=branch)
    payments = sample("cafe_payments_total", branch=branch, method="card")
    revenue = sample("cafe_revenue_total", branch=branch)
    closed = sample("cafe_orders_ended_total", branch=branch, status="closed")
    body = {
        "table": str(world["table"].pk),
        "guests": 2,
        "items": [{"menu_item": str(world["dish"].pk), "quantity": 2}],
    }
    order = client.post("/api/cafe/orders/", body, format="json").json()
    assert sample("cafe_orders_created_total", branch=branch) == created + 1
    paid = client.post(
        f"/api/cafe/orders/{order['id']}/pay/",
        {"tenders": [{"method": "card", "amount": order["total"]}]},
        format="json",
    )
    assert paid.status_code == 200, paid.json()
    assert sample("cafe_payments_total", branch=branch, method="card") == payments + 1
    assert Decimal(str(sample("cafe_revenue_total", branch=branch) - revenue)) == Decimal(order["total"])
    assert sample("cafe_orders_ended_total", branch=branch, status="closed") == closed + 1
    # A refused write counts nothing.
    refused = client.post("/api/cafe/orders/", {**body, "guests": 0}, format="json")
    assert refused.status_code == 400
    assert sample("cafe_orders_created_total", branch=branch) == created + 1


def test_branch_labels_are_bounded():
    label = BoundedLabel(limit=2)
    assert [label("a"), label("b"), label("c"), label("a"), label("d")] == ["a", "b", OTHER, "a", OTHER]


@pytest.mark.parametrize(
    ("token", "networks", "debug", "client", "authorization", "refused"),
    [
        ("", [], False, "127.0.0.1", None, 404),  # production, nothing set: off
        ("", [], True, "127.0.0.1", None, None),  # DEBUG: loopback
        ("", [], True, "10.0.0.5", None, 403),
        ("s" * 20, [], False, "203.0.113.9", "Bearer " + "s" * 20, None),
        ("s" * 20, [], False, "203.0.113.9", "bearer " + "s" * 20, None),
        ("s" * 20, [], False, "203.0.113.9", "Bearer " + "s" * 19, 403),
        ("s" * 20, [], False, "203.0.113.9", None, 403),
        ("s" * 20, [], False, "203.0.113.9", "Basic " + "s" * 20, 403),
        ("", ["10.0.0.0/8", "::1"], False, "10.1.2.3", None, None),
        ("", ["10.0.0.0/8", "::1"], False, "::1", None, None),
        ("", ["10.0.0.0/8"], False, "192.168.1.1", None, 403),
        ("", ["10.0.0.0/8"], False, None, None, 403),
        ("s" * 20, ["10.0.0.0/8"], False, "10.1.2.3", None, 403),  # both set: both needed
        ("s" * 20, ["10.0.0.0/8"], False, "192.168.1.1", "Bearer " + "s" * 20, 403),
        ("s" * 20, ["10.0.0.0/8"], False, "10.1.2.3", "Bearer " + "s" * 20, None),
    ],
)
def test_the_metrics_guard(settings, token, networks, debug, client, authorization, refused):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS, settings.DEBUG = token, networks, debug
    assert metrics_allowed(client, authorization) == refused


@pytest.mark.parametrize(
    ("logged", "secret"),
    [
        ('login failed for {"email": "a@b.c", "password": "hunter2-secret"}', "hunter2-secret"),
        ("password=hunter2-secret&email=a@b.c", "hunter2-secret"),
        ("new_password: hunter2-secret", "hunter2-secret"),
        ("{'pin': '4321', 'guests': 2}", "4321"),
        ("pin_code=4321", "4321"),
        ('"pinCode": "4321"', "4321"),
        ("customer_phone=8 900 555-12-34&x=1", "555-12-34"),
        ('{"customer_phone": "8 (900) 555-12-34"}', "555-12-34"),
        ("call the guest at +7 (900) 555-12-34 when ready", "555-12-34"),
        ("GET /ws/?customer_phone=%2B79005551234", "9005551234"),
        ("Authorization: Bearer opaque-metrics-credential", "opaque-metrics-credential"),
        ("client_secret=abcdef123", "abcdef123"),
    ],
)
def test_passwords_pins_phones_and_bearer_credentials_are_redacted(logged, secret):
    assert secret not in str(redact(logged))
    assert "[redacted]" in str(redact(logged))


@pytest.mark.parametrize(
    "harmless",
    [
        "GET /api/cafe/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6/ 200",
        "shipping: 3, ping: 4, total: 350.00",
        "2026-05-01T12:00:00+03:00 seq 12345678 company 4",
        "hub subscribed to Redis channel cafe.events",
    ],
)
def test_redaction_leaves_ordinary_lines_alone(harmless):
    assert redact(harmless) == harmless


def test_json_lines_redact_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("core.tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("body %s", {"password": "hunter2-secret", "phone": "+7 900 555 12 34"})
        try:
            raise ValueError("pin=4321")
        except ValueError:
            logger.exception("failed for token=%s", "abc.def")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("hunter2-secret", "555 12 34", "4321", "abc.def"):
        assert secret not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["message"] == "body {'password': '[redacted]', 'phone': '[redacted]'}"
    assert "ValueError: pin=[redacted]" in second["exception"]
