import uuid

from django.db import models

from accounts.models import Company


class Event(models.Model):
    """The durable event log (a transactional outbox): written in the transaction
    of the change it reports, read back by sockets that resume or find a gap."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    # Not a foreign key: the record outlives the branch it speaks of.
    branch_id = models.UUIDField(null=True, blank=True)
    # A name from realtime.catalogue, which says which sockets get it.
    type = models.CharField(max_length=40)
    # The exact text every socket receives, serialised once.
    message = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        # The table kept its name when the model moved here from the cafe app.
        db_table = "cafe_event"
        ordering = ["company", "seq"]
        constraints = [models.UniqueConstraint(fields=["company", "seq"], name="event_seq_unique_in_company")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"
