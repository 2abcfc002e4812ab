"""Reads of cohorts for pages, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from trainees.agencies import show_current_posts
from trainees.models import Agency, Trainee

from .models import Cohort, Enrolment


def cohort_list() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("programme").with_counts()


def cohort_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    """Enrolments of a cohort with each trainee's current post, in Vietnamese name order."""
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("nominated_by")
        .prefetch_related(Prefetch("trainee", queryset=Trainee.objects.with_current_post()))
        .order_by("trainee__sort_key", "pk")
    )


@dataclass
class EnrolmentGroup:
    label: str
    enrolments: list = field(default_factory=list)


def enrolments_by_agency_kind(enrolments) -> list[EnrolmentGroup]:
    """Ministries and central agencies first, then provinces and cities, then trainees without a post,
    each trainee's post under the agency in force today (`agency_as_of`, `unit_as_of`)."""
    show_current_posts([enrolment.trainee for enrolment in enrolments])
    central = EnrolmentGroup(_("Ministries and central agencies"))
    provincial = EnrolmentGroup(_("Provinces and cities"))
    other = EnrolmentGroup(_("No current post"))
    for enrolment in enrolments:
        today = enrolment.trainee.agency_as_of
        kind = today.agency.kind if today else None
        if kind in Agency.CENTRAL_KINDS:
            central.enrolments.append(enrolment)
        elif kind in Agency.PROVINCIAL_KINDS:
            provincial.enrolments.append(enrolment)
        else:
            other.enrolments.append(enrolment)
    return [group for group in (central, provincial, other) if group.enrolments]


# How far each trainee is through their cohort's courses, keyed by trainee id: computed by
# courses, which sits above this app; set in egovexperts/apps.py.
PROGRESS_OF_ENROLMENTS: list[Callable[[list[Enrolment]], dict]] = []


def add_progress(enrolments: list[Enrolment]) -> None:
    """Give each enrolment its trainee's progress (`None` when no app computes it)."""
    progress = {}
    for source in PROGRESS_OF_ENROLMENTS:
        progress.update(source(enrolments))
    for enrolment in enrolments:
        enrolment.progress = progress.get(enrolment.trainee_id)
