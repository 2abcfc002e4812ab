"""The retention commitment rule: end dates and statuses, on edge dates."""

import datetime

import pytest

from trainees.commitments import Post, Status, breach_date, default_end, evaluate

D = datetime.date
HA_GIANG, TUYEN_QUANG, BO_TAI_CHINH = 1, 2, 3


def carrier(agency_id, day):
    """Hà Giang merged into Tuyên Quang on 1 July 2025."""
    if agency_id == HA_GIANG and day >= D(2025, 7, 1):
        return TUYEN_QUANG
    return agency_id


START, END = D(2020, 6, 1), D(2023, 6, 1)


def status(today, posts, *, starts_on=START, ends_on=END, waived=False, agency=HA_GIANG):
    return evaluate(
        agency_id=agency,
        starts_on=starts_on,
        ends_on=ends_on,
        waived=waived,
        posts=posts,
        carrier=carrier,
        today=today,
        ending_soon_days=90,
    )


STAYS = [Post(HA_GIANG, D(2019, 1, 1), None)]


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2020, 6, 1), D(2023, 6, 1)), (D(2020, 2, 29), D(2023, 2, 28)), (D(2019, 12, 31), D(2022, 12, 31))],
)
def test_default_end_is_three_years_after_the_start(start, end):
    assert default_end(start) == end


def test_not_started_before_its_start_date():
    assert status(D(2020, 5, 31), STAYS).status == Status.PENDING


def test_active_on_its_start_date():
    assert status(D(2020, 6, 1), STAYS).status == Status.ACTIVE


def test_ending_soon_from_90_days_before_the_end():
    assert status(D(2023, 3, 2), STAYS).status == Status.ACTIVE  # 91 days left
    evaluation = status(D(2023, 3, 3), STAYS)
    assert evaluation.status == Status.ENDING_SOON
    assert evaluation.days_remaining == 90


def test_still_running_the_day_before_the_end_and_fulfilled_on_the_end_date():
    assert status(D(2023, 5, 31), STAYS).days_remaining == 1
    assert status(D(2023, 6, 1), STAYS).status == Status.FULFILLED


def test_transfer_before_end_breaks_commitment():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2021, 8, 31)), Post(BO_TAI_CHINH, D(2021, 9, 1), None)]
    evaluation = status(D(2026, 1, 1), posts)
    assert evaluation.status == Status.BROKEN
    assert evaluation.broken_on == D(2021, 9, 1)


def test_a_transfer_recorded_for_the_future_is_no_breach_yet():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2021, 8, 31)), Post(BO_TAI_CHINH, D(2021, 9, 1), None)]
    assert status(D(2021, 8, 31), posts).status == Status.ACTIVE
    assert status(D(2021, 9, 1), posts).status == Status.BROKEN


def test_leaving_on_the_last_day_fulfils_the_commitment():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2023, 5, 31)), Post(BO_TAI_CHINH, D(2023, 6, 1), None)]
    assert status(D(2024, 1, 1), posts).status == Status.FULFILLED


def test_leaving_one_day_earlier_breaks_it():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2023, 5, 30)), Post(BO_TAI_CHINH, D(2023, 5, 31), None)]
    assert status(D(2024, 1, 1), posts).broken_on == D(2023, 5, 31)


def test_resigning_without_a_new_post_breaks_it():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2022, 1, 15))]
    assert status(D(2022, 1, 16), posts).broken_on == D(2022, 1, 16)


def test_promotion_within_the_agency_keeps_it():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2021, 6, 30)), Post(HA_GIANG, D(2021, 7, 1), None)]
    assert status(D(2022, 1, 1), posts).status == Status.ACTIVE


def test_a_merger_carries_the_commitment_to_the_successor():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2025, 6, 30)), Post(TUYEN_QUANG, D(2025, 7, 1), None)]
    evaluation = status(D(2026, 11, 23), posts, starts_on=D(2024, 1, 1), ends_on=D(2027, 1, 1))
    assert evaluation.status == Status.ENDING_SOON
    assert status(D(2026, 11, 23), STAYS, starts_on=D(2024, 1, 1), ends_on=D(2027, 1, 1)).broken_on is None


def test_a_waiver_overrides_a_breach():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2022, 1, 15))]
    assert status(D(2023, 1, 1), posts, waived=True).status == Status.WAIVED


def test_a_history_starting_after_the_commitment_is_missing_data_not_a_breach():
    posts = [Post(HA_GIANG, D(2021, 1, 1), None)]
    assert (
        breach_date(
            agency_id=HA_GIANG,
            starts_on=D(2020, 6, 1),
            ends_on=D(2023, 6, 1),
            posts=posts,
            carrier=carrier,
            today=D(2022, 1, 1),
        )
        is None
    )


def test_ends_today_is_fulfilled_with_no_day_left():
    evaluation = status(END, STAYS)
    assert (evaluation.status, evaluation.days_remaining) == (Status.FULFILLED, 0)
    assert status(END - datetime.timedelta(days=1), STAYS).status == Status.ENDING_SOON


def test_leaving_and_returning_to_the_agency_still_broke_it_on_the_day_of_leaving():
    posts = [
        Post(HA_GIANG, D(2019, 1, 1), D(2021, 8, 31)),
        Post(BO_TAI_CHINH, D(2021, 9, 1), D(2021, 12, 31)),
        Post(HA_GIANG, D(2022, 1, 1), None),
    ]
    assert status(D(2022, 6, 1), posts).broken_on == D(2021, 9, 1)


def test_moving_to_the_province_that_later_took_over_is_a_breach_before_the_merger():
    posts = [Post(HA_GIANG, D(2019, 1, 1), D(2024, 2, 29)), Post(TUYEN_QUANG, D(2024, 3, 1), None)]
    evaluation = status(D(2026, 1, 1), posts, starts_on=D(2023, 1, 1), ends_on=D(2026, 1, 1))
    assert evaluation.broken_on == D(2024, 3, 1)


# --- The SQL twin against the rule, on one table of cases ----------------------------------

# (case, committed agency, "start end", posts as "agency from to" separated by ";"); "-" is open.
CASES = [
    ("stays", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2019-01-01 -"),
    ("transfer", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2019-01-01 2021-08-31; bo-tai-chinh 2021-09-01 -"),
    (
        "leaves on the last day",
        "ha-giang",
        "2020-06-01 2023-06-01",
        "ha-giang 2019-01-01 2023-05-31; bo-y-te 2023-06-01 -",
    ),
    (
        "leaves the day before the end",
        "ha-giang",
        "2020-06-01 2023-06-01",
        "ha-giang 2019-01-01 2023-05-30; bo-y-te 2023-05-31 -",
    ),
    ("leaves the day before the start", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2019-01-01 2020-05-31"),
    ("resigns", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2019-01-01 2022-01-15"),
    (
        "leaves and returns",
        "ha-giang",
        "2020-06-01 2023-06-01",
        "ha-giang 2019-01-01 2021-08-31; bo-tai-chinh 2021-09-01 2021-12-31; ha-giang 2022-01-01 -",
    ),
    (
        "a day without a post",
        "ha-giang",
        "2020-06-01 2023-06-01",
        "ha-giang 2019-01-01 2021-08-31; ha-giang 2021-09-02 -",
    ),
    (
        "transfer inside the agency",
        "ha-giang",
        "2020-06-01 2023-06-01",
        "ha-giang 2019-01-01 2021-06-30; ha-giang 2021-07-01 -",
    ),
    ("overlapping posts", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2019-01-01 2021-07-05; ha-giang 2021-07-01 -"),
    ("merged agency", "ha-giang", "2024-01-01 2027-01-01", "ha-giang 2019-01-01 2025-06-30; tuyen-quang 2025-07-01 -"),
    ("recorded at the merged agency", "ha-giang", "2024-01-01 2027-01-01", "ha-giang 2019-01-01 -"),
    (
        "committed by the successor",
        "tuyen-quang",
        "2024-01-01 2027-01-01",
        "ha-giang 2019-01-01 2025-12-31; bo-y-te 2026-01-01 -",
    ),
    (
        "to the successor before the merger",
        "ha-giang",
        "2023-01-01 2026-01-01",
        "ha-giang 2019-01-01 2024-02-29; tuyen-quang 2024-03-01 -",
    ),
    (
        "chain of successors",
        "binh-phuoc",
        "2024-01-01 2027-01-01",
        "binh-phuoc 2019-01-01 2025-06-30; dong-nai-city 2025-07-01 -",
    ),
    (
        "ministry merged",
        "bo-thong-tin-va-truyen-thong",
        "2023-01-01 2026-01-01",
        "bo-thong-tin-va-truyen-thong 2019-01-01 2025-02-28; bo-khoa-hoc-va-cong-nghe 2025-03-01 -",
    ),
    ("waived", "ha-giang", "2020-06-01 2023-06-01 waived", "ha-giang 2019-01-01 2022-01-15"),
    ("history begins late", "ha-giang", "2020-06-01 2023-06-01", "ha-giang 2021-01-01 -"),
    ("future transfer", "bo-y-te", "2024-01-17 2027-01-17", "bo-y-te 2019-01-01 2026-12-01; bo-tai-chinh 2026-12-02 -"),
]
TODAYS = [
    D(2020, 5, 31),
    D(2020, 6, 1),
    D(2021, 8, 31),
    D(2021, 9, 1),
    D(2021, 9, 2),
    D(2023, 3, 3),
    D(2023, 5, 30),
    D(2023, 5, 31),
    D(2023, 6, 1),
    D(2025, 6, 30),
    D(2025, 7, 1),
    D(2026, 1, 1),
    D(2026, 10, 3),
    D(2026, 12, 1),
    D(2026, 12, 2),
    D(2027, 1, 1),
]


@pytest.mark.django_db
def test_the_sql_status_says_what_the_rule_says_on_every_case_and_day():
    from tests.factories import AssignmentFactory, CommitmentFactory, TraineeFactory, agency
    from trainees.agencies import AgencyDirectory
    from trainees.commitments import evaluation_from, status_sql
    from trainees.models import RetentionCommitment
    from trainees.selectors import commitments_with_status, with_status

    def day(text):
        return None if text == "-" else D.fromisoformat(text)

    names = {}
    for name, committed, span, posts in CASES:
        starts_on, ends_on, *waived = span.split()
        starts_on, ends_on = day(starts_on), day(ends_on)
        trainee = TraineeFactory()
        for post in posts.split(";"):
            slug, post_from, post_to = post.split()
            AssignmentFactory(trainee=trainee, agency=agency(slug), starts_on=day(post_from), ends_on=day(post_to))
        commitment = CommitmentFactory(
            trainee=trainee,
            agency=agency(committed),
            starts_on=starts_on,
            ends_on=ends_on,
            waived_on=ends_on if waived else None,
            waiver_reason="Nghỉ hưu" if waived else "",
        )
        names[commitment.pk] = name
    directory = AgencyDirectory.load()
    wrong, seen = [], set()
    for today in TODAYS:
        rule = {c.pk: c.evaluation for c in commitments_with_status(today=today, directory=directory)}
        seen |= {evaluation.status for evaluation in rule.values()}
        ranks = {status: rank for rank, status in enumerate(Status)}  # the same CASE, as numbers
        rows = with_status(RetentionCommitment.objects.all(), today=today, directory=directory)
        rows = rows.annotate(rank=status_sql(today=today, values=ranks))
        for row in rows:
            # The breach date in SQL, then the status from it, and the status in SQL.
            sql = evaluation_from(
                waived=row.waived_on is not None,
                broken_on=row.broken_on,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                today=today,
            )
            if sql != rule[row.pk] or row.status != rule[row.pk].status or row.rank != ranks[rule[row.pk].status]:
                wrong.append((names[row.pk], today, rule[row.pk], sql, row.status))
    assert not wrong
    assert seen == set(Status)
