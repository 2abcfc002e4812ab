"""Nothing that matters is hard-deleted, on any path: the Django admin's delete page and its
"delete selected" action, the workspace's delete pages, the admin's history form. Each attack is
made as an organizer and as a superuser, and the records are found intact afterwards."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Course, Material, Session
from tests.factories import (
    AbsenceNoticeFactory,
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    MaterialFactory,
    PostChangeRequestFactory,
    SessionFactory,
    TraineeFactory,
)
from trainees.models import Assignment, RetentionCommitment, Trainee


@pytest.fixture(params=["organizer", "admin_user"])
def staff_client(request, client, db):
    client.force_login(request.getfixturevalue(request.param))
    return client


def _admin_url(obj, view: str, *args) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args or [obj.pk])


def delete_page(client, obj):
    """The admin's delete page, confirmed."""
    return client.post(_admin_url(obj, "delete"), {"post": "yes"})


def _changelist(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def delete_selected(client, *objs):
    """The change list's "delete selected" action, confirmed."""
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objs], "post": "yes"}
    return client.post(_changelist(objs[0]), data)


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def _kept(*objs) -> bool:
    return all(type(obj).objects.filter(pk=obj.pk).exists() for obj in objs)


# --- Records protected by the records that refer to them ----------------------------------------


@pytest.fixture
def trainee_with_records():
    """A trainee with posts and a commitment only: deleting them once took those along."""
    trainee = TraineeFactory()
    return trainee, [AssignmentFactory(trainee=trainee), CommitmentFactory(trainee=trainee)]


@pytest.mark.parametrize("attack", [delete_page, delete_selected])
def test_a_trainee_with_posts_or_commitments_cannot_be_deleted_in_the_admin(staff_client, trainee_with_records, attack):
    trainee, records = trainee_with_records
    response = attack(staff_client, trainee)
    assert response.status_code == 200
    page = page_text(response)
    assert "Cannot delete" in page and "would require deleting the following protected related objects" in page
    assert all(str(record) in page for record in records)
    assert _kept(trainee, *records)


@pytest.mark.parametrize(
    "record",
    [
        lambda trainee: EnrolmentFactory(trainee=trainee),
        lambda trainee: AttendanceFactory(trainee=trainee),
        lambda trainee: AbsenceNoticeFactory(trainee=trainee),
        lambda trainee: PostChangeRequestFactory(trainee=trainee),
    ],
    ids=["enrolment", "attendance", "absence notice", "post change request"],
)
def test_a_trainee_with_any_programme_record_is_kept(staff_client, record):
    trainee = TraineeFactory()
    kept = record(trainee)
    response = delete_page(staff_client, trainee)
    assert response.status_code == 200 and "protected related objects" in page_text(response)
    assert _kept(trainee, kept)
    with pytest.raises(ProtectedError):  # the shell, a command: the same refusal
        trainee.delete()


@pytest.mark.parametrize("attack", [delete_page, delete_selected])
def test_a_course_with_only_materials_cannot_be_deleted_in_the_admin(staff_client, attack):
    material = MaterialFactory()
    response = attack(staff_client, material.course)
    assert response.status_code == 200
    assert "This course has sessions or materials: it cannot be deleted." in page_text(response)
    assert _kept(material.course, material)


def test_a_course_with_sessions_cannot_be_deleted_in_the_admin(staff_client):
    session = SessionFactory()
    response = delete_page(staff_client, session.course)
    assert response.status_code == 200 and "it cannot be deleted" in page_text(response)
    assert _kept(session.course, session)


@pytest.mark.parametrize("attack", [delete_page, delete_selected])
def test_a_cohort_with_enrolments_cannot_be_deleted_in_the_admin(staff_client, attack):
    enrolment = EnrolmentFactory()
    response = attack(staff_client, enrolment.cohort)
    assert response.status_code == 200 and "protected related objects" in page_text(response)
    assert _kept(enrolment.cohort, enrolment, enrolment.trainee)


def test_a_course_created_by_mistake_is_deleted_through_its_service_with_a_history_row(staff_client):
    course = CourseFactory()
    response = delete_page(staff_client, course)
    assert response.status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()
    assert Course.history.filter(id=course.pk, history_type="-").exists()


# --- Records with a state instead of a delete ---------------------------------------------------


@pytest.fixture
def states():
    """A session (cancelled, not deleted), an enrolment (withdrawn), a mark (corrected), a commitment (waived)."""
    attendance = AttendanceFactory()
    return [attendance.session, EnrolmentFactory(), attendance, CommitmentFactory()]


@pytest.mark.parametrize("index", range(4), ids=["session", "enrolment", "attendance", "commitment"])
def test_the_admin_offers_no_delete_for_records_that_end_by_a_state(staff_client, states, index):
    record = states[index]
    assert staff_client.get(_admin_url(record, "delete")).status_code == 403
    assert delete_page(staff_client, record).status_code == 403
    response = staff_client.get(_changelist(record))
    assert "delete_selected" not in response.content.decode()
    delete_selected(staff_client, record)
    assert _kept(*states)


def test_a_commitment_cannot_be_deleted_from_the_trainee_page_of_the_admin(staff_client):
    commitment = CommitmentFactory()
    trainee = commitment.trainee
    form = staff_client.get(_admin_url(trainee, "change")).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not False}
    data |= {
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "1",
        "commitments-0-id": commitment.pk,
        "commitments-0-trainee": trainee.pk,
        "commitments-0-agency": commitment.agency_id,
        "commitments-0-starts_on": commitment.starts_on.isoformat(),
        "commitments-0-ends_on": commitment.ends_on.isoformat(),
        "commitments-0-DELETE": "on",
    }
    response = staff_client.post(_admin_url(trainee, "change"), data)
    assert response.status_code == 302  # saved, the delete box ignored
    assert _kept(commitment)


# --- The workspace's delete pages -----------------------------------------------------------------


def test_the_workspace_refuses_to_delete_a_course_with_materials_or_a_session_with_notices(staff_client):
    material = MaterialFactory()
    notice = AbsenceNoticeFactory()
    response = staff_client.post(reverse("courses:course-delete", args=[material.course_id]))
    assert response.status_code == 200 and "it cannot be deleted" in page_text(response)
    response = staff_client.post(reverse("courses:session-delete", args=[notice.session_id]))
    assert response.status_code == 200 and "cancel it instead" in page_text(response)
    assert _kept(material.course, material, notice.session, notice)


def test_materials_and_notices_keep_their_course_and_session_in_the_database_too(db):
    material = MaterialFactory(session=SessionFactory())
    material.course = material.session.course
    material.save()
    notice = AbsenceNoticeFactory(session=material.session)
    for record in (material.course, material.session, notice.session):
        with pytest.raises(ProtectedError):
            record.delete()
    assert _kept(material, notice)


# --- The admin's history: to read, not to revert ------------------------------------------------


def test_the_admin_history_form_shows_a_past_version_but_does_not_save_it(staff_client):
    trainee = TraineeFactory(phone="0911111111")
    trainee.phone = "0922222222"
    trainee.save()
    first = trainee.history.earliest()
    url = reverse("admin:trainees_trainee_simple_history", args=[trainee.pk, first.history_id])

    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no "Revert" button
    assert staff_client.get(_admin_url(trainee, "history")).status_code == 200

    data = {"full_name": trainee.full_name, "email": trainee.email, "phone": "0911111111", "_save": "Revert"}
    data |= {
        f"{prefix}-{field}": "0"
        for prefix in ("assignments", "commitments")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = staff_client.post(url, data)
    assert response.status_code == 405
    trainee.refresh_from_db()
    assert trainee.phone == "0922222222"
    assert trainee.history.count() == 2


@pytest.mark.parametrize(
    "model", [Trainee, Assignment, RetentionCommitment, Cohort, Enrolment, Course, Session, Attendance]
)
def test_every_admin_history_form_refuses_a_post(admin_client, model):
    record = {
        Trainee: TraineeFactory,
        Assignment: AssignmentFactory,
        RetentionCommitment: CommitmentFactory,
        Cohort: lambda: EnrolmentFactory().cohort,
        Enrolment: EnrolmentFactory,
        Course: CourseFactory,
        Session: SessionFactory,
        Attendance: AttendanceFactory,
    }[model]()
    version = record.history.earliest()
    url = _admin_url(record, "simple_history", record.pk, version.history_id)
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {}).status_code == 405


def test_a_material_can_still_be_deleted_in_the_admin(staff_client):
    """A file uploaded by mistake must be removable; only its course and session are kept."""
    material = MaterialFactory()
    assert delete_page(staff_client, material).status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists() and _kept(material.course)
