import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedManager, TenantScoping


class Company(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # The company's latest event sequence number; bumped under a row lock in the
    # transaction that writes the events (see cafe.events), so seq is contiguous.
    event_seq = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    # Where the branch is: its business day (reports, pickup numbers) runs in this zone.
    timezone = models.CharField(max_length=64, default="UTC")
    # Added to dine-in bills (after discounts); 0 for none.
    service_charge_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # A discount above this share of the bill needs a manager, an admin or the owner.
    staff_discount_limit_percent = models.DecimalField(max_digits=5, decimal_places=2, default=10)
    # The book (cafe/bookings), in minutes: a booking's default length, the turnover
    # buffer kept free after it, the step of the start times offered, how long before a
    # booking its tables show reserved, and how late a party may be before it is a no-show.
    booking_duration = models.PositiveIntegerField(default=120)
    booking_buffer = models.PositiveIntegerField(default=15)
    booking_step = models.PositiveIntegerField(default=15)
    booking_lead = models.PositiveIntegerField(default=60)
    booking_grace = models.PositiveIntegerField(default=20)
    created_at = models.DateTimeField(auto_now_add=True)

    # Declared before ``objects``, so Django's own machinery (admin, related objects) uses it: see accounts.scoping.
    unscoped = models.Manager()
    objects = ScopedManager["Branch"]()
    tenant_branch_field = "pk"

    class Meta:
        verbose_name_plural = "branches"
        ordering = ["created_at", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="branch_name_unique_in_company")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    WAITER = "waiter", _("Waiter")
    CASHIER = "cashier", _("Cashier")
    COOK = "cook", _("Cook")


COMPANY_WIDE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
BRANCH_ROLES = frozenset(Role) - COMPANY_WIDE_ROLES


class UserManager(TenantScoping["User"], BaseUserManager["User"]):
    """Stays readable without a tenant: signing in and checking a token find a user
    before any tenant exists. Other reads go through ``tenant.scope(User)``, and
    ``accounts/tests/test_scoping.py`` keeps ``User.objects`` to the modules that need it."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped when the password changes, the user is deactivated or logs out
    # everywhere: tokens carry the version they were issued under, and any other
    # is refused (REST 401, WebSocket 4003). See accounts.tokens.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    # The PIN that opens a session on a registered device of the user's branch
    # (accounts.devices), hashed as a password is; blank: none set. ``pin_failures``
    # counts wrong PINs since the last right one: at ``PIN_LOCKOUT_FAILURES`` the PIN
    # is locked until it is set again.
    pin = models.CharField(max_length=128, blank=True, editable=False)
    pin_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = UserManager()
    tenant_branch_field = "branch"

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False) | (Q(branch__isnull=True) & Q(role="")),
                name="user_without_company_has_no_branch_or_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[Role.OWNER, Role.ADMIN]) | Q(role="") | Q(branch__isnull=False),
                name="branch_role_has_branch",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class AttemptCounter(models.Model):
    """One throttle window: how many slots of ``key`` are taken until ``expires_at``
    (seconds since the epoch), and how many of them are held by password checks
    still running (``pending``: not yet known to be failures). Changed only by
    accounts.throttle's atomic statements."""

    key = models.CharField(max_length=400, primary_key=True)
    count = models.PositiveIntegerField()
    pending = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class TenantOwned(models.Model):
    """A row of one company. Read it through ``tenant.scope(Model)``: ``objects``
    refuses unscoped reads, ``unscoped`` is for cross-tenant readers (see
    ``accounts.scoping``). Each concrete model declares ``tenant_branch_field``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Declared before ``objects``: Django's own machinery (admin, related objects) uses the first manager.
    unscoped = models.Manager()
    objects = ScopedManager()
    # The lookup from a row to its branch (None: the row belongs to the whole company).
    tenant_branch_field: ClassVar[str | None]
    # Whether a null branch means "every branch" (branch-bound staff see those rows too).
    tenant_branch_optional: ClassVar[bool] = False

    class Meta:
        abstract = True


class DisplayToken(TenantOwned):
    """A long-lived, read-only credential for one customer-facing screen of one branch
    (the pickup board on a TV). It names no user: it opens nothing but the board's
    one endpoint (``cafe.orders.pickup``), which shows pickup numbers and their
    state and nothing else. Only the SHA-256 of the key is stored; the key is shown
    once, when the token is made. Revoked tokens are kept (``revoked_at``) so the
    list says who made which and when it stopped."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label or str(self.pk)


class DeviceView(models.TextChoices):
    """The screens of the web app a registered device may open."""

    FLOOR = "floor", _("Floor")
    KITCHEN = "kitchen", _("Kitchen")
    TILL = "till", _("Till")
    PICKUP = "pickup", _("Pickup")


class Device(TenantOwned):
    """A tablet registered for one branch (accounts.devices). It holds a long-lived
    credential, of which only the SHA-256 is stored; the credential alone lists who
    may sign in on it, and with an employee's PIN opens a session bound to it.
    Revoked devices are kept (``revoked_at``): their sessions and sockets end at once."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    views = models.JSONField(default=list)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The app locks itself (back to the list of names) after this many seconds
    # without a touch; None: DEVICE_IDLE_LOCK_SECONDS. A kitchen display watched,
    # not touched, wants longer than a hall tablet.
    idle_lock_seconds = models.PositiveIntegerField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def idle_lock(self) -> int:
        return self.idle_lock_seconds or settings.DEVICE_IDLE_LOCK_SECONDS
