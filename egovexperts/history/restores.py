"""What restoring a version would do, for the confirmation an organizer sees before it is done:
the values that come back, the commitments a post's restore breaks, why it cannot be done."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from egovexperts.core import versions
from trainees.agencies import AgencyDirectory
from trainees.commitments import Post, newly_broken
from trainees.forms import breach_token
from trainees.models import Assignment, RetentionCommitment
from trainees.selectors import PostChangeEffect, evaluate_commitment

from .kinds import KINDS, Feed, Kind
from .labels import Names, field_label, shown
from .selectors import Change, Version, namer

# Restored session fields whose change the session's trainees are told of.
TOLD = {"starts_at", "ends_at", "status"}


@dataclass
class RestorePlan:
    version: Version
    record: models.Model | None  # the record as it is now (None: gone since)
    changes: list[Change] = field(default_factory=list)  # now (old) -> the version's value (new)
    effects: list[PostChangeEffect] = field(default_factory=list)  # commitments a post's restore breaks
    problem: str = ""  # why it cannot be restored

    @property
    def kind(self) -> Kind:
        return self.version.kind

    @property
    def token(self) -> str:
        """The breaches the organizer confirms, as the post change form has them confirmed."""
        return breach_token(self.effects)

    @property
    def tells_trainees(self) -> bool:
        return self.kind.name == "session" and any(change.field in TOLD for change in self.changes)


def restore_plan(feed: Feed, object_id: int, kind_name: str, history_id: int) -> RestorePlan | None:
    """The plan of restoring a version of one of the feed's records; None unless the version is
    one of the object's (another object's, another kind's: not found)."""
    if kind_name not in feed.sources:
        return None
    kind = KINDS[kind_name]
    lookup = {feed.sources[kind_name]: object_id, "history_id": history_id}
    found = kind.history.filter(**lookup).select_related("history_user").first()
    if found is None:
        return None
    record = kind.model._default_manager.filter(pk=found.id).first()
    plan = RestorePlan(Version(kind, found, latest=False), record)
    names, fields = Names(), []
    if found.history_type == "-":
        plan.problem = versions.deletion().message
    elif record is None:
        plan.problem = _("This record no longer exists: it cannot be restored here.")
    else:
        changed = versions.differing(record, found, kind.restored(record, found))
        fields = [kind.model._meta.get_field(name) for name in changed]
    for own in [kind.model._meta.get_field(name) for name in kind.named] + fields:
        if not own.is_relation:
            continue
        names.want(own.related_model, getattr(found, own.attname))
        names.want(own.related_model, getattr(record, own.attname, None))
    names.load()
    plan.version.title = kind.title(found, namer(kind, found, names))
    plan.changes = [
        Change(
            own.name,
            field_label(own),
            shown(own, getattr(record, own.attname), names),
            shown(own, getattr(found, own.attname), names),
        )
        for own in fields
    ]
    if not plan.problem and not plan.changes:
        plan.problem = versions.unchanged().message
    elif plan.changes and kind.name == "post":
        plan.effects = post_breaches(record, found)
    return plan


def post_breaches(post: Assignment, version) -> list[PostChangeEffect]:
    """The commitments that restoring the post's version breaks: each commitment evaluated over
    its whole period with the posts as they are and as they would be, the rule
    trainees.services alerts with."""
    commitments = list(
        RetentionCommitment.objects.filter(trainee_id=post.trainee_id, waived_on__isnull=True).select_related("agency")
    )
    if not commitments:
        return []
    directory = AgencyDirectory.cached()
    posts = list(Assignment.objects.filter(trainee_id=post.trainee_id).order_by("starts_on", "pk"))
    restored = [
        Post(version.agency_id, version.starts_on, version.ends_on)
        if other.pk == post.pk
        else Post(other.agency_id, other.starts_on, other.ends_on)
        for other in posts
    ]
    effects = []
    for commitment in sorted(commitments, key=lambda commitment: (commitment.ends_on, commitment.pk)):
        before = evaluate_commitment(commitment, posts=posts, directory=directory, today=commitment.ends_on)
        after = evaluate_commitment(commitment, posts=restored, directory=directory, today=commitment.ends_on)
        broken_on = newly_broken(before, after)
        if broken_on:
            carried_by = directory.in_force(commitment.agency_id, broken_on)
            effects.append(
                PostChangeEffect(commitment, broken_on, (commitment.ends_on - broken_on).days, None, carried_by)
            )
    return effects
