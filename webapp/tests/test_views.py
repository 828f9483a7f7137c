"""Every view of the web app in Chromium: axe-core finds no serious or critical
accessibility violation, each is screenshotted at a tablet's, a desktop's and
(the waiter's floor) a phone's size, operable by keyboard alone; the first view's
interactive time is measured and the app's JavaScript size bounded."""

import gzip
from pathlib import Path

import pytest

from cafe.floor.models import Table
from cafe.tests.factories import PASSWORD, ZoneFactory, order_for
from webapp.tests.browser import WAIT, access_for, api, measured, open_app, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser-views")]

STATIC = Path(__file__).resolve().parents[1] / "static" / "webapp"
SIZES = {"tablet": {"width": 1280, "height": 800}, "desktop": {"width": 1920, "height": 1080}}
PHONE = {"width": 390, "height": 844}


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, in words."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    assert results["testEngine"]["name"] == "axe-core"
    found = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            where = "; ".join(str(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {where}")
    return found


def test_the_apps_javascript_is_small():
    """The whole app's JavaScript, compressed: a deterministic size, so bounded."""
    files = sorted(STATIC.rglob("*.js"))
    assert files
    compressed = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    measured("the app's JavaScript, gzip", compressed / 1024, "KB")
    assert compressed < 200 * 1024


def test_first_view_interactive_time_is_measured(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])
    # A fresh load with the session in its cookie: the floor drawn with its data.
    for attempt in range(3):
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "floor", timeout=WAIT)
        figures = page.evaluate("""() => {
            const [navigation] = performance.getEntriesByType("navigation");
            return {
                ready: performance.getEntriesByName("cafe:ready")[0].startTime,
                interactive: navigation.domInteractive,
            };
        }""")
        measured(f"first view (floor) drawn with its data after a load, try {attempt + 1}", figures["ready"])
        measured(f"first view: DOM interactive, try {attempt + 1}", figures["interactive"])
    login = chromium.new_context().new_page()
    login.goto(server.http + "/app/")
    expect(login.locator("body")).to_have_attribute("data-ready", "login", timeout=WAIT)
    measured("login view ready after a load", login.evaluate("performance.getEntriesByName('cafe:ready')[0].startTime"))


def test_no_serious_accessibility_violation_on_any_view(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    found: dict[str, list[str]] = {}
    login = chromium.new_context().new_page()
    login.goto(server.http + "/app/")
    expect(login.locator("body")).to_have_attribute("data-ready", "login", timeout=WAIT)
    found["login"] = serious_violations(login)

    order_for(cafe["waiter"], cafe["tables"][1], [(cafe["dish"], 1)])
    # A hall with a table on its plan, beside the tables in no hall: both drawings are checked.
    hall = ZoneFactory(branch=cafe["branch"], name="Terrace", width=800, height=400)
    Table.unscoped.filter(pk=cafe["tables"][2].pk).update(zone=hall, x=100, y=100, width=200, height=150)
    manager = open_app(chromium, server, cafe["manager"])
    expect(manager.locator('.table[data-number="2"]')).to_have_attribute("data-status", "busy", timeout=WAIT)
    found["floor"] = serious_violations(manager)
    manager.click('.halls [role=tab]:has-text("Terrace")')
    expect(manager.locator('.table[data-number="3"]')).to_be_visible(timeout=WAIT)
    found["floor: a hall's plan"] = serious_violations(manager)
    manager.click('.halls [role=tab][data-zone=""]')
    manager.click('.table[data-number="2"]')
    expect(manager.locator("#order-total")).to_have_text("350.00", timeout=WAIT)
    found["order panel"] = serious_violations(manager)
    for view in ("kitchen", "till", "clock", "devices", "pickup"):
        manager.click(f'nav button[data-view="{view}"]')
        expect(manager.locator("body")).to_have_attribute("data-ready", view, timeout=WAIT)
        expect(manager.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
        found[view] = serious_violations(manager)
    manager.fill("#token-label", "TV")
    manager.click("#make-token")
    url = manager.locator("#token-made a").get_attribute("href")
    tv = chromium.new_context(viewport=SIZES["desktop"]).new_page()
    tv.goto(url)
    expect(tv.locator("#board-status")).to_have_attribute("data-state", "live", timeout=WAIT)
    found["pickup board"] = serious_violations(tv)
    assert {view: problems for view, problems in found.items() if problems} == {}


@pytest.mark.parametrize("size", SIZES)
def test_every_view_is_screenshotted_at_a_tablets_and_a_desktops_size(chromium, start_server, cafe, size):
    from playwright.sync_api import expect

    server = start_server("web")
    order_for(cafe["waiter"], cafe["tables"][0], [(cafe["dish"], 2)])
    manager = open_app(chromium, server, cafe["manager"], viewport=SIZES[size])
    shot(manager, f"{size}-floor")
    manager.click('.table[data-number="1"]')
    expect(manager.locator("#order-total")).to_have_text("700.00", timeout=WAIT)
    shot(manager, f"{size}-order")
    for view in ("kitchen", "till", "clock", "devices", "pickup"):
        manager.click(f'nav button[data-view="{view}"]')
        expect(manager.locator("body")).to_have_attribute("data-ready", view, timeout=WAIT)
        shot(manager, f"{size}-{view}")
        width = manager.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{view} scrolls sideways at {size}: {width}"


def test_a_waiter_takes_an_order_on_a_phone(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(server.http + "/app/")
    page.fill("input[name=email]", cafe["waiter"].email)
    page.fill("input[name=password]", PASSWORD)
    page.tap("button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=WAIT)
    shot(page, "phone-floor")
    page.tap('.table[data-number="1"]')
    page.tap("#open-order")
    page.tap('.menu-item:has-text("Borscht")')
    expect(page.locator("#order-total")).to_have_text("350.00", timeout=WAIT)
    shot(page, "phone-order")
    assert "null" not in page.inner_text("#view"), "nothing missing is written out"
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the floor scrolls sideways on a phone: {width}"


def test_a_waiter_takes_an_order_with_the_keyboard_alone(chromium, start_server, cafe):
    from playwright.sync_api import expect

    server = start_server("web")
    page = open_app(chromium, server, cafe["waiter"])

    def tab_to(selector: str) -> None:
        """Tab until the focus is on ``selector``: it is reachable in the tab order."""
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
                return
        raise AssertionError(f"{selector} is not reachable with Tab")

    tab_to('.table[data-number="1"]')
    page.keyboard.press("Enter")
    tab_to("#guests")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    tab_to("#open-order")
    page.keyboard.press("Enter")
    tab_to('.menu-item[data-title="Borscht"]')
    page.keyboard.press("Enter")
    expect(page.locator("#order-total")).to_have_text("350.00", timeout=WAIT)
    tab_to("#pay-cash")
    page.keyboard.type("400")
    tab_to("#pay")
    page.keyboard.press("Enter")
    expect(page.locator("#last-change")).to_have_text("Сдача: 50.00", timeout=WAIT)
    orders = api(server, "GET", "/api/cafe/orders/?status=closed", access_for(cafe["waiter"]))["results"]
    assert [(order["guests"], order["money"]["total"]) for order in orders] == [(4, "350.00")]
