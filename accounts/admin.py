from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpResponseRedirect

from accounts import services, tokens
from accounts.models import AttemptCounter, Branch, Company, Device, DisplayToken, User
from core.errors import Conflict


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "event_seq", "created_at"]
    search_fields = ["name"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "address"]
    list_filter = ["company"]
    search_fields = ["name"]


class RevokingPasswordChangeForm(AdminPasswordChangeForm):
    """A password set here signs the user out everywhere, as through the API."""

    def save(self, commit: bool = True) -> User:
        tokens.revoke_all(self.user)
        return super().save(commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = RevokingPasswordChangeForm

    ordering = ["email"]
    list_display = ["email", "role", "company", "branch", "is_active"]
    list_filter = ["role", "company", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Cafe", {"fields": ["company", "branch", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    # The admin keeps a company's last active owner too (accounts.services.owners_lock):
    # a change or deletion that would leave none is rolled back and shown as an error.

    def save_model(self, request, obj: User, form, change: bool) -> None:
        if change:
            services.user_change_check(user=obj)
        if change and "is_active" in form.changed_data and not obj.is_active:
            tokens.revoke_all(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj: User) -> None:
        services.users_delete(user_ids=[obj.pk])

    def delete_queryset(self, request, queryset) -> None:
        services.users_delete(user_ids=list(queryset.values_list("pk", flat=True)))

    def changeform_view(self, request, *args, **kwargs):
        return self._refusing_last_owner(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusing_last_owner(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusing_last_owner(request, super().changelist_view, *args, **kwargs)

    def _refusing_last_owner(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Conflict as refused:
            self.message_user(request, str(refused.detail), messages.ERROR)
            return HttpResponseRedirect(request.path)


@admin.register(AttemptCounter)
class AttemptCounterAdmin(admin.ModelAdmin):
    """Open throttle windows; deleting one lifts that throttle at once."""

    list_display = ["key", "count", "pending", "expires_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "count", "pending", "expires_at"]


# Display tokens and devices: their keys are stored as hashes only; here they can be read and revoked.


@admin.register(DisplayToken)
class DisplayTokenAdmin(admin.ModelAdmin):
    list_display = ["label", "branch", "company", "created_at", "revoked_at"]
    list_filter = ["company"]
    readonly_fields = ["key_hash"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "company", "created_at", "revoked_at"]
    list_filter = ["company"]
    readonly_fields = ["key_hash"]
