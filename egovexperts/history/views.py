from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from egovexperts.core.permissions import organizer_required

from . import restores, selectors
from .forms import RestoreForm
from .kinds import FEEDS


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 and int(value) > 0 else 1


@organizer_required
@vary_on_headers("HX-Request")
def history(request, feed, pk):
    """Who changed what and when on an object: the last changes inside its page (htmx), every
    change a page at a time on a page of its own."""
    feed = FEEDS[feed]
    subject = get_object_or_404(feed.model.objects.all(), pk=pk)
    recent = bool(request.htmx)
    number = 1 if recent else _page_number(request.GET.get("page"))
    per_page = selectors.RECENT if recent else selectors.PER_PAGE
    page = selectors.versions(feed, subject.pk, page=number, per_page=per_page)
    context = {"feed": feed, "subject": subject, "page": page, "recent": recent}
    return render(request, "history/_versions.html" if recent else "history/history.html", context)


@organizer_required
def restore(request, feed, pk, kind, version):
    """Show what restoring a version changes; on confirmation, restore it through the service that
    owns the record, whose rules may refuse it."""
    feed = FEEDS[feed]
    subject = get_object_or_404(feed.model.objects.all(), pk=pk)
    plan = restores.restore_plan(feed, subject.pk, kind, version)
    if plan is None:
        raise Http404
    form = RestoreForm(request.POST if request.method == "POST" else None)
    errors = []
    if form.is_bound and not plan.problem and form.is_valid() and form.cleaned_data["confirm"] == plan.token:
        try:
            plan.kind.restore(plan.record, plan.version.record, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            when = timezone.localtime(plan.version.record.history_date)
            messages.success(request, _("The version of %(date)s is restored.") % {"date": f"{when:%d/%m/%Y %H:%M}"})
            return redirect(feed.page, subject.pk)
    context = {"feed": feed, "subject": subject, "plan": plan, "form": form, "errors": errors}
    return render(request, "history/restore.html", context)
