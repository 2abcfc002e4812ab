from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course

from .files import MAX_BYTES, check_size
from .models import Kind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=Kind.choices, initial=Kind.TRAINEES)
    course = forms.ModelChoiceField(
        label=_("Course (attendance only)"),
        queryset=Course.objects.select_related("cohort").order_by("cohort__starts_on", "code"),
        required=False,
    )
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_("Up to %(limit)s MB.") % {"limit": round(MAX_BYTES / 1024 / 1024, 1)},
    )
    invite = forms.BooleanField(label=_("Create accounts for new trainees and send them an invitation"), required=False)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_size(uploaded.size)
        return uploaded

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.ATTENDANCE and not data.get("course"):
            self.add_error("course", _("Choose the course whose attendance the file holds."))
        return data


class ConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    course = forms.ModelChoiceField(queryset=Course.objects.all(), required=False, widget=forms.HiddenInput)
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    checksum = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    invite = forms.BooleanField(required=False, widget=forms.HiddenInput)
