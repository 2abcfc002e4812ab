"""Writes of cohorts and enrolments. Views change them only through these."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egovexperts.core import versions
from trainees.models import Agency, Trainee

from .models import Cohort, Enrolment


def check_cohort(cohort: Cohort) -> None:
    """A cohort's capacity holds the trainees it has; `save_cohort` and the admin's form apply it."""
    if cohort.pk and cohort.capacity is not None:
        taken = cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()
        if cohort.capacity < taken:
            raise ValidationError(
                {"capacity": _("%(count)s trainees are enrolled: the capacity cannot be lower.") % {"count": taken}}
            )


def save_cohort(cohort: Cohort) -> Cohort:
    check_cohort(cohort)
    cohort.full_clean()
    cohort.save()
    return cohort


def check_enrolment(enrolment: Enrolment) -> None:
    """An enrolment that takes a place (not withdrawn) finds one in its cohort, and begins before
    the cohort ends. `enrol_trainee` (under a lock of the cohort) and the admin's form apply it."""
    cohort = enrolment.cohort
    if enrolment.status != Enrolment.Status.WITHDRAWN:
        others = cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
        if enrolment.pk is not None:
            others = others.exclude(pk=enrolment.pk)
        if others.count() >= cohort.capacity:
            raise ValidationError(_("The cohort is full (%(capacity)s places).") % {"capacity": cohort.capacity})
    if cohort.ends_on and enrolment.enrolled_on and enrolment.enrolled_on > cohort.ends_on:
        raise ValidationError(
            {"enrolled_on": _("The cohort ended on %(date)s.") % {"date": f"{cohort.ends_on:%d/%m/%Y}"}}
        )


@transaction.atomic
def enrol_trainee(cohort: Cohort, *, trainee: Trainee, nominated_by: Agency, enrolled_on: datetime.date) -> Enrolment:
    """Enrol a trainee within the cohort's capacity; a trainee is enrolled in a cohort once."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    existing = Enrolment.objects.filter(cohort=cohort, trainee=trainee).first()
    if existing is not None:
        raise ValidationError(
            {
                "trainee": _("%(name)s is already in this cohort (%(status)s).")
                % {"name": trainee.full_name, "status": existing.get_status_display()}
            }
        )
    enrolment = Enrolment(cohort=cohort, trainee=trainee, nominated_by=nominated_by, enrolled_on=enrolled_on)
    check_enrolment(enrolment)
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def withdraw_enrolment(enrolment: Enrolment, *, on: datetime.date, reason: str) -> Enrolment:
    """Withdraw a trainee from a cohort; the enrolment stays, with its date and reason."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(_("Only an active enrolment can be withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    if on < enrolment.enrolled_on:
        raise ValidationError(
            {
                "on": _("The withdrawal cannot precede the enrolment (%(date)s).")
                % {"date": f"{enrolment.enrolled_on:%d/%m/%Y}"}
            }
        )
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.ended_on = on
    enrolment.withdrawal_reason = reason.strip()
    enrolment._change_reason = reason.strip()
    enrolment.full_clean()
    enrolment.save()
    return enrolment


# --- Restoring a version (the workspace's history pages) ----------------------------------

# An enrolment's cohort and trainee are its identity: not restored.
RESTORED_ENROLMENT_FIELDS = ("nominated_by", "enrolled_on", "status", "ended_on", "withdrawal_reason")


@transaction.atomic
def restore_enrolment(enrolment: Enrolment, version, *, by) -> Enrolment:
    """Bring back a version's status, dates, reason and nominating agency: a withdrawal undone
    takes a place in the cohort again, within its capacity, as an enrolment does."""
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)  # places counted under its lock
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    enrolment.cohort = cohort
    if not versions.copy_version(enrolment, version, RESTORED_ENROLMENT_FIELDS):
        raise versions.unchanged()
    check_enrolment(enrolment)
    versions.mark_restored(enrolment, version, by)
    enrolment.full_clean()
    enrolment.save()
    return enrolment
