from django.contrib import admin

from realtime.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["seq", "type", "company", "branch_id", "created_at"]
    list_filter = ["company", "type"]
    readonly_fields = [f.name for f in Event._meta.fields]
