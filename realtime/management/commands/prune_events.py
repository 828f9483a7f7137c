from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import IdempotencyKey
from realtime.models import Event


class Command(BaseCommand):
    help = (
        "Deletes events older than EVENT_RETENTION_HOURS and idempotency keys older than "
        "IDEMPOTENCY_RETENTION_HOURS (24 h each by default). Run it from cron, e.g. hourly."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        events, _ = Event.objects.filter(created_at__lt=now - settings.EVENT_RETENTION).delete()
        keys, _ = IdempotencyKey.objects.filter(created_at__lt=now - settings.IDEMPOTENCY_RETENTION).delete()
        self.stdout.write(f"Pruned {events} events and {keys} idempotency keys.")
