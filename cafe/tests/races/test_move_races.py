"""A move racing a pay, a close, a cancel or a split of the same order, round after
round, through the HTTP API on PostgreSQL (issue 18: such races deadlocked in the
database, and the client got a 500 although nothing was lost).

Each round takes a fresh order at a fresh table, then lets its parties (tablets: each
its own client, thread and so database connection) send their requests at once, in
turn first. Every answer must be a 2xx or a refusal that tells the waiter what
happened (``REFUSALS``); afterwards the order's state agrees with the answers, and the
money, the tables, the kitchen and the event log hold (``_invariants``). The rounds
all run before the answers are judged, so a failure tells how many of them went
wrong and why (a 500's exception, with PostgreSQL's DETAIL lines)."""

import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import Branch, Company, User
from accounts.services import tokens_for
from cafe.bill.models import Payment
from cafe.floor.models import Table, TableStatus
from cafe.menu.models import MenuItem
from cafe.orders.models import KitchenTask, Order, OrderItem, OrderStatus, TaskStatus
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    open_shift,
    order_for,
    staff_of,
    station_dish,
)

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
ROUNDS = 30

CLOSED = "The order is closed; only open orders can change."
CANCELLED = "The order is cancelled; only open orders can change."
MOVING = "The order is being moved to another table; try again."

# The refusals a racing request may get, by action: each says what happened (another
# tablet ended the order, or is moving it) or what to do. Anything else fails the test.
REFUSALS: dict[str, list[tuple[int, Any]]] = {
    "move": [
        (409, {"detail": CLOSED}),
        (409, {"detail": CANCELLED}),
        (409, {"detail": MOVING}),
        (400, {"table": ["The order is already at this table."]}),
    ],
    "split": [(409, {"detail": CLOSED}), (409, {"detail": CANCELLED}), (409, {"detail": MOVING})],
    "pay": [(409, {"detail": MOVING})],
    "close": [(409, {"detail": MOVING})],
    "cancel": [(409, {"detail": MOVING})],
}


@dataclass(frozen=True)
class Request:
    action: str
    path: str
    body: dict[str, Any]
    table: uuid.UUID | None = None  # where a move asks the order to go


@dataclass(frozen=True)
class Answer:
    request: Request
    status: int
    body: Any
    error: str = ""  # a 500's exception (or a thread's), as the server saw it

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class World:
    company: Company
    branch: Branch
    waiter: User
    tablets: list[User]
    soup: MenuItem  # made at a station: its portions are kitchen tasks
    tea: MenuItem


@pytest.fixture
def world(services, settings) -> World:
    settings.LANGUAGE_CODE = "en"
    branch = BranchFactory()
    open_shift(branch)  # the payments are cash
    soup = station_dish(StationFactory(branch=branch), price=D("350.00"))
    tea = MenuItemFactory(category__company=branch.company, price=D("100.00"))
    return World(branch.company, branch, staff_of(branch), [staff_of(branch) for _ in range(3)], soup, tea)


def move(order: Order, table: Table) -> Request:
    return Request("move", f"/api/cafe/orders/{order.pk}/move/", {"table": str(table.pk)}, table.pk)


def pay(order: Order) -> Request:
    # Cash for the whole bill: accepted whether or not a split took lines off first
    # (what is over the bill is change).
    tenders = [{"method": "cash", "amount": str(order.total)}]
    return Request("pay", f"/api/cafe/orders/{order.pk}/pay/", {"tenders": tenders})


def close(order: Order) -> Request:
    return Request("close", f"/api/cafe/orders/{order.pk}/close/", {})


def cancel(order: Order) -> Request:
    return Request("cancel", f"/api/cafe/orders/{order.pk}/cancel/", {})


def split(order: Order, line: OrderItem) -> Request:
    return Request("split", f"/api/cafe/orders/{order.pk}/split/", {"lines": [{"line": str(line.pk), "quantity": 1}]})


def _client(user: User) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    client.raise_request_exception = False  # a 500 is an answer, as a device gets it
    return client


def _send(client: APIClient, request: Request) -> Answer:
    response = client.post(request.path, request.body, format="json")
    error = ""
    if response.status_code >= 500:
        exc_info = getattr(response, "exc_info", None)
        error = f"{type(exc_info[1]).__name__}: {exc_info[1]}" if exc_info else response.content.decode()
    is_json = response.get("Content-Type", "").startswith("application/json")
    return Answer(request, response.status_code, response.json() if is_json else response.content.decode(), error)


def _at_once(clients: Sequence[APIClient], parties: Sequence[Sequence[Request]]) -> list[Answer]:
    """Each party sends its requests in turn, all parties at once (threads released
    together, each with its own database connection)."""
    barrier = threading.Barrier(len(parties))
    answers: list[Answer] = []
    lock = threading.Lock()

    def run(client: APIClient, requests: Sequence[Request]) -> None:
        try:
            barrier.wait(timeout=10)
            for request in requests:
                answer = _send(client, request)
                with lock:
                    answers.append(answer)
        except Exception as exc:
            with lock:
                answers.append(Answer(requests[0], 0, None, f"{type(exc).__name__}: {exc}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(clients, parties, strict=False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung for a minute"
    return answers


def _refused_clearly(answer: Answer) -> bool:
    return (answer.status, answer.body) in REFUSALS[answer.request.action]


def _agrees(order: Order, home: Table, answers: Sequence[Answer]) -> None:
    """The order is as the answers say: ended by the one pay, close or cancel that
    succeeded (none: still open, at a table one answered move took it to, or at home);
    one payment per successful pay, one new order per successful split."""
    done = Counter(answer.request.action for answer in answers if answer.ok)
    order.refresh_from_db()
    assert done["pay"] + done["close"] + done["cancel"] <= 1, answers
    if done["pay"] or done["close"]:
        assert order.status == OrderStatus.CLOSED
    elif done["cancel"]:
        assert order.status == OrderStatus.CANCELLED
    else:
        assert order.status == OrderStatus.OPEN
    moved_to = {answer.request.table for answer in answers if answer.ok and answer.request.action == "move"}
    assert order.table_id in (moved_to or {home.pk})
    assert Payment.unscoped.filter(order=order).count() == done["pay"]
    if done["pay"]:
        assert order.paid == order.total > 0
    assert Order.unscoped.filter(split_from=order).count() == done["split"]


def _invariants(world: World) -> None:
    """What holds whatever the races did: each order paid at most once and never
    above its bill; a table busy exactly while it has an open order; each portion on
    its line's order, none left live on a cancelled order; and an event log with no
    gap whose last word on each order and table is the database's."""
    company = world.company
    orders = list(Order.unscoped.filter(company=company))
    payments: dict[uuid.UUID, list[Decimal]] = defaultdict(list)
    for order_id, amount in Payment.unscoped.filter(company=company).values_list("order", "amount"):
        payments[order_id].append(amount)
    for order in orders:
        taken = payments.get(order.pk, [])
        assert len(taken) <= 1, order
        assert order.paid == sum(taken, D(0)) <= order.total, order
        if taken:
            assert (order.status, order.paid) == (OrderStatus.CLOSED, order.total), order

    busy = set(Table.unscoped.filter(branch=world.branch, status=TableStatus.BUSY).values_list("pk", flat=True))
    with_open = set(Order.unscoped.filter(company=company, status=OrderStatus.OPEN).values_list("table", flat=True))
    assert busy == with_open

    for task in KitchenTask.unscoped.filter(company=company).select_related("line", "order"):
        assert task.order_id == task.line.order_id, task
        if task.order.status == OrderStatus.CANCELLED:
            assert task.status == TaskStatus.CANCELLED, task

    messages = logged_messages(company)
    assert [message["seq"] for message in messages] == list(range(1, len(messages) + 1))
    last: dict[str, dict[str, Any]] = {}
    paid_events: Counter[str] = Counter()
    endings: Counter[str] = Counter()
    table_changes: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        kind, data = message["type"], message["data"]
        if kind.startswith("order_"):
            last[data["order"]["id"]] = data["order"]
        paid_events[data.get("order", {}).get("id")] += kind == "order_paid"
        endings[data.get("order", {}).get("id")] += kind in ("order_closed", "order_cancelled")
        if kind == "table_status_changed":
            table_changes[data["table_id"]].append(data["status"])
    for order in orders:
        key = str(order.pk)
        seen = last[key]
        assert (seen["status"], seen["table"], D(seen["total"]), len(seen["payments"])) == (
            order.status,
            str(order.table_id),
            order.total,
            len(payments.get(order.pk, [])),
        ), order
        assert paid_events[key] == len(payments.get(order.pk, [])), order
        assert endings[key] == (order.status != OrderStatus.OPEN), order
    for table in Table.unscoped.filter(branch=world.branch):
        changes = table_changes.get(str(table.pk), [])
        # Busy and free by turns, from free: each change reported once, none lost.
        assert changes == ["busy", "free"] * (len(changes) // 2) + ["busy"] * (len(changes) % 2), table
        assert (changes[-1] if changes else TableStatus.FREE) == table.status, table


Parties = Callable[[Order, OrderItem, list[Table]], list[list[Request]]]


def _rounds(world: World, parties: Parties, *, tables: int = 2) -> None:
    """Plays ``ROUNDS`` races, each on a fresh order (two soups, a tea) at the first of
    fresh tables, the parties taking turns to start first; checks each round's
    outcome, then that no answer was a 500 or an unclear refusal."""
    clients = [_client(tablet) for tablet in world.tablets]
    unclear: list[tuple[int, Answer]] = []
    for number in range(1, ROUNDS + 1):
        here = [TableFactory(branch=world.branch) for _ in range(tables)]
        order = order_for(world.waiter, here[0], [(world.soup, 2), (world.tea, 1)])
        soup = order.items.get(menu_item=world.soup)
        lined_up = parties(order, soup, here)
        turn = number % len(lined_up)
        answers = _at_once(clients, lined_up[turn:] + lined_up[:turn])
        unclear += [(number, answer) for answer in answers if not answer.ok and not _refused_clearly(answer)]
        _agrees(order, here[0], answers)
        _invariants(world)
    failed = sorted({number for number, _ in unclear})
    report = "\n".join(
        f"round {number}: {answer.request.action} -> {answer.status} {answer.error or answer.body}"
        for number, answer in unclear
    )
    assert not unclear, f"{len(failed)} of {ROUNDS} rounds had a 500 or an unclear refusal:\n{report}"


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda order, soup: pay(order), id="pay"),
        pytest.param(lambda order, soup: close(order), id="close"),
        pytest.param(lambda order, soup: cancel(order), id="cancel"),
        pytest.param(split, id="split"),
    ],
)
def test_a_move_racing_an_action_on_the_same_order(world, action):
    _rounds(world, lambda order, soup, tables: [[move(order, tables[1])], [action(order, soup)]])


ENDINGS = [
    pytest.param(lambda order: pay(order), id="pay"),
    pytest.param(lambda order: close(order), id="close"),
    pytest.param(lambda order: cancel(order), id="cancel"),
]


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_move_there_and_back_racing_an_end_of_the_order(world, ending):
    """The end of the order waits for the move there, then finds the order gone to
    another table while the move back may already hold that table."""

    def parties(order: Order, soup: OrderItem, tables: list[Table]) -> list[list[Request]]:
        home, there = tables
        return [[move(order, there), move(order, home)], [ending(order)]]

    _rounds(world, parties)


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_move_a_split_and_an_end_of_one_order_at_once(world, ending):
    _rounds(world, lambda order, soup, tables: [[move(order, tables[1])], [split(order, soup)], [ending(order)]])


def test_moves_back_and_forth_racing_a_payment(world):
    """One tablet moves the order away and back, another to a third table, while a
    third pays it."""

    def parties(order: Order, soup: OrderItem, tables: list[Table]) -> list[list[Request]]:
        home, there, third = tables
        return [[move(order, there), move(order, home)], [move(order, third)], [pay(order)]]

    _rounds(world, parties, tables=3)


# The same cycle, scheduled: rather than hope the rounds hit it, row locks held by
# stand-ins hold each party at the point where the next must start. The stand-ins do
# what any write does: append to the company's event log last (the company row) and
# lock an order to change it (adding lines, a discount).


def _lock_waits() -> int:
    """How many connections to the test database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _blocked_by(pid: int) -> int:
    """How many connections wait for a lock that connection ``pid`` holds (read from
    the lock manager, never a stale wait state)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [pid],
        )
        return cursor.fetchone()[0]


def _until(done: Callable[[], bool], seconds: float = 10) -> None:
    """Waits (bounded) for the schedule's next point; a party that did not block there
    (a lock protocol that never makes it wait) just lets the schedule go on."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


class _Holder(threading.Thread):
    """A connection that takes row locks (waiting for them if need be) and keeps them
    until released."""

    def __init__(self, lock: Callable[[], object]) -> None:
        super().__init__()
        self.lock, self.holding, self.release = lock, threading.Event(), threading.Event()
        self.pid = 0
        self.started = threading.Event()

    def run(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self.started.set()
                self.lock()
                self.holding.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()

    def done(self) -> None:
        self.release.set()
        self.join(timeout=60)


class _Party(threading.Thread):
    def __init__(self, client: APIClient, request: Request) -> None:
        super().__init__()
        self.client, self.request = client, request
        self.answer: Answer | None = None

    def run(self) -> None:
        try:
            self.answer = _send(self.client, self.request)
        finally:
            connection.close()


@pytest.mark.parametrize("third", ["split", "move"])
@pytest.mark.parametrize("ending", ENDINGS)
def test_an_end_of_the_order_finding_it_moved_while_another_write_holds_its_new_table(world, ending, third):
    """The order is being moved from A to B (its events wait for the company's log)
    when a tablet ends it: that request reads table A and waits for it. Another write
    holds the order as the move commits, so the ending gets A and waits for the order.
    Then a split (or a move on to C) of the same order reads it at B, takes B and waits
    for the order. The order is freed: the ending takes it, finds it at B and wants B,
    which the split holds while it waits for the order. Every request must still be
    answered 2xx or refused clearly, and everything hold."""
    home, there, third_table = (TableFactory(branch=world.branch) for _ in range(3))
    order = order_for(world.waiter, home, [(world.soup, 2), (world.tea, 1)])
    soup = order.items.get(menu_item=world.soup)
    clients = [_client(tablet) for tablet in world.tablets]
    company = _Holder(lambda: list(Company.objects.select_for_update(no_key=True).filter(pk=world.company.pk)))
    company.start()
    assert company.holding.wait(timeout=10)
    mover = _Party(clients[0], move(order, there))
    mover.start()
    _until(lambda: _lock_waits() == 1 or not mover.is_alive())  # the move holds A, B and the order
    ender = _Party(clients[1], ending(order))
    ender.start()
    _until(lambda: _lock_waits() == 2 or not ender.is_alive())  # the ending read A and waits
    writer = _Holder(lambda: list(Order.unscoped.select_for_update(no_key=True).filter(pk=order.pk).values("pk")))
    writer.start()
    assert writer.started.wait(timeout=10)
    _until(lambda: _lock_waits() == 3 or writer.holding.is_set())  # it waits for the order
    company.done()
    mover.join(timeout=60)
    # The ending took A and queues for the order (a stale wait for A would not count).
    _until(lambda: writer.holding.is_set() and (_blocked_by(writer.pid) == 1 or not ender.is_alive()))
    last = _Party(clients[2], split(order, soup) if third == "split" else move(order, third_table))
    last.start()
    _until(lambda: _lock_waits() == 2 or not last.is_alive())  # it took B and waits for the order
    writer.done()
    for party in (ender, last):
        party.join(timeout=60)

    answers = [party.answer for party in (mover, ender, last)]
    assert None not in answers
    unclear = [answer for answer in answers if answer and not answer.ok and not _refused_clearly(answer)]
    assert not unclear, "\n".join(f"{a.request.action} -> {a.status} {a.error or a.body}" for a in unclear)
    _agrees(order, home, [answer for answer in answers if answer])
    _invariants(world)
