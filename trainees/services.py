"""Writes of trainee data. Views, imports and commands change trainees only through these."""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egovexperts.core import versions
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


# --- Restoring a version (the workspace's history pages) ----------------------------------

# What a trainee's version brings back: never the account link (`user`: a restore must never link
# an account; linking one is a superuser's act in the admin), nor the trainee's own choices
# (contact sharing, reminders), nor the calendar secret or the derived search columns.
RESTORED_TRAINEE_FIELDS = ("full_name", "email", "phone")
# A post's trainee is its identity and its search text is derived: neither is restored.
RESTORED_POST_FIELDS = ("agency", "unit", "position", "starts_on", "ends_on", "reason", "end_reason", "note")
# A commitment's waiver (given or lifted), reference and contact. Its terms (agency, start, end)
# are the agency's signed document, corrected in the admin: not restored from an old version.
RESTORED_COMMITMENT_FIELDS = ("waived_on", "waiver_reason", "document_ref", "contact_email")


@transaction.atomic
def restore_trainee(trainee: Trainee, version, *, by) -> Trainee:
    """Bring back a version's name, email and phone."""
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    changed = versions.copy_version(trainee, version, RESTORED_TRAINEE_FIELDS)
    if not changed:
        raise versions.unchanged()
    if Trainee.objects.filter(email__iexact=trainee.email.strip()).exclude(pk=trainee.pk).exists():
        raise ValidationError({"email": _("Another trainee has the address %(email)s.") % {"email": trainee.email}})
    versions.mark_restored(trainee, version, by)
    trainee.full_clean()
    # Only the restored columns are written, whatever else the instance holds.
    trainee.save(update_fields=[*changed, "updated_at"])
    return trainee


@transaction.atomic
def restore_assignment(post: Assignment, version, *, by) -> Assignment:
    """Bring a post back to a version's agency, unit, position, dates and reasons, and alert of
    each commitment this breaks, as record_assignment does."""
    post = Assignment.objects.select_for_update().get(pk=post.pk)
    commitments = _Commitments(post.trainee)
    if not versions.copy_version(post, version, RESTORED_POST_FIELDS):
        raise versions.unchanged()
    if post.unit_id is not None and post.unit.agency_id != post.agency_id:
        raise ValidationError({"unit": _("This unit does not belong to the chosen agency.")})
    open_posts = Assignment.objects.filter(trainee_id=post.trainee_id, ends_on__isnull=True).exclude(pk=post.pk)
    if post.ends_on is None and open_posts.exists():
        raise ValidationError(_("The trainee holds another open post: end it before this one is reopened."))
    versions.mark_restored(post, version, by)
    post.full_clean()
    post.save()
    Trainee.objects.filter(pk=post.trainee_id).index_posts()
    commitments.alert_broken()
    return post


@transaction.atomic
def restore_commitment(commitment: RetentionCommitment, version, *, by) -> RetentionCommitment:
    """Bring back a version's waiver, reference and contact. A waiver lifted over a breach makes
    the breach count again: it is alerted, as a change of posts that breaks a commitment is."""
    commitment = RetentionCommitment.objects.select_for_update().get(pk=commitment.pk)
    directory = AgencyDirectory.load()
    posts = list(Assignment.objects.filter(trainee_id=commitment.trainee_id))
    before = evaluate_commitment(commitment, posts=posts, directory=directory, today=commitment.ends_on)
    if not versions.copy_version(commitment, version, RESTORED_COMMITMENT_FIELDS):
        raise versions.unchanged()
    if commitment.waived_on is not None and commitment.waived_on < commitment.starts_on:
        raise ValidationError({"waived_on": _("A waiver cannot be dated before the commitment starts.")})
    versions.mark_restored(commitment, version, by)
    commitment.full_clean()
    commitment.save()
    after = evaluate_commitment(commitment, posts=posts, directory=directory, today=commitment.ends_on)
    if newly_broken(before, after):
        outbox.enqueue_many(reminders.breach_alerts([(commitment, after)]))
    return commitment
