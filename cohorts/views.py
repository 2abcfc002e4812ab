from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from egovexperts.permissions import organizer_required

from . import selectors, services
from .forms import CohortForm, EnrolmentForm, WithdrawalForm, add_service_error
from .models import Cohort, Enrolment


@organizer_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": selectors.cohort_list()})


@organizer_required
def cohort_detail(request, pk):
    # The page shows the progress that courses computes: the view joins the two apps.
    from courses.selectors import cohort_progress

    cohort = get_object_or_404(selectors.cohort_list(), pk=pk)
    enrolments = list(selectors.cohort_enrolments(cohort))
    progress = cohort_progress(enrolments)
    for enrolment in enrolments:
        enrolment.progress = progress.get(enrolment.trainee_id)
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
