import functools
import zoneinfo
from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import Branch, DisplayToken, Role, User
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
