from django import forms
from django.utils.translation import gettext_lazy as _

from trainees.models import Agency, PostChangeRequest, Trainee


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Trainee
        fields = ["phone", "share_contact", "email_reminders"]


class AbsenceNoticeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class PostChangeRequestForm(forms.ModelForm):
    agency = forms.ModelChoiceField(label=_("New agency"), queryset=Agency.objects.in_force())

    class Meta:
        model = PostChangeRequest
        fields = ["agency", "unit_name", "position", "starts_on", "reason", "note"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2200)


class NetworkSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
