from django.apps import AppConfig


class CafeConfig(AppConfig):
    name = "cafe"
    default_auto_field = "django.db.models.BigAutoField"
