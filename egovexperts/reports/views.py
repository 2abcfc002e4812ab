from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from egovexperts.core.permissions import organizer_required
from egovexperts.core.templating import render_partial
from egovexperts.imports import exports
from trainees.models import RetentionCommitment
from trainees.services import waive_commitment

from . import agency as agency_report
from . import agency_page, commitment_tables, commitments, coverage_page, selectors
from . import coverage as coverage_report
from .forms import CoverageForm, WaiverForm


@organizer_required
def dashboard(request):
    version = selectors.dashboard_version()
    # Computed (or read from the cache) only when the page's rendered figures are not cached.
    figures = SimpleLazyObject(lambda: selectors.dashboard(version=version))

    def cohort_rows():  # called by the template, within its cached part: on a miss only
        cohort_url = _detail_url("cohorts:cohort-detail")
        rows = [(cohort, f"{cohort_url}{cohort.pk}/") for cohort in figures.cohorts]
        context = {"cohorts": rows, "empty": _("No cohorts yet.")}
        return render_partial(request, "reports/_dashboard_cohort_rows.jinja", context)

    # The links of the lists, each an id after a prefix reversed once: a hundred {% url %} tags
    # cost 3 to 4 ms of the page's first request after a change. Lazy: a cached page needs none.
    urls = SimpleLazyObject(
        lambda: {
            name: _detail_url(f"{app}:{name}-detail")
            for app, name in (("courses", "session"), ("courses", "course"), ("trainees", "trainee"))
        }
    )
    context = {"dashboard": figures, "cohort_rows": cohort_rows, "version": version, "urls": urls}
    return render(request, "reports/dashboard.html", {**context, "cache_seconds": selectors.CACHE_MINUTES * 60})


def _detail_url(name: str) -> str:
    """The URL of `name` (a detail page whose path ends with "<int:pk>/") without its id."""
    return reverse(name, args=[0]).removesuffix("0/")


# --- Commitment tracker ---------------------------------------------------------------


@organizer_required
def commitment_list(request):
    tracker = commitments.tracker(request.GET, page_number=request.GET.get("page"))
    selects = commitment_tables.filter_selects(tracker.filter, tracker.cohorts)
    context = {
        "tracker": tracker,
        "table_html": render_partial(
            request, "reports/_commitment_table.jinja", commitment_tables.table_context(tracker)
        ),
        "filters_html": render_partial(request, "trainees/_filter_selects.jinja", {"selects": selects}),
    }
    return render(request, "reports/commitment_list.html", context)


@organizer_required
def commitment_export(request, fmt):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    dataset = commitment_tables.export_dataset(commitments.export_rows(request.GET))
    return _download(dataset, fmt, f"commitments-{timezone.localdate():%Y-%m-%d}")


def _download(dataset, fmt: str, name: str) -> HttpResponse:
    """The dataset as an attachment `name`.`fmt` (a format of exports.CONTENT_TYPES)."""
    response = HttpResponse(exports.render(dataset, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@organizer_required
def commitment_waive(request, pk):
    commitment = get_object_or_404(RetentionCommitment.objects.select_related("trainee", "agency"), pk=pk)
    # The tracker's filters, to go back to the same list (re-encoded: never a header injection).
    back = QueryDict(request.POST.get("back") or request.GET.urlencode()).urlencode()
    form = WaiverForm(request.POST or None, initial={"waived_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            waive_commitment(commitment, waived_on=form.cleaned_data["waived_on"], reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The commitment is waived."))
            return redirect(reverse("reports:commitments") + (f"?{back}" if back else ""))
    context = {"commitment": commitment, "form": form, "back": back}
    return render(request, "reports/commitment_waive.html", context)


# --- Coverage of ministries and provinces ----------------------------------------------


@organizer_required
def coverage(request):
    form = CoverageForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/coverage.html", {"form": form}, status=400)
    report = coverage_report.coverage(on=form.cleaned_data["on"])
    context = {"form": form, "report": report, "report_html": coverage_page.report_html(request, report)}
    return render(request, "reports/coverage.html", context)


@organizer_required
def coverage_export(request, fmt):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    form = CoverageForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/coverage.html", {"form": form}, status=400)
    on = form.cleaned_data["on"]
    return _download(coverage_report.dataset(on=on), fmt, f"coverage-{on:%Y-%m-%d}")


# --- One agency's page ---------------------------------------------------------------


@organizer_required
def agency(request, slug):
    report = agency_report.agency_report(slug=slug, page=request.GET.get("page"))
    return render(request, "reports/agency.html", {"report": report, **agency_page.page_html(request, report)})
