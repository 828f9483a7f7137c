from django.apps import AppConfig


class CafeConfig(AppConfig):
    name = "cafe"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The cafe's sockets and events, registered with realtime before anything
        # reads its catalogue (commands, the ASGI app and tests set Django up first).
        from cafe.bill.events import SHIFT_EVENTS
        from cafe.bookings.events import BOOKING_EVENTS
        from cafe.floor.events import TABLE_EVENTS
        from cafe.menu.events import MENU_EVENTS, STATION
        from cafe.orders.events import KITCHEN_EVENTS, ORDER_EVENTS
        from cafe.shared.events import Stream
        from cafe.store.events import STORE_EVENTS
        from realtime.catalogue import register_events, register_stream

        register_stream(Stream.ORDERS)
        register_stream(Stream.TABLES)
        register_stream(Stream.KITCHEN, narrowing=STATION)
        # In this order the sockets' documentation lists them.
        register_events(
            *ORDER_EVENTS, *SHIFT_EVENTS, *TABLE_EVENTS, *BOOKING_EVENTS, *KITCHEN_EVENTS, *MENU_EVENTS, *STORE_EVENTS
        )

        # The floor follows the book by itself, once a minute, in exactly one server
        # process (core/ticks.py; docs/floor.md, "The timer").
        import datetime

        from cafe.bookings.timer import bookings_no_show_due, bookings_reserve_due
        from core import ticks

        minute = datetime.timedelta(minutes=1)
        ticks.register("bookings.reserve_due", every=minute, run=bookings_reserve_due)
        ticks.register("bookings.no_show_due", every=minute, run=bookings_no_show_due)
