from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from egovexperts.core.permissions import organizer_required
from egovexperts.core.templating import render_partial

from . import selectors, services
from .directory import directory, directory_page, filter_selects
from .forms import CohortForm, EnrolmentForm, WithdrawalForm, add_service_error
from .models import Cohort, Enrolment

DIRECTORY_PAGE_SIZE = 50


@organizer_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": selectors.cohort_list()})


@organizer_required
def cohort_detail(request, pk):
    cohort = get_object_or_404(selectors.cohort_list(), pk=pk)
    enrolments = list(selectors.cohort_enrolments(cohort))
    selectors.add_progress(enrolments)
    context = {
        "cohort": cohort,
        "enrolments": enrolments,
        "groups": selectors.enrolments_by_agency_kind(enrolments),
        "enrol_form": EnrolmentForm(cohort=cohort, initial={"enrolled_on": timezone.localdate()}),
    }
    return render(request, "cohorts/cohort_detail.html", context)


def _cohort_form(request, cohort: Cohort):
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.save_cohort(form.save(commit=False))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The cohort is saved."))
            return redirect("cohorts:cohort-detail", cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": cohort})


@organizer_required
def cohort_create(request):
    return _cohort_form(request, Cohort())


@organizer_required
def cohort_update(request, pk):
    return _cohort_form(request, get_object_or_404(Cohort.objects.all(), pk=pk))


@organizer_required
def enrolment_create(request, pk):
    cohort = get_object_or_404(Cohort.objects.all(), pk=pk)
    initial = {"enrolled_on": timezone.localdate(), "trainee": request.GET.get("trainee", "")}
    form = EnrolmentForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrol_trainee(cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is enrolled.") % {"name": enrolment.trainee.full_name})
            return redirect("cohorts:cohort-detail", cohort.pk)
    return render(request, "cohorts/enrolment_form.html", {"form": form, "cohort": cohort})


@organizer_required
def enrolment_withdraw(request, pk):
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort", "trainee"), pk=pk)
    form = WithdrawalForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_enrolment(enrolment, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is withdrawn.") % {"name": enrolment.trainee.full_name})
            return redirect("cohorts:cohort-detail", enrolment.cohort_id)
    return render(request, "cohorts/enrolment_withdraw.html", {"form": form, "enrolment": enrolment})


@organizer_required
def trainee_directory(request):
    """The trainee directory (served under the trainees' URLs, see egovexperts/urls.py)."""
    filterset = directory(request.GET or None)
    page = directory_page(filterset, request.GET.get("page"), per_page=DIRECTORY_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    rows_html = render_partial(request, "trainees/_trainee_rows.jinja", {"trainees": page.object_list})
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "rows_html": rows_html}
    if not request.htmx:
        selects = filter_selects(filterset)
        context["filters_html"] = render_partial(request, "trainees/_filter_selects.jinja", {"selects": selects})
    template = "trainees/_trainee_rows.html" if request.htmx else "trainees/trainee_list.html"
    return render(request, template, context)
