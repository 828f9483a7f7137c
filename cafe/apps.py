from django.apps import AppConfig


class CafeConfig(AppConfig):
    name = "cafe"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kitchen socket's `&station=` (realtime.catalogue.NARROWINGS): which
        # stations a socket may narrow itself to is the menu's knowledge, read through
        # the tenant's scope; realtime only asks.
        from cafe.menu.selectors import station_in_scope
        from realtime.catalogue import Stream, register_narrowing_check

        register_narrowing_check(
            Stream.KITCHEN,
            lambda tenant, station, branch_id: station_in_scope(tenant=tenant, station_id=station, branch_id=branch_id),
        )
