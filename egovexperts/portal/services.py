"""Writes of the trainee portal: profile, calendar token, absence notices, post changes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import AbsenceNotice, Session
from trainees.models import Agency, Assignment, PostChangeRequest, Trainee, Unit, new_calendar_token
from trainees.services import record_assignment


@transaction.atomic
def update_profile(trainee: Trainee, *, phone: str, share_contact: bool, email_reminders: bool) -> Trainee:
    trainee.phone = phone.strip()
    trainee.share_contact = share_contact
    trainee.email_reminders = email_reminders
    trainee.full_clean(exclude=["user"])
    trainee.save(update_fields=["phone", "share_contact", "email_reminders", "updated_at"])
    return trainee


@transaction.atomic
def regenerate_calendar_token(trainee: Trainee) -> str:
    """A new secret for the calendar feed; the old URL stops working at once."""
    trainee.calendar_token = new_calendar_token()
    trainee.save(update_fields=["calendar_token", "updated_at"])
    return trainee.calendar_token


@transaction.atomic
def report_absence(
    trainee: Trainee, session: Session, *, reason: str, now: datetime.datetime | None = None
) -> AbsenceNotice:
    """Tell the programme office, before the session starts, that the trainee cannot attend.

    Reporting again replaces the reason given earlier.
    """
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    if session.starts_at <= now:
        raise ValidationError(_("An absence can only be reported before the session starts."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for your absence.")})
    notice, _created = AbsenceNotice.objects.update_or_create(
        session=session, trainee=trainee, defaults={"reason": reason.strip()}
    )
    return notice


@transaction.atomic
def withdraw_absence(trainee: Trainee, session: Session, *, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if session.starts_at <= now:
        raise ValidationError(_("The session has started; ask the programme office instead."))
    AbsenceNotice.objects.filter(session=session, trainee=trainee).delete()


@transaction.atomic
def request_post_change(
    trainee: Trainee,
    *,
    agency: Agency,
    position: str,
    starts_on: datetime.date,
    unit_name: str = "",
    reason: str = Assignment.Reason.PROMOTED,
    note: str = "",
) -> PostChangeRequest:
    if PostChangeRequest.objects.filter(trainee=trainee, status=PostChangeRequest.Status.PENDING).exists():
        raise ValidationError(_("You already have a request waiting for the programme office."))
    request = PostChangeRequest(
        trainee=trainee,
        agency=agency,
        unit_name=unit_name.strip(),
        position=position.strip(),
        starts_on=starts_on,
        reason=reason,
        note=note.strip(),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def confirm_post_change(request: PostChangeRequest, *, by) -> Assignment:
    """Record the requested post in the assignment history; the retention tracker evaluates it.

    The unit is matched by name among the agency's units in force; an unknown unit name is
    kept in the assignment's note rather than creating a unit nobody checked.
    """
    request = _lock_pending(request)
    unit = None
    note = request.note
    if request.unit_name:
        unit = (
            Unit.objects.in_force(request.starts_on)
            .filter(agency=request.agency, name__iexact=request.unit_name)
            .first()
        )
        if unit is None:
            note = " – ".join(part for part in (request.unit_name, note) if part)
    assignment = record_assignment(
        request.trainee,
        agency=request.agency,
        unit=unit,
        position=request.position,
        starts_on=request.starts_on,
        reason=request.reason,
        note=note[:300],
    )
    _decide(request, PostChangeRequest.Status.CONFIRMED, by=by)
    return assignment


@transaction.atomic
def reject_post_change(request: PostChangeRequest, *, by) -> None:
    _decide(_lock_pending(request), PostChangeRequest.Status.REJECTED, by=by)


def _lock_pending(request: PostChangeRequest) -> PostChangeRequest:
    # Two organizers deciding at once: the second one finds the request no longer pending.
    locked = PostChangeRequest.objects.select_for_update().select_related("trainee", "agency").get(pk=request.pk)
    if locked.status != PostChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return locked


def _decide(request: PostChangeRequest, status: str, *, by) -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = by
    request.save(update_fields=["status", "decided_at", "decided_by"])
