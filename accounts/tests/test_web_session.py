"""The web app's session: the refresh token in an HttpOnly, SameSite=Strict cookie
on /api/users/web/, CSRF on every POST there, rotation, and logout on the server."""

import pytest
from rest_framework.test import APIClient

from cafe.tests.factories import PASSWORD, BranchFactory, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A client that enforces CSRF as a browser's requests meet it, holding the csrftoken cookie."""
    client = APIClient(enforce_csrf_checks=True)
    answer = client.get("/api/users/web/csrf/")
    assert answer.status_code == 200
    client.csrf = answer.json()["csrf_token"]
    return client


@pytest.fixture
def waiter():
    return staff_of(BranchFactory())


def web_login(browser, user, **headers):
    return browser.post("/api/users/web/login/", {"email": user.email, "password": PASSWORD}, format="json", **headers)


def test_login_sets_an_httponly_strict_cookie_and_answers_no_refresh_token(browser, waiter):
    answer = web_login(browser, waiter, HTTP_X_CSRFTOKEN=browser.csrf)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access", "user"}
    assert body["user"]["email"] == waiter.email
    cookie = answer.cookies["cafe_refresh"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/users/web/"
    assert not cookie["secure"]  # HTTPS off in tests
    assert "no-store" in answer["Cache-Control"]


def test_cookie_is_secure_when_secure_cookies_are_on(browser, waiter, settings):
    settings.SESSION_COOKIE_SECURE = True
    answer = web_login(browser, waiter, HTTP_X_CSRFTOKEN=browser.csrf)
    assert answer.cookies["cafe_refresh"]["secure"] is True


@pytest.mark.parametrize("path", ["login", "refresh", "logout"])
def test_every_post_without_the_csrf_header_is_refused(browser, waiter, path):
    web_login(browser, waiter, HTTP_X_CSRFTOKEN=browser.csrf)
    body = {"email": waiter.email, "password": PASSWORD} if path == "login" else {}
    answer = browser.post(f"/api/users/web/{path}/", body, format="json")
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]
    wrong = browser.post(f"/api/users/web/{path}/", body, format="json", HTTP_X_CSRFTOKEN="x" * 32)
    assert wrong.status_code == 403


def test_csrf_refusal_is_in_russian_by_default(browser, waiter):
    answer = browser.post("/api/users/web/refresh/", {}, format="json")
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("Проверка CSRF")


def test_refresh_rotates_the_cookie_and_the_old_one_is_spent(browser, waiter):
    first = web_login(browser, waiter, HTTP_X_CSRFTOKEN=browser.csrf).cookies["cafe_refresh"].value
    answer = browser.post("/api/users/web/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=browser.csrf)
    assert answer.status_code == 200
    assert set(answer.json()) == {"access"}
    second = answer.cookies["cafe_refresh"].value
    assert second != first
    me = APIClient().get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
    assert me.json()["email"] == waiter.email
    browser.cookies["cafe_refresh"] = first  # a stolen, already rotated cookie
    replay = browser.post("/api/users/web/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=browser.csrf)
    assert replay.status_code == 401


def test_refresh_without_a_cookie_is_401(browser):
    answer = browser.post("/api/users/web/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=browser.csrf)
    assert answer.status_code == 401


def test_logout_blacklists_the_refresh_token_and_clears_the_cookie(browser, waiter):
    token = web_login(browser, waiter, HTTP_X_CSRFTOKEN=browser.csrf).cookies["cafe_refresh"].value
    answer = browser.post("/api/users/web/logout/", {}, format="json", HTTP_X_CSRFTOKEN=browser.csrf)
    assert answer.status_code == 204
    assert answer.cookies["cafe_refresh"].value == ""
    # The token itself no longer refreshes anywhere: the session ended on the server.
    assert APIClient().post("/api/users/token/refresh/", {"refresh": token}, format="json").status_code == 401
    browser.cookies["cafe_refresh"] = token
    again = browser.post("/api/users/web/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=browser.csrf)
    assert again.status_code == 401


def test_wrong_password_is_401_with_a_message(browser, waiter):
    answer = browser.post(
        "/api/users/web/login/",
        {"email": waiter.email, "password": "nope-nope"},
        format="json",
        HTTP_X_CSRFTOKEN=browser.csrf,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 401, answer.json()
    assert answer.json()["detail"] == "No active account found with the given credentials."
    assert "cafe_refresh" not in answer.cookies


def test_the_app_page_sets_the_csrf_cookie_and_a_strict_csp(client):
    assert client.get("/").headers["Location"] == "/app/"
    for path in ["/app/", "/app/kitchen/", "/app/till/", "/app/pickup/"]:
        answer = client.get(path)
        assert answer.status_code == 200
        assert "csrftoken" in answer.cookies
        policy = answer["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
