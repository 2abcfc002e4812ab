"""The delivery log in the organizers' workspace: every message, its text, re-sends, what comes next."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from egovexperts.core.permissions import organizer_required

from . import selectors, services
from .filters import MessageFilter, kind_label, kinds_in_log
from .models import OutboundMessage


@organizer_required
def message_list(request):
    filterset = MessageFilter(request.GET or None, kinds=kinds_in_log())
    page = selectors.log_page(filterset, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "tab": "log"}
    return render(request, "notifications/message_list.html", context)


@organizer_required
def message_detail(request, pk):
    message = get_object_or_404(OutboundMessage, pk=pk)
    context = {
        "message": message,
        "text": selectors.shown_text(message),
        "chain": selectors.message_chain(message),
        "refusal": services.resend_refusal(message),
        "kind_label": kind_label(message.kind),
        "hides_link": message.kind in services.LINK_KINDS,
        "tab": "log",
    }
    return render(request, "notifications/message_detail.html", context)


@require_POST
@organizer_required
def message_resend(request, pk):
    message = get_object_or_404(OutboundMessage.objects.select_related("resent_from"), pk=pk)
    try:
        copy = services.resend_message(message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A copy of the message to %(recipient)s is on its way (#%(id)s).")
            % {
                "recipient": copy.recipient,
                "id": copy.pk,
            },
        )
    return redirect("notifications:message-list")


@require_POST
@organizer_required
def message_retry_failed(request):
    count = services.retry_failed()
    if count:
        messages.success(
            request,
            ngettext("%(count)d failed message is queued again.", "%(count)d failed messages are queued again.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("No failed message is waiting to be sent again."))
    return redirect("notifications:message-list")


class UpcomingForm(forms.Form):
    kind = forms.CharField(required=False, max_length=40)
    recipient = forms.CharField(required=False, max_length=254)


@organizer_required
def upcoming(request):
    form = UpcomingForm(request.GET)
    wanted = form.cleaned_data if form.is_valid() else {}
    plan = selectors.upcoming(
        kind=wanted.get("kind", ""), recipient=wanted.get("recipient", ""), number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"plan": plan, "page": plan.page, "form": form, "query": query.urlencode(), "tab": "upcoming"}
    return render(request, "notifications/upcoming.html", context)
