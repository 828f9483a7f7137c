from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a retried write, kept per user and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    # UTF-8 bytes of ``body`` as JSON, counted against IDEMPOTENCY_USER_BYTES; NULL once
    # the answer was dropped to make room (``body`` is then ``{}``).
    body_bytes = models.PositiveIntegerField(null=True, default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table kept its name when the model moved here from the cafe app.
        db_table = "cafe_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key


class TickState(models.Model):
    """When a timed job (``core.ticks``) last ran, shared by every server process: the
    tick it ran for (the start of its ``every``-long slot) and the moment it ran."""

    name = models.CharField(max_length=100, primary_key=True)
    last_tick = models.DateTimeField()
    last_run = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_tick:%Y-%m-%d %H:%M:%S}"
