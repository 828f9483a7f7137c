"""The web app offline (docs/offline.md), in a real browser against real server
processes: orders taken with the network cut are queued in IndexedDB and reach the
server once each, in order; what it refuses is shown for the waiter to resolve; a
server killed while the queue is sent loses and doubles nothing; a device clock off by
an hour decides nothing; a reload with no network opens the app from the service
worker's cache and the last snapshot."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from cafe.floor.models import Table, TableStatus
from cafe.orders.models import Order, OrderItem
from cafe.tests.factories import PASSWORD, station_dish
from webapp.tests.browser import WAIT, access_for, api, open_app, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser-offline")]


def network_is_cut(page) -> bool:
    """Both halves of the network are gone for the page: a fetch fails and a socket never opens."""
    return page.evaluate("""async () => {
        const fetched = await fetch("/api/users/me/").then(() => "answered", () => "failed");
        const socket = await new Promise((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/ws/cafe/orders/?token=x`);
            ws.onopen = () => { ws.close(); resolve("opened"); };
            ws.onerror = () => resolve("failed");
        });
        return fetched === "failed" && socket === "failed";
    }""")


def worker_ready(page) -> None:
    """The service worker has cached the shell and controls the page."""
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT)


def open_table(page, number: int, guests: int) -> None:
    from playwright.sync_api import expect

    page.click(f'.table[data-number="{number}"]')
    page.fill("#guests", str(guests))
    page.click("#open-order")
    expect(page.locator(".menu-item").first).to_be_visible(timeout=WAIT)


def add(page, title: str) -> None:
    page.click(f'.menu-item[data-title="{title}"]')


def lines_of(order: Order) -> list[tuple[str, int, bool]]:
    return sorted(
        (line.menu_item.title, line.quantity, line.voided)
        for line in OrderItem.unscoped.filter(order=order).select_related("menu_item")
    )


def pending(page) -> int:
    return int(page.locator("#pending").get_attribute("data-count") or 0)


def test_orders_taken_offline_arrive_once_in_order_and_a_refused_line_is_resolved(chromium, start_server, cafe):
    from playwright.sync_api import expect

    kvass = station_dish(cafe["station"], title="Kvass", price=Decimal("120.00"), category=cafe["dish"].category)
    server = start_server("web")
    tablet = open_app(chromium, server, cafe["waiter"])
    other = open_app(chromium, server, cafe["manager"])
    kitchen = open_app(chromium, server, cafe["cook"], path="/app/kitchen/")

    sockets: list[str] = []
    snapshots: list[str] = []
    tablet.on("websocket", lambda socket: sockets.append(socket.url))
    tablet.on("requestfinished", lambda request: snapshots.append(request.url) if "/snapshot/" in request.url else None)
    tablet.context.set_offline(True)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    assert network_is_cut(tablet)

    # Three orders and an edit, with the network cut: each action queued, shown as pending.
    open_table(tablet, 1, 2)
    add(tablet, "Borscht")
    add(tablet, "Kvass")
    open_table(tablet, 2, 3)
    add(tablet, "Borscht")
    tablet.click("#takeaway")
    expect(tablet.locator(".menu-item").first).to_be_visible(timeout=WAIT)
    add(tablet, "Borscht")
    # The edit: table 1's Borscht, not sent yet, to two portions (its queued request changes).
    tablet.click('.table[data-number="1"]')
    borscht = tablet.locator(".lines li.pending", has_text="Borscht")
    expect(borscht).to_have_count(1, timeout=WAIT)
    tablet.click('button[aria-label="+ Borscht"]')
    expect(tablet.locator(".lines li.pending", has_text="× 2")).to_have_count(1, timeout=WAIT)
    expect(tablet.locator("#pending")).to_have_attribute("data-count", "6")
    expect(tablet.locator(".table.pending")).to_have_count(2)
    # No payment while offline: the button says so.
    expect(tablet.locator("#pay")).to_be_disabled()
    expect(tablet.locator("#pay")).to_contain_text("Оплата без связи не принимается")
    queued = tablet.evaluate("() => window.cafeOffline.inspect()")
    assert [(one["method"], re.sub(r"local-[0-9a-f-]+", "local-ID", one["path"])) for one in queued] == [
        ("POST", "/api/cafe/orders/"),
        ("POST", "/api/cafe/orders/local-ID/items/"),
        ("POST", "/api/cafe/orders/"),
        ("POST", "/api/cafe/orders/local-ID/items/"),
        ("POST", "/api/cafe/orders/"),
        ("POST", "/api/cafe/orders/local-ID/items/"),
    ]
    assert len({one["key"] for one in queued}) == 6
    assert all(one["body"]["taken_at"] for one in queued if one["path"] == "/api/cafe/orders/")
    assert queued[1]["body"]["items"][0]["quantity"] == 2  # the edit changed the queued request
    shot(tablet, "offline-pending")

    # Meanwhile the other tablet's manager stops Kvass; the server has none of the offline orders.
    api(server, "PATCH", f"/api/cafe/menu-items/{kvass.pk}/", access_for(cafe["manager"]), {"is_available": False})
    expect(other.locator(".feed li", has_text="menu_item_updated")).to_have_count(1, timeout=WAIT)
    assert Order.unscoped.count() == 0

    tablet.context.set_offline(False)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT * 3)
    # Five actions went through; table 1's lines were refused (Kvass is stopped) and wait for the waiter.
    refused = tablet.locator("#offline-problems article.refused")
    expect(refused).to_have_count(1, timeout=WAIT * 2)
    expect(refused).to_contain_text("Эта позиция меню недоступна")
    expect(tablet.locator("#pending")).to_have_attribute("data-count", "0", timeout=WAIT)
    shot(tablet, "offline-refused")
    # Back: the sockets resumed with since=, and the floor reloaded through the snapshot.
    assert any("since=" in url for url in sockets), sockets
    for _ in range(100):  # the reload follows the last answer: waited for, 10 s at most
        if snapshots:
            break
        tablet.wait_for_timeout(100)
    assert snapshots, "no snapshot reload after the queue was sent"
    orders = {(order.table.number if order.table else "takeaway"): order for order in Order.unscoped.all()}
    assert sorted(orders, key=str) == [1, 2, "takeaway"]
    assert lines_of(orders[1]) == []
    assert lines_of(orders[2]) == [("Borscht", 1, False)]
    assert lines_of(orders["takeaway"]) == [("Borscht", 1, False)]
    assert all(order.taken_at is not None for order in orders.values())

    # Resolved: sent again without the stopped dish.
    refused.locator(f'button.retry-without[data-item="{kvass.pk}"]').click()
    expect(refused).to_have_count(0, timeout=WAIT)
    expect(tablet.locator("#pending")).to_be_hidden(timeout=WAIT)
    assert lines_of(orders[1]) == [("Borscht", 2, False)]
    assert Order.unscoped.count() == 3

    # The other tablet and the kitchen saw each order once, in the order it was taken.
    for number in (1, 2):
        expect(other.locator(f'.table[data-number="{number}"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    created = other.locator(".feed li", has_text="order_created")
    expect(created).to_have_count(3, timeout=WAIT)
    texts = list(reversed(created.all_inner_texts()))  # the feed shows the newest first
    assert [text.split("order_created ")[1] for text in texts] == ["1", "2", f"#{orders['takeaway'].pickup_number}"], (
        texts
    )
    # One task a portion: table 1's two Borscht, table 2's and the takeaway's; never the stopped Kvass.
    expect(kitchen.locator("[data-task]")).to_have_count(4, timeout=WAIT)
    expect(kitchen.locator("[data-task]", has_text="Kvass")).to_have_count(0)
    assert tablet.script_errors == []
    assert other.script_errors == []


def test_a_server_killed_while_the_queue_is_sent_loses_and_doubles_nothing(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    tablet = open_app(chromium, server, cafe["waiter"])
    tablet.context.set_offline(True)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    for number in (1, 2, 3):
        open_table(tablet, number, number)
        add(tablet, "Borscht")
    expect(tablet.locator("#pending")).to_have_attribute("data-count", "6")

    # The queue's third request reaches the server, which does the work and dies before answering.
    seen: list[str] = []

    def kill_on_the_third(route) -> None:
        seen.append(route.request.headers.get("idempotency-key", ""))
        if len(seen) == 3:
            route.fetch()
            server.kill()
            route.abort("connectionreset")
        else:
            route.continue_()

    tablet.route(re.compile(r".*/api/cafe/orders/.*"), kill_on_the_third)
    tablet.context.set_offline(False)
    expect(tablet.locator("#connection")).not_to_have_attribute("data-state", "live", timeout=WAIT)
    for _ in range(100):
        if len(seen) >= 3 and server.process.poll() is not None:
            break
        tablet.wait_for_timeout(100)
    assert Order.unscoped.count() == 2
    assert pending(tablet) >= 4  # the third is still queued: its answer never came
    server.start()  # the same port
    expect(tablet.locator("#pending")).to_be_hidden(timeout=WAIT * 3)
    assert seen[3] == seen[2]  # the lost answer's request, sent again with its own key
    orders = Order.unscoped.order_by("table__number")
    assert [order.table.number for order in orders] == [1, 2, 3]
    assert [lines_of(order) for order in orders] == [[("Borscht", 1, False)]] * 3
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT * 3)


def test_a_device_clock_an_hour_ahead_changes_nothing_the_server_decides(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="ru")
    # The tablet's clock runs an hour ahead: every Date the page makes.
    context.add_init_script("""(() => {
        const shift = 3600 * 1000; const Real = Date;
        class Shifted extends Real {
            constructor(...args) { if (args.length) super(...args); else super(Real.now() + shift); }
            static now() { return Real.now() + shift; }
        }
        globalThis.Date = Shifted;
    })()""")
    page = context.new_page()
    page.goto(server.http + "/app/")
    page.fill("input[name=email]", cafe["waiter"].email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    assert page.evaluate("() => Date.now() - performance.timeOrigin - performance.now()") > 3500_000
    context.set_offline(True)
    open_table(page, 1, 2)
    add(page, "Borscht")
    context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=WAIT * 3)
    order = Order.unscoped.get()
    now = timezone.now()
    # The server's own times and business day are its own; taken_at is the device's moment,
    # corrected by the offset it measured, so the server's bounds (300 s ahead at most) never refused it.
    assert abs((order.created_at - now).total_seconds()) < 60
    assert order.taken_at is not None
    assert abs((order.taken_at - order.created_at).total_seconds()) < 30
    assert lines_of(order) == [("Borscht", 1, False)]
    assert order.created_at - order.taken_at < datetime.timedelta(minutes=5)


def test_a_reload_with_no_network_opens_the_app_with_the_last_menu_and_orders(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    api(server, "POST", "/api/cafe/orders/", access_for(cafe["manager"]), {
        "table": str(cafe["tables"][0].pk), "guests": 4, "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1}],
    })  # fmt: skip
    page = open_app(chromium, server, cafe["waiter"])
    expect(page.locator('.table[data-number="1"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    worker_ready(page)
    page.context.set_offline(True)
    assert network_is_cut(page)
    # Queued before the reload: table 2 opened with a Borscht (a placeholder id in the queue).
    open_table(page, 2, 2)
    add(page, "Borscht")
    expect(page.locator("#pending")).to_have_attribute("data-count", "2")
    answer = page.reload()
    assert answer is not None
    assert answer.from_service_worker
    # The shell from the service worker's cache, the floor from the last snapshot, the queue from IndexedDB.
    expect(page.locator('.table[data-number="1"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    expect(page.locator('.table[data-number="1"]')).to_contain_text("Гостей: 4")
    expect(page.locator(".toast", has_text="Нет связи: показан последний снимок")).to_have_count(1)
    expect(page.locator("#pending")).to_have_attribute("data-count", "2")
    expect(page.locator('.table.pending[data-number="2"]')).to_contain_text("Гостей: 2")
    page.click('.table[data-number="1"]')
    expect(page.locator('.menu-item[data-title="Borscht"]')).to_be_visible(timeout=WAIT)
    expect(page.locator(".lines li", has_text="Borscht")).to_have_count(1)
    # More for the order opened before the reload: its queued lines take it.
    page.click('.table[data-number="2"]')
    add(page, "Borscht")
    expect(page.locator(".lines li.pending", has_text="Borscht")).to_have_count(2, timeout=WAIT)
    shot(page, "offline-reloaded")
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=WAIT * 3)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT * 3)
    reopened = Order.unscoped.get(table=cafe["tables"][1])
    assert lines_of(reopened) == [("Borscht", 1, False), ("Borscht", 1, False)]
    assert reopened.taken_at is not None
    assert page.script_errors == []


def test_a_table_taken_and_a_line_started_meanwhile_are_shown_and_resolved(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    waiter_token, cook_token = access_for(cafe["waiter"]), access_for(cafe["cook"])
    table1, _, table3 = cafe["tables"]
    # Before the cut: the waiter's order at table 2 with one Borscht, not started yet.
    existing = api(server, "POST", "/api/cafe/orders/", waiter_token, {
        "table": str(cafe["tables"][1].pk), "guests": 2, "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1}],
    })  # fmt: skip
    tablet = open_app(chromium, server, cafe["waiter"])
    expect(tablet.locator('.table[data-number="2"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    tablet.context.set_offline(True)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    # Offline: table 3 opened with a Borscht; table 2's Borscht to two portions.
    open_table(tablet, 3, 2)
    add(tablet, "Borscht")
    tablet.click('.table[data-number="2"]')
    tablet.click('button[aria-label="+ Borscht"]')
    expect(tablet.locator("#pending")).to_have_attribute("data-count", "3", timeout=WAIT)
    # Meanwhile: table 3 is held for another party, and the cook starts table 2's Borscht.
    # (held for a booking about to start: what the bookings' timer writes)
    Table.unscoped.filter(pk=table3.pk).update(status=TableStatus.RESERVED, reserved_for=uuid.uuid4())
    task = api(server, "GET", f"/api/cafe/kitchen/tasks/?order={existing['id']}", cook_token)["results"][0]
    api(server, "POST", f"/api/cafe/kitchen/tasks/{task['id']}/claim/", cook_token, {})

    tablet.context.set_offline(False)
    refused = tablet.locator("#offline-problems article.refused")
    expect(refused).to_have_count(2, timeout=WAIT * 3)
    taken, started = refused.nth(0), refused.nth(1)
    # The create (409: the table is held for another party) lists the lines waiting for it.
    expect(taken).to_have_attribute("data-status", "409")
    expect(taken.locator(".waiting li")).to_have_count(1)
    expect(taken.locator(".waiting li")).to_contain_text("Borscht")
    expect(started).to_have_attribute("data-status", "409")
    expect(started).to_contain_text("Кухня уже начала готовить")
    shot(tablet, "offline-conflicts")
    assert Order.unscoped.filter(table=table3).count() == 0

    # Resolved: the order sent for table 1 instead (its lines follow); the quantity change dropped.
    taken.locator("select.other-table").select_option(str(table1.pk))
    taken.locator("button.retry-table").click()
    expect(refused).to_have_count(1, timeout=WAIT)
    refused.locator("button.drop").click()
    expect(refused).to_have_count(0, timeout=WAIT)
    expect(tablet.locator("#pending")).to_be_hidden(timeout=WAIT)
    moved = Order.unscoped.get(table=table1)
    assert moved.waiter_id == cafe["waiter"].pk
    assert moved.taken_at is not None
    assert lines_of(moved) == [("Borscht", 1, False)]
    assert lines_of(Order.unscoped.get(pk=existing["id"])) == [("Borscht", 1, False)]
    assert Order.unscoped.count() == 2
    expect(tablet.locator('.table[data-number="1"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    assert tablet.script_errors == []


def test_a_dish_weighed_offline_is_queued_with_its_grams_and_priced_as_the_server_prices_it(
    chromium, start_server, cafe
):
    from playwright.sync_api import expect

    salmon = station_dish(
        cafe["station"], title="Salmon", price=Decimal("10.70"), category=cafe["dish"].category, sold_by="weight"
    )
    server = start_server("web")
    tablet = open_app(chromium, server, cafe["waiter"])
    grams = tablet.locator('.ask input[name="grams"]')
    total = tablet.locator("#order-total")

    def weigh(value: str) -> None:
        expect(grams).to_be_focused(timeout=WAIT)
        grams.fill(value)
        grams.press("Enter")

    tablet.context.set_offline(True)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    open_table(tablet, 1, 2)
    add(tablet, "Salmon")
    weigh("350")
    line = tablet.locator(".lines li", has_text="Salmon")
    expect(line).to_have_class(re.compile("pending"), timeout=WAIT)
    expect(line.locator(".weight")).to_have_text("0.350 кг · 10.70 / кг")
    # 0.350 × 10.70 = 3.745: half-up, as the server rounds (a product of floats gives 3.74).
    expect(line.locator(".money")).to_have_text("3.75")
    expect(total).to_have_text("3.75")
    # Weighed again before it was sent: its queued request changes.
    tablet.click('button[aria-label="Взвесить: Salmon"]')
    weigh("500")
    expect(line.locator(".money")).to_have_text("5.35", timeout=WAIT)
    queued = tablet.evaluate("() => window.cafeOffline.inspect()")
    assert queued[1]["body"]["items"] == [
        {"menu_item": str(salmon.pk), "quantity": 1, "note": "", "course": 1, "grams": 500}
    ]

    tablet.context.set_offline(False)
    expect(tablet.locator("#pending")).to_be_hidden(timeout=WAIT * 2)
    row = OrderItem.unscoped.get(title="Salmon")
    assert (row.quantity, row.weight, row.price_per_kg, row.price) == (
        1,
        Decimal("0.500"),
        Decimal("10.70"),
        Decimal("5.35"),
    )

    # A line the server has, weighed again offline: the queued PATCH, priced at the line's own price_per_kg.
    tablet.context.set_offline(True)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    tablet.click('.table[data-number="1"]')
    tablet.click('button[aria-label="Взвесить: Salmon"]')
    weigh("350")
    expect(line).to_have_class(re.compile("pending"), timeout=WAIT)
    expect(line.locator(".weight")).to_contain_text("0.350 кг")
    expect(total).to_have_text("3.75")
    patch = tablet.evaluate("() => window.cafeOffline.inspect()")
    assert [(one["method"], one["body"]) for one in patch] == [("PATCH", {"grams": 350})]
    tablet.context.set_offline(False)
    expect(tablet.locator("#pending")).to_be_hidden(timeout=WAIT * 2)
    expect(line).not_to_have_class(re.compile("pending"), timeout=WAIT)
    expect(total).to_have_text("3.75")
    row.refresh_from_db()
    assert (row.weight, row.price) == (Decimal("0.350"), Decimal("3.75"))
    assert tablet.script_errors == []
