"""The web app in a real browser: Debian's Chromium driven by Playwright for Python,
against real server processes (``cafe/tests/servers.py``) on the test database
(fixtures and helpers: ``webapp/tests/browser.py``)."""

import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from cafe.floor.models import Table
from cafe.menu.models import MenuItem
from cafe.orders.models import OrderItem
from cafe.tests.factories import order_for, staff_of, station_dish
from webapp.tests.browser import WAIT, access_for, api, login_capable, measured, open_app, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]


def test_waiter_takes_and_pays_an_order_while_the_owner_watches_live(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    owner = open_app(chromium, server, cafe["owner"])
    waiter = open_app(chromium, server, cafe["waiter"])
    shot(waiter, "floor")
    owners_table = owner.locator('.table[data-number="1"]')
    expect(owners_table).to_have_attribute("data-status", "free")

    # When the owner's screen turns the table busy, against when the waiter tapped
    # "open order": both clocks are this machine's (performance.timeOrigin).
    owner.evaluate("""() => new Promise((resolve) => {
        const observer = new MutationObserver(() => {
            const table = document.querySelector('.table[data-number="1"]');
            if (table && table.dataset.status === "busy") {
                window.busyAt = performance.timeOrigin + performance.now();
                observer.disconnect();
            }
        });
        observer.observe(document.querySelector(".tables"), { subtree: true, childList: true, attributes: true });
        resolve();
    })""")
    waiter.click('.table[data-number="1"]')
    waiter.fill("#guests", "3")
    waiter.evaluate("""() => document.querySelector("#open-order").addEventListener(
        "click", () => { window.tappedAt = performance.timeOrigin + performance.now(); }, { capture: true })""")
    waiter.click("#open-order")
    expect(owners_table).to_have_attribute("data-status", "busy", timeout=WAIT)
    measured("waiter opens an order → the owner's floor shows the table busy",
             owner.evaluate("window.busyAt") - waiter.evaluate("window.tappedAt"))  # fmt: skip
    waiter.click('.menu-item:has-text("Borscht")')
    waiter.click('.menu-item:has-text("Borscht")')
    expect(waiter.locator("#order-total")).to_have_text(re.compile(r"^700\.00$|^7\d\d\.\d\d$"), timeout=WAIT)
    # The owner's floor shows the table busy, without a reload.
    expect(owners_table).to_have_attribute("data-status", "busy", timeout=WAIT)
    expect(owners_table).to_contain_text("3")
    shot(waiter, "order")

    total = Decimal(waiter.inner_text("#order-total"))
    waiter.fill("#pay-cash", str(total + 300))
    waiter.click("#pay")
    expect(waiter.locator("#last-change")).to_have_text("Сдача: 300.00", timeout=WAIT)
    expect(waiter.locator('.table[data-number="1"]')).to_have_attribute("data-status", "free", timeout=WAIT)
    expect(owners_table).to_have_attribute("data-status", "free", timeout=WAIT)
    assert owner.script_errors == waiter.script_errors == []


def test_kitchen_gets_a_new_task_live_and_bumps_it_by_keyboard(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    cook = open_app(chromium, server, cafe["cook"], "/app/kitchen/")
    expect(cook.locator(".task")).to_have_count(0)
    order = api(server, "POST", "/api/cafe/orders/", access_for(cafe["waiter"]), {
        "table": str(cafe["tables"][1].pk), "guests": 2,
        "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1, "note": "no cream"}],
    })  # fmt: skip
    task = cook.locator(".task")
    expect(task).to_have_count(1, timeout=WAIT)
    expect(task).to_contain_text("no cream")
    expect(task).to_have_attribute("data-status", "pending")
    shot(cook, "kitchen")
    task.focus()
    cook.keyboard.press("Enter")
    expect(cook.locator(".task")).to_have_attribute("data-status", "in_progress", timeout=WAIT)
    cook.locator(".task").focus()
    cook.keyboard.press("Enter")
    expect(cook.locator(".task")).to_have_attribute("data-status", "ready", timeout=WAIT)
    tasks = api(server, "GET", "/api/cafe/kitchen/tasks/", access_for(cafe["waiter"]))["results"]
    assert [(t["order"], t["status"]) for t in tasks] == [(order["id"], "ready")]
    assert cook.script_errors == []


def test_connection_state_follows_the_server_and_resumes_with_since(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    server.kill()
    expect(page.locator("#connection")).to_have_attribute("data-state", "reconnecting", timeout=WAIT)
    # Orders taken elsewhere while this screen cannot hear: found on the way back.
    order_for(cafe["manager"], cafe["tables"][2], [(cafe["dish"], 1)])
    server.start()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT * 3)
    toasts = page.locator(".toast")
    (
        expect(page.locator('.table[data-number="3"]')).to_have_attribute("data-status", "busy", timeout=WAIT),
        (toasts.all_inner_texts(), page.script_errors),
    )
    assert any("since=" in url for url in sockets), sockets


def test_a_retry_after_a_lost_answer_adds_the_line_once(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    page.click('.table[data-number="1"]')
    page.click("#open-order")
    expect(page.locator(".menu-item").first).to_be_visible(timeout=WAIT)
    keys: list[str] = []

    def lose_the_first_answer(route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server does the work…
            route.abort("connectionreset")  # …and the answer never arrives
        else:
            route.continue_()

    page.route(re.compile(r".*/api/cafe/orders/[0-9a-f-]+/items/$"), lose_the_first_answer)
    page.click('.menu-item:has-text("Borscht")')
    for _ in range(100):  # the retry comes 0.7 s after the loss
        if len(keys) == 2:
            break
        page.wait_for_timeout(100)
    expect(page.locator(".lines li")).to_have_count(1, timeout=WAIT)
    assert len(keys) == 2
    assert keys[0] == keys[1]
    orders = api(server, "GET", "/api/cafe/orders/?status=open", access_for(cafe["waiter"]))["results"]
    assert [[line["quantity"] for line in order["items"]] for order in orders] == [[1]]


def test_pickup_screen_shows_numbers_only_and_stops_when_revoked(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    manager = open_app(chromium, server, cafe["manager"], "/app/pickup/")
    manager.fill("#token-label", "Hall TV")
    manager.click("#make-token")
    url = manager.locator("#token-made a").get_attribute("href")
    assert url
    api(server, "POST", "/api/cafe/orders/", access_for(cafe["waiter"]), {
        "service": "takeaway", "customer_name": "Secret Name", "customer_phone": "+7 900 111-22-33",
        "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1}],
    })  # fmt: skip
    tv = chromium.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(url)
    expect(tv.locator("#preparing li")).to_have_text(["1"], timeout=WAIT)
    shot(tv, "pickup")
    text = tv.inner_text("body")
    assert "Secret Name" not in text
    assert "111-22-33" not in text
    assert "350" not in text
    token_id = api(server, "GET", "/api/users/display-tokens/", access_for(cafe["manager"]))["results"][0]["id"]
    api(server, "DELETE", f"/api/users/display-tokens/{token_id}/", access_for(cafe["manager"]))
    expect(tv.locator("#board-status")).to_have_attribute("data-state", "revoked", timeout=WAIT)
    expect(tv.locator("#preparing li")).to_have_count(0)


def test_refresh_cookie_is_httponly_and_strict_and_logout_ends_the_session(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    refresh = cookies["cafe_refresh"]
    assert refresh["httpOnly"] is True
    assert refresh["sameSite"] == "Strict"
    assert refresh["path"] == "/api/users/web/"
    assert "cafe_refresh" not in page.evaluate("document.cookie")
    # A reload keeps the session (the cookie refreshes it), with no password asked.
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    # A cross-site style POST without the CSRF header is refused.
    answer = page.context.request.post(server.http + "/api/users/web/refresh/", data={})
    assert answer.status == 403
    page.click("text=Выйти")
    expect(page.locator("input[name=email]")).to_be_visible(timeout=WAIT)
    spent = page.context.request.post(
        server.http + "/api/users/web/refresh/",
        headers={"X-CSRFToken": cookies["csrftoken"]["value"]},
        data={},
    )
    assert spent.status == 401


def test_api_errors_are_shown_in_words_in_the_users_language(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    page.click('.table[data-number="1"]')
    page.click("#open-order")
    expect(page.locator('.menu-item:has-text("Borscht")')).to_be_enabled(timeout=WAIT)
    # Stopped behind the screen's back (no event): the API's refusal is what the waiter sees.
    MenuItem.unscoped.filter(pk=cafe["dish"].pk).update(is_available=False)
    page.click('.menu-item:has-text("Borscht")')
    expect(page.locator(".toast")).to_contain_text("Эта позиция меню недоступна", timeout=WAIT)
    # The same refusal in English for a user who switched.
    english = open_app(chromium, server, cafe["manager"], lang="en")
    english.click('.table[data-number="2"]')
    english.click("#open-order")
    english.locator('.menu-item:has-text("Borscht")').wait_for(timeout=WAIT)
    expect(english.locator('.menu-item:has-text("Borscht")')).to_be_disabled()
    wrong = chromium.new_context().new_page()
    wrong.goto(server.http + "/app/")
    wrong.fill("input[name=email]", cafe["waiter"].email)
    wrong.fill("input[name=password]", "wrong-password")
    wrong.click("button[type=submit]")
    expect(wrong.locator(".login-error")).to_have_text(
        "Не найдено активной учётной записи с указанными данными.", timeout=WAIT
    )


def test_the_cook_marks_a_task_ready_and_the_waiter_sees_it(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    waiter = open_app(chromium, server, cafe["waiter"])
    cook = open_app(chromium, server, cafe["cook"], "/app/kitchen/")
    waiter.click('.table[data-number="2"]')
    waiter.click("#open-order")
    waiter.click('.menu-item:has-text("Borscht")')
    task = cook.locator(".task")
    expect(task).to_have_count(1, timeout=WAIT)
    cook.locator(".task button", has_text="Взять").click()
    expect(task).to_have_attribute("data-status", "in_progress", timeout=WAIT)
    cook.locator(".task button", has_text="Готово").click()
    expect(task).to_have_attribute("data-status", "ready", timeout=WAIT)
    # The waiter's floor, in its own context, learns it from the orders socket.
    served = waiter.locator("#ready-to-serve li")
    expect(served).to_have_count(1, timeout=WAIT)
    expect(served).to_contain_text("Стол 2")
    expect(served).to_contain_text("Borscht")
    expect(waiter.locator('.table[data-number="2"]')).to_have_attribute("data-ready", "1")
    shot(waiter, "floor-ready-to-serve")
    latencies = waiter.evaluate("""cafeMetrics.events.filter((e) => e.type === "kitchen_task_ready")
        .map((e) => [e.drawn - e.received, (e.painted ?? e.drawn) - e.received])""")
    assert latencies, "the waiter's screen recorded the event"
    measured("kitchen_task_ready: socket message → DOM updated", latencies[-1][0])
    measured("kitchen_task_ready: socket message → next frame", latencies[-1][1])
    # The waiter serves it; the kitchen no longer shows it as ready.
    served.get_by_role("button").click()
    expect(served).to_have_count(0, timeout=WAIT)
    tasks = api(server, "GET", "/api/cafe/kitchen/tasks/", access_for(cafe["waiter"]))["results"]
    assert [task["status"] for task in tasks] == ["served"]
    assert waiter.script_errors == cook.script_errors == []


def test_a_cashier_takes_a_split_payment_with_change_and_the_z_report_adds_up(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    order = order_for(cafe["waiter"], cafe["tables"][0], [(cafe["dish"], 2)])  # 700.00
    cashier = open_app(chromium, server, login_capable(staff_of(cafe["branch"], Role.CASHIER)))
    cashier.click('.table[data-number="1"]')
    expect(cashier.locator("#order-total")).to_have_text("700.00", timeout=WAIT)
    cashier.fill("#pay-card", "400")
    cashier.fill("#pay-cash", "500")
    cashier.click("#pay")
    expect(cashier.locator("#last-change")).to_have_text("Сдача: 200.00", timeout=WAIT)
    expect(cashier.locator('.table[data-number="1"]')).to_have_attribute("data-status", "free", timeout=WAIT)
    paid = api(server, "GET", f"/api/cafe/orders/{order.pk}/", access_for(cafe["manager"]))
    assert sorted((p["method"], p["amount"], p["change"]) for p in paid["payments"]) == [
        ("card", "400.00", "0.00"),
        ("cash", "300.00", "200.00"),
    ]
    cashier.click('nav button[data-view="till"]')
    x = cashier.locator("#x-report")
    expect(x.locator('[data-key="sales"]')).to_have_text("700.00", timeout=WAIT)
    expect(x.locator('[data-key="expected_cash"]')).to_have_text("300.00")
    shot(cashier, "till")
    cashier.fill("#counted", "300")
    cashier.click("#close-shift")
    z = cashier.locator("#z-report")
    expect(z.locator('[data-key="kind"]')).to_have_text("z", timeout=WAIT)
    expect(z.locator('[data-key="sales"]')).to_have_text("700.00")
    expect(z.locator('[data-key="payment-card"]')).to_have_text("400.00")
    expect(z.locator('[data-key="payment-cash"]')).to_have_text("300.00")
    expect(z.locator('[data-key="cash_taken"]')).to_have_text("300.00")
    expect(z.locator('[data-key="expected_cash"]')).to_have_text("300.00")
    expect(z.locator('[data-key="counted_cash"]')).to_have_text("300.00")
    expect(z.locator('[data-key="difference"]')).to_have_text("0.00")
    shot(cashier, "till-z-report")
    assert cashier.script_errors == []


def test_a_screen_cut_off_the_network_shows_every_order_taken_meanwhile(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["manager"])
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline", timeout=WAIT)
    token = access_for(cafe["waiter"])
    for table in cafe["tables"]:
        api(server, "POST", "/api/cafe/orders/", token, {
            "table": str(table.pk), "guests": table.number,
            "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1}],
        })  # fmt: skip
    takeaway = api(server, "POST", "/api/cafe/orders/", token, {
        "service": "takeaway", "items": [{"menu_item": str(cafe["dish"].pk), "quantity": 1}],
    })  # fmt: skip
    page.wait_for_timeout(2_000)  # the cut lasts a few seconds: the point of the test, not a wait for the page
    for number in (1, 2, 3):
        expect(page.locator(f'.table[data-number="{number}"]')).to_have_attribute("data-status", "free")
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT * 3)
    for number in (1, 2, 3):
        table = page.locator(f'.table[data-number="{number}"]')
        expect(table).to_have_attribute("data-status", "busy", timeout=WAIT)
        expect(table).to_contain_text(f"Гостей: {number}")
    # Four orders were taken during the cut (three tables and a takeaway): the feed has each once.
    expect(page.locator(".feed li", has_text="order_created")).to_have_count(4, timeout=WAIT)
    expect(page.locator(".feed li", has_text=f"order_created #{takeaway['pickup_number']}")).to_have_count(1)
    assert any("since=" in url for url in sockets), sockets
    assert page.script_errors == []


def test_the_floor_shows_the_halls_as_tabs_and_todays_bookings_live(chromium, start_server, cafe):
    """With the floor API's zones the tables sit in their halls (tabs, drawn at their
    place); a booking taken while the waiter watches shows on its table."""
    import datetime

    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.tenancy import tenant_for
    from cafe.bookings.services import booking_create
    from cafe.floor.models import OpeningHours
    from cafe.tests.factories import ZoneFactory

    # The branch's clock at about noon, so a booking two hours ahead is still today.
    now = timezone.now()
    offset = 12 - now.hour
    branch = cafe["branch"]
    branch.timezone = "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
    branch.save(update_fields=["timezone"])
    local = now.astimezone(ZoneInfo(branch.timezone))
    midnight = datetime.time(0)
    OpeningHours.unscoped.create(
        company=branch.company, branch=branch, weekday=local.weekday(), opens=midnight, closes=midnight
    )
    main_hall = ZoneFactory(branch=branch, name="Main hall", position=0, width=1000, height=600)
    terrace = ZoneFactory(branch=branch, name="Terrace", position=1, width=800, height=400)
    one, two, three = cafe["tables"]
    Table.unscoped.filter(pk__in=[one.pk, two.pk]).update(zone=main_hall, width=150, height=120)
    Table.unscoped.filter(pk=one.pk).update(x=50, y=50)
    Table.unscoped.filter(pk=two.pk).update(x=400, y=300, shape="round")
    Table.unscoped.filter(pk=three.pk).update(zone=terrace, x=100, y=100, width=200, height=150)

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    tabs = page.locator(".halls [role=tab]")
    expect(tabs).to_have_text(["Main hall", "Terrace"], timeout=WAIT)
    expect(page.locator(".table")).to_have_count(2)
    expect(page.locator('.table[data-number="3"]')).to_have_count(0)
    start = (local + datetime.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    booking_create(
        tenant=tenant_for(cafe["manager"]), tables=[two.pk], start=start, guests=4, guest_name="Anna", duration=60
    )
    booked = page.locator('.table[data-number="2"]')
    expect(booked).to_have_attribute("data-booked", "1", timeout=WAIT)
    expect(booked.locator(".booking")).to_have_text(f"Бронь {start:%H:%M} · 4")
    shot(page, "floor-halls")
    page.click('.halls [role=tab]:has-text("Terrace")')
    expect(page.locator(".table")).to_have_count(1)
    expect(page.locator('.table[data-number="3"]')).to_be_visible()
    # Placed on the plan in proportion to the hall: x 100 of 800 is 12.5 % from the left.
    box = page.locator(".tables").bounding_box()
    table = page.locator('.table[data-number="3"]').bounding_box()
    assert box
    assert table
    assert abs((table["x"] - box["x"]) / box["width"] - 0.125) < 0.02
    # The choice is remembered; the table is still opened by a tap.
    page.reload()
    expect(page.locator('.halls [role=tab][aria-selected="true"]')).to_have_text("Terrace", timeout=WAIT)
    page.click('.table[data-number="3"]')
    expect(page.locator("#open-order")).to_be_visible()
    assert page.script_errors == []


def test_modifiers_split_merge_and_a_refund_with_the_days_hours(chromium, start_server, cafe):
    """The order panel chooses modifiers within each group's rule, splits lines to a
    new bill and merges it back; the till refunds part of the paid order and draws
    the day's sales by hour."""
    from playwright.sync_api import expect

    from cafe.tests.factories import ModifierFactory, ModifierGroupFactory, station_dish

    coffee = station_dish(cafe["station"], title="Cappuccino", price=Decimal("200.00"))
    milk = ModifierGroupFactory(menu_item=coffee, name="Milk", required=True, max_choices=1, position=0)
    ModifierFactory(group=milk, name="Oat", price=Decimal("30.00"), position=0)
    ModifierFactory(group=milk, name="Whole", position=1)
    syrup = ModifierGroupFactory(menu_item=coffee, name="Syrup", required=False, max_choices=2, position=1)
    for position, name in enumerate(("Vanilla", "Caramel", "Hazelnut")):
        ModifierFactory(group=syrup, name=name, position=position)

    server = start_server("web")
    page = open_app(chromium, server, cafe["manager"])
    page.click('.table[data-number="1"]')
    page.click("#open-order")
    page.click('.menu-item[data-title="Cappuccino"]')
    chooser = page.locator(".chooser")
    chooser.get_by_role("button", name="Добавить").click()
    expect(chooser.locator(".chooser-error")).to_contain_text("Milk", timeout=WAIT)
    for name in ("Oat", "Vanilla", "Caramel", "Hazelnut"):
        chooser.get_by_label(name).check()
    chooser.get_by_role("button", name="Добавить").click()
    expect(chooser.locator(".chooser-error")).to_contain_text("Syrup")
    chooser.get_by_label("Hazelnut").uncheck()
    shot(page, "order-modifiers")
    chooser.get_by_role("button", name="Добавить").click()
    expect(page.locator(".lines li")).to_have_count(1, timeout=WAIT)
    expect(page.locator(".lines li")).to_contain_text("Cappuccino (Oat, Vanilla, Caramel)")
    expect(page.locator(".chooser")).to_have_count(0)
    page.click('.menu-item[data-title="Borscht"]')
    expect(page.locator(".lines li")).to_have_count(2, timeout=WAIT)

    # Split: Borscht to a bill of its own on the same table.
    page.get_by_label("Разделить: Borscht").check()
    page.click("#split")
    expect(page.locator(".order-tab")).to_have_count(2, timeout=WAIT)
    expect(page.locator(".lines li")).to_have_count(1)
    expect(page.locator(".lines li")).to_contain_text("Borscht")
    token = access_for(cafe["manager"])
    open_orders = api(server, "GET", "/api/cafe/orders/?status=open", token)["results"]
    assert sorted(sorted(line["title"] for line in order["items"]) for order in open_orders) == [
        ["Borscht"],
        ["Cappuccino"],
    ]
    # Merge: the other bill joins this one again.
    page.click(".merge")
    expect(page.locator(".order-tab")).to_have_count(0, timeout=WAIT)
    expect(page.locator(".lines li")).to_have_count(2)
    open_orders = api(server, "GET", "/api/cafe/orders/?status=open", token)["results"]
    assert [len(order["items"]) for order in open_orders] == [2]
    order = open_orders[0]
    assert [m["name"] for line in order["items"] for m in line["modifiers"]] == ["Oat", "Vanilla", "Caramel"]
    total = page.inner_text("#order-total")
    page.fill("#pay-cash", total)
    page.click("#pay")
    expect(page.locator('.table[data-number="1"]')).to_have_attribute("data-status", "free", timeout=WAIT)

    # The till: a part refund in cash, then the day's chart has the sale in its hour.
    page.click('nav button[data-view="till"]')
    row = page.locator(f'.refunds li[data-order="{order["id"]}"]')
    expect(row).to_be_visible(timeout=WAIT)
    row.get_by_label(re.compile("^Сумма")).fill("100")
    row.get_by_label(re.compile("^Причина")).fill("cold")
    row.locator("button.refund").click()
    expect(page.locator('#x-report [data-key="cash_refunded"]')).to_have_text("100.00", timeout=WAIT)
    expect(row).to_contain_text("Возврат: 100.00")
    refunds = api(server, "GET", f"/api/cafe/orders/{order['id']}/", token)["refunds"]
    assert [(r["method"], r["amount"], r["reason"]) for r in refunds] == [("cash", "100.00", "cold")]
    paid_at = api(server, "GET", f"/api/cafe/orders/{order['id']}/", token)["paid_at"]
    hour = int(paid_at[11:13])  # the branch is on UTC
    expect(page.locator(f'svg.hours rect[data-hour="{hour}"]')).to_have_attribute("data-revenue", total)
    expect(page.locator('#daily-report [data-key="refunds"]')).to_have_text("100.00")
    shot(page, "till-refund-and-hours")
    assert page.script_errors == []


def test_void_discount_and_move_are_asked_in_the_panel(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    order = order_for(cafe["waiter"], cafe["tables"][0], [(cafe["dish"], 2)])
    manager = open_app(chromium, server, cafe["manager"])
    manager.click('.table[data-number="1"]')
    expect(manager.locator("#order-total")).to_have_text("700.00", timeout=WAIT)
    manager.click("#discount")
    form = manager.locator("form.ask")
    form.get_by_label("Процент").fill("10")
    form.get_by_label("Причина").fill("regular")
    shot(manager, "order-discount")
    form.get_by_label("Процент").press("Enter")
    expect(manager.locator("#order-total")).to_have_text("630.00", timeout=WAIT)
    manager.click("#move")
    manager.locator("form.ask select").select_option(label="3")
    manager.click("#ask-ok")
    expect(manager.locator('.table[data-number="3"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    expect(manager.locator('.table[data-number="1"]')).to_have_attribute("data-status", "free", timeout=WAIT)
    manager.click(".lines li button.void")
    manager.locator("form.ask").get_by_label("Причина").fill("dropped")
    manager.click("#ask-ok")
    expect(manager.locator(".lines li.voided")).to_have_count(1, timeout=WAIT)
    moved = api(server, "GET", f"/api/cafe/orders/{order.pk}/", access_for(cafe["manager"]))
    assert moved["table_number"] == 3
    assert moved["discount"]["value"] == "10.00"
    assert [(line["voided"], line["void_reason"]) for line in moved["items"]] == [(True, "dropped")]
    assert manager.script_errors == []


def test_a_dish_sold_by_weight_is_weighed_in_grams_and_the_kitchen_sees_the_weight(chromium, start_server, cafe):
    from playwright.sync_api import expect

    station_dish(
        cafe["station"], title="Salmon", price=Decimal("10.70"), category=cafe["dish"].category, sold_by="weight"
    )
    server = start_server("web")
    cook = open_app(chromium, server, cafe["cook"], "/app/kitchen/")
    waiter = open_app(chromium, server, cafe["waiter"])
    waiter.click('.table[data-number="1"]')
    waiter.click("#open-order")
    salmon = waiter.locator('.menu-item[data-title="Salmon"]')
    expect(salmon).to_contain_text("10.70 / кг", timeout=WAIT)
    writes: list[str] = []  # the order's writes from here on
    waiter.on(
        "request",
        lambda request: writes.append(request.url) if request.method != "GET" and "/orders/" in request.url else None,
    )

    # A bad weight is named beside the field and sends nothing; Cancel leaves the order as it was.
    salmon.click()
    grams = waiter.locator('.ask input[name="grams"]')
    expect(grams).to_be_focused()
    for bad in ("0", "50001", "12.5", ""):
        grams.fill(bad)
        grams.press("Enter")
        expect(waiter.locator(".ask-error")).to_have_text("Вес — целое число граммов от 1 до 50000")
    waiter.click('.ask button:has-text("Отмена")')
    expect(waiter.locator(".ask")).to_have_count(0)
    assert writes == []

    salmon.click()
    grams.fill("350")
    grams.press("Enter")
    line = waiter.locator(".lines li", has_text="Salmon")
    expect(line.locator(".weight")).to_have_text("0.350 кг · 10.70 / кг", timeout=WAIT)
    expect(waiter.locator("#order-total")).to_have_text("3.75")  # 0.350 × 10.70 = 3.745, half-up to the cent
    task = cook.locator(".task", has_text="Salmon")
    expect(task.locator(".weight")).to_have_text("0.350 кг", timeout=WAIT)
    shot(waiter, "order-weighed")

    # Weighed again from the line: the bill and the kitchen follow.
    waiter.click('button[aria-label="Взвесить: Salmon"]')
    expect(grams).to_have_value("350")
    grams.fill("500")
    grams.press("Enter")
    expect(waiter.locator("#order-total")).to_have_text("5.35", timeout=WAIT)
    expect(line.locator(".weight")).to_contain_text("0.500 кг")
    expect(task.locator(".weight")).to_have_text("0.500 кг", timeout=WAIT)
    assert len(writes) == 2, writes  # the line and its new weight, nothing for the refused inputs
    row = OrderItem.unscoped.get(title="Salmon")
    assert (row.quantity, row.weight, row.price_per_kg, row.price) == (
        1,
        Decimal("0.500"),
        Decimal("10.70"),
        Decimal("5.35"),
    )
    assert waiter.script_errors == cook.script_errors == []
