"""What bench/load.py puts in its database around a run: signed-in users, and sessions whose
reminders fall due one planning run after the other. Each is a context manager that takes away
what it added, so that the next run starts from the same data.

Needs Django set up (harness.setup_django).
"""

import collections
import contextlib
import datetime
from email import policy
from email.parser import BytesParser

# Sessions the reminder waves add: found by their title when an interrupted run left them.
SESSION_TITLE = "Buổi thử tải"
WAVE_GAP = datetime.timedelta(minutes=2)


@contextlib.contextmanager
def signed_in(*, trainees: int, organizers: int, classes: int):
    """Session cookies of `trainees` trainees and `organizers` organizers, as the plan of
    bench/locustfile.py lists them; the sessions are deleted afterwards.

    Created server-side, as Django's test Client.force_login does: 100 logins through the form
    would meet the login rate limits, which count per client address, and test allauth instead.
    Trainees, spread over the cohorts, get their account through the project's own
    ensure_account (the one an invitation opens); organizers are organizer@example.org, the
    user seed_scale creates, each in a session of their own, spread over the attendance grids
    of `classes` held sessions of different courses (a day's classes: the scale data holds a
    session a week per cohort)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session as LoginSession
    from django.test import Client

    from courses.models import Session
    from trainees.accounts import ensure_account
    from trainees.models import Trainee

    def session_key(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    people = list(Trainee.objects.filter(email__startswith="scale-").order_by("pk"))
    chosen = people[:: max(1, len(people) // max(trainees, 1))][:trainees]
    organizer = get_user_model().objects.get(username="organizer@example.org")
    grids = list(
        Session.objects.held()
        .filter(course__cohort__programme__code="scale", attendances__isnull=False)
        .order_by("course_id", "-starts_at")
        .distinct("course_id")
        .values_list("pk", flat=True)[:classes]
    )
    plan = {"trainees": [], "organizers": []}
    try:
        for trainee in chosen:
            session = session_key(ensure_account(trainee))
            plan["trainees"].append({"session": session, "calendar_token": trainee.calendar_token})
        for n in range(organizers):
            plan["organizers"].append({"session": session_key(organizer), "session_pk": grids[n % len(grids)]})
        yield plan
    finally:
        keys = [person["session"] for people in plan.values() for person in people]
        LoginSession.objects.filter(session_key__in=keys).delete()


class ReminderWaves:
    """Sessions a week ahead, each in a cohort of its own, whose 7-day reminders fall due
    WAVE_GAP apart; `plan_next()` is the planning run (the beat's) that finds the next one due.

    Reminders are planned at a past moment of the day: a moment in quiet hours (21:00-07:00
    Vietnam time) would hold them until the morning, and the run must see them delivered. The
    planning mark is put just before the first wave, so that each run plans one wave's window,
    and put back afterwards. Every outbox row written while the waves exist is deleted with
    them, as bench/reminders.py does: each run plans the same messages afresh."""

    def __init__(self, waves: int):
        self.count = waves
        self.sessions = []
        self.planned = 0

    def __enter__(self):
        from django.utils import timezone

        from courses.models import Session
        from egovexperts.notifications.models import OutboundMessage, PlanningMark

        self._remove(Session.objects.filter(title=SESSION_TITLE, starts_at__gt=timezone.now()))
        pending = OutboundMessage.objects.filter(status__in=["queued", "sending"])
        if left := pending.count():
            print(f"[deleting {left:,} messages an interrupted run left queued]")
            pending.delete()
        self.mark = PlanningMark.last_planned()
        self.first_id = last_outbox_id() + 1
        self.start = daytime_moment(span=WAVE_GAP * self.count)
        try:
            self._add_sessions()
        except BaseException:
            self.__exit__()
            raise
        PlanningMark.objects.all().delete()
        PlanningMark.planned(until=self.start - datetime.timedelta(minutes=1))
        return self

    def _add_sessions(self):
        from django.core.exceptions import ValidationError

        from courses.models import Course, Session
        from courses.services import save_session

        # One iterator over the waves: each wave goes on from the course the last one took.
        courses = iter(list(Course.objects.filter(cohort__programme__code="scale").order_by("pk")))
        for wave in range(self.count):
            starts_at = self.start + wave * WAVE_GAP + datetime.timedelta(days=7)
            for course in courses:
                session = Session(course=course, title=SESSION_TITLE, starts_at=starts_at)
                session.ends_at = starts_at + datetime.timedelta(hours=1)
                try:
                    self.sessions.append(save_session(session))
                    break
                except ValidationError:  # the cohort has a session then: the next cohort
                    continue
            else:
                raise SystemExit("no cohort is free a week from now for the reminder waves")

    def plan_next(self):
        """The planning run one minute after the next wave fell due (the mark ends the window at
        the previous run): writes that wave's reminders, and whatever else falls due there."""
        from egovexperts.notifications import planning

        at = self.start + self.planned * WAVE_GAP + datetime.timedelta(minutes=1)
        self.planned += 1
        return planning.plan(at=at)

    def __exit__(self, *exc):
        from courses.models import Session
        from egovexperts.notifications.models import OutboundMessage, PlanningMark

        OutboundMessage.objects.filter(pk__gte=self.first_id).delete()
        self._remove(Session.objects.filter(pk__in=[session.pk for session in self.sessions]))
        PlanningMark.objects.all().delete()
        if self.mark is not None:
            PlanningMark.planned(until=self.mark)

    @staticmethod
    def _remove(sessions):
        from courses.services import delete_session

        for session in sessions:
            delete_session(session)


def daytime_moment(*, span: datetime.timedelta) -> datetime.datetime:
    """A moment at least `span` ago such that the `span` after it is outside quiet hours: a few
    minutes ago in the day, or the last evening before 21:00 at night."""
    from django.utils import timezone

    from egovexperts.notifications.quiet import QUIET_FROM, is_quiet

    now = timezone.now()
    moment = now - span - datetime.timedelta(minutes=1)
    if not is_quiet(moment) and not is_quiet(moment + span):
        return moment
    local = timezone.localtime(now)
    evening = datetime.datetime.combine(local.date(), QUIET_FROM, local.tzinfo) - span - datetime.timedelta(minutes=5)
    return evening if evening <= moment else evening - datetime.timedelta(days=1)


def last_outbox_id() -> int:
    from egovexperts.notifications.models import OutboundMessage

    return OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def outbox_rows(*, since_id: int):
    from egovexperts.notifications.models import OutboundMessage

    return OutboundMessage.objects.filter(pk__gte=since_id)


def addressed_subject(recipient: str, content: bytes) -> tuple[str, str]:
    """What the SMTP sink counts a message under: its recipient and its decoded subject."""
    headers = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
    return recipient, " ".join(str(headers["subject"]).split())  # unfolded, as rendered


def expected_mail(rows) -> collections.Counter:
    """(recipient, subject) of each due outbox row, as `addressed_subject` reads it when sent."""
    from egovexperts.notifications.delivery import render

    return collections.Counter((row.recipient, render(row).subject) for row in rows)
