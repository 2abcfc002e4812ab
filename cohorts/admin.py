from django.contrib import admin

from egovexperts.core.admin import (
    AutocompleteMixin,
    CheckedModelForm,
    ExportActionMixin,
    HistoryAdmin,
    KeptRecordsMixin,
)

from . import services
from .models import Cohort, Enrolment, Programme


class CohortAdminForm(CheckedModelForm):
    check = staticmethod(services.check_cohort)


class EnrolmentAdminForm(CheckedModelForm):
    check = staticmethod(services.check_enrolment)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "launched_on", "decision_ref"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Cohort)
class CohortAdmin(KeptRecordsMixin, AutocompleteMixin, HistoryAdmin):
    """A cohort with enrolments or courses is kept: their keys protect it."""

    list_display = ["name", "programme", "code", "starts_on", "ends_on", "capacity"]
    list_filter = ["programme"]
    search_fields = ["name", "code"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]
    form = CohortAdminForm


@admin.register(Enrolment)
class EnrolmentAdmin(AutocompleteMixin, ExportActionMixin, HistoryAdmin):
    list_display = ["trainee", "cohort", "nominated_by", "enrolled_on", "status", "ended_on"]
    list_filter = ["status", "cohort", "nominated_by__kind"]
    search_fields = ["trainee__full_name", "trainee__email", "nominated_by__short_name"]
    list_select_related = ["trainee", "cohort", "nominated_by"]
    autocomplete_fields = ["trainee", "cohort", "nominated_by"]
    form = EnrolmentAdminForm

    def has_delete_permission(self, request, obj=None):
        return False  # a trainee leaves a cohort by withdrawal, in the workspace: the enrolment stays
