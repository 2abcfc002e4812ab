import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cohorts.models import Enrolment
from egovexperts.imports import services
from egovexperts.imports.models import ImportRun
from tests.factories import AttendanceFactory, SessionFactory
from tests.imports.conftest import fingerprint, xlsx
from trainees.models import Assignment, RetentionCommitment, Trainee, Unit

ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "Phòng Mới", "Khóa 3", "01/06/2024"]


def test_revert_deletes_everything_a_run_created(cohort, organizer):
    before = fingerprint()
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    services.revert(run, user=organizer)
    after = fingerprint()
    del before["imports.ImportRun"], after["imports.ImportRun"]
    assert after == before
    assert ImportRun.objects.get().status == ImportRun.Status.REVERTED


def test_revert_restores_the_previous_values_and_reopens_the_previous_post(cohort, organizer):
    with time_machine.travel(datetime.date(2025, 1, 10)):
        services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    changed = list(ROW)
    changed[2], changed[4], changed[5], changed[7] = "0999999999", "Bộ Tài chính", "", "01/07/2024"
    with time_machine.travel(datetime.date(2025, 3, 1)):
        run = services.confirm(xlsx([changed]), kind="trainees", user=organizer)
        assert run.updated_count == 1
        assert list(Trainee.objects.search("bo tai chinh").values_list("email", flat=True)) == ["an@example.org"]
        services.revert(run, user=organizer)
        # The directory search follows the post put back.
        assert list(Trainee.objects.search("bo tai chinh")) == []
        assert list(Trainee.objects.search("ha noi").values_list("email", flat=True)) == ["an@example.org"]

    trainee = Trainee.objects.get()
    assert trainee.phone == "0912345678"
    post = Assignment.objects.get()
    assert (post.agency.slug, post.ends_on, post.end_reason) == ("ha-noi", None, "")
    assert list(RetentionCommitment.objects.values_list("starts_on", flat=True)) == [datetime.date(2024, 6, 1)]


def test_revert_is_refused_when_a_record_was_changed_since(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    Trainee.objects.update(phone="0111111111")
    before = fingerprint()
    with pytest.raises(ValidationError, match="have been changed since"):
        services.revert(run, user=organizer)
    assert fingerprint() == before


def test_revert_is_refused_when_created_records_are_used_elsewhere(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    AttendanceFactory(trainee=Trainee.objects.get(), session=SessionFactory())
    before = fingerprint()
    with pytest.raises(ValidationError, match="used elsewhere"):
        services.revert(run, user=organizer)
    assert fingerprint() == before


def test_a_run_is_reverted_only_once(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    services.revert(run, user=organizer)
    with pytest.raises(ValidationError, match="already reverted"):
        services.revert(run, user=organizer)


def test_reverting_an_older_run_after_a_newer_one_touched_the_same_records_is_refused(cohort, organizer):
    first = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    changed = list(ROW)
    changed[2] = "0999999999"
    services.confirm(xlsx([changed]), kind="trainees", user=organizer)
    with pytest.raises(ValidationError):
        services.revert(first, user=organizer)
    assert Enrolment.objects.count() == 1 and Unit.objects.filter(name="Phòng Mới").exists()
