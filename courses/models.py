from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cohorts.models import Cohort
from egovexperts.core.permissions import is_organizer, is_trainee
from trainees.models import Trainee

from . import uploads


class Course(models.Model):
    """A course of a cohort's curriculum; completion.py applies its completion rule."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="courses")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("curriculum year"), help_text=_("Calendar year of the curriculum."))
    description = models.TextField(_("description"), blank=True)
    required_hours = models.DecimalField(_("required hours"), max_digits=6, decimal_places=1, default=0)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, help_text=_("Share of held sessions a trainee must attend.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["cohort", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "code"], name="course_code_unique_per_cohort"),
            models.CheckConstraint(condition=Q(min_attendance_percent__lte=100), name="course_attendance_percent_max"),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"


class SessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).exclude(status=Session.Status.CANCELLED)

    def held(self, now=None):
        """Sessions that took place: ended and not cancelled."""
        return self.filter(ends_at__lt=now or timezone.now()).exclude(status=Session.Status.CANCELLED)


class Session(models.Model):
    """One meeting of a course: an online class, an in-person class, a site visit or an exam."""

    class Kind(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        SITE_VISIT = "site_visit", _("site visit")
        EXAM = "exam", _("exam")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        RESCHEDULED = "rescheduled", _("rescheduled")
        CANCELLED = "cancelled", _("cancelled")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ONLINE)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    meeting_url = models.URLField(_("meeting link"), blank=True)
    lecturers = models.CharField(_("lecturers"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    # Incremented on every reschedule or cancellation: the iCalendar SEQUENCE of the event.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start")]
        indexes = [
            models.Index(fields=["course", "starts_at"], name="session_course_start_idx"),  # curriculum, grids
            models.Index(fields=["starts_at"], name="session_start_idx"),  # upcoming lists, reminders
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.title} ({local:%d/%m/%Y %H:%M})"

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        ABSENT = "absent", _("absent")
        EXCUSED = "excused", _("excused")

    ATTENDED = (Status.PRESENT, Status.LATE)

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="attendances"
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="attendance_once_per_session")]
        # A trainee's attendance history and progress.
        indexes = [models.Index(fields=["trainee", "session"], name="attendance_trainee_idx")]

    def __str__(self):
        return f"{self.trainee} – {self.session}: {self.get_status_display()}"


class AbsenceNotice(models.Model):
    """A trainee's advance notice that they cannot attend a session; organizers may excuse it."""

    # Notices are kept with their session and trainee (courses.services.delete_session refuses too);
    # the trainee who gave one may still withdraw it (portal.services).
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="absence_notices"
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="absence_notices"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="absence_notice_once")]

    def __str__(self):
        return f"{self.trainee} – {self.session}"


def material_upload_path(material: "Material", filename: str) -> str:
    return f"materials/{material.course_id}/{filename}"


class MaterialQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """The one rule of the library and of file downloads: public published materials for
        everyone, every published one for trainees and organizers, drafts for organizers only."""
        if is_organizer(user):
            return self
        if is_trainee(user):
            return self.published()
        return self.published().filter(public=True)


class Material(models.Model):
    """Lecture slides, recordings and readings of a course, or of one of its sessions."""

    # A course or session with materials is kept (as courses.services refuses): deleting it took them along.
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="materials")
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=material_upload_path, blank=True)
    url = models.URLField(_("link"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Listed in the lecture library for everyone, without login.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["course", "session__starts_at", "title"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="material_has_file_or_link"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.session_id and self.session.course_id != self.course_id:
            raise ValidationError({"session": _("This session belongs to another course.")})
        # A file not saved yet is a new upload, from whichever form or import: the one rule
        # applies. A stored file was checked when it came.
        if self.file and not self.file._committed:
            try:
                uploads.validate_upload(self.file.file)
            except ValidationError as error:
                raise ValidationError({"file": error.error_list}) from None

    @property
    def href(self) -> str:
        """Files are served only through the download view, which checks who asks; links as they are."""
        if self.file:
            return reverse("portal:material-download", args=[self.pk])
        return self.url
