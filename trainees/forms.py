from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, Assignment, Unit

# A move without a new post (resignation, retirement) is no post change: end_assignment() records it.
CHANGE_REASONS = [
    (value, label)
    for value, label in Assignment.Reason.choices
    if value not in (Assignment.Reason.RESIGNED, Assignment.Reason.RETIRED)
]


class PostChangeForm(forms.Form):
    """A new post recorded by an organizer. `confirm` carries the breaches the organizer saw and
    accepted (see breach_token): a breach not shown, or another one, is not confirmed."""

    agency = forms.ModelChoiceField(
        label=_("New agency"), queryset=Agency.objects.in_force().order_by("kind", "short_name")
    )
    starts_on = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = forms.ModelChoiceField(label=_("New unit"), queryset=Unit.objects.none(), required=False)
    position = forms.CharField(label=_("New position"), max_length=200)
    reason = forms.ChoiceField(label=_("Reason"), choices=CHANGE_REASONS, initial=Assignment.Reason.TRANSFERRED)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    confirm = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The units of the agency chosen (or proposed): the list follows the agency.
        agency = self["agency"].value() if self.is_bound else self.initial.get("agency")
        agency_id = str(getattr(agency, "pk", agency) or "")
        units = Unit.objects.in_force().order_by("name")
        known = agency_id.isdigit() and len(agency_id) < 10  # an id, not a number the database refuses
        self.fields["unit"].queryset = units.filter(agency_id=int(agency_id)) if known else units.none()

    def assignment(self) -> dict:
        """The keyword arguments of record_assignment()."""
        fields = ("agency", "unit", "position", "starts_on", "reason", "note")
        return {name: self.cleaned_data[name] for name in fields}


def breach_token(effects) -> str:
    """What the organizer confirms: the commitments broken and the day, e.g. "12:2026-12-05"."""
    return ",".join(f"{effect.commitment.pk}:{effect.broken_on:%Y-%m-%d}" for effect in effects if effect.broken_on)
