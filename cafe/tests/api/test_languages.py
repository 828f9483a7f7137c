"""Russian by default, English with `Accept-Language: en`: the same error or label in
both languages. Events stay in the server's language whatever the request asked for."""

import json
import uuid
from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.tests.factories import MenuItemFactory, TableFactory, order_for, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=3)


def both(request) -> tuple[tuple[int, dict], tuple[int, dict]]:
    """The answer without a language asked for, and in English."""
    default, english = request(), request(**EN)
    return (default.status_code, default.json()), (english.status_code, english.json())


def test_a_missing_object_404(client_for, waiter):
    client = client_for(waiter)
    path = f"/api/cafe/tables/{uuid.uuid4()}/"
    assert both(lambda **h: client.get(path, **h)) == (
        (404, {"detail": "Не найдено."}),
        (404, {"detail": "Not found."}),
    )


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("en-US,en;q=0.9", "Not found."),
        ("ru-RU,ru;q=0.9,en;q=0.8", "Не найдено."),
        ("de", "Не найдено."),  # a language the server does not speak: the default
        ("de, en;q=0.5", "Not found."),
    ],
)
def test_the_language_is_the_first_one_the_server_speaks(client_for, waiter, header, detail):
    response = client_for(waiter).get(f"/api/cafe/tables/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.json() == {"detail": detail}
    assert response["Content-Language"] == ("en" if detail == "Not found." else "ru")
    assert "Accept-Language" in response["Vary"]


def test_a_403_from_a_declared_permission(client_for, waiter):
    client = client_for(waiter)
    assert both(lambda **h: client.get("/api/users/employees/", **h)) == (
        (403, {"detail": "Просматривать это могут только владельцы и администраторы."}),
        (403, {"detail": "Only owners and admins may see this."}),
    )
    assert both(lambda **h: client.post("/api/cafe/tables/", {"number": 9}, format="json", **h)) == (
        (403, {"detail": "Изменять это могут только владельцы, администраторы и менеджеры."}),
        (403, {"detail": "Only owners, admins and managers may change this."}),
    )


def test_a_403_from_a_service(client_for, branch, menu_category):
    client = client_for(staff_of(branch, role=Role.MANAGER))
    body = {"category": str(menu_category.pk), "title": "Чай", "price": "100.00", "branch": None}
    assert both(lambda **h: client.post("/api/cafe/menu-items/", body, format="json", **h)) == (
        (403, {"detail": "Добавлять позицию в меню всех филиалов могут только владельцы и администраторы."}),
        (403, {"detail": "Only owners and admins put a menu item on every branch's menu."}),
    )


@pytest.fixture
def menu_category(branch):
    return MenuItemFactory(category__company=branch.company).category


def test_400_field_errors_drf_and_ours(client_for, waiter):
    client = client_for(waiter)
    assert both(lambda **h: client.post("/api/cafe/orders/", {"guests": 0}, format="json", **h)) == (
        (400, {"table": ["Обязательное поле."], "guests": ["Убедитесь, что это значение больше либо равно 1."]}),
        (400, {"table": ["This field is required."], "guests": ["Ensure this value is greater than or equal to 1."]}),
    )
    body = {"table": str(uuid.uuid4()), "guests": 2}
    assert both(lambda **h: client.post("/api/cafe/orders/", body, format="json", **h)) == (
        (400, {"table": ["Стол не найден."]}),
        (400, {"table": ["Table not found."]}),
    )


def test_409_with_the_state_and_with_the_limit(client_for, waiter, table, settings):
    client = client_for(waiter)
    order = order_for(waiter, table)
    client.post(f"/api/cafe/orders/{order.pk}/close/")
    assert both(lambda **h: client.post(f"/api/cafe/orders/{order.pk}/cancel/", **h)) == (
        (409, {"detail": "Заказ закрыт; закрыть или отменить можно только открытый заказ."}),
        (409, {"detail": "The order is closed; only open orders can be closed or cancelled."}),
    )
    settings.ORDER_MAX_LINES = 1
    item = MenuItemFactory(category__company=table.company, price=Decimal("5.00"))
    lines = [{"menu_item": str(item.pk), "quantity": 1}] * 2
    body = {"table": str(table.pk), "guests": 1, "items": lines}
    assert both(lambda **h: client.post("/api/cafe/orders/", body, format="json", **h)) == (
        (
            409,
            {
                "detail": "В заказе может быть не больше 1 строк (ORDER_MAX_LINES); в этом их 0, "
                "так что добавить можно ещё не больше 1."
            },
        ),
        (
            409,
            {
                "detail": "An order holds at most 1 lines (ORDER_MAX_LINES); this one has 0, "
                "so at most 1 more can be added."
            },
        ),
    )


def test_429_throttled_logins(api_client, waiter, settings):
    settings.LOGIN_FAILURES_ALLOWED = 1
    body = {"email": waiter.email, "password": "wrong"}
    assert api_client.post("/api/users/login/", body, format="json").status_code == 401
    (status, default), (_, english) = both(lambda **h: api_client.post("/api/users/login/", body, format="json", **h))
    assert status == 429
    assert default["detail"].startswith("Слишком много попыток. Попробуйте позже. Повторите через ")
    assert default["detail"].endswith(" с.")
    assert english["detail"].startswith("Too many attempts. Try again later. Expected available in ")
    assert english["detail"].endswith(" seconds.")


def test_401_wrong_credentials(api_client, waiter):
    body = {"email": waiter.email, "password": "wrong"}
    assert both(lambda **h: api_client.post("/api/users/login/", body, format="json", **h)) == (
        (401, {"detail": "Не найдено активной учётной записи с указанными данными."}),
        (401, {"detail": "No active account found with the given credentials."}),
    )


def test_status_display_follows_the_request_events_stay_in_the_default_language(client_for, waiter, table):
    client = client_for(waiter)
    path = f"/api/cafe/tables/{table.pk}/"
    assert client.get(path).json()["status_display"] == "Свободен"
    assert client.get(path, **EN).json()["status_display"] == "Free"

    created = client.post("/api/cafe/orders/", {"table": str(table.pk), "guests": 2}, format="json", **EN).json()
    assert (created["status"], created["status_display"]) == ("open", "Open")
    events = [json.loads(message) for message in Event.objects.order_by("seq").values_list("message", flat=True)]
    assert [(event["type"], event["data"].get("status_display")) for event in events] == [
        ("order_created", None),
        ("table_status_changed", "Занят"),
    ]
    assert events[0]["data"]["order"]["status_display"] == "Открыт"
    assert client.get(path, **EN).json()["status_display"] == "Busy"
    assert client.get(path).json()["status_display"] == "Занят"


def test_the_openapi_document_is_english_whatever_the_language(api_client):
    default = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    russian = api_client.get("/api/schema/?lang=ru", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    english = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", **EN).content
    assert default == russian == english
    assert "* `closed` - Closed" in default.decode()
