"""The trainee directory's search and filters (django-filter). It lives here, above trainees,
because it filters and shows trainees by cohort and enrolment."""

from dataclasses import dataclass

import django_filters
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainees.agencies import AgencyDirectory, AsOf
from trainees.models import Agency, Trainee

from .models import Cohort, Enrolment


class TraineeFilter(django_filters.FilterSet):
    class Kind:
        CENTRAL = "central"
        PROVINCIAL = "provincial"

    STATUS_NONE = "none"

    q = django_filters.CharFilter(label=_("Search"), method="search")
    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.all(), method="in_cohort", empty_label=_("All")
    )
    agency_kind = django_filters.ChoiceFilter(
        label=_("Agency kind"),
        choices=[(Kind.CENTRAL, _("Ministries and central agencies")), (Kind.PROVINCIAL, _("Provinces and cities"))],
        method="with_agency_kind",
        empty_label=_("All"),
    )
    # Only the agencies in force today (set per request: the day turns): a filter on one finds
    # the posts recorded at it and at its predecessors (Tuyên Quang finds Hà Giang's).
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), method="at_agency", empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Enrolment"),
        choices=[*Enrolment.Status.choices, (STATUS_NONE, _("not enrolled"))],
        method="with_status",
        empty_label=_("All"),
    )

    class Meta:
        model = Trainee
        fields = ["q", "cohort", "agency_kind", "agency", "status"]

    def __init__(self, *args, directory: AgencyDirectory, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = directory
        self.filters["agency"].queryset = Agency.objects.in_force().order_by("kind", "short_name")

    def search(self, queryset, name, value):
        return queryset.search(value)

    def in_cohort(self, queryset, name, value):
        return queryset.filter(pk__in=Enrolment.objects.filter(cohort=value).values("trainee_id"))

    # The post each trainee holds today (Trainee.current_post), under the agency in force today,
    # as the rows show it.
    def with_agency_kind(self, queryset, name, value):
        kinds = Agency.CENTRAL_KINDS if value == self.Kind.CENTRAL else Agency.PROVINCIAL_KINDS
        recorded = [pk for pk in self.directory.by_id if self.directory.in_force(pk).kind in kinds]
        return queryset.filter(current_post__agency__in=recorded)

    def at_agency(self, queryset, name, value):
        lineage = [value.pk, *(agency.pk for agency in self.directory.predecessors_of(value.pk))]
        return queryset.filter(current_post__agency__in=lineage)

    def with_status(self, queryset, name, value):
        enrolments = Enrolment.objects.values("trainee_id")
        if value == self.STATUS_NONE:
            return queryset.exclude(pk__in=enrolments)
        return queryset.filter(pk__in=enrolments.filter(status=value))


def directory(data, *, agencies: AgencyDirectory | None = None) -> TraineeFilter:
    agencies = agencies or AgencyDirectory.cached()
    return TraineeFilter(data, queryset=Trainee.objects.in_vietnamese_order(), directory=agencies)


CHOICES_KEY = "trainees:directory-choices"
CHOICES_SECONDS = 600


def filter_choices(filterset: TraineeFilter) -> dict[str, list]:
    """The cohort and agency options as (value, label) pairs, read once and kept until a cohort or
    an agency is saved or deleted (`forget_filter_choices`), the day turns (agencies come into
    and out of force) or ten minutes pass (changes made by migrations send no signal)."""
    key = f"{CHOICES_KEY}:{timezone.localdate()}"
    choices = cache.get(key)
    if choices is None:
        fields = filterset.form.fields
        choices = {
            "cohort": list(fields["cohort"].queryset.values_list("pk", "name")),
            "agency": list(fields["agency"].queryset.values_list("pk", "name_vi")),
        }
        cache.set(key, choices, CHOICES_SECONDS)
    return choices


def forget_filter_choices(**kwargs):
    """Receiver of the save and delete signals of Cohort and Agency (see the apps' `ready`)."""
    cache.delete(f"{CHOICES_KEY}:{timezone.localdate()}")


def filter_selects(filterset: TraineeFilter) -> list[dict]:
    """Each select of the filter form with its options as (value, label) pairs, read as plain
    rows rather than model instances, and the value chosen."""
    form = filterset.form
    empty = [("", _("All"))]
    choices = filter_choices(filterset)
    options = {
        "cohort": empty + choices["cohort"],
        "agency_kind": list(form.fields["agency_kind"].choices),
        "agency": empty + choices["agency"],
        "status": list(form.fields["status"].choices),
    }
    return [
        {
            "name": name,
            "label": form[name].label,
            "choices": choices,
            "current": str(form[name].value() or ""),
            "errors": form[name].errors,
        }
        for name, choices in options.items()
    ]


@dataclass(slots=True)
class DirectoryRow:
    """One trainee of the directory, as plain values for its Jinja2 partial."""

    url: str
    full_name: str
    email: str
    current_position: str | None
    unit: AsOf | None  # as of today: the unit in force, the recorded one beside it
    agency: AsOf | None  # as of today: the agency in force, the recorded one beside it
    cohort_name: str
    enrolment_status: str
    enrolment_label: str


def directory_page(filterset: TraineeFilter, number, *, per_page: int = 50) -> Page:
    """One page of the filtered directory, each row with the current post and latest enrolment.

    A search reads its matches in one scan (count and page from the same list). The page's
    rows then come with their current post and their enrolments in one query, joined: a
    trainee with several enrolments comes on several rows, the latest first.
    """
    people = filterset.qs.values_list("pk", "full_name", "email")
    if filterset.form.cleaned_data.get("q") if filterset.is_bound and filterset.form.is_valid() else False:
        people = list(people)
    page = Paginator(people, per_page).get_page(number)
    details = (
        Trainee.objects.filter(pk__in=[pk for pk, _name, _email in page.object_list])
        .order_by("pk", "-enrolments__enrolled_on", "-enrolments__pk")
        .values_list(
            "pk",
            "current_post__position",
            "current_post__unit_id",
            "current_post__unit__name",
            "current_post__agency_id",
            "enrolments__status",
            "enrolments__cohort__name",
        )
    )
    agencies, today = filterset.directory, timezone.localdate()
    latest = {}
    for pk, *columns in details:
        latest.setdefault(pk, columns)
    labels = {value: str(label) for value, label in Enrolment.Status.choices}  # translated once
    prefix = reverse("trainees:trainee-detail", args=[0]).removesuffix("0/")
    rows = []
    for pk, full_name, email in page.object_list:
        position, unit_id, unit_name, agency_id, status, cohort_name = latest[pk]
        rows.append(
            DirectoryRow(
                url=f"{prefix}{pk}/",
                full_name=full_name,
                email=email,
                current_position=position,
                unit=agencies.unit_as_of(unit_id, unit_name, today),
                agency=agencies.as_of(agency_id, today),
                cohort_name=cohort_name or "",
                enrolment_status=status or "",
                enrolment_label=labels.get(status, ""),
            )
        )
    page.object_list = rows
    return page
