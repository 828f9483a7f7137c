"""The floor: halls (zones) with their drawn plan, tables and their status, and the
branch's opening hours."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned


class TableStatus(models.TextChoices):
    FREE = "free", _("Free")
    BUSY = "busy", _("Busy")
    RESERVED = "reserved", _("Reserved")


# Who moves a table between them: staff reserve and free it (``table_update``); its
# orders make it busy and, with the last one, free again (``cafe.orders.occupancy``).
TABLE_TRANSITIONS: dict[str, frozenset[str]] = {
    TableStatus.FREE: frozenset({TableStatus.RESERVED, TableStatus.BUSY}),
    TableStatus.RESERVED: frozenset({TableStatus.FREE, TableStatus.BUSY}),
    TableStatus.BUSY: frozenset({TableStatus.FREE}),
}


class Zone(TenantOwned):
    """A hall of a branch, drawn as a canvas of ``width`` × ``height`` plan units on
    which its tables are placed."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=100)
    # Where it comes among the branch's halls (tabs of the floor view).
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField(default=1000)
    height = models.PositiveIntegerField(default=1000)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="zone_name_unique_in_branch"),
            models.CheckConstraint(condition=Q(width__gte=1) & Q(height__gte=1), name="zone_canvas_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class TableShape(models.TextChoices):
    RECT = "rect", _("Rectangle")
    ROUND = "round", _("Round")


class Table(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField()
    seats = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(max_length=16, choices=TableStatus.choices, default=TableStatus.FREE)
    # The booking that holds it ``reserved`` (a plain id: the floor knows no bookings);
    # None for a reservation made by hand.
    reserved_for = models.UUIDField(null=True, blank=True)
    # Its hall (None: not placed on a plan) and its place there, in the hall's plan units:
    # the top-left corner, the size and the turn (degrees, about its centre).
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="tables")
    x = models.PositiveIntegerField(default=0)
    y = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=100)
    height = models.PositiveIntegerField(default=100)
    shape = models.CharField(max_length=8, choices=TableShape.choices, default=TableShape.RECT)
    rotation = models.PositiveSmallIntegerField(default=0)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="table_number_unique_in_branch"),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="table_seats_positive"),
            models.CheckConstraint(condition=Q(width__gte=1) & Q(height__gte=1), name="table_size_positive"),
            models.CheckConstraint(condition=Q(rotation__lt=360), name="table_rotation_under_360"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OpeningHours(TenantOwned):
    """One interval a branch is open on a weekday, in the branch's local time
    (``Branch.timezone``). A weekday with no interval is a day off; ``closes`` at or
    before ``opens`` runs past midnight into the next day."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()  # 0 Monday … 6 Sunday (date.weekday())
    opens = models.TimeField()
    closes = models.TimeField()

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_0_to_6"),
            models.UniqueConstraint(fields=["branch", "weekday", "opens"], name="opening_hours_unique_start"),
        ]


class OpeningException(TenantOwned):
    """A date whose hours differ from its weekday's: the date's rows replace the
    weekday's; a row without ``opens``/``closes`` means closed all day."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(opens__isnull=True) & Q(closes__isnull=True))
                | (Q(opens__isnull=False) & Q(closes__isnull=False)),
                name="opening_exception_both_or_neither",
            ),
            models.UniqueConstraint(fields=["branch", "date", "opens"], name="opening_exception_unique_start"),
        ]
