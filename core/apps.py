import logging

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if settings.LOG_FORMAT == "json":
            # Python's warnings are log lines too (``py.warnings``): one JSON object a line.
            logging.captureWarnings(True)
