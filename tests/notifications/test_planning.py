"""The planning service: windows, quiet hours, languages, the command and the beat's task."""

import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from egovexperts.notifications import languages, outbox, planning, quiet, tasks
from egovexperts.notifications.models import LanguagePreference, OutboundMessage, PlanningMark
from tests.clock import vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def only(monkeypatch):
    """Plan with these planners alone (the apps' planners are tested beside their apps)."""

    def install(**planners):
        monkeypatch.setattr(planning, "_planners", {})
        for name, planner in planners.items():
            planning.register(name, planner)

    return install


class Recorder:
    """A planner that records its windows and answers one message due at each given time."""

    def __init__(self, *due):
        self.due, self.windows = due, []

    def __call__(self, *, start, end):
        self.windows.append((start, end))
        return [
            outbox.Message("test", f"p{number}@example.org", f"test:{moment:%Y%m%d%H%M}", due_at=moment)
            for number, moment in enumerate(self.due)
            if start < moment <= end
        ]


def test_each_run_plans_from_where_the_last_one_ended(only):
    recorder = Recorder()
    only(test=recorder)
    with time_machine.travel(vn(2027, 3, 1, 9), tick=False):
        planning.plan()
    with time_machine.travel(vn(2027, 3, 1, 9, 5), tick=False):
        planning.plan()
    assert recorder.windows == [
        (vn(2027, 3, 1, 9) - planning.DEFAULT_LOOKBACK, vn(2027, 3, 1, 9)),  # no mark yet: the lookback
        (vn(2027, 3, 1, 9), vn(2027, 3, 1, 9, 5)),
    ]
    # After a long stop, no further back than the lookback; a dry run moves no mark.
    planning.plan(at=vn(2027, 3, 4, 9), horizon=datetime.timedelta(days=14), dry_run=True)
    assert recorder.windows[-1] == (vn(2027, 3, 4, 9) - planning.DEFAULT_LOOKBACK, vn(2027, 3, 18, 9))
    assert PlanningMark.last_planned() == vn(2027, 3, 1, 9, 5)


def test_a_run_planned_in_the_past_ignores_a_mark_ahead_of_it(only):
    recorder = Recorder()
    only(test=recorder)
    PlanningMark.planned(until=vn(2027, 3, 10))
    planning.plan(at=vn(2027, 3, 1, 9))
    assert recorder.windows == [(vn(2027, 3, 1, 9) - planning.DEFAULT_LOOKBACK, vn(2027, 3, 1, 9))]
    assert PlanningMark.last_planned() == vn(2027, 3, 10)  # the mark never goes back


def test_planned_messages_due_at_night_wait_until_seven_vietnam_time(only):
    only(test=Recorder(vn(2027, 3, 1, 20, 59), vn(2027, 3, 1, 21), vn(2027, 3, 2, 6, 59), vn(2027, 3, 2, 7)))
    plan = planning.plan(at=vn(2027, 3, 2, 8))
    assert [message.due_at for message in plan.messages] == [
        vn(2027, 3, 1, 20, 59),
        vn(2027, 3, 2, 7),
        vn(2027, 3, 2, 7),
        vn(2027, 3, 2, 7),
    ]
    assert plan.written == 4


def test_quiet_hours_run_from_nine_in_the_evening_to_seven_in_the_morning():
    assert not quiet.is_quiet(vn(2027, 3, 1, 20, 59, 59))
    assert quiet.is_quiet(vn(2027, 3, 1, 21))
    assert quiet.sending_time(vn(2027, 3, 1, 23, 30)) == vn(2027, 3, 2, 7)
    assert quiet.sending_time(vn(2027, 3, 2, 0, 30)) == vn(2027, 3, 2, 7)
    # 14:30 UTC is 21:30 in Hà Nội, whatever the server's zone.
    assert quiet.sending_time(datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)) == vn(2027, 3, 2, 7)


def test_messages_are_in_the_language_the_recipient_last_chose_and_vietnamese_by_default():
    LanguagePreference.objects.create(address="an@example.org", language="en")
    resolved = languages.resolve(
        [
            outbox.Message("test", "An@Example.org", "k"),
            outbox.Message("test", "binh@example.org", "k"),
            outbox.Message("test", "chi@example.org", "k", language="en"),  # the sender's choice stands
        ]
    )
    assert [message.language for message in resolved] == ["en", "vi", "en"]
    assert settings.LANGUAGE_CODE == "en"  # the tests' page language is not the default of mail


def test_switching_language_is_remembered_only_for_a_signed_in_user(client, trainee, trainee_client):
    client.post("/i18n/setlang/", {"language": "en"})
    assert LanguagePreference.objects.filter(address=trainee.email).exists()
    trainee_client.post("/i18n/setlang/", {"language": "xx"})  # not a language of the site
    assert LanguagePreference.objects.get(address=trainee.email).language == "en"
    trainee_client.post("/i18n/setlang/", {"language": "vi"})
    assert LanguagePreference.objects.get(address=trainee.email).language == "vi"


def test_an_anonymous_switch_records_nothing(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert not LanguagePreference.objects.exists()


def test_the_command_prints_the_count_per_kind_and_a_dry_run_lists_without_writing(only):
    only(test=Recorder(vn(2027, 3, 1, 8, 55), vn(2027, 3, 1, 8, 58)))
    out = io.StringIO()
    call_command("plan_reminders", "--dry-run", "--at", "2027-03-01T09:00", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == "2027-03-01 08:55  test                   p0@example.org                           test:202703010855"
    )
    assert "test: 2" in lines and lines[-1] == "dry run: 2 due, nothing written"
    assert not OutboundMessage.objects.exists()

    out = io.StringIO()
    call_command("plan_reminders", "--at", "2027-03-01T09:00+07:00", stdout=out)
    assert out.getvalue().splitlines() == ["test: 2", "2 due, 2 written"]
    assert OutboundMessage.objects.count() == 2


def test_the_command_refuses_a_moment_it_cannot_read(capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--at"):
        call_command("plan_reminders", "--at", "next monday")


def test_the_beat_task_plans_and_says_what_it_wrote(only):
    only(test=Recorder(vn(2027, 3, 1, 8, 55)))
    with time_machine.travel(vn(2027, 3, 1, 9), tick=False):
        assert tasks.plan_reminders() == "1 new messages (test: 1)"
        assert tasks.plan_reminders() == "0 new messages (nothing due)"
    assert "plan-reminders" in settings.CELERY_BEAT_SCHEDULE
