"""Coverage of ministries and provinces as of a date, on data built for it around the 2025 reforms.

Provinces merged on 1 July 2025 (Hà Giang into Tuyên Quang); ministries restructured on 1 March
2025 (Bộ TT&TT into Bộ KH&CN). Each figure is checked on both sides of each date.
"""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from egovexperts.reports.coverage import add_months, coverage, summary
from tests.factories import AssignmentFactory, CommitmentFactory, TraineeFactory, agency

pytestmark = pytest.mark.django_db

D = datetime.date
BO_TTTT, BO_KHCN = "bo-thong-tin-va-truyen-thong", "bo-khoa-hoc-va-cong-nghe"


def _post(trainee, slug, starts_on, ends_on=None):
    return AssignmentFactory(trainee=trainee, agency=agency(slug), starts_on=starts_on, ends_on=ends_on)


def _committed(trainee, slug, starts_on, ends_on):
    return CommitmentFactory(trainee=trainee, agency=agency(slug), starts_on=starts_on, ends_on=ends_on)


@pytest.fixture
def reforms():
    """Five experts whose posts and commitments cross the 2025 reforms."""
    stays_in_ha_giang = TraineeFactory(full_name="Hà Giang, stays")
    _post(stays_in_ha_giang, "ha-giang", D(2019, 1, 1))
    _committed(stays_in_ha_giang, "ha-giang", D(2023, 1, 1), D(2026, 1, 1))

    fulfils_then_leaves = TraineeFactory(full_name="Tuyên Quang, fulfils then leaves")
    _post(fulfils_then_leaves, "tuyen-quang", D(2019, 1, 1), D(2024, 12, 31))
    _post(fulfils_then_leaves, "bo-y-te", D(2025, 1, 1))
    _committed(fulfils_then_leaves, "tuyen-quang", D(2021, 1, 1), D(2024, 1, 1))

    stays_in_tttt = TraineeFactory(full_name="Bộ TT&TT, stays")
    _post(stays_in_tttt, BO_TTTT, D(2019, 1, 1))
    _committed(stays_in_tttt, BO_TTTT, D(2024, 6, 1), D(2027, 6, 1))

    breaks_at_khcn = TraineeFactory(full_name="Bộ KH&CN, leaves for Hà Nội")
    _post(breaks_at_khcn, BO_KHCN, D(2019, 1, 1), D(2025, 4, 30))
    _post(breaks_at_khcn, "ha-noi", D(2025, 5, 1))
    _committed(breaks_at_khcn, BO_KHCN, D(2023, 1, 1), D(2026, 1, 1))

    promoted = TraineeFactory(full_name="Cao Bằng, promoted to Lạng Sơn before the old post closed")
    _post(promoted, "cao-bang", D(2019, 1, 1), D(2025, 12, 31))
    _post(promoted, "lang-son", D(2025, 6, 1))


def figures(report, slug):
    (row,) = [row for row in report.rows if row.agency.slug == slug]
    return row.code, row.experts_in_post, row.active_commitments, row.broken, row.fulfilled


def slugs(report):
    return {row.agency.slug for row in report.rows}


def test_the_day_before_the_merger_counts_hà_giang_as_itself(reforms):
    report = coverage(on=D(2025, 6, 30))
    assert (len(report.provincial), len(report.central)) == (63, 17)
    assert figures(report, "ha-giang") == ("02", 1, 1, 0, 0)
    assert figures(report, "tuyen-quang") == ("08", 0, 0, 0, 1)
    # Both posts held that day; the one started last counts, once.
    assert figures(report, "cao-bang")[1:3] == (0, 0)
    assert figures(report, "lang-son")[1] == 1


def test_from_the_merger_hà_giang_counts_for_tuyên_quang(reforms):
    report = coverage(on=D(2025, 7, 1))
    assert (len(report.provincial), len(report.central)) == (34, 17)
    assert "ha-giang" not in slugs(report)
    assert figures(report, "tuyen-quang") == ("08", 1, 1, 0, 1)
    assert figures(report, "ha-noi") == ("01", 1, 0, 0, 0)


def test_codes_are_those_in_force_on_the_date(reforms):
    # Hà Tĩnh's code 42 stays; Quảng Ngãi takes Kon Tum's 62 -> 51 stays; Đắk Lắk merged Phú Yên (66).
    before, after = coverage(on=D(2025, 6, 30)), coverage(on=D(2025, 7, 1))
    assert {row.agency.slug: row.code for row in before.rows}["phu-yen"] == "54"
    assert "phu-yen" not in slugs(after)
    assert [row.code for row in after.provincial] == sorted(row.code for row in after.provincial)


def test_the_day_before_the_restructuring_counts_each_ministry_as_itself(reforms):
    report = coverage(on=D(2025, 2, 28))
    assert (len(report.provincial), len(report.central)) == (63, 22)
    assert figures(report, BO_TTTT) == ("", 1, 1, 0, 0)
    assert figures(report, BO_KHCN) == ("", 1, 1, 0, 0)


def test_from_the_restructuring_bộ_tttt_counts_for_bộ_khcn(reforms):
    report = coverage(on=D(2025, 3, 1))
    assert len(report.central) == 17
    assert BO_TTTT not in slugs(report)
    assert figures(report, BO_KHCN) == ("", 2, 2, 0, 0)
    # The transfer to Hà Nội on 1 May 2025 breaks Bộ KH&CN's own commitment.
    assert figures(coverage(on=D(2025, 4, 30)), BO_KHCN) == ("", 2, 2, 0, 0)
    assert figures(coverage(on=D(2025, 5, 1)), BO_KHCN) == ("", 1, 1, 1, 0)


def test_on_the_last_day_of_2021_the_63_provinces_and_22_ministries_are_listed(reforms):
    report = coverage(on=D(2021, 12, 31))
    assert (len(report.provincial), len(report.central)) == (63, 22)
    assert figures(report, "tuyen-quang") == ("08", 1, 1, 0, 0)
    assert figures(report, "cao-bang")[1] == 1
    assert report.provincial_covered == 3  # Hà Giang, Tuyên Quang, Cao Bằng
    assert report.central_covered == 2
    assert len(report.uncovered) == 85 - 5


def test_an_agency_loses_its_guarantee_within_six_months_of_its_last_commitment_end(reforms):
    # Hà Giang's only commitment ends on 1 January 2026 (carried by Tuyên Quang from July).
    assert add_months(D(2025, 7, 1), 6) == D(2026, 1, 1)
    assert [(row.agency.slug, days) for row, days in coverage(on=D(2025, 7, 1)).losing_guarantee] == [
        ("tuyen-quang", 184)
    ]
    assert "ha-giang" not in {row.agency.slug for row, _ in coverage(on=D(2025, 6, 30)).losing_guarantee}
    # A renewal signed before the end keeps the guarantee.
    renewal = agency("tuyen-quang")
    CommitmentFactory(trainee=TraineeFactory(), agency=renewal, starts_on=D(2026, 1, 1), ends_on=D(2029, 1, 1))
    assert coverage(on=D(2025, 7, 1)).losing_guarantee == []


def test_commitments_per_quarter_since_2020(reforms):
    quarters = {q.label: (q.active, q.fulfilled, q.broken) for q in coverage(on=D(2025, 8, 15)).quarters}
    assert list(quarters)[0] == "Q1 2020" and list(quarters)[-1] == "Q3 2025"
    assert quarters["Q4 2020"] == (0, 0, 0)
    assert quarters["Q1 2021"] == (1, 0, 0)
    assert quarters["Q1 2024"] == (2, 1, 0)  # Tuyên Quang's ends on 1 January 2024
    assert quarters["Q2 2025"] == (2, 0, 1)  # the transfer of 1 May 2025
    assert quarters["Q3 2025"] == (2, 0, 0)  # up to 15 August


def test_without_a_closed_post_neither_double_posts_nor_breaches_are_read(django_assert_num_queries):
    for slug in ("ha-giang", "ha-noi"):
        person = TraineeFactory()
        _post(person, slug, D(2019, 1, 1))
        _committed(person, slug, D(2023, 1, 1), D(2026, 1, 1))
    coverage(on=D(2024, 1, 1))  # the agencies are read once, then kept
    # the posts per agency (none closed: no trainee holds two posts, no departure broke a
    # commitment); the commitments by agency and dates
    with django_assert_num_queries(2):
        report = coverage(on=D(2025, 7, 1))
    assert figures(report, "tuyen-quang") == ("08", 1, 1, 0, 0)
    assert figures(report, "ha-noi") == ("01", 1, 1, 0, 0)


def test_nothing_is_counted_before_the_first_post(db):
    report = coverage(on=D(2020, 1, 1))
    assert report.provincial_covered == report.central_covered == 0
    assert [q.label for q in report.quarters] == ["Q1 2020"]


def _many(size):
    for n in range(size):
        person = TraineeFactory()
        slug = ["ha-giang", "tuyen-quang", BO_TTTT, "bo-y-te"][n % 4]
        if n % 3:
            _post(person, slug, D(2019, 1, 1))
        else:  # a transfer inside the commitment: evaluated one by one
            _post(person, slug, D(2019, 1, 1), D(2024, 3, 31))
            _post(person, "ha-noi", D(2024, 4, 1))
        _committed(person, slug, D(2022, 1, 1), D(2025, 1, 1))


@pytest.mark.parametrize("size", [4, 40])
def test_the_query_count_does_not_grow_with_the_data(django_assert_num_queries, size):
    _many(size)
    # agencies; the posts per agency (held on the date; held and closed since: none here, so
    # no read of the trainees holding two; ended before it); commitments by agency and dates;
    # those a departure may have broken, one by one, with the posts of their trainees
    with django_assert_num_queries(4):
        report = coverage(on=D(2024, 6, 30))
    assert sum(row.experts_in_post for row in report.rows) == size
    assert sum(row.broken for row in report.rows) == len(range(0, size, 3))


@pytest.mark.parametrize("size", [4, 40])
def test_the_page_query_count_does_not_grow_with_the_data(organizer_client, django_assert_num_queries, size):
    _many(size)
    # session, user, groups, trainee of the user; the four of the report
    with django_assert_num_queries(8):
        response = organizer_client.get(reverse("reports:coverage"), {"on": "2024-06-30"})
    assert response.status_code == 200


def test_the_page_shows_the_63_provinces_on_the_last_day_of_2021(organizer_client, reforms):
    response = organizer_client.get(reverse("reports:coverage"), {"on": "2021-12-31"})
    assert response.status_code == 200
    html = response.text
    assert "As of 31/12/2021" in html
    assert 'data-tiles="63"' in html and html.count('<g class="tile ') == 63
    assert 'data-figure="provinces-covered">3<' in html


def test_the_page_speaks_of_today_by_default(organizer_client):
    with time_machine.travel(datetime.datetime(2026, 12, 4, 3, tzinfo=datetime.UTC), tick=False):
        html = organizer_client.get(reverse("reports:coverage")).text
    assert "As of 04/12/2026" in html
    assert 'data-tiles="34"' in html


@pytest.mark.parametrize("value", ["31/12/2021", "2021-12-31"])
def test_the_date_may_be_written_either_way(organizer_client, value):
    assert "As of 31/12/2021" in organizer_client.get(reverse("reports:coverage"), {"on": value}).text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "Enter a valid date."),
        ("2021-02-30", "Enter a valid date."),
        ("31/12/21x", "Enter a valid date."),
        ("1900-01-01", "Choose a date from 28/12/2019 to "),
        ("9999-12-31", "Choose a date from 28/12/2019 to "),
    ],
)
def test_a_wrong_date_is_a_form_error(organizer_client, value, message):
    for name in ("reports:coverage", "reports:coverage-export"):
        url = reverse(name, args=["csv"]) if name.endswith("export") else reverse(name)
        response = organizer_client.get(url, {"on": value})
        assert response.status_code == 400
        assert message in response.text
        assert 'aria-invalid="true"' in response.text


URLS = [("reports:coverage", []), ("reports:coverage-export", ["xlsx"])]


@pytest.mark.parametrize(("name", "args"), URLS)
def test_trainees_may_not_see_coverage(trainee_client, name, args):
    assert trainee_client.get(reverse(name, args=args), {"on": "2021-12-31"}).status_code == 403


@pytest.mark.parametrize(("name", "args"), URLS)
def test_visitors_are_sent_to_log_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_an_unknown_export_format_is_not_found(organizer_client):
    assert organizer_client.get(reverse("reports:coverage-export", args=["pdf"])).status_code == 404


COLUMNS = ["code", "name", "kind", "experts_in_post", "active_commitments", "broken", "fulfilled"]


def test_the_csv_export_has_the_rows_of_the_date(organizer_client, reforms):
    response = organizer_client.get(reverse("reports:coverage-export", args=["csv"]), {"on": "2025-07-01"})
    assert response["Content-Disposition"] == 'attachment; filename="coverage-2025-07-01.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 34 + 17
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Tỉnh Tuyên Quang"] == ["08", "Tỉnh Tuyên Quang", "province", "1", "1", "0", "1"]
    assert by_name["Bộ Khoa học và Công nghệ"] == ["", "Bộ Khoa học và Công nghệ", "ministry", "1", "1", "1", "0"]
    assert "Tỉnh Hà Giang" not in by_name


def test_the_xlsx_export_has_the_same_rows(organizer_client, reforms):
    response = organizer_client.get(reverse("reports:coverage-export", args=["xlsx"]), {"on": "2025-06-30"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == COLUMNS
    assert ["02", "Tỉnh Hà Giang", "province", 1, 1, 0, 0] in rows
    assert len(rows) == 1 + 63 + 17


def test_summary_counts_provinces_and_ministries_with_an_expert_in_post(reforms):
    # Tuyên Quang (Hà Giang's post), Hà Nội, Lạng Sơn; Bộ KH&CN (Bộ TT&TT's post), Bộ Y tế
    assert summary(on=D(2025, 7, 1)) == (3, 34, 2, 17)
    assert summary(on=D(2021, 12, 31)) == (3, 63, 2, 22)
