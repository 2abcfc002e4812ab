"""Commitment notices: 90 and 30 days before the end, fulfilled, and broken in the transaction
of the post change (trainees/reminders.py, trainees/services.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from egovexperts.notifications import delivery
from egovexperts.notifications.models import LanguagePreference, OutboundMessage
from tests.clock import plan_at, vn
from tests.factories import AssignmentFactory, CommitmentFactory, agency
from trainees import services
from trainees.models import Assignment

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def commitment(organizer, admin_user):
    """Hà Nội's commitment for its trainee, 1 June 2024 to 1 June 2027, with a contact."""
    post = AssignmentFactory(agency=agency("ha-noi"), starts_on=D(2019, 1, 1), trainee__full_name="Nguyễn Văn An")
    return CommitmentFactory(
        trainee=post.trainee,
        agency=agency("ha-noi"),
        starts_on=D(2024, 6, 1),
        document_ref="Công văn 123/UBND-VX",
        contact_email="Can.Bo@HaNoi.gov.vn",
    )


def notices(kind):
    return OutboundMessage.objects.filter(kind=kind)


def test_organizers_and_the_agency_contact_hear_90_and_30_days_before_the_end_and_when_fulfilled(
    commitment, organizer, admin_user
):
    office = sorted([admin_user.email, organizer.email, "can.bo@hanoi.gov.vn"])
    assert plan_at(vn(2027, 3, 3, 7, 55)).counts.get("commitment_ending") is None
    plan = plan_at(vn(2027, 3, 3, 8))  # 90 days before 1 June 2027, at 08:00
    assert plan.counts["commitment_ending"] == 3
    assert sorted(notices("commitment_ending").values_list("recipient", flat=True)) == office
    assert plan_at(vn(2027, 3, 3, 8, 5)).written == 0

    assert plan_at(vn(2027, 5, 2, 8)).counts["commitment_ending"] == 3  # 30 days before
    assert sorted(set(notices("commitment_ending").values_list("context__days", flat=True))) == [30, 90]
    assert plan_at(vn(2027, 6, 1, 8)).counts["commitment_fulfilled"] == 3

    LanguagePreference.objects.create(address=organizer.email, language="en")
    message = notices("commitment_ending").filter(recipient=organizer.email, context__days=30).get()
    message.language = "en"
    mail = delivery.render(message)
    assert mail.subject == "Commitment ending on 01/06/2027: Nguyễn Văn An, Thành phố Hà Nội"
    assert "ends in 30 days, on 01/06/2027" in mail.body and "Công văn 123/UBND-VX" in mail.body


def test_a_broken_or_waived_commitment_gets_no_ending_or_fulfilled_notice(commitment, organizer):
    services.record_assignment(
        commitment.trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2026, 1, 1)
    )
    other = CommitmentFactory(agency=agency("ha-noi"), starts_on=D(2024, 6, 1))
    services.waive_commitment(other, waived_on=D(2025, 1, 1), reason="Nghỉ hưu")
    for moment in (vn(2027, 3, 3, 8), vn(2027, 5, 2, 8), vn(2027, 6, 1, 8)):
        plan = plan_at(moment)
        assert not {"commitment_ending", "commitment_fulfilled"} & plan.counts.keys()


def test_a_transfer_that_breaks_a_commitment_alerts_in_the_same_transaction(commitment, organizer, admin_user):
    services.record_assignment(
        commitment.trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2026, 1, 1)
    )
    alerts = notices("commitment_broken")
    assert sorted(alerts.values_list("recipient", flat=True)) == sorted(
        [admin_user.email, organizer.email, "can.bo@hanoi.gov.vn"]
    )
    assert set(alerts.values_list("key", flat=True)) == {f"commitment:{commitment.pk}:broken:20260101"}
    assert alerts.first().context["broken_on"] == "01/01/2026"
    # A later post change does not break it again.
    services.record_assignment(
        commitment.trainee, agency=agency("bo-tai-chinh"), position="Tổng cục trưởng", starts_on=D(2026, 6, 1)
    )
    assert alerts.count() == 3


def test_a_rolled_back_post_change_writes_no_alert(commitment):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record_assignment(
            commitment.trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2026, 1, 1)
        )
        raise RuntimeError("the request failed after the service")
    assert not notices("commitment_broken").exists()
    with pytest.raises(ValidationError):
        services.record_assignment(  # refused: before the current post started
            commitment.trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2018, 1, 1)
        )
    assert not OutboundMessage.objects.exists()


def test_leaving_without_a_new_post_breaks_it_too(commitment):
    services.end_assignment(commitment.trainee, ends_on=D(2026, 3, 31), reason=Assignment.Reason.RESIGNED)
    assert notices("commitment_broken").count() == 3


def test_a_post_change_within_the_agency_or_after_a_merger_alerts_nobody(organizer):
    post = AssignmentFactory(agency=agency("ha-giang"), starts_on=D(2019, 1, 1))
    CommitmentFactory(trainee=post.trainee, agency=agency("ha-giang"), starts_on=D(2024, 1, 1))
    services.record_assignment(
        post.trainee,
        agency=agency("tuyen-quang"),
        position="Giám đốc Sở",
        starts_on=D(2025, 7, 1),
        reason=Assignment.Reason.REORGANIZED,
    )
    services.record_assignment(
        post.trainee, agency=agency("tuyen-quang"), position="Phó Chủ tịch", starts_on=D(2026, 1, 1)
    )
    assert not OutboundMessage.objects.exists()
