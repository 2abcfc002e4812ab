"""Writes of trainee data. Views, imports and commands change trainees only through these."""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egovexperts.notifications import outbox

from . import reminders
from .agencies import AgencyDirectory
from .commitments import newly_broken
from .models import Agency, Assignment, RetentionCommitment, Trainee, Unit
from .selectors import evaluate_commitment


class _Commitments:
    """A trainee's commitments as the post history stood before a change, to tell which the
    change breaks (trainees/commitments.py over the whole period of each commitment)."""

    def __init__(self, trainee: Trainee):
        commitments = RetentionCommitment.objects.filter(trainee=trainee, waived_on__isnull=True)
        self.commitments = list(commitments.select_related("trainee", "agency"))
        if self.commitments:
            self.directory = AgencyDirectory.load()
            self.before = self._evaluate(list(Assignment.objects.filter(trainee=trainee)))

    def _evaluate(self, posts):
        return {
            commitment.pk: evaluate_commitment(
                commitment, posts=posts, directory=self.directory, today=commitment.ends_on
            )
            for commitment in self.commitments
        }

    def alert_broken(self) -> int:
        """Queue the alert for each commitment the change broke (or broke on another day)."""
        if not self.commitments:
            return 0
        after = self._evaluate(list(Assignment.objects.filter(trainee_id=self.commitments[0].trainee_id)))
        # The rule the post change form warns with (selectors.post_change_effects).
        broken = [
            (commitment, after[commitment.pk])
            for commitment in self.commitments
            if newly_broken(self.before[commitment.pk], after[commitment.pk])
        ]
        return outbox.enqueue_many(reminders.breach_alerts(broken))


@transaction.atomic
def record_assignment(
    trainee: Trainee,
    *,
    agency: Agency,
    position: str,
    starts_on: datetime.date,
    reason: str = Assignment.Reason.APPOINTED,
    unit: Unit | None = None,
    note: str = "",
) -> Assignment:
    """Close the open post the day before `starts_on`, open the new one, and alert the organizers
    (and the agency's contact) of each commitment the change breaks."""
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("This unit does not belong to the chosen agency.")})
    current = Assignment.objects.select_for_update().filter(trainee=trainee, ends_on__isnull=True).first()
    commitments = _Commitments(trainee)
    if current is not None:
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _("The new post must start after the current one (%(date)s).")
                    % {"date": current.starts_on.strftime("%d/%m/%Y")}
                }
            )
        current.ends_on = starts_on - datetime.timedelta(days=1)
        current.end_reason = reason
        current.full_clean()
        current.save()
    assignment = Assignment(
        trainee=trainee, agency=agency, unit=unit, position=position, starts_on=starts_on, reason=reason, note=note
    )
    assignment.full_clean()
    assignment.save()
    Trainee.objects.filter(pk=trainee.pk).index_posts()
    commitments.alert_broken()
    return assignment


@contextmanager
def writing_posts(trainee_ids: Iterable[int]):
    """Around a write of posts that cannot go through record_assignment (the Django admin's forms):
    afterwards, re-index the trainees' posts and alert of each commitment the write broke, in the
    caller's transaction, as record_assignment does."""
    trainees = list(Trainee.objects.filter(pk__in=set(trainee_ids) - {None}))
    watched = [_Commitments(trainee) for trainee in trainees]
    yield
    Trainee.objects.filter(pk__in=[trainee.pk for trainee in trainees]).index_posts()
    for commitments in watched:
        commitments.alert_broken()


@transaction.atomic
def end_assignment(trainee: Trainee, *, ends_on: datetime.date, reason: str) -> Assignment:
    """Record that the trainee left their post without a new one (resigned, retired), and alert
    of each commitment this breaks."""
    current = Assignment.objects.select_for_update().filter(trainee=trainee, ends_on__isnull=True).first()
    if current is None:
        raise ValidationError(_("This trainee holds no open post."))
    commitments = _Commitments(trainee)
    current.ends_on = ends_on
    current.end_reason = reason
    current.full_clean()
    current.save()
    Trainee.objects.filter(pk=trainee.pk).index_posts()
    commitments.alert_broken()
    return current


@transaction.atomic
def waive_commitment(commitment: RetentionCommitment, *, waived_on: datetime.date, reason: str) -> RetentionCommitment:
    """Waive with a reason; who recorded it and when is in the commitment's history."""
    if not reason.strip():
        raise ValidationError({"waiver_reason": _("Give the reason for the waiver.")})
    # Two organizers at once: the second finds it waived rather than overwriting the reason.
    commitment = RetentionCommitment.objects.select_for_update().get(pk=commitment.pk)
    if commitment.waived_on is not None:
        raise ValidationError(_("This commitment is already waived."))
    if waived_on < commitment.starts_on:
        raise ValidationError({"waived_on": _("A waiver cannot be dated before the commitment starts.")})
    commitment.waived_on = waived_on
    commitment.waiver_reason = reason.strip()
    commitment.full_clean()
    commitment.save()
    return commitment
