"""Reads of versions for the history pages, in a fixed number of queries whatever their number:
one for the page's versions across the feed's tables, then per kind on the page one for the
versions with whether a later one exists, one for the versions before them (their diffs) and
one per model of the records they name."""

from dataclasses import dataclass, field

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .kinds import Feed, Kind
from .labels import Names, field_label, shown

PER_PAGE = 50
RECENT = 10  # on the object's own page

CREATED = object()  # the "old value" of a field in a record's first version
ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str | None  # None: the value a record was created with
    new: str


@dataclass
class Version:
    kind: Kind
    record: object  # the row of simple_history's table
    latest: bool  # the record's last version: its current state
    title: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> str:
        return str(ACTIONS.get(self.record.history_type, ""))

    @property
    def reason(self) -> str:
        return self.record.history_change_reason or ""

    @property
    def who(self) -> str:
        """The user who made the change; else the run that did (an import's reason); else the system."""
        user = self.record.history_user
        if user is not None:
            return user.get_full_name() or user.email or user.get_username()
        return self.reason or _("system")

    @property
    def why(self) -> str:
        return self.reason if self.record.history_user is not None else ""

    @property
    def restorable(self) -> bool:
        return not self.latest and self.record.history_type != "-"


@dataclass(frozen=True)
class VersionPage:
    versions: list[Version]
    number: int
    has_next: bool


def _sources(feed: Feed, object_id: int) -> list[tuple[Kind, object]]:
    return [(kind, kind.history.filter(**{feed.sources[kind.name]: object_id})) for kind in feed.kinds()]


def _newest_first(sources, offset: int, limit: int) -> list[tuple[int, int]]:
    """(source index, history id) of the feed's versions on the page, newest first: one query,
    a UNION of the kinds' tables."""
    keys = [
        # Without the history tables' default ordering: SQLite refuses ORDER BY inside a UNION.
        versions.order_by()
        .annotate(source=Value(index, output_field=IntegerField()))
        .values_list("history_date", "history_id", "source")
        for index, (_kind, versions) in enumerate(sources)
    ]
    union = keys[0].union(*keys[1:], all=True) if len(keys) > 1 else keys[0]
    rows = union.order_by("-history_date", "-history_id")[offset : offset + limit]
    return [(source, history_id) for _date, history_id, source in rows]


def _same_record(kind: Kind):
    return kind.history.filter(id=OuterRef("id"))


def _with_neighbours(kind: Kind, history_ids: list[int]):
    """The versions, each with the id of the one before it and whether one came after."""
    earlier = _same_record(kind).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    later = _same_record(kind).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    previous = Subquery(earlier.order_by("-history_date", "-history_id").values("history_id")[:1])
    return (
        kind.history.filter(history_id__in=history_ids)
        .select_related("history_user")
        .annotate(previous_id=previous, superseded=Exists(later))
    )


def _changes(kind: Kind, record, before) -> list[tuple]:
    """(field, old value, new value) of each shown field the version changed; with no version
    before it, the values the record was created with (old: CREATED); nothing for a deletion."""
    fields = {own.name: own for own in kind.shown_fields()}
    if record.history_type == "-":
        return []
    if before is None:
        values = [(own, getattr(record, own.attname)) for own in fields.values()]
        return [(own, CREATED, value) for own, value in values if value not in (None, "", False)]
    delta = record.diff_against(before, included_fields=list(fields))
    order = list(fields)
    changes = sorted(delta.changes, key=lambda change: order.index(change.field))
    return [(fields[change.field], change.old, change.new) for change in changes]


def versions(feed: Feed, object_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> VersionPage:
    """The feed's versions, newest first, each with its changes as people read them."""
    sources = _sources(feed, object_id)
    keys = _newest_first(sources, (page - 1) * per_page, per_page + 1)
    has_next, keys = len(keys) > per_page, keys[:per_page]
    by_source: dict[int, list[int]] = {}
    for source, history_id in keys:
        by_source.setdefault(source, []).append(history_id)

    found, names = {}, Names()
    for source, history_ids in by_source.items():
        kind = sources[source][0]
        records = list(_with_neighbours(kind, history_ids))
        before = kind.history.in_bulk([record.previous_id for record in records if record.previous_id])
        for record in records:
            changes = _changes(kind, record, before.get(record.previous_id))
            for own, old, new in changes:
                if own.is_relation:
                    names.want(own.related_model, None if old is CREATED else old)
                    names.want(own.related_model, new)
            for name in kind.named:
                own = kind.model._meta.get_field(name)
                names.want(own.related_model, getattr(record, own.attname))
            found[(source, record.history_id)] = (kind, record, changes)
    names.load()

    page_versions = []
    for key in keys:
        kind, record, changes = found[key]
        version = Version(kind, record, latest=not record.superseded)
        version.title = kind.title(record, namer(kind, record, names))
        version.changes = [
            Change(
                own.name, field_label(own), None if old is CREATED else shown(own, old, names), shown(own, new, names)
            )
            for own, old, new in changes
        ]
        page_versions.append(version)
    return VersionPage(page_versions, page, has_next)


def namer(kind: Kind, record, names: Names):
    def name(field_name: str) -> str:
        own = kind.model._meta.get_field(field_name)
        return names.of(own.related_model, getattr(record, own.attname))

    return name
