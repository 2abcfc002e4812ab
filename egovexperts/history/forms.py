from django import forms


class RestoreForm(forms.Form):
    """The confirmation of a restore. `confirm` carries the breaches of commitments the organizer
    saw and accepted, as the post change form's does (trainees.forms.breach_token)."""

    confirm = forms.CharField(required=False, max_length=500)
