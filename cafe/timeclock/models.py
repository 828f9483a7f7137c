"""The time clock: when each employee worked in a branch, their breaks, and every
correction a manager made, kept with the values it replaced."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Branch, TenantOwned


class ClockEntry(TenantOwned):
    """One stretch of work: clocked in at ``started_at``, out at ``ended_at`` (None
    while still at work). At most one open entry per employee (a database constraint),
    in whichever branch."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # The registered device it was clocked on (None: a session of the employee's own).
    device = models.ForeignKey("accounts.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-started_at", "id"]
        indexes = [models.Index(fields=["company", "branch", "started_at"])]
        constraints = [
            models.UniqueConstraint(fields=["employee"], condition=Q(ended_at__isnull=True), name="clock_one_open"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")), name="clock_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.started_at}"


class ClockBreak(TenantOwned):
    """A break within an entry; at most one open at a time."""

    entry = models.ForeignKey(ClockEntry, on_delete=models.CASCADE, related_name="breaks")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = "entry__branch"

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry"], condition=Q(ended_at__isnull=True), name="clock_one_open_break"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="clock_break_ends_after",
            ),
        ]

    def __str__(self) -> str:
        return f"break {self.started_at}"


class ClockCorrection(TenantOwned):
    """A manager's change to an entry or one of its breaks, with why, and the times
    before and after (ISO 8601 text, ``None`` for an open end). Never changed."""

    entry = models.ForeignKey(ClockEntry, on_delete=models.CASCADE, related_name="corrections")
    clock_break = models.ForeignKey(ClockBreak, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    before = models.JSONField()
    after = models.JSONField()

    tenant_branch_field = "entry__branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.reason
