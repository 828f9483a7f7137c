"""A socket's own frames (its error messages) in the language of its `lang` parameter,
Russian by default; events are in the server's language for every socket."""

import pytest

from cafe.tests.factories import TableFactory, UserFactory, order_for
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = {
    # frame sent: (code, Russian, English)
    "not json": ("invalid_json", "Кадр не является корректным JSON.", "The frame is not valid JSON."),
    "[1]": ("invalid_message", "Отправьте JSON-объект с полем 'action'.", "Send a JSON object with an 'action'."),
    '{"action": "dance"}': (
        "unknown_action",
        "Неизвестное действие: 'dance'. Используйте 'ping' или 'resume'.",
        "Unknown action: 'dance'. Use 'ping' or 'resume'.",
    ),
    '{"action": "resume", "since": -1}': (
        "invalid_since",
        "since должен быть целым числом от 0 до 9223372036854775807.",
        "since must be an integer from 0 to 9223372036854775807.",
    ),
}


@pytest.mark.parametrize(
    ("params", "english"),
    [({}, False), ({"lang": "en"}, True), ({"lang": "ru"}, False), ({"lang": "de"}, False), ({"lang": "en-US"}, True)],
)
async def test_error_frames_speak_the_socket_language(ws, params, english):
    waiter = await db(UserFactory)()
    socket = await ws(ORDERS, access_token(waiter), **params)
    assert (await socket.receive())["type"] == "connection_established"
    for text, (code, russian, in_english) in MESSAGES.items():
        await socket.send(text)
        assert await socket.receive() == {"type": "error", "code": code, "message": in_english if english else russian}
    await socket.ping()


async def test_a_bad_since_in_the_url_is_answered_in_the_socket_language(ws):
    waiter = await db(UserFactory)()
    socket = await ws(ORDERS, access_token(waiter), since="x", lang="en")
    assert (await socket.receive())["message"] == "since must be an integer from 0 to 9223372036854775807."
    assert await socket.closed_with() == 1008


async def test_events_are_in_the_server_language_on_an_english_socket(ws):
    waiter = await db(UserFactory)()
    table = await db(TableFactory)(branch=waiter.branch)
    socket = await ws(TABLES, access_token(waiter), lang="en")
    assert (await socket.receive())["type"] == "connection_established"
    await db(order_for)(waiter, table)
    event = await socket.receive()
    assert (event["type"], event["data"]["status"], event["data"]["status_display"]) == (
        "table_status_changed",
        "busy",
        "Занят",
    )
