from django.urls import path

from realtime.consumers import KitchenConsumer, OrdersConsumer, TablesConsumer

websocket_urlpatterns = [
    path("ws/cafe/orders/", OrdersConsumer.as_asgi()),
    path("ws/cafe/tables/", TablesConsumer.as_asgi()),
    path("ws/cafe/kitchen/", KitchenConsumer.as_asgi()),
]
