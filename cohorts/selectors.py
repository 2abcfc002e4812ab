"""Reads of cohorts for pages, each in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from trainees.models import Trainee

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
