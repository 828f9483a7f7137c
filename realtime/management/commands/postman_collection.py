"""Writes the Postman collection (and its environment) generated from the OpenAPI
document plus the sockets' quick start: ``manage.py postman_collection`` prints the
collection; ``--out docs/postman`` writes both files there (``make docs``)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from drf_spectacular.settings import spectacular_settings

from core import postman
from realtime.catalogue import STREAMS

COLLECTION_FILE = "cafe.postman_collection.json"
ENVIRONMENT_FILE = "cafe.postman_environment.json"


def build() -> tuple[str, str]:
    """The collection's and the environment's text, as checked in under docs/postman/."""
    document = spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)
    collection = postman.collection(document, streams=list(STREAMS))
    return postman.dumps(collection), postman.dumps(postman.environment())


class Command(BaseCommand):
    help = "Print the Postman collection generated from the OpenAPI document, or write it with --out DIR."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", type=Path, help=f"write {COLLECTION_FILE} and {ENVIRONMENT_FILE} here")

    def handle(self, *args, out: Path | None = None, **options) -> None:
        collection, environment = build()
        if out is None:
            self.stdout.write(collection, ending="")
            return
        out.mkdir(parents=True, exist_ok=True)
        (out / COLLECTION_FILE).write_text(collection, encoding="utf-8")
        (out / ENVIRONMENT_FILE).write_text(environment, encoding="utf-8")
        self.stdout.write(f"Wrote {out / COLLECTION_FILE} and {out / ENVIRONMENT_FILE}")
