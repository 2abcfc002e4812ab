from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trainees.models import Agency, Trainee

from .models import Cohort


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["programme", "code", "name", "starts_on", "ends_on", "capacity"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class EmailChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        return super().to_python((value or "").strip().lower())


class EnrolmentForm(forms.Form):
    trainee = EmailChoiceField(
        label=_("Trainee's email"),
        queryset=Trainee.objects.none(),
        to_field_name="email",
        widget=forms.EmailInput,
        error_messages={"invalid_choice": _("No trainee has this email address.")},
    )
    nominated_by = forms.ModelChoiceField(label=_("Nominated by"), queryset=Agency.objects.none())
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DateInput())

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = Trainee.objects.all()
        self.fields["nominated_by"].queryset = Agency.objects.in_force().order_by("kind", "short_name")


class WithdrawalForm(forms.Form):
    on = forms.DateField(label=_("Withdrawal date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)
