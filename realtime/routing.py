"""``ws/cafe/<stream>/`` for every stream registered in the catalogue; any other
path finds no route, as before the stream existed."""

from django.urls import path, register_converter

from realtime import catalogue
from realtime.consumers import EventsConsumer


class RegisteredStream:
    """A path segment naming a registered stream, checked when a socket connects
    (the catalogue is filled in the apps' ``ready``, after this module may load)."""

    regex = "[a-z][a-z0-9_]*"

    def to_python(self, value: str) -> str:
        if value not in catalogue.STREAMS:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegisteredStream, "registered_stream")

websocket_urlpatterns = [
    path("ws/cafe/<registered_stream:stream>/", EventsConsumer.as_asgi()),
]
