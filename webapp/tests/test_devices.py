"""Shared tablets in a real browser (issue 21; docs/devices.md, "The web app's side"):
a manager registers the tablet, employees switch on it with a PIN, wrong PINs are
refused and locked out, a revoked tablet falls back to its unregistered screen, the
idle lock, and the time clock in the manager's hours report. Real server processes
(``cafe/tests/servers.py``), Debian's Chromium (fixtures: ``webapp/tests/browser.py``)."""

import csv
import io
import json
import time

import pytest

from accounts.models import Device, Role, User
from cafe.orders.models import Order
from cafe.tests.factories import PASSWORD, staff_of
from cafe.tests.servers import server_hash
from cafe.timeclock.models import ClockCorrection, ClockEntry
from webapp.tests.browser import WAIT, access_for, api, login_capable, measured, open_app, shot
from webapp.tests.test_views import serious_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser-devices")]


def with_pin(user: User, pin: str) -> User:
    """A PIN hashed as the server processes' hasher reads it (at their count)."""
    user.pin = server_hash(pin, "browserpins")
    user.save(update_fields=["pin"])
    return user


def waiters(cafe) -> tuple[User, User]:
    anna = cafe["waiter"]
    anna.first_name, anna.last_name = "Anna", "Petrova"
    anna.save(update_fields=["first_name", "last_name"])
    boris = login_capable(staff_of(cafe["branch"], Role.WAITER, first_name="Boris", last_name="Ivanov"))
    return with_pin(anna, "1234"), with_pin(boris, "5678")


def tablet(chromium, server, key: dict, lang: str = "ru"):
    """A browser that holds a device credential, as one registered in the app does."""
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale=lang)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    page.goto(server.http + "/app/")
    page.evaluate("(device) => localStorage.setItem('cafe.device', JSON.stringify(device))", key)
    page.reload()
    expect(page.locator(".device-start")).to_be_visible(timeout=WAIT)
    return page


def registered(chromium, server, manager, name="Hall tablet", views=("floor",)):
    made = api(server, "POST", "/api/users/devices/", access_for(manager), {"name": name, "views": list(views)})
    return tablet(chromium, server, {"key": made["key"], "id": made["id"], "name": made["name"]}), made


def pin_in(page, user: User, pin: str, keypad: bool = True) -> None:
    page.click(f'.staff[data-employee="{user.pk}"]')
    if keypad:
        for digit in pin:
            page.click(f'.keypad .key:text-is("{digit}")')
        page.click("#pin-ok")
    else:
        page.keyboard.type(pin)  # the PIN field has the focus
        page.keyboard.press("Enter")


def take_order(page, number: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    page.click(f'.table[data-number="{number}"]')
    page.fill("#guests", "2")
    page.click("#open-order")
    page.click('.menu-item:has-text("Borscht")')
    expect(page.locator("#order-total")).to_have_text("350.00", timeout=WAIT)


def test_a_manager_registers_the_tablet_and_two_waiters_switch_on_it_with_pins(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    anna, boris = waiters(cafe)
    page = open_app(chromium, server, cafe["manager"], "/app/devices/")
    assert serious_violations(page) == []
    shot(page, "devices")
    page.fill("#device-name", "Hall tablet 1")
    page.check('input[name=views][value="till"]')
    page.click("#register-device")
    # The manager's session ends; the tablet starts with the names of who may sign in on it.
    expect(page.locator(".device-start")).to_be_visible(timeout=WAIT)
    expect(page.locator(".staff")).to_have_count(2)
    assert serious_violations(page) == []
    shot(page, "device-start")
    device = Device.unscoped.get()
    assert (device.name, device.branch_id, device.views) == ("Hall tablet 1", cafe["branch"].pk, ["floor", "till"])
    stored = json.loads(page.evaluate("localStorage.getItem('cafe.device')"))
    assert stored["id"] == str(device.pk)
    assert stored["key"].startswith("dev_")
    # The manager's refresh cookie no longer opens a session on the tablet.
    csrf = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}["csrftoken"]
    refused = page.context.request.post(server.http + "/api/users/web/refresh/", headers={"X-CSRFToken": csrf}, data={})
    assert refused.status == 401

    # Anna with the on-screen keypad: the floor of this device, "switch user" in the bar.
    page.click(f'.staff[data-employee="{anna.pk}"]')
    assert serious_violations(page) == []
    shot(page, "device-pin")
    page.click("#pin-back")
    pin_in(page, anna, "1234")
    expect(page.locator("#switch-user")).to_be_visible(timeout=WAIT)
    expect(page.locator(".bar .who")).to_contain_text("Anna Petrova")
    expect(page.locator(".bar nav button")).to_have_text(["Зал", "Табель"])  # till: not a waiter's
    take_order(page, 1)

    # One tap back to the list; Boris with the keyboard.
    page.click("#switch-user")
    expect(page.locator(".device-start")).to_be_visible(timeout=WAIT)
    pin_in(page, boris, "5678", keypad=False)
    expect(page.locator(".bar .who")).to_contain_text("Boris Ivanov", timeout=WAIT)
    take_order(page, 2)

    # The server recorded each write under the employee who made it.
    orders = {order.table.number: order for order in Order.unscoped.select_related("table")}
    assert orders[1].waiter_id == anna.pk
    assert orders[2].waiter_id == boris.pk
    assert page.script_errors == []


def test_a_wrong_pin_is_refused_in_words_throttled_and_then_locked(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web", PIN_FAILURES_ALLOWED="2", PIN_LOCKOUT_FAILURES="3")
    anna, _boris = waiters(cafe)
    first, _made = registered(chromium, server, cafe["manager"])
    error = first.locator(".pin-error")
    pin_in(first, anna, "0000")
    expect(error).to_have_text("Неверный сотрудник или PIN.", timeout=WAIT)
    first.keyboard.type("1111")
    first.keyboard.press("Enter")
    expect(error).to_have_text("Неверный сотрудник или PIN.", timeout=WAIT)
    # The third guess on this tablet: throttled, even the right PIN.
    first.keyboard.type("1234")
    first.keyboard.press("Enter")
    expect(error).to_contain_text("Слишком много попыток. Попробуйте позже. Повторите через", timeout=WAIT)

    # On a second tablet, one more wrong PIN locks it: then even the right one is refused.
    second, _made = registered(chromium, server, cafe["manager"], name="Hall tablet 2")
    pin_in(second, anna, "9999", keypad=False)
    expect(second.locator(".pin-error")).to_have_text("Неверный сотрудник или PIN.", timeout=WAIT)
    second.keyboard.type("1234")
    second.keyboard.press("Enter")
    expect(second.locator(".pin-error")).to_contain_text("PIN заблокирован", timeout=WAIT)
    second.click("#pin-back")
    expect(second.locator(f'.staff[data-employee="{anna.pk}"]')).to_have_attribute("data-locked", "true", timeout=WAIT)
    assert User.objects.get(pk=anna.pk).pin_failures == 3
    assert first.script_errors == second.script_errors == []


def test_a_revoked_tablet_falls_back_to_its_unregistered_screen_within_seconds(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    anna, _boris = waiters(cafe)
    page, made = registered(chromium, server, cafe["manager"])
    manager = open_app(chromium, server, cafe["manager"], "/app/devices/")
    row = manager.locator(f'.device-row[data-device="{made["id"]}"]')
    # The manager gives it its own idle lock; the tablet, showing its names, reads it within seconds.
    row.locator('input[type="number"]').fill("600")
    row.locator(".save-idle").click()
    expect(row.locator('input[type="number"]')).to_have_value("600", timeout=WAIT)
    expect(page.locator("body")).to_have_attribute("data-idle-lock", "600", timeout=WAIT)
    assert Device.unscoped.get(pk=made["id"]).idle_lock_seconds == 600
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    pin_in(page, anna, "1234")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    assert sockets
    assert all("device=dev_" in socket.url for socket in sockets)
    # Revoked while its sockets are open: their close (4003) brings the tablet back.
    page.evaluate("""() => new Promise((resolve) => {
        const observer = new MutationObserver(() => {
            if (document.body.dataset.device === "unregistered") {
                window.unregisteredAt = performance.timeOrigin + performance.now();
                observer.disconnect();
            }
        });
        observer.observe(document.body, { attributes: true, subtree: true, childList: true });
        resolve();
    })""")
    manager.evaluate("""() => document.querySelector(".revoke-device").addEventListener(
        "click", () => { window.revokedAt = performance.timeOrigin + performance.now(); }, { capture: true })""")
    row.locator(".revoke-device").click()
    expect(row).to_contain_text("отозвано", timeout=WAIT)
    # The tablet: the login form, saying why, its credential forgotten, its sockets closed.
    expect(page.locator(".login-error")).to_have_text("Регистрация этого планшета отозвана.", timeout=WAIT)
    expect(page.locator("input[name=email]")).to_be_visible()
    measured("a device revoked → the tablet shows its unregistered screen",
             page.evaluate("window.unregisteredAt") - manager.evaluate("window.revokedAt"))  # fmt: skip
    assert page.evaluate("localStorage.getItem('cafe.device')") is None
    assert page.evaluate("document.body.dataset.device") == "unregistered"
    assert Device.unscoped.get(pk=made["id"]).revoked_at is not None
    assert all(socket.is_closed() for socket in sockets)
    assert page.script_errors == manager.script_errors == []


def test_the_tablet_locks_itself_after_the_idle_time(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web", DEVICE_IDLE_LOCK_SECONDS="3")
    anna, _boris = waiters(cafe)
    page, _made = registered(chromium, server, cafe["manager"])
    page.select_option("select[aria-label]", "en")  # the start screen in English
    expect(page.locator(".device-start h1")).to_have_text("Who is signing in?", timeout=WAIT)
    expect(page.locator(f'.staff[data-employee="{anna.pk}"]')).to_contain_text("waiter")
    pin_in(page, anna, "1234")
    expect(page.locator("#switch-user")).to_have_text("Switch user", timeout=WAIT)
    # Touches keep it open…
    for _ in range(4):
        page.mouse.move(5, 5)
        page.mouse.down()
        page.mouse.up()
        time.sleep(1)
    expect(page.locator("#switch-user")).to_be_visible()
    signed_in_at = time.monotonic()
    # …then three seconds without one: back to the list of names, the token forgotten.
    expect(page.locator(".device-start")).to_be_visible(timeout=WAIT)
    assert time.monotonic() - signed_in_at >= 2
    expect(page.locator(".device-start h1")).to_have_text("Who is signing in?")
    expect(page.locator("#switch-user")).to_have_count(0)
    assert page.script_errors == []


def test_clock_in_and_out_on_the_tablet_shows_in_the_managers_hours_report(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    anna = cafe["waiter"]
    anna.first_name = "Anna"
    anna.save(update_fields=["first_name"])
    # Anna sets her own PIN in the app, with her password.
    own = open_app(chromium, server, anna, "/app/clock/")
    own.fill("#pin-password", "wrong-password")
    own.fill("#new-pin", "2468")
    own.click("#save-pin")
    expect(own.locator(".pin-form .login-error")).not_to_be_empty(timeout=WAIT)
    own.fill("#pin-password", PASSWORD)
    own.fill("#new-pin", "2468")
    own.click("#save-pin")
    expect(own.locator("#toasts")).to_contain_text("PIN сохранён", timeout=WAIT)
    own.context.close()

    page, made = registered(chromium, server, cafe["manager"])
    pin_in(page, anna, "2468")
    expect(page.locator("#switch-user")).to_be_visible(timeout=WAIT)
    page.click('.bar nav button[data-view="clock"]')
    state = page.locator("#clock-state")
    expect(state).to_have_attribute("data-state", "out", timeout=WAIT)
    assert serious_violations(page) == []
    page.click("#clock-in")
    expect(state).to_have_attribute("data-state", "in", timeout=WAIT)
    page.click("#break-start")
    expect(state).to_have_attribute("data-state", "break", timeout=WAIT)
    page.click("#break-end")
    expect(state).to_have_attribute("data-state", "in", timeout=WAIT)
    page.click("#clock-out")
    expect(state).to_have_attribute("data-state", "out", timeout=WAIT)
    entry = ClockEntry.unscoped.get()
    assert (entry.employee_id, str(entry.device_id), entry.breaks.count()) == (anna.pk, made["id"], 1)
    assert entry.ended_at is not None

    manager = open_app(chromium, server, cafe["manager"], "/app/clock/")
    row = manager.locator(f'#hours-report tr[data-employee="{anna.pk}"]')
    expect(row).to_contain_text("Anna", timeout=WAIT)
    expect(manager.locator(f'#hours-by-day tr[data-employee="{anna.pk}"]')).to_be_visible()
    assert serious_violations(manager) == []
    shot(manager, "clock-hours")
    with manager.expect_download() as download:
        manager.click('.csv[data-kind="report"]')
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert any("Anna" in cells for cells in rows), rows
    # A correction with its reason, kept.
    item = manager.locator(f'.entries li[data-entry="{entry.pk}"]')
    item.locator('input[type="datetime-local"]').first.evaluate("""(input) => {
        const earlier = new Date(new Date(input.value).getTime() - 5 * 60_000);
        input.value = new Date(earlier.getTime() - earlier.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    }""")  # started five minutes earlier
    item.locator('input[aria-label^="Причина"]').fill("forgot to clock out on time")
    item.locator("button.correct").click()
    expect(manager.locator(f'.entries li[data-entry="{entry.pk}"]')).to_contain_text(
        "forgot to clock out on time", timeout=WAIT
    )
    assert ClockCorrection.unscoped.get().reason == "forgot to clock out on time"
    assert page.script_errors == manager.script_errors == []
