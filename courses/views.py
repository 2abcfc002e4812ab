from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.forms import add_service_error
from cohorts.models import Cohort
from egovexperts.core.permissions import organizer_required
from egovexperts.core.templating import render_partial
from trainees.models import Trainee

from . import exports, selectors, services
from .forms import (
    AttendanceForm,
    CancelForm,
    CourseForm,
    CurriculumFilterForm,
    MaterialForm,
    PublishForm,
    RescheduleForm,
    SessionForm,
)
from .models import Course, Material, Session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@organizer_required
def curriculum(request):
    form = CurriculumFilterForm(request.GET or None)
    cohort = form.cleaned_data.get("cohort") if form.is_valid() else None
    cohort = cohort or Cohort.objects.order_by("-starts_on", "pk").first()
    years = selectors.curriculum(cohort) if cohort else []
    context = {"form": form, "cohort": cohort, "years": years, "cohorts": Cohort.objects.order_by("-starts_on")}
    return render(request, "courses/curriculum.html", context)


def _course_form(request, course: Course, template: str):
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.save_course(form.save(commit=False))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The course is saved."))
            return redirect("courses:course-detail", course.pk)
    return render(request, template, {"form": form, "course": course})


@organizer_required
def course_create(request):
    cohort = Cohort.objects.filter(
        pk=request.GET.get("cohort", "") if request.GET.get("cohort", "").isdigit() else None
    )
    return _course_form(request, Course(cohort=cohort.first()), "courses/course_form.html")


@organizer_required
def course_update(request, pk):
    return _course_form(request, get_object_or_404(selectors.course_list(), pk=pk), "courses/course_form.html")


@organizer_required
def course_detail(request, pk):
    course = get_object_or_404(selectors.course_list(), pk=pk)
    context = {
        "course": course,
        "sessions": course.sessions.order_by("starts_at", "pk"),
        "materials": course.materials.select_related("session").order_by("session__starts_at", "title"),
        "rows": selectors.course_progress_rows(course),
    }
    return render(request, "courses/course_detail.html", context)


@organizer_required
def course_report(request, pk):
    course = get_object_or_404(selectors.course_list(), pk=pk)
    response = HttpResponse(exports.course_attendance_xlsx(course), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="attendance-{course.pk}.xlsx"'
    return response


@organizer_required
def trainee_report(request, pk):
    trainee = get_object_or_404(Trainee.objects.all(), pk=pk)
    response = HttpResponse(exports.trainee_attendance_xlsx(trainee), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="attendance-trainee-{trainee.pk}.xlsx"'
    return response


def _session_form(request, session: Session):
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.save_session(form.save(commit=False))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("courses:session-detail", session.pk)
    return render(request, "courses/session_form.html", {"form": form, "session": session, "course": session.course})


@organizer_required
def session_create(request, pk):
    return _session_form(request, Session(course=get_object_or_404(selectors.course_list(), pk=pk)))


@organizer_required
def session_update(request, pk):
    return _session_form(request, get_object_or_404(selectors.session_list(), pk=pk))


def _session_change(request, pk, form_class, change, template):
    session = get_object_or_404(selectors.session_list(), pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change(session, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved. The trainees concerned will be notified."))
            return redirect("courses:session-detail", session.pk)
    return render(request, template, {"form": form, "session": session})


@organizer_required
def session_reschedule(request, pk):
    return _session_change(request, pk, RescheduleForm, services.reschedule_session, "courses/session_reschedule.html")


@organizer_required
def session_cancel(request, pk):
    return _session_change(request, pk, CancelForm, services.cancel_session, "courses/session_cancel.html")


def _delete(request, obj, delete, done_url, back_url):
    """Confirm, then delete through the service; a refusal is shown on the confirmation page."""
    error = None
    if request.method == "POST":
        try:
            delete(obj)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Deleted."))
            return redirect(done_url)
    return render(request, "courses/confirm_delete.html", {"object": obj, "error": error, "back_url": back_url})


@organizer_required
def course_delete(request, pk):
    course = get_object_or_404(selectors.course_list(), pk=pk)
    curriculum_url = reverse("courses:curriculum") + f"?cohort={course.cohort_id}"
    return _delete(request, course, services.delete_course, curriculum_url, reverse("courses:course-detail", args=[pk]))


@organizer_required
def session_delete(request, pk):
    session = get_object_or_404(selectors.session_list(), pk=pk)
    course_url = reverse("courses:course-detail", args=[session.course_id])
    return _delete(request, session, services.delete_session, course_url, reverse("courses:session-detail", args=[pk]))


def _grid(request, session, *, trainee=None, error=None) -> dict:
    """The attendance grid of a session, or its one row of a trainee (with the session's counters)."""
    rows = selectors.attendance_grid(session, trainee_id=trainee.pk if trainee else None)
    context = {"rows": rows, "labels": selectors.grid_labels(), "error": error}
    return {
        "session": session,
        "trainee": trainee,
        **context,
        "rows_html": render_partial(request, "courses/_attendance_rows.jinja", context),
        "summary": selectors.session_summary(session) if trainee else selectors.grid_summary(rows),
    }


@organizer_required
def session_detail(request, pk):
    session = get_object_or_404(selectors.session_list(), pk=pk)
    return render(request, "courses/session_detail.html", _grid(request, session))


@organizer_required
@require_POST
def attendance_mark_all(request, pk):
    session = get_object_or_404(selectors.session_list(), pk=pk)
    try:
        count = services.mark_all_present(session, by=request.user)
    except ValidationError as error:
        flash, level = " ".join(error.messages), "error"
    else:
        flash, level = _("%(count)s trainees marked present.") % {"count": count}, "success"
    if not request.htmx:
        messages.add_message(request, messages.ERROR if level == "error" else messages.SUCCESS, flash)
        return redirect("courses:session-detail", session.pk)
    context = {**_grid(request, session), "flash": flash, "flash_level": level}
    return render(request, "courses/_attendance_grid.html", context)


@organizer_required
@require_POST
def attendance_record(request, pk, trainee_pk):
    session = get_object_or_404(selectors.session_list(), pk=pk)
    trainee = get_object_or_404(Trainee.objects.all(), pk=trainee_pk)
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.record_attendance(session, trainee=trainee, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Choose present, late, absent or excused.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("courses:session-detail", session.pk)
    context = _grid(request, session, trainee=trainee, error=error)
    return render(request, "courses/_attendance_row.html", context)


def _material_course(pk):
    return get_object_or_404(selectors.course_list(), pk=pk)


@organizer_required
def material_create(request, pk):
    course = _material_course(pk)
    form = MaterialForm(request.POST or None, request.FILES or None, instance=Material(course=course), course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_material(form.save(commit=False), upload=form.cleaned_data.get("upload"))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The material is added."))
            return redirect("courses:course-detail", course.pk)
    return render(request, "courses/material_form.html", {"form": form, "course": course})


@organizer_required
@require_POST
def material_publish(request, pk):
    material = get_object_or_404(selectors.material_list(), pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        services.set_material_published(material, published=form.cleaned_data["published"])
    return redirect("courses:course-detail", material.course_id)
