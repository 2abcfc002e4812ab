from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TRAINEES = "trainees", _("trainee list")
    SCHEDULE = "schedule", _("schedule")
    ATTENDANCE = "attendance", _("attendance")


class Outcome(models.TextChoices):
    NEW = "new", _("new")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    ERROR = "error", _("error")


class ImportRun(models.Model):
    """A confirmed import: who loaded which file when, and what each row did.

    `rows` keeps, per data row, its outcome and the ids and earlier values of the records it
    wrote; revert reads them back. Previews are not stored: they write nothing at all.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("imported")
        REVERTED = "reverted", _("reverted")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    rows = models.JSONField(_("row outcomes"), default=list, blank=True)
    # What the import wrote, by model: created ids and (id, field, old value, new value) of updates.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def can_revert(self) -> bool:
        return self.status == self.Status.CONFIRMED and (self.new_count or self.updated_count) > 0
