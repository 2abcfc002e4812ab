from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort

from .models import Attendance, Course, Material, Session
from .uploads import ALLOWED_UPLOADS, validate_upload


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "cohort",
            "code",
            "title",
            "title_en",
            "year",
            "required_hours",
            "min_attendance_percent",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SessionForm(forms.ModelForm):
    """New sessions; an existing session's times change only by rescheduling it."""

    starts_at = forms.DateTimeField(label=_("Start"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("End"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    meeting_url = forms.URLField(label=_("meeting link"), required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = ["title", "kind", "starts_at", "ends_at", "venue", "meeting_url", "lecturers", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["starts_at"]
            del self.fields["ends_at"]

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New start"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("New end"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    reason = forms.CharField(label=_("Reason (sent to the trainees)"), max_length=300)

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the trainees)"), max_length=300)


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MaterialForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=format_lazy("{} {}", _("Accepted file types:"), ", ".join(sorted(ALLOWED_UPLOADS))),
    )
    url = forms.URLField(label=_("link"), required=False, assume_scheme="https")

    class Meta:
        model = Material
        fields = ["title", "session", "url", "published", "public"]

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(course=course).order_by("starts_at")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            validate_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("upload") and not data.get("url"):
            raise forms.ValidationError(_("Upload a file or give a link."))
        return data


class CurriculumFilterForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.all(), required=False)


class PublishForm(forms.Form):
    published = forms.BooleanField(required=False)
