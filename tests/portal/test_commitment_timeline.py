"""The trainee sees their own commitments, renewals included, on a timeline."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AssignmentFactory, CommitmentFactory, agency

pytestmark = pytest.mark.django_db


def test_a_trainee_with_a_renewed_commitment_sees_both_on_a_timeline(trainee_client, trainee, other_trainee):
    AssignmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2019, 1, 1))
    CommitmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2020, 6, 1))
    CommitmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2023, 6, 1))
    CommitmentFactory(trainee=other_trainee, agency=agency("ha-noi"), document_ref="CV-OTHER")
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC), tick=False):
        response = trainee_client.get(reverse("portal:progress"))
    rows = response.context["timeline"].rows
    assert [(row.renewal, row.commitment.evaluation.status) for row in rows] == [(False, "fulfilled"), (True, "active")]
    html = response.content.decode()
    assert html.count('class="bar"') == 2 and "renewal" in html
    assert "CV-OTHER" not in html
