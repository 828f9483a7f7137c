from django.contrib import admin

from core.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "status_code", "created_at"]
    readonly_fields = ["user", "key", "fingerprint", "status_code", "body", "created_at"]
