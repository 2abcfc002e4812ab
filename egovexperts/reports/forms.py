import datetime

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


class CoverageForm(forms.Form):
    """The date a coverage report speaks of: today when none is given."""

    FIRST_DAY = datetime.date(2019, 12, 28)  # the programme was launched that day
    YEARS_AHEAD = 5  # far enough to see every signed commitment end

    on = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_on(self):
        day = self.cleaned_data["on"] or timezone.localdate()
        last = datetime.date(timezone.localdate().year + self.YEARS_AHEAD, 12, 31)
        if not self.FIRST_DAY <= day <= last:
            raise ValidationError(
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": self.FIRST_DAY.strftime("%d/%m/%Y"), "last": last.strftime("%d/%m/%Y")}
            )
        return day
