from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egovexperts.core.permissions import can_import

from . import services
from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The import log. Files are imported from the import page (preview, then confirm); the log can revert."""

    list_display = ["created_at", "kind", "file_name", "created_by", "new_count", "updated_count", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "checksum", "created_by__email"]
    list_select_related = ["created_by"]
    exclude = ["rows", "changes"]
    readonly_fields = [field.name for field in ImportRun._meta.fields if field.name not in ("rows", "changes")]
    actions = ["revert_runs"]
    change_list_template = "admin/imports/importrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is kept

    def has_import_permission(self, request) -> bool:
        """Reverting is importing undone: the import permission governs it, here and in the workspace."""
        return can_import(request.user)

    @admin.action(description=_("Revert the selected imports"), permissions=["import"])
    def revert_runs(self, request, queryset):
        for run in queryset:
            try:
                services.revert(run, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{run}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Reverted: %(run)s") % {"run": run}, messages.SUCCESS)
