from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from egovexperts.core.admin import (
    AutocompleteMixin,
    ExportActionMixin,
    HistoryAdmin,
    ImportButtonMixin,
    KeptRecordsMixin,
)
from trainees.accounts import account_email

from . import services
from .models import (
    AGENCY_NAMES_SEARCHED,
    UNIT_NAMES_SEARCHED,
    Agency,
    Assignment,
    RetentionCommitment,
    Trainee,
    Unit,
)


@admin.register(Agency)
class AgencyAdmin(AutocompleteMixin, admin.ModelAdmin):
    list_display = ["name_vi", "short_name", "kind", "code", "region", "valid_from", "valid_to", "successor"]
    list_filter = ["kind", "region", "change"]
    search_fields = ["name_vi", "name_en", "short_name", "code", "slug"]
    list_select_related = ["successor"]
    autocomplete_fields = ["successor"]
    prepopulated_fields = {"slug": ["short_name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and AGENCY_NAMES_SEARCHED & set(form.changed_data):
            Assignment.objects.filter(agency=obj).refold()


@admin.register(Unit)
class UnitAdmin(AutocompleteMixin, admin.ModelAdmin):
    list_display = ["name", "agency", "valid_from", "valid_to", "successor"]
    list_filter = ["agency__kind", "change"]
    search_fields = ["name", "name_en", "agency__short_name", "agency__name_vi"]
    list_select_related = ["agency", "successor__agency"]
    autocomplete_fields = ["agency", "successor"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and UNIT_NAMES_SEARCHED & set(form.changed_data):
            Assignment.objects.filter(unit=obj).refold()


class AssignmentInline(AutocompleteMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["agency", "unit"]
    fields = ["agency", "unit", "position", "starts_on", "ends_on", "reason", "end_reason", "note"]


class CommitmentInline(AutocompleteMixin, admin.TabularInline):
    model = RetentionCommitment
    extra = 0
    autocomplete_fields = ["agency"]
    can_delete = False  # see RetentionCommitmentAdmin.has_delete_permission


@admin.register(Trainee)
class TraineeAdmin(KeptRecordsMixin, AutocompleteMixin, ImportButtonMixin, ExportActionMixin, HistoryAdmin):
    """A trainee with posts, commitments, enrolments, attendance, notices or requests is kept:
    their keys protect it, and the delete page lists them."""

    import_kind = "trainees"
    list_display = ["full_name", "email", "phone", "user"]
    search_fields = ["full_name", "email", "search_text"]
    list_filter = ["enrolments__cohort", "share_contact"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]  # lists no staff account: Trainee.user.limit_choices_to
    inlines = [AssignmentInline, CommitmentInline]

    def get_readonly_fields(self, request, obj=None):
        """Only superusers choose a trainee's account: whoever may set it may read its password
        link. The account's own address is shown: a changed trainee address does not move it."""
        fields = [*super().get_readonly_fields(request, obj), "account_address"]
        if not request.user.is_superuser:
            fields.append("user")
        return fields

    @admin.display(description=_("account email"))
    def account_address(self, obj):
        if obj is None or obj.user_id is None:
            return "–"
        note = _("Invitations and password links go to this address; only the account holder changes it.")
        return format_html("{}<br><small>{}</small>", account_email(obj.user), note)

    def save_related(self, request, form, formsets, change):
        # Posts edited inline bypass record_assignment: re-index them and alert of broken commitments.
        with services.writing_posts([form.instance.pk]):
            super().save_related(request, form, formsets, change)


@admin.register(Assignment)
class AssignmentAdmin(AutocompleteMixin, HistoryAdmin):
    list_display = ["trainee", "position", "agency", "unit", "starts_on", "ends_on", "reason"]
    list_filter = ["reason", "agency__kind"]
    search_fields = ["trainee__full_name", "trainee__email", "position", "agency__short_name"]
    list_select_related = ["trainee", "agency", "unit__agency"]
    autocomplete_fields = ["trainee", "agency", "unit"]
    date_hierarchy = "starts_on"

    # Posts written here bypass record_assignment: re-index their trainees' posts and alert of the
    # commitments the write breaks (a post moved to another trainee touches both).
    def save_model(self, request, obj, form, change):
        with services.writing_posts([obj.trainee_id, form.initial.get("trainee")]):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with services.writing_posts([obj.trainee_id]):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with services.writing_posts(queryset.values_list("trainee_id", flat=True)):
            super().delete_queryset(request, queryset)


@admin.register(RetentionCommitment)
class RetentionCommitmentAdmin(AutocompleteMixin, ExportActionMixin, HistoryAdmin):
    list_display = ["trainee", "agency", "starts_on", "ends_on", "document_ref", "waived_on"]
    list_filter = ["agency__kind"]
    search_fields = ["trainee__full_name", "trainee__email", "agency__short_name", "document_ref"]
    list_select_related = ["trainee", "agency"]
    autocomplete_fields = ["trainee", "agency"]
    date_hierarchy = "ends_on"

    def has_delete_permission(self, request, obj=None):
        # A commitment that no longer binds is waived, with its reason; the record of what an
        # agency signed stays.
        return False
