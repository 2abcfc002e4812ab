from django.urls import reverse

from courses.models import AbsenceNotice, Session
from tests.factories import AbsenceNoticeFactory, SessionFactory
from tests.portal.helpers import at


def test_a_trainee_reports_an_absence_before_the_session(trainee_client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(3))

    response = trainee_client.post(reverse("portal:absence-notice", args=[session.pk]), {"reason": "Họp HĐND tỉnh"})

    assert response.status_code == 302
    notice = AbsenceNotice.objects.get(session=session, trainee=trainee)
    assert notice.reason == "Họp HĐND tỉnh"


def test_reporting_again_replaces_the_reason(trainee_client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(3))
    AbsenceNoticeFactory(session=session, trainee=trainee, reason="Cũ")

    trainee_client.post(reverse("portal:absence-notice", args=[session.pk]), {"reason": "Mới"})

    assert AbsenceNotice.objects.get(session=session, trainee=trainee).reason == "Mới"


def test_no_notice_once_the_session_has_started_or_when_it_is_cancelled(trainee_client, trainee, course):
    started = SessionFactory(course=course, starts_at=at(0, 0), ends_at=at(1, 23))
    cancelled = SessionFactory(course=course, starts_at=at(4), status=Session.Status.CANCELLED)
    for session in (started, cancelled):
        response = trainee_client.post(reverse("portal:absence-notice", args=[session.pk]), {"reason": "Bận"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    assert not AbsenceNotice.objects.exists()


def test_an_empty_reason_is_refused_without_error(trainee_client, course):
    session = SessionFactory(course=course, starts_at=at(3))
    response = trainee_client.post(reverse("portal:absence-notice", args=[session.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert not AbsenceNotice.objects.exists()


def test_a_trainee_withdraws_the_notice_before_the_session(trainee_client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(3))
    AbsenceNoticeFactory(session=session, trainee=trainee)

    trainee_client.post(reverse("portal:absence-notice-withdraw", args=[session.pk]))

    assert not AbsenceNotice.objects.exists()
