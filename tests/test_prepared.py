"""A prepared query answers what the same ORM query answers, with the values of each run."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, DateField, IntegerField

from cohorts.models import Enrolment
from egovexperts.core.prepared import PreparedQuery, Slot
from tests.factories import EnrolmentFactory
from trainees.models import Agency

pytestmark = pytest.mark.django_db


def _enrolled_by(cohort_id, day):
    return (
        Enrolment.objects.filter(cohort_id=cohort_id, enrolled_on__lte=day)
        .order_by("pk")
        .values_list("pk", "trainee__full_name")
    )


def test_rows_are_those_of_the_orm_query_with_each_runs_values():
    builds = []
    prepared = PreparedQuery(
        lambda: builds.append(1) or _enrolled_by(Slot("cohort", IntegerField()), Slot("day", DateField()))
    )
    early = EnrolmentFactory(enrolled_on=datetime.date(2024, 1, 10), trainee__full_name="Nguyễn Văn An")
    late = EnrolmentFactory(cohort=early.cohort, enrolled_on=datetime.date(2025, 3, 1))
    EnrolmentFactory(enrolled_on=datetime.date(2020, 1, 1))  # another cohort

    answers = {}
    for day in (datetime.date(2023, 1, 1), datetime.date(2024, 6, 1), datetime.date(2025, 6, 1)):
        answers[day] = prepared.rows(cohort=early.cohort_id, day=day)
        assert answers[day] == list(_enrolled_by(early.cohort_id, day))

    assert answers[datetime.date(2023, 1, 1)] == []
    assert answers[datetime.date(2024, 6, 1)] == [(early.pk, "Nguyễn Văn An")]
    assert [pk for pk, _name in answers[datetime.date(2025, 6, 1)]] == [early.pk, late.pk]
    assert len(builds) == 1  # built and compiled once, run three times


def test_a_query_whose_columns_need_converting_is_refused():
    abbreviations = PreparedQuery(
        lambda: Agency.objects.filter(pk=Slot("agency", IntegerField())).values_list("abbreviations")  # JSON
    )
    with pytest.raises(ImproperlyConfigured, match="need no converting"):
        abbreviations.rows(agency=1)


def test_a_query_prepared_to_convert_gives_the_rows_of_the_orm_query():
    enrolment = EnrolmentFactory(enrolled_on=datetime.date(2024, 1, 10))
    counted = PreparedQuery(
        lambda: Enrolment.objects.filter(cohort_id=Slot("cohort", IntegerField()))
        .values_list("enrolled_on")
        .annotate(enrolments=Count("pk")),  # a date (text on SQLite) and a count
        convert=True,
    )
    assert counted.rows(cohort=enrolment.cohort_id) == [(datetime.date(2024, 1, 10), 1)]
