"""The commitment tracker: rows, filters, sorting, exports, waivers, query counts."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    CommitmentFactory,
    EnrolmentFactory,
    TraineeFactory,
    agency,
)
from trainees.models import RetentionCommitment

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 12, 1)
URL = reverse("reports:commitments")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def committed(name, slug, *, starts_on=None, posts=None, cohort=None, **kwargs):
    """A trainee with posts (default: at the committing agency since 2019) and a commitment."""
    trainee = TraineeFactory(full_name=name)
    for post_slug, post_from, post_to in posts or [(slug, D(2019, 1, 1), None)]:
        AssignmentFactory(trainee=trainee, agency=agency(post_slug), starts_on=post_from, ends_on=post_to)
    if cohort is not None:
        EnrolmentFactory(trainee=trainee, cohort=cohort, nominated_by=agency(slug))
    return CommitmentFactory(trainee=trainee, agency=agency(slug), starts_on=starts_on or D(2024, 1, 17), **kwargs)


@pytest.fixture
def world():
    cohort = CohortFactory(name="Khóa 2024")
    return {
        "ending": committed("Nguyễn Văn An", "bo-y-te", cohort=cohort),  # ends 17/01/2027: 47 days left
        "merged": committed("Trần Thị Bình", "ha-giang", starts_on=D(2024, 6, 1)),
        "broken": committed(
            "Lê Văn Châu",
            "bo-tai-chinh",
            posts=[("bo-tai-chinh", D(2019, 1, 1), D(2025, 3, 31)), ("ha-noi", D(2025, 4, 1), None)],
        ),
        "fulfilled": committed("Phạm Văn Dũng", "ha-noi", starts_on=D(2020, 6, 1)),
        "active": committed("Hoàng Thị Em", "ha-noi", starts_on=D(2025, 1, 1), cohort=cohort),
    }


def rows(response):
    return [row.trainee_name for row in response.context["tracker"].page.object_list]


def test_rows_show_status_days_left_and_the_agency_in_force_beside_the_recorded_one(organizer_client, world):
    response = organizer_client.get(URL)
    assert response.status_code == 200
    by_name = {row.trainee_name: row for row in response.context["tracker"].page.object_list}
    assert by_name["Nguyễn Văn An"].evaluation.status == "ending_soon"
    assert by_name["Nguyễn Văn An"].evaluation.days_remaining == 47
    assert by_name["Lê Văn Châu"].evaluation.broken_on == D(2025, 4, 1)
    assert by_name["Phạm Văn Dũng"].evaluation.status == "fulfilled"
    merged = by_name["Trần Thị Bình"]
    assert (merged.agency_name, merged.agency_today_name) == ("Tỉnh Hà Giang", "Tỉnh Tuyên Quang")
    assert str(merged.agency) == "Tuyên Quang · recorded: Hà Giang"
    assert merged.evaluation.status == "active"  # the merger carried it: no breach
    html = response.content.decode()
    assert "Tuyên Quang" in html and "recorded: Hà Giang" in html
    assert "17/01/2027" in html


def test_by_default_commitments_yet_to_end_come_first_soonest_first_then_the_latest_ended(organizer_client, world):
    names = rows(organizer_client.get(URL))
    assert names == ["Nguyễn Văn An", "Lê Văn Châu", "Trần Thị Bình", "Hoàng Thị Em", "Phạm Văn Dũng"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "broken"}, {"Lê Văn Châu"}),
        ({"status": "ending_soon"}, {"Nguyễn Văn An"}),
        ({"status": "active"}, {"Trần Thị Bình", "Hoàng Thị Em"}),
        ({"agency_kind": "ministry"}, {"Nguyễn Văn An", "Lê Văn Châu"}),
        ({"agency_kind": "province"}, {"Trần Thị Bình"}),
        ({"region": "northern_midlands_mountains"}, {"Trần Thị Bình"}),
        ({"ending_within": "60"}, {"Nguyễn Văn An"}),
        ({"ending_within": "0"}, set()),
        ({"ending_within": "500"}, {"Nguyễn Văn An", "Trần Thị Bình", "Hoàng Thị Em"}),
    ],
)
def test_filters_narrow_the_rows(organizer_client, world, query, expected):
    assert set(rows(organizer_client.get(URL, query))) == expected


def test_filtering_by_an_agency_finds_commitments_signed_by_its_predecessors(organizer_client, world):
    tuyen_quang = agency("tuyen-quang")
    assert rows(organizer_client.get(URL, {"agency": tuyen_quang.pk})) == ["Trần Thị Bình"]
    # An abolished agency is no choice: it is found through its successor.
    response = organizer_client.get(URL, {"agency": agency("ha-giang").pk})
    assert response.status_code == 200 and response.context["tracker"].page is None


def test_filtering_by_cohort(organizer_client, world):
    cohort = world["ending"].trainee.enrolments.get().cohort
    assert set(rows(organizer_client.get(URL, {"cohort": cohort.pk}))) == {"Nguyễn Văn An", "Hoàng Thị Em"}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"agency": "abc"},
        {"cohort": "999999"},
        {"ending_within": "-5"},
        {"ending_within": "99999999999999999999"},
        {"region": "x"},
        {"sort": "'; drop table"},
        {"page": "999"},
        {"page": "x"},
    ],
)
def test_wrong_filters_give_a_page_not_an_error(organizer_client, world, query):
    assert organizer_client.get(URL, query).status_code == 200


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("trainee", "Nguyễn Văn An", "Hoàng Thị Em"),
        ("-trainee", "Hoàng Thị Em", "Nguyễn Văn An"),
        ("status", "Lê Văn Châu", "Phạm Văn Dũng"),
        ("agency", "Lê Văn Châu", "Trần Thị Bình"),  # Bộ Tài chính … Tuyên Quang (in force today)
        ("start", "Phạm Văn Dũng", "Hoàng Thị Em"),
        ("cohort", "Nguyễn Văn An", "Phạm Văn Dũng"),  # those of no cohort last
        ("-end", "Hoàng Thị Em", "Phạm Văn Dũng"),
    ],
)
def test_columns_sort_the_rows(organizer_client, world, sort, first, last):
    names = rows(organizer_client.get(URL, {"sort": sort}))
    assert (names[0], names[-1]) == (first, last)


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # the default order: one count of both, then the running ones and the ended ones (two ranges)
        ({}, 8),
        ({"status": "active", "sort": "agency"}, 7),
    ],
)
def test_the_page_is_a_fixed_number_of_queries_whatever_the_number_of_commitments(
    organizer_client, world, django_assert_num_queries, query, queries
):
    def count():
        # The agency directory and the cohort options are kept after the first page.
        organizer_client.get(URL)
        # session, user, organizer group, the user's trainee record (menu); count of the filtered
        # rows; the page's rows with trainee and cohort; their trainees' posts
        with django_assert_num_queries(queries):
            response = organizer_client.get(URL, query)
        return response

    count()
    for index in range(40):
        committed(f"Extra {index}", "ha-giang" if index % 2 else "bo-y-te", starts_on=D(2025, 1, 1))
    assert len(count().context["tracker"].page.object_list) == (45 if not query else 42)


def test_exports_hold_the_filtered_rows_with_both_agencies_and_escape_formulas(organizer_client, world):
    committed('=HYPERLINK("http://evil")', "ha-giang", starts_on=D(2025, 1, 1))
    response = organizer_client.get(
        reverse("reports:commitments-export", args=["csv"]), {"agency": agency("tuyen-quang").pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = table
    assert header[3:5] == ["Committing agency (recorded)", "Agency in force today"]
    assert sorted(row[0] for row in body) == ['\'=HYPERLINK("http://evil")', "Trần Thị Bình"]
    assert {(row[3], row[4]) for row in body} == {("Tỉnh Hà Giang", "Tỉnh Tuyên Quang")}

    response = organizer_client.get(reverse("reports:commitments-export", args=["xlsx"]), {"status": "broken"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][0] == "Lê Văn Châu" and values[1][9] == "01/04/2025"


def test_an_unknown_export_format_is_not_found(organizer_client, world):
    assert organizer_client.get(reverse("reports:commitments-export", args=["pdf"])).status_code == 404


def test_waiving_keeps_the_reason_and_who_recorded_it(organizer_client, organizer, world):
    commitment = world["broken"]
    url = reverse("reports:commitment-waive", args=[commitment.pk])
    response = organizer_client.post(
        url, {"waived_on": "2026-11-30", "reason": "Nghỉ hưu theo chế độ", "back": "status=broken"}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?status=broken"
    commitment.refresh_from_db()
    assert (commitment.waived_on, commitment.waiver_reason) == (D(2026, 11, 30), "Nghỉ hưu theo chế độ")
    assert commitment.history.latest().history_user == organizer
    by_name = {row.trainee_name: row for row in organizer_client.get(URL).context["tracker"].page.object_list}
    assert by_name["Lê Văn Châu"].evaluation.status == "waived"
    export = organizer_client.get(reverse("reports:commitments-export", args=["csv"]), {"status": "waived"})
    header, row = csv.reader(io.StringIO(export.content.decode("utf-8-sig")))
    assert dict(zip(header, row, strict=True))["Waiver recorded by"] == organizer.email


@pytest.mark.parametrize(
    "data",
    [
        {"waived_on": "2026-11-30", "reason": "   "},
        {"waived_on": "2027-01-01", "reason": "Nghỉ hưu"},  # in the future
        {"waived_on": "2023-01-01", "reason": "Nghỉ hưu"},  # before the start
        {"waived_on": "bad", "reason": "Nghỉ hưu"},
    ],
)
def test_a_refused_waiver_writes_nothing(organizer_client, world, data):
    commitment = world["broken"]
    history = commitment.history.count()
    response = organizer_client.post(reverse("reports:commitment-waive", args=[commitment.pk]), data)
    assert response.status_code == 200
    commitment.refresh_from_db()
    assert commitment.waived_on is None and commitment.history.count() == history


def test_a_commitment_is_waived_once(organizer_client, world):
    commitment = world["broken"]
    url = reverse("reports:commitment-waive", args=[commitment.pk])
    organizer_client.post(url, {"waived_on": "2026-11-30", "reason": "Nghỉ hưu"})
    response = organizer_client.post(url, {"waived_on": "2026-11-29", "reason": "Khác"})
    assert response.status_code == 200
    assert RetentionCommitment.objects.get(pk=commitment.pk).waiver_reason == "Nghỉ hưu"


def test_trainees_cannot_see_or_waive(trainee_client, world):
    commitment = world["broken"]
    assert trainee_client.get(URL).status_code == 403
    response = trainee_client.post(
        reverse("reports:commitment-waive", args=[commitment.pk]), {"waived_on": "2026-11-30", "reason": "x"}
    )
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.waived_on is None


def test_the_dashboard_lists_are_the_trackers_ending_soon_and_broken_ones(organizer_client, world):
    response = organizer_client.get(reverse("reports:dashboard"))
    figures = response.context["dashboard"]
    ending = set(rows(organizer_client.get(URL, {"status": "ending_soon"})))
    broken = set(rows(organizer_client.get(URL, {"status": "broken"})))
    assert {c.trainee.full_name for c in figures.commitments_ending} == ending == {"Nguyễn Văn An"}
    assert {c.trainee.full_name for c in figures.commitments_broken} == broken == {"Lê Văn Châu"}
    assert (figures.commitments_ending_count, figures.commitments_broken_count) == (1, 1)
    html = response.content.decode()
    assert f'href="{URL}?status=ending_soon"' in html and f'href="{URL}?status=broken"' in html


def test_the_default_order_read_as_two_ranges_is_the_order_of_the_end_sort(world):
    from egovexperts.reports.commitment_rows import EverySoonestEndFirst, SoonestEndFirst, row_values
    from egovexperts.reports.commitments import ordered
    from trainees.agencies import AgencyDirectory

    for index in range(7):
        committed(f"Extra {index}", "ha-noi", starts_on=D(2019 + index % 4, 3, 1))
    queryset = RetentionCommitment.objects.all()
    expected = list(row_values(ordered(queryset, "end", today=TODAY, directory=AgencyDirectory.load())))
    # Through the ORM, and prepared (every commitment: the tracker as it opens).
    for split in (SoonestEndFirst(queryset, today=TODAY), EverySoonestEndFirst(today=TODAY)):
        assert split.count() == len(expected) == 12
        for start, stop in [(0, 3), (0, 12), (2, 7), (5, 9), (8, 12), (11, 20)]:
            assert split[start:stop] == expected[start:stop]


def test_names_and_reasons_people_typed_are_escaped_in_the_rows(organizer_client, world):
    commitment = committed("<script>alert(1)</script>", "ha-noi", starts_on=D(2025, 1, 1))
    RetentionCommitment.objects.filter(pk=commitment.pk).update(waived_on=D(2025, 2, 1), waiver_reason='<b>"x"</b>')
    html = organizer_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;&#34;x&#34;&lt;/b&gt;" in html
