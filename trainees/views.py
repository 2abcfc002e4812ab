from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from egovexperts.core.permissions import organizer_required

from .agencies import AgencyDirectory
from .forms import PostChangeForm, breach_token
from .models import PostChangeRequest, Trainee
from .selectors import commitment_timeline, post_change_effects, trainee_profile
from .services import record_assignment


@organizer_required
def trainee_detail(request, pk):
    trainee = get_object_or_404(Trainee.objects.with_current_post(), pk=pk)
    profile = trainee_profile(trainee)
    timeline = commitment_timeline(profile["commitments"])
    return render(request, "trainees/trainee_detail.html", {"trainee": trainee, "timeline": timeline, **profile})


def _effects(trainee: Trainee, form: PostChangeForm) -> list:
    """What the change in the form does to the trainee's commitments, once agency and date are valid."""
    if not form.is_bound:
        return []
    form.is_valid()
    agency, starts_on = form.cleaned_data.get("agency"), form.cleaned_data.get("starts_on")
    return post_change_effects(trainee, agency=agency, starts_on=starts_on) if agency and starts_on else []


@organizer_required
def trainee_post_change(request, pk):
    """Record a new post. A change that breaks a commitment is saved only once the organizer has
    seen the breach and ticked its confirmation (the token of the breaches shown, see breach_token)."""
    trainee = get_object_or_404(Trainee.objects.with_current_post(), pk=pk)
    agencies = AgencyDirectory.cached()
    current = agencies.as_of(trainee.current_agency_id)  # today's agency, the recorded one beside it
    form = PostChangeForm(request.POST or None, initial={"agency": current.agency.pk if current else None})
    effects = _effects(trainee, form)
    token = breach_token(effects)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["confirm"] == token:
        try:
            record_assignment(trainee, **form.assignment())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The new post is recorded."))
            return redirect("trainees:trainee-detail", pk=trainee.pk)
    pending = PostChangeRequest.objects.filter(trainee=trainee, status=PostChangeRequest.Status.PENDING)
    context = {"trainee": trainee, "current": current, "form": form, "effects": effects, "token": token}
    context["pending"] = pending
    return render(request, "trainees/trainee_post_change.html", context)


@organizer_required
def trainee_post_change_check(request, pk):
    """The units of the agency chosen and what the change does to the commitments, as the form is
    filled in (htmx); reads only."""
    trainee = get_object_or_404(Trainee.objects.all(), pk=pk)
    form = PostChangeForm(request.GET)
    effects = _effects(trainee, form)
    context = {"form": form, "effects": effects, "token": breach_token(effects)}
    return render(request, "trainees/_post_change_live.html", context)
