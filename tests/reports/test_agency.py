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
    summary = report.summary
    assert (summary.in_post, summary.former, summary.running, summary.broken, summary.fulfilled) == (2, 1, 1, 1, 1)
    assert summary.guaranteed_until == TODAY - datetime.timedelta(days=400) + datetime.timedelta(days=3 * 365 + 1)
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


def test_a_commitment_signed_here_by_someone_never_in_post_here_is_listed_with_its_status(
    organizer_client, tuyen_quang, django_assert_num_queries
):
    elsewhere = AssignmentFactory(
        agency=agency("ha-noi"), trainee__full_name="Mã Văn Xa", starts_on=datetime.date(2019, 1, 1)
    ).trainee
    CommitmentFactory(trainee=elsewhere, agency=agency("tuyen-quang"), starts_on=TODAY - datetime.timedelta(days=30))
    organizer_client.get(_url("tuyen-quang"))
    # session, user, groups, trainee of the user; the commitments; the posts of those who held a
    # post here; the posts of those who signed here without one; the enrolments (none: no course)
    with django_assert_num_queries(8):
        report = organizer_client.get(_url("tuyen-quang")).context["report"]
    (row,) = [row for row in report.commitments if row.full_name == "Mã Văn Xa"]
    assert row.status == Status.ACTIVE  # never seen in post here: missing data, not a breach
    assert "Mã Văn Xa" not in [expert.full_name for expert in report.in_post + report.former]


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


def _agency_of_size(size):
    """`size` experts in post at Tuyên Quang (half recorded at Hà Giang), as many former ones, a
    commitment and a course each."""
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


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_agency(organizer_client, django_assert_num_queries, size):
    _agency_of_size(size)
    organizer_client.get(_url("tuyen-quang"))  # the agencies are read once, then kept
    # session, user, groups, trainee of the user (navigation); the commitments; the posts of the
    # trainees concerned; the enrolments with their courses; the completion rule's courses,
    # sessions and attendance. The last page is the one with the attendance, whatever the size.
    with django_assert_num_queries(10):
        response = organizer_client.get(_url("tuyen-quang"), {"page": "last"})
    report = response.context["report"]
    assert (report.summary.in_post, report.summary.former) == (size, size)
    assert [row.cells[0].attended for row in report.attendance if row.cells[0]] == [1] * min(size, 20)


def test_a_page_without_attendance_reads_none(organizer_client, django_assert_num_queries):
    _agency_of_size(30)
    organizer_client.get(_url("tuyen-quang"))
    # session, user, groups, trainee of the user; the commitments; the posts of the trainees concerned
    with django_assert_num_queries(6):
        response = organizer_client.get(_url("tuyen-quang"))
    assert response.context["report"].attendance == []


def test_a_large_agency_reads_as_pages_of_rows_under_the_same_summary(organizer_client):
    _agency_of_size(30)  # 30 in post, 30 former, 30 commitments, 60 attendance rows: 150 rows
    pages = [organizer_client.get(_url("tuyen-quang"), {"page": number}) for number in (1, 2, 3)]
    reports = [response.context["report"] for response in pages]
    assert [report.pages for report in reports] == [3, 3, 3]
    assert [(r.summary.in_post, r.summary.former) for r in reports] == [(30, 30)] * 3
    assert reports[0].summary == reports[1].summary == reports[2].summary
    shown = [{name: len(section.rows) for name, section in r.sections.items() if section.rows} for r in reports]
    assert shown == [
        {"in_post": 30, "former": 20},
        {"former": 10, "commitments": 30, "attendance": 10},
        {"attendance": 50},
    ]
    # Every expert once in each table, in the same order on every page.
    in_post = [row.trainee_id for r in reports for row in r.in_post]
    former = [row.trainee_id for r in reports for row in r.former]
    attendance = [row.expert.trainee_id for r in reports for row in r.attendance]
    assert attendance == in_post + former and len(set(attendance)) == 60
    assert len({row.pk for r in reports for row in r.commitments}) == 30
    first, second = (response.content.decode() for response in pages[:2])
    assert "Page 1 of 3" in first and 'href="?page=2"' in first
    assert '<a href="?page=2#commitments">Retention commitments</a> (30) · page 2' in first
    assert "rows 21–30 of 30" in second and 'id="in-post"' not in second
    # Past the end, or no number: the last page, or the first.
    assert organizer_client.get(_url("tuyen-quang"), {"page": "99"}).context["report"].page == 3
    assert organizer_client.get(_url("tuyen-quang"), {"page": "x"}).context["report"].page == 1


def test_a_small_agency_fits_on_one_page_without_paging(organizer_client, tuyen_quang):
    html = organizer_client.get(_url("tuyen-quang")).content.decode()
    assert 'class="pagination"' not in html and "agency-contents" not in html
    for section in ("in-post", "former", "commitments", "attendance"):
        assert f'<section id="{section}">' in html


def test_the_coverage_page_links_each_agency_to_its_page(organizer_client):
    html = organizer_client.get(reverse("reports:coverage")).content.decode()
    assert f'<a href="{_url("tuyen-quang")}" class="agency-link">Tỉnh Tuyên Quang</a>' in html
    assert f'<a href="{_url("bo-y-te")}" class="agency-link">Bộ Y tế</a>' in html


def test_the_agency_page_marks_the_coverage_entry_of_the_menu(organizer_client):
    html = organizer_client.get(_url("tuyen-quang")).content.decode()
    assert f'<a href="{reverse("reports:coverage")}" aria-current="true">' in html
