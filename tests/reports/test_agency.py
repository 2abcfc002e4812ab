"""One agency's page: experts past and present (those recorded at its predecessors included),
their commitments and attendance, the successor of an abolished agency, printable."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)
from trainees.commitments import Status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECORDED_AT_HA_GIANG = 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>'


def _url(slug):
    return reverse("reports:agency", args=[slug])


@pytest.fixture
def tuyen_quang():
    """Giàng, recorded at Hà Giang since 2020 and still there; Tuyên, recorded at Tuyên Quang;
    Hà, who left Hà Giang for Hà Nội in 2022 (breaking Hà Giang's commitment); Nội, at Hà Nội only."""
    giang = AssignmentFactory(
        agency=agency("ha-giang"), trainee__full_name="Lò Văn Giàng", starts_on=datetime.date(2020, 1, 1)
    ).trainee
    tuyen = AssignmentFactory(
        agency=agency("tuyen-quang"), trainee__full_name="Ma Thị Tuyên", starts_on=datetime.date(2021, 3, 1)
    ).trainee
    ha = AssignmentFactory(
        agency=agency("ha-giang"),
        trainee__full_name="Vàng Thị Hà",
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2022, 2, 28),
    ).trainee
    AssignmentFactory(trainee=ha, agency=agency("ha-noi"), starts_on=datetime.date(2022, 3, 1))
    AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Đỗ Văn Nội")
    CommitmentFactory(trainee=giang, agency=agency("ha-giang"), starts_on=datetime.date(2020, 6, 1))
    CommitmentFactory(trainee=giang, agency=agency("ha-giang"), starts_on=TODAY - datetime.timedelta(days=400))
    CommitmentFactory(trainee=ha, agency=agency("ha-giang"), starts_on=datetime.date(2020, 6, 1))
    return {"giang": giang, "tuyen": tuyen, "ha": ha}


def test_a_province_lists_its_experts_including_those_recorded_at_the_provinces_merged_into_it(
    organizer_client, tuyen_quang
):
    response = organizer_client.get(_url("tuyen-quang"))
    report = response.context["report"]
    assert [row.full_name for row in report.in_post] == ["Lò Văn Giàng", "Ma Thị Tuyên"]
    assert [(row.full_name, row.left_on, str(row.now_at)) for row in report.former] == [
        ("Vàng Thị Hà", datetime.date(2022, 2, 28), "Hà Nội")
    ]
    html = response.content.decode()
    assert "Tỉnh Tuyên Quang" in html and RECORDED_AT_HA_GIANG in html
    assert "Đỗ Văn Nội" not in html
    # Hà Giang's records roll up here: its page is linked.
    assert f'href="{_url("ha-giang")}"' in html


def test_the_commitments_signed_by_the_agency_and_its_predecessors_show_their_status(organizer_client, tuyen_quang):
    report = organizer_client.get(_url("tuyen-quang")).context["report"]
    statuses = sorted((row.full_name, row.status) for row in report.commitments)
    assert statuses == [
        ("Lò Văn Giàng", Status.ACTIVE),
        ("Lò Văn Giàng", Status.FULFILLED),
        ("Vàng Thị Hà", Status.BROKEN),
    ]
    assert (len(report.running), report.broken, report.fulfilled) == (1, 1, 1)
    assert report.guaranteed_until == TODAY - datetime.timedelta(days=400) + datetime.timedelta(days=3 * 365 + 1)
    assert str(report.commitments[0].agency) == "Tuyên Quang · recorded: Hà Giang"


def test_an_abolished_province_shows_and_links_the_province_that_carries_it_today(organizer_client, tuyen_quang):
    response = organizer_client.get(_url("ha-giang"))
    report = response.context["report"]
    assert report.carried_by.slug == "tuyen-quang"
    assert report.handed_over_on == datetime.date(2025, 7, 1)
    html = response.content.decode()
    assert (
        f"Tỉnh Hà Giang was merged on 01/07/2025: its experts and commitments are carried today by "
        f'<a href="{_url("tuyen-quang")}">Tỉnh Tuyên Quang</a>.'
    ) in html
    # Its own records only: Tuyên, recorded at Tuyên Quang, is not Hà Giang's.
    assert [row.full_name for row in report.in_post] == ["Lò Văn Giàng"]
    assert [row.full_name for row in report.former] == ["Vàng Thị Hà"]


def test_a_former_expert_is_listed_where_they_went_as_in_post(organizer_client, tuyen_quang):
    report = organizer_client.get(_url("ha-noi")).context["report"]
    assert [row.full_name for row in report.in_post] == ["Vàng Thị Hà", "Đỗ Văn Nội"]
    assert report.commitments == [] and report.former == []


def test_an_agency_without_any_expert_says_so(organizer_client):
    html = organizer_client.get(_url("lai-chau")).content.decode()
    assert "No expert is in post here today." in html


def test_attendance_per_course_follows_the_completion_rule(organizer_client, tuyen_quang):
    course = CourseFactory(code="CPĐT-01", title="Tổng quan", year=2020)
    start = timezone.now() - datetime.timedelta(days=10)
    sessions = [
        SessionFactory(
            course=course,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=2),
        )
        for day in range(2)
    ]
    giang = tuyen_quang["giang"]
    EnrolmentFactory(trainee=giang, cohort=course.cohort, enrolled_on=datetime.date(2020, 1, 1))
    EnrolmentFactory(trainee=tuyen_quang["tuyen"], cohort=course.cohort, enrolled_on=datetime.date(2020, 1, 1))
    AttendanceFactory(session=sessions[0], trainee=giang, status="present")
    AttendanceFactory(session=sessions[1], trainee=giang, status="present")
    AttendanceFactory(session=sessions[0], trainee=tuyen_quang["tuyen"], status="absent")
    response = organizer_client.get(_url("tuyen-quang"))
    report = response.context["report"]
    assert [(column.code, column.year) for column in report.courses] == [("CPĐT-01", 2020)]
    cells = {row.expert.full_name: row.cells[0] for row in report.attendance}
    assert (cells["Lò Văn Giàng"].attended, cells["Lò Văn Giàng"].counted, cells["Lò Văn Giàng"].completed) == (
        2,
        2,
        True,
    )
    assert (cells["Ma Thị Tuyên"].attended, cells["Ma Thị Tuyên"].counted) == (0, 2)
    assert cells["Vàng Thị Hà"] is None  # not in the course


def test_an_unknown_agency_is_a_404(organizer_client):
    assert organizer_client.get(_url("khong-co")).status_code == 404


def test_trainees_cannot_open_an_agency_page(trainee_client):
    assert trainee_client.get(_url("tuyen-quang")).status_code == 403


def test_the_page_prints_without_navigation_or_buttons(organizer_client, tuyen_quang):
    html = organizer_client.get(_url("tuyen-quang")).content.decode()
    assert "css/print.css" in html and "css/agency.css" in html
    assert 'class="actions no-print"' in html and "data-print" in html


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_agency(organizer_client, django_assert_num_queries, size):
    course = CourseFactory()
    start = timezone.now() - datetime.timedelta(days=3)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    for index in range(size):
        trainee = TraineeFactory()
        AssignmentFactory(trainee=trainee, agency=agency("ha-giang" if index % 2 else "tuyen-quang"))
        AssignmentFactory(
            agency=agency("ha-giang"), starts_on=datetime.date(2019, 1, 1), ends_on=datetime.date(2021, 1, 1)
        )
        CommitmentFactory(trainee=trainee, agency=agency("ha-giang"))
        EnrolmentFactory(trainee=trainee, cohort=course.cohort, enrolled_on=datetime.date(2020, 1, 1))
        AttendanceFactory(session=session, trainee=trainee)
    organizer_client.get(_url("tuyen-quang"))  # the agencies are read once, then kept
    # session, user, groups, trainee of the user (navigation); the posts; the commitments; the
    # enrolments with their courses; the completion rule's courses, sessions and attendance
    with django_assert_num_queries(10):
        response = organizer_client.get(_url("tuyen-quang"))
    assert len(response.context["report"].in_post) == size
    assert len(response.context["report"].former) == size


def test_the_coverage_page_links_each_agency_to_its_page(organizer_client):
    html = organizer_client.get(reverse("reports:coverage")).content.decode()
    assert f'<a href="{_url("tuyen-quang")}" class="agency-link">Tỉnh Tuyên Quang</a>' in html
    assert f'<a href="{_url("bo-y-te")}" class="agency-link">Bộ Y tế</a>' in html


def test_the_agency_page_marks_the_coverage_entry_of_the_menu(organizer_client):
    html = organizer_client.get(_url("tuyen-quang")).content.decode()
    assert f'<a href="{reverse("reports:coverage")}" aria-current="true">' in html
