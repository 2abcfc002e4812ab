"""The delivery log's filters (django-filter): kind, status, recipient, dates."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import OutboundMessage

# Names of the kinds organizers read; a kind missing here shows its code.
KIND_LABELS = {
    "invitation": _("Invitation"),
    "password_reset": _("Password reset"),
    "session_changed": _("Session change"),
    "session_reminder": _("Session reminder"),
    "missing_attendance": _("Attendance not taken"),
    "at_risk": _("Trainee at risk"),
    "commitment_ending": _("Commitment ending"),
    "commitment_fulfilled": _("Commitment fulfilled"),
    "commitment_broken": _("Commitment broken"),
    "weekly_digest": _("Weekly digest"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class DateInput(forms.DateInput):
    input_type = "date"


class MessageFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=[], empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OutboundMessage.Status.choices, empty_label=_("All")
    )
    recipient = django_filters.CharFilter(label=_("Recipient"), lookup_expr="icontains", max_length=254)
    # The day a message went out, or is (was) due to if it did not: the day organizers look for.
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="day", lookup_expr="date__gte", widget=DateInput(format="%Y-%m-%d")
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="day", lookup_expr="date__lte", widget=DateInput(format="%Y-%m-%d")
    )

    class Meta:
        model = OutboundMessage
        fields = ["kind", "status", "recipient", "date_from", "date_to"]

    def __init__(self, data=None, *, kinds: list[str], **kwargs):
        queryset = OutboundMessage.objects.annotate(day=Coalesce("sent_at", "due_at")).order_by("-pk")
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["kind"].extra["choices"] = [(kind, kind_label(kind)) for kind in kinds]


KINDS_KEY = "notifications:log-kinds"
KINDS_SECONDS = 600


def kinds_in_log() -> list[str]:
    """Every kind the outbox holds, for the kind filter. Kept ten minutes: new kinds come with new
    code, and reading them scans the table (about 90 ms at 300,000 messages on PostgreSQL)."""
    kinds = cache.get(KINDS_KEY)
    if kinds is None:
        kinds = sorted(OutboundMessage.objects.order_by().values_list("kind", flat=True).distinct())
        cache.set(KINDS_KEY, kinds, KINDS_SECONDS)
    return kinds
