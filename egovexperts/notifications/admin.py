from django.contrib import admin

from .models import OutboundMessage


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
