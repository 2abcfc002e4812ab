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
