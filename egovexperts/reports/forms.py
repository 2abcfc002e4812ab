from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WaiverForm(forms.Form):
    waived_on = forms.DateField(label=_("Waived on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Retirement, illness, a decision of the programme office…"),
    )

    def clean_waived_on(self):
        day = self.cleaned_data["waived_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A waiver cannot be dated in the future."))
        return day

