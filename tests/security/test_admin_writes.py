"""The Django admin writes nothing the workspace would refuse: material files go through the same
type, size and content checks, sessions through the same overlap and capacity rules, cohorts and
enrolments through the same capacity rule."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from courses import uploads
from courses.models import Material, Session
from tests.factories import CohortFactory, CourseFactory, EnrolmentFactory, SessionFactory, TraineeFactory
from trainees.models import Agency

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!doctype html><html><body><script>fetch('/admin/')</script></body></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def _add_material(client, course, name: str, content: bytes, content_type: str):
    data = {
        "course": course.pk,
        "session": "",
        "title": "Bài giảng",
        "url": "",
        "file": SimpleUploadedFile(name, content, content_type=content_type),
    }
    return client.post(reverse("admin:courses_material_add"), data)


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("slides.svg", SVG, "image/svg+xml"),
        ("slides.html", HTML, "text/html"),
        ("slides.pdf", HTML, "application/pdf"),  # named and sent as a PDF, yet an HTML page
        ("slides.pdf", HTML, "application/octet-stream"),
        ("photo.png", HTML, "image/png"),
        ("slides.pptx", SVG, "application/octet-stream"),
    ],
)
def test_the_admin_refuses_a_material_file_the_workspace_refuses(organizer_client, media, name, content, content_type):
    course = CourseFactory()
    response = _add_material(organizer_client, course, name, content, content_type)
    assert response.status_code == 200  # the form again, with the error at the file
    assert "file" in response.context["adminform"].form.errors
    assert not Material.objects.exists()
    assert not LogEntry.objects.exists()
    assert _stored_files(media) == []


def test_the_admin_refuses_a_material_file_over_the_size_limit(organizer_client, media, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", len(PDF) - 1)
    response = _add_material(organizer_client, CourseFactory(), "slides.pdf", PDF, "application/pdf")
    assert "MB" in str(response.context["adminform"].form.errors["file"])
    assert not Material.objects.exists()
    assert _stored_files(media) == []


def test_the_admin_accepts_a_real_pdf(organizer_client, media):
    course = CourseFactory()
    response = _add_material(organizer_client, course, "slides.pdf", PDF, "application/pdf")
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.course == course
    assert [path.read_bytes() for path in _stored_files(media)] == [PDF]


def test_editing_a_material_keeps_its_stored_file_without_checking_it_again(organizer_client, media):
    material = Material.objects.create(
        course=CourseFactory(), title="Bài giảng", file=SimpleUploadedFile("slides.pdf", PDF), published=False
    )
    data = {"course": material.course_id, "session": "", "title": "Bài giảng 2", "url": "", "published": "on"}
    response = organizer_client.post(reverse("admin:courses_material_change", args=[material.pk]), data)
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.title == "Bài giảng 2" and material.published


# --- Sessions, cohorts, enrolments ------------------------------------------------


def _at(hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2031, 3, 3, hour))


def _session_data(course, start: int, end: int, **extra) -> dict:
    return {
        "course": course.pk,
        "title": "Buổi học",
        "kind": "online",
        "starts_at_0": f"{_at(start):%Y-%m-%d}",
        "starts_at_1": f"{_at(start):%H:%M}",
        "ends_at_0": f"{_at(end):%Y-%m-%d}",
        "ends_at_1": f"{_at(end):%H:%M}",
        "status": "scheduled",
        **extra,
    }


def test_the_admin_refuses_a_session_that_clashes_with_another_of_the_cohort(organizer_client):
    existing = SessionFactory(starts_at=_at(8), ends_at=_at(12))
    other_course = CourseFactory(cohort=existing.course.cohort)
    response = organizer_client.post(reverse("admin:courses_session_add"), _session_data(other_course, 10, 14))
    assert response.status_code == 200
    assert "The cohort already has" in response.content.decode()
    assert Session.objects.count() == 1

    response = organizer_client.post(reverse("admin:courses_session_add"), _session_data(other_course, 12, 14))
    assert response.status_code == 302  # one ending as the next starts is no clash
    assert Session.objects.count() == 2


def test_the_admin_refuses_a_session_too_small_for_the_cohort(organizer_client):
    course = CourseFactory()
    EnrolmentFactory.create_batch(3, cohort=course.cohort)
    response = organizer_client.post(reverse("admin:courses_session_add"), _session_data(course, 8, 12, capacity=2))
    assert "capacity cannot be lower" in response.content.decode()
    assert not Session.objects.exists()


def test_the_admin_does_not_move_an_existing_session(organizer_client):
    session = SessionFactory(starts_at=_at(8), ends_at=_at(12))
    data = _session_data(session.course, 14, 16, status="cancelled", title="Đổi tên")
    response = organizer_client.post(reverse("admin:courses_session_change", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Đổi tên"  # what the workspace lets one edit
    assert (session.starts_at, session.ends_at, session.status, session.sequence) == (_at(8), _at(12), "scheduled", 0)


def test_the_course_admin_lists_sessions_without_adding_or_editing_them(organizer_client):
    session = SessionFactory()
    page = organizer_client.get(reverse("admin:courses_course_change", args=[session.course_id]))
    formset = page.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission
    assert not [name for name in formset.formset.forms[0].fields if name in ("starts_at", "ends_at", "title")]


def _enrolment_data(cohort, trainee) -> dict:
    return {
        "cohort": cohort.pk,
        "trainee": trainee.pk,
        "nominated_by": Agency.objects.get(slug="ha-noi").pk,
        "enrolled_on": "2020-06-01",
        "status": "active",
        "withdrawal_reason": "",
    }


def test_the_admin_does_not_enrol_beyond_the_cohort_capacity(organizer_client):
    cohort = CohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort)
    response = organizer_client.post(reverse("admin:cohorts_enrolment_add"), _enrolment_data(cohort, TraineeFactory()))
    assert "The cohort is full" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_the_admin_does_not_bring_back_a_withdrawn_trainee_into_a_full_cohort(organizer_client):
    cohort = CohortFactory(capacity=1)
    EnrolmentFactory(cohort=cohort)
    withdrawn = EnrolmentFactory(
        cohort=cohort, status="withdrawn", ended_on=datetime.date(2021, 1, 1), withdrawal_reason="Nghỉ hưu"
    )
    data = _enrolment_data(cohort, withdrawn.trainee)
    response = organizer_client.post(reverse("admin:cohorts_enrolment_change", args=[withdrawn.pk]), data)
    assert "The cohort is full" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_the_admin_does_not_lower_a_cohort_capacity_below_its_trainees(organizer_client):
    cohort = CohortFactory(capacity=5)
    EnrolmentFactory.create_batch(3, cohort=cohort)
    data = {
        "programme": cohort.programme_id,
        "code": cohort.code,
        "name": cohort.name,
        "starts_on": "2020-06-01",
        "capacity": 2,
    }
    response = organizer_client.post(reverse("admin:cohorts_cohort_change", args=[cohort.pk]), data)
    assert "capacity cannot be lower" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).capacity == 5
