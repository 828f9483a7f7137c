from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

from accounts import tokens
from accounts.models import AttemptCounter, Branch, Company, User


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

    def save_model(self, request, obj: User, form, change: bool) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            tokens.revoke_all(obj)
        super().save_model(request, obj, form, change)


@admin.register(AttemptCounter)
class AttemptCounterAdmin(admin.ModelAdmin):
    """Open throttle windows; deleting one lifts that throttle at once."""

    list_display = ["key", "count", "pending", "expires_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "count", "pending", "expires_at"]
