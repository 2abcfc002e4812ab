from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trainees.models import Agency, Trainee


class Programme(models.Model):
    """A national training programme, e.g. the programme to train 100 e-Government experts."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    decision_ref = models.CharField(_("decision"), max_length=200, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-launched_on", "name"]

    def __str__(self):
        return self.name


class CohortQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            enrolled_count=Count("enrolments"),
            active_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE)),
            completed_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED)),
            withdrawn_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WITHDRAWN)),
        )


class Cohort(models.Model):
    """One intake of a programme: the same people follow its curriculum for several years."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=100)

    objects = CohortQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="cohort_code_unique_per_programme"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")), name="cohort_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    """A trainee in a cohort, nominated by an agency. Withdrawals keep the row."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments")
    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="enrolments")
    nominated_by = models.ForeignKey(Agency, verbose_name=_("nominated by"), on_delete=models.PROTECT, related_name="+")
    enrolled_on = models.DateField(_("enrolled on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, help_text=_("Completion or withdrawal date."))
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "trainee__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "trainee"], name="enrolment_unique_per_cohort"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (Q(ended_on__isnull=False) & ~Q(withdrawal_reason="")),
                name="enrolment_withdrawal_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("enrolled_on")),
                name="enrolment_ends_after_start",
            ),
        ]
        # Cohort pages and "my cohorts" of a trainee.
        indexes = [models.Index(fields=["trainee", "status"], name="enrolment_trainee_status_idx")]

    def __str__(self):
        return f"{self.trainee} – {self.cohort}"
