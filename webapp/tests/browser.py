"""The browser tests' fixtures and helpers: Debian's Chromium driven by Playwright
for Python against real server processes (``cafe/tests/servers.py``) on the test
database. Skipped only where Chromium or Playwright is missing and CI is not set;
under CI=true a missing browser fails (``.ci/run`` installs it)."""

import json
import os
import shutil
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import Role
from cafe.tests.factories import (
    PASSWORD,
    BranchFactory,
    CategoryFactory,
    StationFactory,
    TableFactory,
    open_shift,
    owner_of,
    staff_of,
    station_dish,
)
from cafe.tests.servers import server_hash

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots of each view, kept as test artifacts (README shows two).
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WAIT = 10_000  # ms: how long an expectation may wait for the page (a bound, not a timing assertion)
MEASUREMENTS = ARTIFACTS.parent / "measurements.jsonl"


def measured(name: str, value: float, unit: str = "ms") -> None:
    """A figure the browser tests measure and report, never assert (docs/web.md,
    "Measurements"): printed and appended to artifacts/measurements.jsonl."""
    print(f"MEASURED {name}: {value:.1f} {unit}")
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    with MEASUREMENTS.open("a") as file:
        file.write(json.dumps({"name": name, "value": round(value, 1), "unit": unit}) + "\n")


@pytest.fixture(scope="module")
def chromium_browser():
    """One Chromium per test module (launching one, with Playwright's driver, costs
    about a second of CPU); each test gets its own contexts, closed after it."""
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
    # Playwright's sync API keeps an event loop running in this thread while it is
    # open; the tests' own database calls between browser steps are plain synchronous ones.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def chromium(chromium_browser):
    yield chromium_browser
    for context in chromium_browser.contexts:  # its pages, their sockets and service workers
        context.close()


def login_capable(user):
    """The server processes check passwords with the production hashers: give the
    user a PBKDF2 hash at their count instead of the suite's fast MD5."""
    user.password = server_hash(PASSWORD, "browsertests")
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
        "station": station,
        "dish": dish,
        "tables": [TableFactory(branch=branch, number=number) for number in (1, 2, 3)],
        "waiter": login_capable(staff_of(branch, Role.WAITER)),
        "cook": login_capable(staff_of(branch, Role.COOK)),
        "manager": login_capable(staff_of(branch, Role.MANAGER)),
        "owner": login_capable(owner_of(branch.company)),
    }


def open_app(browser, server, user, path="/app/", lang="ru", viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale=lang)
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
