from django.urls import reverse

from cohorts.models import Enrolment
from tests.factories import AssignmentFactory, CohortFactory, EnrolmentFactory, TraineeFactory, agency


def _expert(cohort, **kwargs):
    trainee = TraineeFactory(**kwargs)
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    return trainee


def test_contact_details_are_shown_only_for_experts_who_opted_in(trainee_client, trainee):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    sharing = _expert(cohort, email="chia-se@example.org", phone="0901 111 222", share_contact=True)
    private = _expert(cohort, email="rieng-tu@example.org", phone="0903 333 444", share_contact=False)
    AssignmentFactory(trainee=sharing, agency=agency("da-nang"), position="Giám đốc Sở")

    page = trainee_client.get(reverse("portal:network")).content.decode()

    assert sharing.full_name in page and private.full_name in page
    assert "chia-se@example.org" in page and "0901 111 222" in page
    assert "rieng-tu@example.org" not in page and "0903 333 444" not in page
    assert "Giám đốc Sở" in page


def test_the_network_shows_agency_position_and_province(trainee_client, trainee):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    expert = _expert(cohort)
    AssignmentFactory(trainee=expert, agency=agency("da-nang"), position="Giám đốc Trung tâm")

    (row,) = [
        row
        for row in trainee_client.get(reverse("portal:network")).context["experts"]
        if row.full_name == expert.full_name
    ]

    assert row.province == str(row.agency) == "Đà Nẵng"
    assert row.position == "Giám đốc Trung tâm"


def test_withdrawn_trainees_and_people_outside_the_programme_are_not_listed(trainee_client, trainee):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    withdrawn = TraineeFactory(full_name="Người Đã Rút")
    EnrolmentFactory(
        trainee=withdrawn,
        cohort=cohort,
        status=Enrolment.Status.WITHDRAWN,
        ended_on=cohort.starts_on,
        withdrawal_reason="x",
    )
    TraineeFactory(full_name="Chưa Ghi Danh")

    page = trainee_client.get(reverse("portal:network")).content.decode()

    assert "Người Đã Rút" not in page and "Chưa Ghi Danh" not in page


def test_search_ignores_accents(trainee_client, trainee):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    _expert(cohort, full_name="Phạm Thị Hương")
    _expert(cohort, full_name="Đỗ Văn Khoa")

    page = trainee_client.get(reverse("portal:network"), {"q": "huong"}).content.decode()

    assert "Phạm Thị Hương" in page and "Đỗ Văn Khoa" not in page


def _network_queries(client, django_assert_num_queries):
    client.get(reverse("portal:network"))  # the agencies are read once, then kept (AgencyDirectory.cached)
    # 1 session, 2 user, 3 trainee (role), 4 organizer group, 5 count, 6 page of experts.
    with django_assert_num_queries(6):
        assert client.get(reverse("portal:network")).status_code == 200


def test_the_network_takes_the_same_queries_for_5_or_50_experts(trainee_client, trainee, django_assert_num_queries):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    for _ in range(4):
        AssignmentFactory(trainee=_expert(cohort))
    _network_queries(trainee_client, django_assert_num_queries)
    for _ in range(45):
        AssignmentFactory(trainee=_expert(cohort))
    _network_queries(trainee_client, django_assert_num_queries)


def test_the_network_shows_the_province_in_force_today_with_the_recorded_one_beside_it(trainee_client, trainee):
    cohort = CohortFactory()
    EnrolmentFactory(trainee=trainee, cohort=cohort)
    expert = _expert(cohort, full_name="Lò Văn Giàng")
    AssignmentFactory(trainee=expert, agency=agency("ha-giang"))
    response = trainee_client.get(reverse("portal:network"))
    (row,) = [row for row in response.context["experts"] if row.full_name == "Lò Văn Giàng"]
    assert (str(row.agency), row.province) == ("Tuyên Quang · recorded: Hà Giang", "Tuyên Quang")
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in response.content.decode()
