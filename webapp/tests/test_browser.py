"""The web app in a real browser: Debian's Chromium driven by Playwright for Python,
against real server processes (``cafe/tests/servers.py``) on the test database.

Skipped only where Chromium or Playwright is missing and CI is not set; under
CI=true a missing browser fails (``.ci/run`` installs it)."""

import json
import os
import re
import shutil
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import Role
from cafe.menu.models import MenuItem
from cafe.tests.factories import (
    PASSWORD,
    BranchFactory,
    CategoryFactory,
    StationFactory,
    TableFactory,
    open_shift,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots of each view, kept as test artifacts (README shows two).
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WAIT = 10_000  # ms: how long an expectation may wait for the page (a bound, not a timing assertion)


@pytest.fixture(scope="module")
def _browser():
    """One Chromium for the module (launching it costs more CPU than most tests): each
    test opens its own browser contexts (``open_app``), which share no cookies or storage."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed (pip install -r requirements-dev.txt)"
    if missing is None and not os.path.exists(CHROMIUM):
        missing = "chromium is not installed (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    # Playwright's sync API keeps an event loop running in this thread; the test's
    # own database calls between browser steps are plain synchronous ones.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            yield browser
            browser.close()


@pytest.fixture
def chromium(_browser):
    yield _browser
    for context in _browser.contexts:  # a test's pages never outlive it
        context.close()


def login_capable(user):
    """The server processes check passwords with the production hashers: give the
    user a PBKDF2 hash (few iterations: a test) instead of the suite's fast MD5."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "browsertests", iterations=1000)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def cafe():
    branch = BranchFactory()
    station = StationFactory(branch=branch, name="Hot")
    category = CategoryFactory(company=branch.company, name="Mains")
    dish = station_dish(station, title="Borscht", price=Decimal("350.00"), category=category)
    open_shift(branch)
    return {
        "branch": branch,
        "dish": dish,
        "tables": [TableFactory(branch=branch, number=number) for number in (1, 2, 3)],
        "waiter": login_capable(staff_of(branch, Role.WAITER)),
        "cook": login_capable(staff_of(branch, Role.COOK)),
        "manager": login_capable(staff_of(branch, Role.MANAGER)),
        "owner": login_capable(owner_of(branch.company)),
    }


def open_app(browser, server, user, path="/app/", lang="ru"):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=lang)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    page.goto(server.http + path)
    if lang != "ru":
        page.select_option("select[aria-label]", lang)
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    from playwright.sync_api import expect

    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def api(server, method: str, path: str, token: str, body=None):
    request = urllib.request.Request(
        server.http + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def access_for(user) -> str:
    from accounts.services import tokens_for

    return tokens_for(user)["access"]


def test_waiter_takes_and_pays_an_order_while_the_owner_watches_live(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    owner = open_app(chromium, server, cafe["owner"])
    waiter = open_app(chromium, server, cafe["waiter"])
    shot(waiter, "floor")
    owners_table = owner.locator('.table[data-number="1"]')
    expect(owners_table).to_have_attribute("data-status", "free")

    waiter.click('.table[data-number="1"]')
    waiter.fill("#guests", "3")
    waiter.click("#open-order")
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
