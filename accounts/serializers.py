import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from accounts.models import Branch, Device, DeviceView, DisplayToken, Role, User
from core.fields import StrictDecimalField


class UserSerializer(serializers.ModelSerializer):
    """The `user` object everywhere: the shape of `GET /api/users/me/`."""

    role = serializers.SerializerMethodField()
    company_id = serializers.UUIDField(read_only=True, allow_null=True)
    branch_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "company_id", "branch_id"]

    def get_role(self, user: User) -> str | None:
        return user.role or None


class EmployeeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "is_active"]


class BranchSerializer(serializers.ModelSerializer):
    # Declared, not generated from the model: no serializer holds DRF's own DecimalField.
    service_charge_percent = StrictDecimalField(max_digits=5, required=False)
    staff_discount_limit_percent = StrictDecimalField(max_digits=5, required=False)

    class Meta:
        model = Branch
        fields = [
            "id",
            "name",
            "address",
            "company",
            "timezone",
            "service_charge_percent",
            "staff_discount_limit_percent",
            "booking_duration",
            "booking_buffer",
            "booking_step",
            "booking_lead",
            "booking_grace",
        ]


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    company_name = serializers.CharField(max_length=200, required=False)


class LoginInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutInput(serializers.Serializer):
    refresh = serializers.CharField()
    all = serializers.BooleanField(required=False, default=False)


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class BranchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


def _percent() -> StrictDecimalField:
    return StrictDecimalField(max_digits=5, min_value=Decimal(0), max_value=Decimal(100), required=False)


class BranchSettingsInput(serializers.Serializer):
    """A branch's settings (owner and admin); fields left out keep their value."""

    name = serializers.CharField(max_length=200, required=False)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    # An IANA zone ("Europe/Moscow"): the branch's business day for reports and pickup numbers.
    timezone = serializers.CharField(max_length=64, required=False)
    # Added to dine-in orders taken from now on (open orders keep theirs).
    service_charge_percent = _percent()
    # A discount above this share of what it applies to needs a manager or above.
    staff_discount_limit_percent = _percent()
    # The book, in minutes (docs/floor.md, "Branch settings").
    booking_duration = serializers.IntegerField(
        min_value=15, max_value=720, required=False, help_text="A booking's default length (15–720 minutes)."
    )
    booking_buffer = serializers.IntegerField(
        min_value=0, max_value=240, required=False, help_text="Kept free on a table after a booking (0–240)."
    )
    booking_step = serializers.IntegerField(
        min_value=5,
        max_value=120,
        required=False,
        help_text="The step of the start times offered (5–120, dividing a day: 5, 10, 15, 20, 30, 60…).",
    )
    booking_lead = serializers.IntegerField(
        min_value=0, max_value=1440, required=False, help_text="How long before a booking its tables show reserved."
    )
    booking_grace = serializers.IntegerField(
        min_value=0, max_value=240, required=False, help_text="How late a party may be before it is a no-show."
    )

    def validate_booking_step(self, value: int) -> int:
        if (24 * 60) % value:
            raise serializers.ValidationError(
                _("The step must divide a day (1440 minutes): 5, 10, 15, 20, 30, 60 or another divisor.")
            )
        return value

    def validate_timezone(self, value: str) -> str:
        if value not in _zones():
            raise serializers.ValidationError(_("Unknown time zone: use an IANA name such as Europe/Moscow."))
        return value


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class EmployeeInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    role = serializers.ChoiceField(Role.choices)
    branch = serializers.UUIDField(required=False, allow_null=True, default=None)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class WebAccess(serializers.Serializer):
    access = serializers.CharField(help_text="Keep in page memory only; the refresh token stays in its cookie.")


class WebSession(WebAccess):
    user = UserSerializer()


class CsrfAnswer(serializers.Serializer):
    csrf_token = serializers.CharField(
        help_text="Send as the `X-CSRFToken` header (also set as the `csrftoken` cookie)."
    )


class DisplayTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisplayToken
        fields = ["id", "branch", "label", "created_by", "created_at", "revoked_at"]


class NewDisplayTokenSerializer(DisplayTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once: send as `Authorization: Display <key>`.")
    url = serializers.CharField(read_only=True, help_text="The pickup screen's address with the key (path only).")

    class Meta(DisplayTokenSerializer.Meta):
        fields = [*DisplayTokenSerializer.Meta.fields, "key", "url"]


class DisplayTokenInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False, allow_null=True, default=None)
    label = serializers.CharField(  # type: ignore[assignment]  # the field, not Field.label
        max_length=80, required=False, default="", allow_blank=True
    )


class DeviceSerializer(serializers.ModelSerializer):
    views = serializers.ListField(child=serializers.ChoiceField(DeviceView.choices), read_only=True)

    class Meta:
        model = Device
        fields = ["id", "branch", "name", "views", "idle_lock_seconds", "created_by", "created_at", "revoked_at"]
        extra_kwargs = {
            "idle_lock_seconds": {"help_text": "Seconds untouched before the app locks; null: the server's default."}
        }


class NewDeviceSerializer(DeviceSerializer):
    key = serializers.CharField(
        read_only=True, help_text="Shown once: the device sends it as the `X-Device` header (`&device=` on sockets)."
    )

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "key"]


# A device's own idle lock: at least 10 seconds, at most a day (a PIN session ends
# after DEVICE_SESSION_SECONDS anyway).
IDLE_LOCK_MIN_SECONDS = 10
IDLE_LOCK_MAX_SECONDS = 86400


class DeviceInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    branch = serializers.UUIDField(required=False, allow_null=True, default=None)
    views = serializers.ListField(
        child=serializers.ChoiceField(DeviceView.choices), min_length=1, max_length=len(DeviceView.values)
    )
    idle_lock_seconds = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=IDLE_LOCK_MIN_SECONDS,
        max_value=IDLE_LOCK_MAX_SECONDS,
        help_text="Seconds without a touch before the app locks itself (10 to 86400); null: DEVICE_IDLE_LOCK_SECONDS.",
    )


class DeviceChangeInput(DeviceInput):
    """PATCH devices/{id}/: its name, screens or idle lock; not its branch (register another)."""

    branch = None  # type: ignore[assignment]


class DeviceMeSerializer(serializers.ModelSerializer):
    """What a device learns of itself from its credential alone."""

    views = serializers.ListField(child=serializers.ChoiceField(DeviceView.choices), read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    idle_lock_seconds = serializers.SerializerMethodField(
        help_text="The app locks itself after this many seconds without a touch: the device's own "
        "(`idle_lock_seconds` when registered), else DEVICE_IDLE_LOCK_SECONDS."
    )
    session_seconds = serializers.SerializerMethodField(
        help_text="How long a PIN session's access token lives (DEVICE_SESSION_SECONDS)."
    )

    class Meta:
        model = Device
        fields = ["id", "name", "branch", "branch_name", "views", "idle_lock_seconds", "session_seconds"]

    def get_idle_lock_seconds(self, device: Device) -> int:
        return device.idle_lock

    def get_session_seconds(self, device: Device) -> int:
        return settings.DEVICE_SESSION_SECONDS


class DeviceStaffSerializer(serializers.ModelSerializer):
    """Who may sign in on a device: names only, no email or phone."""

    role = serializers.CharField(read_only=True)
    pin_locked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "first_name", "last_name", "role", "pin_locked"]

    def get_pin_locked(self, user: User) -> bool:
        return user.pin_failures >= settings.PIN_LOCKOUT_FAILURES


PIN_DIGITS = gettext_lazy("Use 4 to 6 digits.")


class PinField(serializers.RegexField):
    """4 to 6 digits, as a JSON string only: a number would lose its leading zeros."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            r"^[0-9]{4,6}$", max_length=6, error_messages={"invalid": PIN_DIGITS}, trim_whitespace=False, **kwargs
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class PinLoginInput(serializers.Serializer):
    employee = serializers.UUIDField()
    pin = PinField()


class PinSetInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    pin = PinField()


class PinResetInput(serializers.Serializer):
    pin = PinField(allow_null=True, help_text="4 to 6 digits; null clears the PIN.")


class DeviceSession(serializers.Serializer):
    access = serializers.CharField(
        help_text="Bound to the device: send it with the device's `X-Device` header (`&device=` on sockets)."
    )
    expires_in = serializers.IntegerField(help_text="Seconds the access token lives; there is no refresh token.")
    user = UserSerializer()
