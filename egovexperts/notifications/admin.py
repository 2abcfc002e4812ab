from django.contrib import admin

from .models import LanguagePreference, OutboundMessage, ReminderOffset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "status", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "key"]
    date_hierarchy = "due_at"
    # A waiting password-setting link is a credential: not even the admin shows it.
    exclude = ["secret_context"]
    readonly_fields = [field.name for field in OutboundMessage._meta.fields if field.name != "secret_context"]

    def has_add_permission(self, request):
        return False  # messages are written by the services whose change they report


@admin.register(ReminderOffset)
class ReminderOffsetAdmin(admin.ModelAdmin):
    """When session reminders go out. Deactivate an offset rather than delete the last one: with
    no rows at all the planner falls back to 7 days and 1 working day."""

    list_display = ["__str__", "amount", "unit", "active"]
    list_editable = ["active"]
    list_filter = ["unit", "active"]


@admin.register(LanguagePreference)
class LanguagePreferenceAdmin(admin.ModelAdmin):
    list_display = ["address", "language", "updated_at"]
    search_fields = ["address"]
    list_filter = ["language"]
