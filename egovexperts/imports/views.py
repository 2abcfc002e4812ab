from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Course
from egovexperts.core.permissions import can_import, organizer_required

from . import exports, files, selectors, services
from .forms import ConfirmForm, UploadForm
from .models import ImportRun, Kind

TEMPLATE_NAMES = {
    Kind.TRAINEES: "mau-danh-sach-hoc-vien",
    Kind.SCHEDULE: "mau-lich-hoc",
    Kind.ATTENDANCE: "mau-diem-danh",
}


def import_required(view):
    """Organizers and admins who hold the import permission; anonymous users go to log in."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _index(request, form, status=200):
    context = {"form": form, "runs": selectors.recent_runs(), "courses": selectors.courses_for_export()}
    return render(request, "imports/index.html", context, status=status)


@import_required
def index(request):
    """The import page; `?kind=` chooses the kind of file (the admin's buttons link here)."""
    kind = request.GET.get("kind")
    return _index(request, UploadForm(initial={"kind": kind} if kind in Kind.values else None))


@import_required
@require_POST
def preview(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    upload = files.Upload(name=form.cleaned_data["file"].name, content=form.cleaned_data["file"].read())
    options = {key: form.cleaned_data[key] for key in ("course", "invite")}
    try:
        result = services.preview(upload, kind=form.cleaned_data["kind"], **options)
    except ValidationError as error:
        form.add_error("file", error)
        return _index(request, form, status=400)
    token = files.keep_pending(upload) if result.plan.can_confirm else ""
    confirm_form = ConfirmForm(
        initial={"kind": result.kind, "token": token, "file_name": upload.name, "checksum": upload.checksum, **options}
    )
    plan = result.plan
    context = {"preview": result, "rows": plan.rows_to_show(), "counts": plan.counts, "confirm_form": confirm_form}
    return render(request, "imports/preview.html", context)


@import_required
@require_POST
def confirm(request):
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("imports:index")
    data = form.cleaned_data
    try:
        upload = files.load_pending(data["token"], data["file_name"], data["checksum"])
        run = services.confirm(
            upload, kind=data["kind"], user=request.user, course=data["course"], invite=data["invite"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:index")
    files.drop_pending(data["token"])
    messages.success(
        request, _("Imported: %(new)s new, %(updated)s updated.") % {"new": run.new_count, "updated": run.updated_count}
    )
    return redirect("imports:run-detail", pk=run.pk)


@import_required
def run_detail(request, pk):
    run = get_object_or_404(ImportRun.objects.select_related("created_by", "reverted_by"), pk=pk)
    return render(request, "imports/importrun_detail.html", {"run": run, "rows": selectors.run_rows(run)})


@import_required
@require_POST
def run_revert(request, pk):
    run = get_object_or_404(ImportRun.objects.all(), pk=pk)
    try:
        services.revert(run, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import was reverted."))
    return redirect("imports:run-detail", pk=run.pk)


def _download(dataset, fmt: str, name: str) -> HttpResponse:
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    response = HttpResponse(exports.render(dataset, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@import_required
def template_file(request, kind, fmt):
    if kind not in Kind.values:
        raise Http404
    return _download(exports.template_dataset(kind), fmt, TEMPLATE_NAMES[kind])


@organizer_required
def export(request, kind, fmt):
    if kind not in exports.EXPORTS:
        raise Http404
    return _download(exports.export_dataset(kind), fmt, kind)


@organizer_required
def export_attendance(request, course_pk, fmt):
    course = get_object_or_404(Course.objects.all(), pk=course_pk)
    return _download(exports.attendance_matrix(course), fmt, f"attendance-{course.pk}")
