import datetime

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, CohortFactory, EnrolmentFactory, TraineeFactory, agency

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
    assert (row.current_agency_name, row.current_position, row.cohort_name) == ("Bộ Y tế", "Mới", "Khóa mới")


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
