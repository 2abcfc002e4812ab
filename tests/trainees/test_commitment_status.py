"""The commitment rule for many commitments at once agrees with commitments.evaluate(), case by case."""

import datetime

import pytest

from tests.factories import AssignmentFactory, CommitmentFactory, TraineeFactory, agency
from trainees.agencies import AgencyDirectory
from trainees.commitment_status import evaluate_on, may_be_broken, statuses_on
from trainees.commitments import Post, Status
from trainees.models import RetentionCommitment

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2023, 6, 1), D(2026, 6, 1)
HA_GIANG, TUYEN_QUANG, BO_Y_TE = "ha-giang", "tuyen-quang", "bo-y-te"
BO_TTTT, BO_KHCN = "bo-thong-tin-va-truyen-thong", "bo-khoa-hoc-va-cong-nghe"
STAYS = [(HA_GIANG, D(2019, 1, 1), None)]
# Leaves Hà Giang for the Ministry of Health on 1 February 2024 (last day at Hà Giang: 31 January).
LEAVES = [(HA_GIANG, D(2019, 1, 1), D(2024, 1, 31)), (BO_Y_TE, D(2024, 2, 1), None)]

# (case, posts as (agency, first day, last day), commitment agency, waived on, as of, status)
CASES = [
    ("before its start", STAYS, HA_GIANG, None, D(2023, 5, 31), Status.PENDING),
    ("on its start", STAYS, HA_GIANG, None, START, Status.ACTIVE),
    ("90 days before its end", STAYS, HA_GIANG, None, D(2026, 3, 3), Status.ENDING_SOON),
    ("on its end", STAYS, HA_GIANG, None, END, Status.FULFILLED),
    ("the day before the transfer", LEAVES, HA_GIANG, None, D(2024, 1, 31), Status.ACTIVE),
    ("on the day of the transfer", LEAVES, HA_GIANG, None, D(2024, 2, 1), Status.BROKEN),
    ("long after the transfer", LEAVES, HA_GIANG, None, D(2027, 1, 1), Status.BROKEN),
    (
        "leaves the day before the end",
        [(HA_GIANG, D(2019, 1, 1), D(2026, 5, 30)), (BO_Y_TE, D(2026, 5, 31), None)],
        HA_GIANG,
        None,
        D(2026, 12, 1),
        Status.BROKEN,
    ),
    (
        "leaves on the last day of the commitment",
        [(HA_GIANG, D(2019, 1, 1), D(2026, 5, 31)), (BO_Y_TE, D(2026, 6, 1), None)],
        HA_GIANG,
        None,
        D(2026, 12, 1),
        Status.FULFILLED,
    ),
    (
        "leaves and returns",
        [
            (HA_GIANG, D(2019, 1, 1), D(2024, 1, 31)),
            (BO_Y_TE, D(2024, 2, 1), D(2024, 5, 31)),
            (HA_GIANG, D(2024, 6, 1), None),
        ],
        HA_GIANG,
        None,
        D(2025, 1, 1),
        Status.BROKEN,
    ),
    (
        "transfer between units of one agency",
        [(HA_GIANG, D(2019, 1, 1), D(2024, 1, 31)), (HA_GIANG, D(2024, 2, 1), None)],
        HA_GIANG,
        None,
        D(2025, 1, 1),
        Status.ACTIVE,
    ),
    (
        "merged province: moves to the province that took it over",
        [(HA_GIANG, D(2019, 1, 1), D(2025, 7, 31)), (TUYEN_QUANG, D(2025, 8, 1), None)],
        HA_GIANG,
        None,
        D(2025, 12, 1),
        Status.ACTIVE,
    ),
    (
        "merged province: leaves the province that took it over",
        [(HA_GIANG, D(2019, 1, 1), D(2025, 7, 31)), (BO_Y_TE, D(2025, 8, 1), None)],
        HA_GIANG,
        None,
        D(2025, 12, 1),
        Status.BROKEN,
    ),
    (
        "restructured ministry: moves to the ministry that took it over",
        [(BO_TTTT, D(2019, 1, 1), D(2025, 4, 30)), (BO_KHCN, D(2025, 5, 1), None)],
        BO_TTTT,
        None,
        D(2025, 12, 1),
        Status.ACTIVE,
    ),
    (
        "retires without a new post",
        [(HA_GIANG, D(2019, 1, 1), D(2024, 1, 31))],
        HA_GIANG,
        None,
        D(2024, 6, 1),
        Status.BROKEN,
    ),
    (
        "waived after the transfer, seen before the waiver",
        LEAVES,
        HA_GIANG,
        D(2024, 3, 1),
        D(2024, 2, 15),
        Status.BROKEN,
    ),
    ("waived after the transfer, seen after the waiver", LEAVES, HA_GIANG, D(2024, 3, 1), D(2024, 3, 1), Status.WAIVED),
    (
        "a post left before the commitment began",
        [(BO_Y_TE, D(2019, 1, 1), D(2023, 5, 30)), (HA_GIANG, D(2023, 5, 31), None)],
        HA_GIANG,
        None,
        D(2024, 1, 1),
        Status.ACTIVE,
    ),
    (
        "left the day before the start",
        [(HA_GIANG, D(2019, 1, 1), D(2023, 5, 31)), (BO_Y_TE, D(2023, 6, 1), None)],
        HA_GIANG,
        None,
        D(2024, 1, 1),
        Status.BROKEN,
    ),
]


@pytest.mark.parametrize(
    ("posts", "committed", "waived_on", "on", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_reports_and_the_rule_give_the_same_status(posts, committed, waived_on, on, expected):
    trainee = TraineeFactory()
    for slug, first, last in posts:
        AssignmentFactory(trainee=trainee, agency=agency(slug), starts_on=first, ends_on=last)
    commitment = CommitmentFactory(
        trainee=trainee,
        agency=agency(committed),
        starts_on=START,
        ends_on=END,
        waived_on=waived_on,
        waiver_reason="retired" if waived_on else "",
    )
    directory = AgencyDirectory.load()
    rule = evaluate_on(
        commitment,
        [Post(post.agency_id, post.starts_on, post.ends_on) for post in trainee.assignments.order_by("starts_on")],
        directory=directory,
        on=on,
    )

    assert rule.status == expected
    assert statuses_on(RetentionCommitment.objects.all(), on=on, directory=directory) == {commitment.pk: expected}
    if expected == Status.BROKEN:  # the filter in SQL never misses a broken commitment
        assert RetentionCommitment.objects.filter(may_be_broken(on)).exists()
