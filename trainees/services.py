"""Writes of trainee data. Views, imports and commands change trainees only through these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Agency, Assignment, RetentionCommitment, Trainee, Unit


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
    """Close the open post the day before `starts_on` and open the new one."""
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("This unit does not belong to the chosen agency.")})
    current = Assignment.objects.select_for_update().filter(trainee=trainee, ends_on__isnull=True).first()
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
    return assignment


@transaction.atomic
def end_assignment(trainee: Trainee, *, ends_on: datetime.date, reason: str) -> Assignment:
    """Record that the trainee left their post without a new one (resigned, retired)."""
    current = Assignment.objects.select_for_update().filter(trainee=trainee, ends_on__isnull=True).first()
    if current is None:
        raise ValidationError(_("This trainee holds no open post."))
    current.ends_on = ends_on
    current.end_reason = reason
    current.full_clean()
    current.save()
    Trainee.objects.filter(pk=trainee.pk).index_posts()
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
