import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from egovexperts.core.text import fold, person_sort_key


class Change(models.TextChoices):
    """How a dated record (agency, unit) ended and handed over to its successor."""

    MERGED = "merged", _("merged")
    RENAMED = "renamed", _("renamed")
    RECLASSIFIED = "reclassified", _("reclassified")


class DatedQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )


class Dated(models.Model):
    """A record that is in force between two dates and may hand over to a successor."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Last day in force."))
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    change = models.CharField(_("change"), max_length=16, choices=Change.choices, blank=True)

    class Meta:
        abstract = True

    def is_in_force(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


class Agency(Dated):
    """A ministry, ministry-level agency, government agency, or provincial-level unit."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        MINISTRY_LEVEL = "ministry_level", _("ministry-level agency")
        GOVERNMENT_AGENCY = "government_agency", _("government agency")
        PROVINCE = "province", _("province")
        CITY = "city", _("centrally-run city")

    class Region(models.TextChoices):
        NORTHERN_MIDLANDS_MOUNTAINS = "northern_midlands_mountains", _("Northern Midlands and Mountains")
        RED_RIVER_DELTA = "red_river_delta", _("Red River Delta")
        NORTH_CENTRAL_COAST = "north_central_coast", _("North Central and Central Coast")
        CENTRAL_HIGHLANDS = "central_highlands", _("Central Highlands")
        SOUTHEAST = "southeast", _("Southeast")
        MEKONG_DELTA = "mekong_delta", _("Mekong Delta")

    CENTRAL_KINDS = (Kind.MINISTRY, Kind.MINISTRY_LEVEL, Kind.GOVERNMENT_AGENCY)
    PROVINCIAL_KINDS = (Kind.PROVINCE, Kind.CITY)

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=100)
    abbreviations = models.JSONField(_("abbreviations"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    code = models.CharField(_("official code"), max_length=8, blank=True, help_text=_("Code in force today."))
    code_history = models.JSONField(_("earlier codes"), default=list, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "short_name"]
        indexes = [models.Index(fields=["kind", "valid_to"], name="agency_kind_valid_idx")]  # coverage reports

    def __str__(self):
        return self.name_vi

    @property
    def is_provincial(self) -> bool:
        return self.kind in self.PROVINCIAL_KINDS

    def code_on(self, on: datetime.date) -> str:
        """The official code on a date: codes were reassigned on 1 July 2025."""
        for earlier in sorted(self.code_history, key=lambda entry: entry["valid_to"]):
            if on <= datetime.date.fromisoformat(earlier["valid_to"]):
                return earlier["code"]
        return self.code


class Unit(Dated):
    """A department inside an agency, e.g. "Sở Thông tin và Truyền thông" of a province."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    abbreviations = models.JSONField(_("abbreviations"), default=list, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency__short_name", "name"]
        constraints = [models.UniqueConstraint("agency", Lower("name"), name="unit_name_unique_per_agency")]

    def __str__(self):
        return f"{self.name} – {self.agency.short_name}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class TraineeQuerySet(models.QuerySet):
    def search(self, query: str):
        """Accent-insensitive search in name, email, position and agency ("nguyen" finds "Nguyễn").

        Every word must be in the person (name, email) or in the post they hold today. Both
        texts are folded columns of the trainee, each with a trigram index on PostgreSQL
        (migrations 0003, 0004), so a search is one index lookup per word whatever the size.
        """
        queryset = self
        for word in fold(query).split():
            queryset = queryset.filter(Q(search_text__contains=word) | Q(post_search_text__contains=word))
        return queryset

    def index_posts(self, on: datetime.date | None = None) -> int:
        """Point `current_post` at the post each trainee holds on a day (default today) and copy
        its search text. Writers of posts call it for the trainees they touched; a daily job
        (trainees.tasks) for everyone, as posts begin and end with the calendar."""
        post = Assignment.objects.filter(trainee=OuterRef("pk")).held_on(on or timezone.localdate())
        post = post.order_by(*Assignment.LATEST_FIRST)
        held = Subquery(post.values("pk")[:1])
        text = Coalesce(Subquery(post.values("search_text")[:1]), Value(""), output_field=models.TextField())
        # Rows already right are left alone: the daily run rewrites a handful, not every trainee.
        stale = self.annotate(held=Coalesce(held, 0, output_field=models.BigIntegerField()), text=text).filter(
            ~Q(held=Coalesce(F("current_post"), 0)) | ~Q(text=F("post_search_text"))
        )
        return stale.update(current_post=held, post_search_text=text)

    def with_current_post(self, on: datetime.date | None = None):
        """Annotate the post held on a date (default today), derived from the assignment history.

        One correlated subquery per column keeps the whole list to a single query.
        """
        on = on or timezone.localdate()
        post = Assignment.objects.filter(trainee=OuterRef("pk")).held_on(on).order_by(*Assignment.LATEST_FIRST)
        return self.annotate(
            current_assignment_id=Subquery(post.values("pk")[:1]),
            current_position=Subquery(post.values("position")[:1]),
            current_agency_id=Subquery(post.values("agency_id")[:1]),
            current_agency_name=Subquery(post.values("agency__short_name")[:1]),
            current_agency_kind=Subquery(post.values("agency__kind")[:1]),
            current_unit_id=Subquery(post.values("unit_id")[:1]),
            current_unit_name=Subquery(post.values("unit__name")[:1]),
        )

    def in_vietnamese_order(self):
        return self.order_by("sort_key", "pk")


class Trainee(models.Model):
    """A person in the programme; the posts they held are their Assignment history."""

    full_name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainee",
        # Whoever reads a trainee's mail may set the account's password: never a staff account
        # (the admin's choices and autocomplete, and ModelForm validation, apply this; see clean()).
        limit_choices_to={"is_staff": False, "is_superuser": False},
    )
    share_contact = models.BooleanField(_("share contact details with the expert network"), default=False)
    email_reminders = models.BooleanField(_("send me reminders by email"), default=True)
    # Secret of the personal calendar feed URL; regenerating it revokes the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    # Stored, not computed per query: SQLite and PostgreSQL lack unaccent and a Vietnamese
    # collation, and the directory must search and sort 10,000 rows with an index.
    search_text = models.TextField(editable=False, default="")
    # The post held today and its search text, kept by TraineeQuerySet.index_posts: list pages
    # join it without a date condition, and the search reads one table with its indexes.
    current_post = models.ForeignKey(
        "Assignment", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    post_search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TraineeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["current_post", "post_search_text"])  # derived from the posts

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["sort_key", "pk"]
        constraints = [models.UniqueConstraint(Lower("email"), name="trainee_email_ci_unique")]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.full_name = " ".join(self.full_name.split())
        self.search_text, self.sort_key = self.index_fields(self.full_name, self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "email", "full_name", "sort_key", "search_text"}
        super().save(*args, **kwargs)

    def clean(self):
        # A non-field error: the field is read-only for organizers, whose form has no field to attach it to.
        if self.user_id and (self.user.is_staff or self.user.is_superuser):
            raise ValidationError(_("A trainee cannot be linked to a staff or administrator account."))

    @staticmethod
    def index_fields(full_name: str, email: str) -> tuple[str, str]:
        """search_text and sort_key of a name and email (bulk inserts bypass save())."""
        return fold(f"{full_name} {email}"), person_sort_key(full_name)[:255]


class AssignmentQuerySet(models.QuerySet):
    def held_on(self, on: datetime.date):
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def refold(self) -> int:
        """Fold again the search text of these posts, and their trainees', after their agency or
        unit was renamed: the text copies the names so that a search reads no other table."""
        posts = list(self.select_related("agency", "unit"))
        for post in posts:
            post.search_text = assignment_search_text(post.position, post.agency, post.unit)
        Assignment.objects.bulk_update(posts, ["search_text"], batch_size=500)
        Trainee.objects.filter(pk__in=self.values("trainee_id")).index_posts()
        return len(posts)


class Assignment(models.Model):
    """A post a trainee held: agency, unit, position, from, to."""

    class Reason(models.TextChoices):
        APPOINTED = "appointed", _("appointed")
        PROMOTED = "promoted", _("promoted")
        TRANSFERRED = "transferred", _("transferred")
        REORGANIZED = "reorganized", _("agency reorganized")
        RESIGNED = "resigned", _("resigned")
        RETIRED = "retired", _("retired")

    # Deleting a trainee never takes their posts along (nor commitments, requests, enrolments, attendance).
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="assignments"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Last day in post."))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.APPOINTED)
    end_reason = models.CharField(_("reason for leaving"), max_length=16, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Folded position, agency and unit names for the directory search (see Trainee.search_text).
    search_text = models.TextField(editable=False, default="")

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    # Of two posts held on the same day (a promotion recorded before the old post was closed),
    # the one started last is the current one.
    LATEST_FIRST = ("-starts_on", "-pk")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["trainee", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["trainee"], condition=Q(ends_on__isnull=True), name="assignment_one_open_post"
            ),
        ]
        # Current post subquery of every trainee list: latest post of a trainee held on a date.
        indexes = [models.Index(fields=["trainee", "starts_on", "ends_on"], name="assignment_held_idx")]

    def __str__(self):
        return f"{self.trainee}: {self.position}, {self.agency.short_name}"

    def save(self, *args, **kwargs):
        self.search_text = assignment_search_text(self.position, self.agency, self.unit)
        super().save(*args, **kwargs)


# The names of agencies and units copied into posts' search text: changing one calls refold().
AGENCY_NAMES_SEARCHED = {"short_name", "name_vi", "abbreviations"}
UNIT_NAMES_SEARCHED = {"name"}


def assignment_search_text(position: str, agency: Agency, unit: Unit | None) -> str:
    names = [position, agency.short_name, agency.name_vi, *agency.abbreviations, unit.name if unit else ""]
    return fold(" ".join(names))


class RetentionCommitment(models.Model):
    """An agency's commitment not to transfer its trainee; status comes from commitments.py."""

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="commitments"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("committing agency"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), blank=True, help_text=_("Defaults to three years after the start."))
    document_ref = models.CharField(_("document reference"), max_length=120, blank=True)
    # Told, besides the programme office, when the commitment nears its end, is fulfilled or broken.
    contact_email = models.EmailField(_("agency contact email"), blank=True)
    waived_on = models.DateField(_("waived on"), null=True, blank=True)
    waiver_reason = models.CharField(_("reason for waiver"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention commitment")
        verbose_name_plural = _("retention commitments")
        ordering = ["ends_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="commitment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(waived_on__isnull=True) | ~Q(waiver_reason=""), name="commitment_waiver_has_reason"
            ),
        ]
        # "Ending soon" lists, and the commitment tracker's first pages: its default order (by end,
        # then id) is read from the index instead of sorting every commitment.
        indexes = [
            models.Index(fields=["ends_on", "id"], name="commitment_ends_idx"),
            # Coverage: commitments counted by agency and dates (reports/coverage.py) from the
            # index alone, not by hashing every commitment.
            models.Index(fields=["agency", "starts_on", "ends_on", "waived_on"], name="commitment_agency_dates_idx"),
        ]

    def __str__(self):
        # The end may be empty on a form not saved yet (it defaults on save): the admin shows it.
        period = "–".join(f"{day:%d/%m/%Y}" if day else "…" for day in (self.starts_on, self.ends_on))
        return f"{self.trainee} – {self.agency.short_name} ({period})"

    def save(self, *args, **kwargs):
        if self.ends_on is None and self.starts_on is not None:
            from .commitments import default_end

            self.ends_on = default_end(self.starts_on)
        super().save(*args, **kwargs)


class PostChangeRequest(models.Model):
    """A trainee's report of a new post; an organizer confirms it into the assignment history."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="post_change_requests"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("new agency"), on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("new unit"), max_length=200, blank=True)
    position = models.CharField(_("new position"), max_length=200)
    starts_on = models.DateField(_("from"))
    reason = models.CharField(
        _("reason"), max_length=16, choices=Assignment.Reason.choices, default=Assignment.Reason.PROMOTED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("post change request")
        verbose_name_plural = _("post change requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="post_change_pending_idx")]

    def __str__(self):
        return f"{self.trainee}: {self.position}, {self.agency.short_name}"
