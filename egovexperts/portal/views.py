"""The trainee portal, the public lecture library and its file downloads, the expert network
and the organizer actions of these features (post change requests, invitations)."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egovexperts.core.permissions import is_organizer, is_trainee, organizer_required, trainee_required
from trainees.accounts import invite_trainee
from trainees.models import PostChangeRequest, Trainee
from trainees.selectors import commitment_timeline

from . import forms, selectors, services
from .calendar import calendar_document


def _trainee(request) -> Trainee:
    return request.user.trainee


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Trainee pages -----------------------------------------------------------------


@trainee_required
def schedule(request):
    trainee = _trainee(request)
    feed_url = request.build_absolute_uri(reverse("portal:calendar-feed", args=[trainee.calendar_token]))
    context = {"schedule": selectors.schedule(trainee), "trainee": trainee, "feed_url": feed_url}
    return render(request, "portal/schedule.html", context)


@trainee_required
def progress(request):
    progress = selectors.my_progress(_trainee(request))
    timeline = commitment_timeline(progress.commitments)
    return render(request, "portal/progress.html", {"progress": progress, "timeline": timeline})


@trainee_required
def profile(request):
    trainee = _trainee(request)
    form = forms.ProfileForm(request.POST or None, instance=trainee)
    if request.method == "POST" and form.is_valid():
        services.update_profile(trainee, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("portal:profile")
    context = {
        "form": form,
        "trainee": trainee,
        "current": selectors.my_current_post(trainee),
        "post_form": forms.PostChangeRequestForm(),
        "requests": selectors.my_post_change_requests(trainee),
    }
    return render(request, "portal/profile.html", context)


@trainee_required
def post_change_request(request):
    trainee = _trainee(request)
    form = forms.PostChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_post_change(trainee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request is sent to the programme office."))
            return redirect("portal:profile")
    return render(request, "portal/post_change_request_form.html", {"form": form})


@trainee_required
def absence_notice(request, pk):
    trainee = _trainee(request)
    session = get_object_or_404(selectors.enrolled_sessions(trainee).select_related("course"), pk=pk)
    notice = session.absence_notices.filter(trainee=trainee).first()
    form = forms.AbsenceNoticeForm(request.POST or None, initial={"reason": notice.reason if notice else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_absence(trainee, session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme office has your absence notice."))
            return redirect("portal:schedule")
    return render(request, "portal/absence_notice_form.html", {"form": form, "session": session, "notice": notice})


@require_POST
@trainee_required
def absence_notice_withdraw(request, pk):
    trainee = _trainee(request)
    session = get_object_or_404(selectors.enrolled_sessions(trainee), pk=pk)
    try:
        services.withdraw_absence(trainee, session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your absence notice is withdrawn."))
    return redirect("portal:schedule")


@require_POST
@trainee_required
def calendar_token_regenerate(request):
    services.regenerate_calendar_token(_trainee(request))
    messages.success(request, _("Your calendar link is renewed; the old link no longer works."))
    return redirect("portal:schedule")


@trainee_required
def session_ics(request, pk):
    session = get_object_or_404(selectors.calendar_sessions(_trainee(request)), pk=pk)
    return _ics_response(calendar_document([session], name=session.course.title), f"session-{session.pk}.ics")


def calendar_feed(request, token):
    """The subscription URL: the token is the only credential, so any unknown one is a 404, and
    so is the feed of an account that was deactivated (or never opened)."""
    trainee = Trainee.objects.filter(calendar_token=token, user__is_active=True).first()
    if trainee is None or not token:
        raise Http404
    content = calendar_document(selectors.calendar_sessions(trainee), name=_("e-Government experts programme"))
    return _ics_response(content, "egovexperts.ics")


# --- Expert network and lecture library --------------------------------------------


@login_required
def network(request):
    if not (is_trainee(request.user) or is_organizer(request.user)):
        raise PermissionDenied
    form = forms.NetworkSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page, experts = selectors.experts(query=query, page=request.GET.get("page", 1))
    return render(request, "portal/network.html", {"form": form, "page": page, "experts": experts, "query": query})


def library(request):
    form = forms.LibrarySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    result = selectors.library(request.user, query=filters.get("q") or "", year=filters.get("year"))
    return render(request, "portal/library.html", {"form": form, "library": result})


def material_download(request, pk):
    """A material's file, for whoever the library lists it to; to anyone else it does not exist."""
    material = get_object_or_404(selectors.downloadable_materials(request.user), pk=pk)
    try:
        handle = material.file.storage.open(material.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse guesses the content type from the name; nosniff stops a browser from
    # second-guessing it (an uploaded "slides.pdf" is never run as HTML).
    response = FileResponse(handle, as_attachment=True, filename=PurePosixPath(material.file.name).name)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


# --- Organizer actions -------------------------------------------------------------


@organizer_required
def organizer_post_changes(request):
    return render(request, "portal/organizer_post_changes.html", {"requests": selectors.pending_post_changes()})


@require_POST
@organizer_required
def organizer_post_change_decide(request, pk, decision):
    post_change = get_object_or_404(PostChangeRequest, pk=pk)
    try:
        if decision == "confirm":
            services.confirm_post_change(post_change, by=request.user)
        else:
            services.reject_post_change(post_change, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The request is confirmed.") if decision == "confirm" else _("The request is rejected.")
        )
    return redirect("portal:organizer-post-changes")


@organizer_required
def organizer_invitations(request):
    form = forms.NetworkSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.invitation_rows(query=query, page=request.GET.get("page", 1))
    return render(request, "portal/organizer_invitations.html", {"form": form, "page": page, "query": query})


@require_POST
@organizer_required
def organizer_invitation_resend(request, pk):
    trainee = get_object_or_404(Trainee, pk=pk)
    try:
        recipient = invite_trainee(trainee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": recipient})
    return redirect("portal:organizer-invitations")
