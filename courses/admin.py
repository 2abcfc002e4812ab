from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models

from egovexperts.core.admin import (
    HTTPS_LINKS,
    AutocompleteMixin,
    CheckedModelForm,
    HistoryAdmin,
    ImportButtonMixin,
    KeptRecordsMixin,
)

from . import services
from .models import Attendance, Course, Material, Session


class SessionInline(admin.TabularInline):
    """The course's sessions, as a list: a session is added or edited on its own form, which
    applies the workspace's rules (one session of a cohort at a time, capacity)."""

    model = Session
    extra = 0
    fields = ["title", "kind", "starts_at", "ends_at", "venue", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SessionAdminForm(CheckedModelForm):
    check = staticmethod(services.check_session)


@admin.register(Course)
class CourseAdmin(KeptRecordsMixin, AutocompleteMixin, HistoryAdmin):
    list_display = ["code", "title", "cohort", "year", "required_hours", "min_attendance_percent"]
    list_filter = ["cohort", "year"]
    search_fields = ["code", "title", "title_en"]
    list_select_related = ["cohort"]
    autocomplete_fields = ["cohort"]
    inlines = [SessionInline]
    check_delete = staticmethod(services.check_course_deletion)
    delete = staticmethod(services.delete_course)


@admin.register(Session)
class SessionAdmin(AutocompleteMixin, ImportButtonMixin, HistoryAdmin):
    import_kind = "schedule"
    list_display = ["title", "course", "kind", "starts_at", "ends_at", "venue", "status"]
    list_filter = ["kind", "status", "course__cohort", "course__year"]
    search_fields = ["title", "course__code", "course__title", "venue", "lecturers"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    date_hierarchy = "starts_at"
    formfield_overrides = HTTPS_LINKS
    form = SessionAdminForm

    def get_readonly_fields(self, request, obj=None):
        # Once a session exists, its times and status change by rescheduling or cancelling it in
        # the workspace, which tells its trainees and moves their calendars (the SEQUENCE).
        if obj is not None:
            return [*super().get_readonly_fields(request, obj), "starts_at", "ends_at", "status"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A session is cancelled, in the workspace; one created by mistake is deleted there, by the
        # service that refuses once it has attendance, notices or materials.
        return False


@admin.register(Attendance)
class AttendanceAdmin(AutocompleteMixin, ImportButtonMixin, HistoryAdmin):
    import_kind = "attendance"
    list_display = ["trainee", "session", "status", "recorded_by", "recorded_at"]
    list_filter = ["status", "session__kind", "session__course__cohort"]
    search_fields = ["trainee__full_name", "trainee__email", "session__title"]
    list_select_related = ["trainee", "session", "recorded_by"]
    autocomplete_fields = ["trainee", "session"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # a mark is corrected by changing its status: completion counts every session


class MaterialFileWidget(AdminFileWidget):
    """Links the current file to the download view: nothing is served from MEDIA_URL."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.is_initial(value) and value.instance.pk:
            context["widget"]["value"] = CurrentFile(name=value.name, url=value.instance.href)
        return context


@dataclass(frozen=True)
class CurrentFile:
    name: str
    url: str

    def __str__(self):
        return self.name


@admin.register(Material)
class MaterialAdmin(AutocompleteMixin, admin.ModelAdmin):
    """A new file goes through `Material.clean()`, the rule of courses/uploads.py the workspace applies."""

    formfield_overrides = {**HTTPS_LINKS, models.FileField: {"widget": MaterialFileWidget}}
    list_display = ["title", "course", "session", "published", "public", "created_at"]
    list_filter = ["published", "public", "course__cohort"]
    search_fields = ["title", "course__code", "course__title", "session__title"]
    list_select_related = ["course", "session"]
    autocomplete_fields = ["course", "session"]
