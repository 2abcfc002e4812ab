import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AssignmentFactory, CohortFactory, EnrolmentFactory, TraineeFactory, UnitFactory, agency

pytestmark = pytest.mark.django_db

URL = reverse("trainees:trainee-list")


def _names(response):
    return [row.full_name for row in response.context["page"].object_list]


def test_search_ignores_accents_and_case(organizer_client):
    TraineeFactory(full_name="Nguyễn Văn A")
    TraineeFactory(full_name="Trần Thị B")
    assert _names(organizer_client.get(URL, {"q": "nguyen van a"})) == ["Nguyễn Văn A"]
    assert _names(organizer_client.get(URL, {"q": "NGUYỄN"})) == ["Nguyễn Văn A"]


def test_search_finds_the_agency_and_position_of_the_current_post(organizer_client):
    AssignmentFactory(trainee__full_name="Lê Hà", agency=agency("ha-noi"), position="Giám đốc Sở")
    AssignmentFactory(trainee__full_name="Vũ Bình", agency=agency("bo-y-te"), position="Chuyên viên")
    assert _names(organizer_client.get(URL, {"q": "ha noi"})) == ["Lê Hà"]
    assert _names(organizer_client.get(URL, {"q": "giam doc"})) == ["Lê Hà"]
    assert _names(organizer_client.get(URL, {"q": "bo y te"})) == ["Vũ Bình"]


def test_search_finds_the_email(organizer_client):
    TraineeFactory(full_name="Lý Thường Kiệt", email="ltkiet@example.org")
    assert _names(organizer_client.get(URL, {"q": "ltkiet"})) == ["Lý Thường Kiệt"]


def test_list_is_in_vietnamese_order_by_given_name_then_family_name(organizer_client):
    for name in ["Trần Văn Đức", "Nguyễn Văn Dũng", "Lê Thị Anh", "Bùi Anh", "Phạm Ánh"]:
        TraineeFactory(full_name=name)
    # Given names: Anh (Bùi, Lê), Ánh, Dũng, Đức: đ sorts after d.
    assert _names(organizer_client.get(URL)) == ["Bùi Anh", "Lê Thị Anh", "Phạm Ánh", "Nguyễn Văn Dũng", "Trần Văn Đức"]


def test_filters_by_cohort_agency_kind_agency_and_status(organizer_client):
    cohort = CohortFactory()
    minister = AssignmentFactory(agency=agency("bo-y-te"), trainee__full_name="Bộ Y").trainee
    provincial = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Tỉnh Hà").trainee
    TraineeFactory(full_name="Chưa Ghi")
    EnrolmentFactory(cohort=cohort, trainee=minister)
    EnrolmentFactory(trainee=provincial, status="withdrawn", ended_on=datetime.date(2021, 1, 1), withdrawal_reason="x")

    assert _names(organizer_client.get(URL, {"cohort": cohort.pk})) == ["Bộ Y"]
    assert _names(organizer_client.get(URL, {"agency_kind": "central"})) == ["Bộ Y"]
    assert _names(organizer_client.get(URL, {"agency_kind": "provincial"})) == ["Tỉnh Hà"]
    assert _names(organizer_client.get(URL, {"agency": agency("ha-noi").pk})) == ["Tỉnh Hà"]
    assert _names(organizer_client.get(URL, {"status": "withdrawn"})) == ["Tỉnh Hà"]
    assert _names(organizer_client.get(URL, {"status": "none"})) == ["Chưa Ghi"]


def test_bad_filter_values_are_ignored_with_a_message_not_a_500(organizer_client):
    TraineeFactory(full_name="Ai Đó")
    response = organizer_client.get(URL, {"cohort": "abc", "agency": "999999", "status": "zzz", "page": "-4"})
    assert response.status_code == 200
    assert set(response.context["filter"].form.errors) == {"cohort", "agency", "status"}


def test_directory_is_paginated(organizer_client):
    TraineeFactory.create_batch(55)
    first = organizer_client.get(URL)
    second = organizer_client.get(URL, {"page": 2})
    assert len(_names(first)) == 50 and len(_names(second)) == 5
    assert "page=2" in first.content.decode()


def test_htmx_search_returns_only_the_rows(organizer_client):
    TraineeFactory(full_name="Nguyễn Văn A")
    response = organizer_client.get(URL, {"q": "van a"}, HTTP_HX_REQUEST="true")
    assert "<form" not in response.content.decode()
    assert "Nguyễn Văn A" in response.content.decode()


@pytest.mark.parametrize("size", [6, 60])
@pytest.mark.parametrize("query", [{}, {"q": "nguyen"}, {"agency_kind": "provincial", "status": "active"}])
def test_directory_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size, query):
    cohort = CohortFactory()
    for assignment in AssignmentFactory.create_batch(size):
        EnrolmentFactory(cohort=cohort, trainee=assignment.trainee)
    organizer_client.get(URL)  # the filter form's cohorts and agencies are read once, then kept
    # session, user, groups, trainee of the user (navigation); count and people of the page (one
    # list when searching); their current posts and latest enrolments
    with django_assert_max_num_queries(7):
        response = organizer_client.get(URL, query)
    assert response.context["page"].paginator.count == size


def test_a_row_shows_the_post_started_last_and_the_latest_enrolment(organizer_client):
    # Two posts held today (the old one closes at the end of the year): the later one is shown.
    trainee = AssignmentFactory(
        agency=agency("ha-noi"), starts_on=datetime.date(2019, 1, 1), ends_on=datetime.date(2099, 12, 31)
    ).trainee
    AssignmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2024, 1, 1), position="Mới")
    EnrolmentFactory(trainee=trainee, cohort__name="Khóa cũ", enrolled_on=datetime.date(2020, 1, 1))
    EnrolmentFactory(trainee=trainee, cohort__name="Khóa mới", enrolled_on=datetime.date(2025, 1, 1))
    [row] = organizer_client.get(URL).context["page"].object_list
    assert (str(row.agency), row.current_position, row.cohort_name) == ("Bộ Y tế", "Mới", "Khóa mới")


def test_new_cohorts_and_agency_changes_reach_the_filter_form_at_once(organizer_client):
    organizer_client.get(URL)  # the options are now kept
    cohort = CohortFactory(name="Khóa vừa mở")
    hanoi = agency("ha-noi")
    hanoi.name_vi = "Thành phố Hà Nội (đổi tên)"
    hanoi.save()
    page = organizer_client.get(URL).content.decode()
    assert f'<option value="{cohort.pk}">Khóa vừa mở</option>' in page
    assert "Thành phố Hà Nội (đổi tên)" in page
    cohort.delete()
    assert "Khóa vừa mở" not in organizer_client.get(URL).content.decode()


def _vietnam_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_a_post_recorded_at_a_merged_province_shows_the_province_in_force_with_the_recorded_one(organizer_client):
    AssignmentFactory(agency=agency("ha-giang"), trainee__full_name="Lò Văn Giàng")
    with time_machine.travel(_vietnam_noon(datetime.date(2025, 6, 30)), tick=False):
        [row] = organizer_client.get(URL).context["page"].object_list
        assert str(row.agency) == "Hà Giang"
    with time_machine.travel(_vietnam_noon(datetime.date(2025, 7, 1)), tick=False):
        response = organizer_client.get(URL)
    [row] = response.context["page"].object_list
    assert str(row.agency) == "Tuyên Quang · recorded: Hà Giang"
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in response.content.decode()


def test_filtering_on_a_province_finds_the_posts_recorded_at_the_provinces_merged_into_it(organizer_client):
    AssignmentFactory(agency=agency("ha-giang"), trainee__full_name="Lò Văn Giàng")
    AssignmentFactory(agency=agency("tuyen-quang"), trainee__full_name="Ma Thị Tuyên")
    AssignmentFactory(agency=agency("thai-binh"), trainee__full_name="Vũ Văn Bình")
    assert _names(organizer_client.get(URL, {"agency": agency("tuyen-quang").pk})) == ["Lò Văn Giàng", "Ma Thị Tuyên"]
    # Through chains: Bộ TT&TT merged into Bộ KH&CN on 1 March 2025.
    AssignmentFactory(agency=agency("bo-thong-tin-va-truyen-thong"), trainee__full_name="Đỗ Thông")
    assert _names(organizer_client.get(URL, {"agency": agency("bo-khoa-hoc-va-cong-nghe").pk})) == ["Đỗ Thông"]


def test_the_agency_filter_offers_only_the_agencies_in_force_today(organizer_client):
    page = organizer_client.get(URL).content.decode()
    assert f'value="{agency("tuyen-quang").pk}"' in page
    assert f'value="{agency("ha-giang").pk}"' not in page
    # An abolished agency is no choice (its posts are found through its successor).
    response = organizer_client.get(URL, {"agency": agency("ha-giang").pk})
    assert set(response.context["filter"].form.errors) == {"agency"}


def test_the_agency_kind_filter_reads_the_kind_of_the_agency_in_force(organizer_client):
    # Thừa Thiên Huế, a province, became the centrally-run city of Huế: both provincial.
    AssignmentFactory(agency=agency("thua-thien-hue"), trainee__full_name="Tôn Nữ Huế")
    assert _names(organizer_client.get(URL, {"agency_kind": "provincial"})) == ["Tôn Nữ Huế"]
    assert _names(organizer_client.get(URL, {"agency_kind": "central"})) == []


def test_a_unit_handed_over_to_a_successor_shows_the_successor_with_the_recorded_unit(organizer_client):
    ha_giang = agency("ha-giang")
    science = UnitFactory(agency=ha_giang, name="Sở Khoa học và Công nghệ", valid_from=datetime.date(2025, 3, 1))
    old = UnitFactory(
        agency=ha_giang, name="Sở Thông tin và Truyền thông", valid_to=datetime.date(2025, 2, 28), successor=science
    )
    AssignmentFactory(agency=ha_giang, unit=old)
    [row] = organizer_client.get(URL).context["page"].object_list
    assert str(row.unit) == "Sở Khoa học và Công nghệ · recorded: Sở Thông tin và Truyền thông"
