import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egovexperts.core import workdays
from egovexperts.core.workdays import VIETNAM


class OutboundMessage(models.Model):
    """One message to one recipient, written in the transaction of the change it reports.

    The row is the message: delivery (delivery.py) claims it with a conditional update, so
    a retried task, a double beat tick or two workers send it at most once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # Never sent: a later message took its place (a cancelled session's reminders, a change
        # notice merged into the next one).
        SUPERSEDED = "superseded", _("superseded")

    kind = models.CharField(_("kind"), max_length=40)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, default="vi")
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Credentials the message carries (a password-setting link): rendered like the context but
    # erased once the message is sent or given up, so the table keeps no usable link.
    secret_context = models.JSONField(_("secret context"), default=dict, blank=True)
    # What the message is about and for which occurrence ("session:42:cancelled:3"): with kind
    # and recipient it makes enqueueing the same message twice a no-op.
    key = models.CharField(_("key"), max_length=200)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A copy an organizer sent again from the delivery log points to the first message of its
    # chain (never to another copy), so the log shows every attempt to reach the recipient.
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("re-sent from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resends",
    )

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "key"], name="outbound_message_once"),
        ]
        # The delivery sweep: queued rows that are due, and rows stuck in sending.
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status__in=["queued", "sending"]), name="outbound_pending_idx"),
            # outbox.enqueue_many's check of what is queued already (a session's reminders share a
            # key), and the supersession of a session's pending messages.
            models.Index(fields=["kind", "key"], name="outbound_kind_key_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"


class PlanningMark(models.Model):
    """The end of the last window the planning service wrote (planning.py): one row.

    Only spares the next run the work of planning the same window again; the outbox's unique
    key, not this mark, is what keeps a message from being written twice."""

    planned_until = models.DateTimeField(_("planned until"))

    class Meta:
        verbose_name = _("planning mark")
        verbose_name_plural = _("planning marks")

    def __str__(self):
        return f"{self.planned_until:%Y-%m-%d %H:%M}"

    @classmethod
    def last_planned(cls):
        return cls.objects.filter(pk=1).values_list("planned_until", flat=True).first()

    @classmethod
    def planned(cls, *, until) -> None:
        # Two beat processes may both insert the first row: the second insert is ignored.
        cls.objects.bulk_create([cls(pk=1, planned_until=until)], ignore_conflicts=True)
        cls.objects.filter(pk=1, planned_until__lt=until).update(planned_until=until)


class ReminderOffset(models.Model):
    """When session reminders go out: so long before the session starts (admins edit them)."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        WORKING_DAYS = "working_days", _("working days")
        HOURS = "hours", _("hours")

    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.DAYS)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder offset")
        verbose_name_plural = _("reminder offsets")
        ordering = ["unit", "-amount"]
        constraints = [
            models.UniqueConstraint(fields=["amount", "unit"], name="reminder_offset_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="reminder_offset_positive"),
        ]

    def __str__(self):
        return f"{self.amount} {self.get_unit_display()}"

    @property
    def code(self) -> str:
        """A short name for message keys: "7d", "1wd", "2h"."""
        return f"{self.amount}{ {'days': 'd', 'working_days': 'wd', 'hours': 'h'}[self.unit] }"

    @property
    def reach(self) -> datetime.timedelta:
        """At most how long before the start the reminder goes (a bound for the planner's query):
        a working day back may cross a weekend and Tết's week."""
        if self.unit == self.Unit.HOURS:
            return datetime.timedelta(hours=self.amount)
        if self.unit == self.Unit.DAYS:
            return datetime.timedelta(days=self.amount)
        return datetime.timedelta(days=2 * self.amount + 14)

    def before(self, moment: datetime.datetime) -> datetime.datetime:
        """When the reminder of an event at `moment` is due: working days keep its clock time."""
        if self.unit == self.Unit.HOURS:
            return moment - datetime.timedelta(hours=self.amount)
        local = moment.astimezone(VIETNAM)
        if self.unit == self.Unit.DAYS:
            day = local.date() - datetime.timedelta(days=self.amount)
        else:
            day = workdays.working_days_before(local.date(), self.amount)
        return datetime.datetime.combine(day, local.timetz()).astimezone(datetime.UTC)

    @classmethod
    def in_force(cls) -> list["ReminderOffset"]:
        """The active offsets, or 7 days and 1 working day if the table is empty (a flushed database)."""
        offsets = list(cls.objects.all())
        if not offsets:
            return [cls(amount=7, unit=cls.Unit.DAYS), cls(amount=1, unit=cls.Unit.WORKING_DAYS)]
        return [offset for offset in offsets if offset.active]


class LanguagePreference(models.Model):
    """The language a person last chose, per address: messages to it are written in it."""

    address = models.EmailField(_("address"), unique=True)
    language = models.CharField(_("language"), max_length=8)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self):
        return f"{self.address}: {self.language}"
