"""The one agency resolver: written names to agencies, and agencies to the one in force at a date.

Every report and every import goes through AgencyDirectory, so "Bộ TT&TT", "bo thong tin
va truyen thong", "MIC" and "Tỉnh Hà Giang" mean the same thing everywhere. The whole agency
table (about 120 rows) is loaded in one query and matched in memory.
"""

from __future__ import annotations

import datetime
import difflib
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from egovexperts.core.text import fold

from .models import Agency, Unit

# Words people put before a province or ministry name that do not tell it apart.
_PREFIXES = re.compile(r"^(ubnd |uy ban nhan dan )?(tinh |thanh pho |tp |t p |bo )")
_CODE = re.compile(r"^\d{1,3}$")
_AND = re.compile(r"(?<=\w) va (?=\w)")


@dataclass(frozen=True)
class CarrierSpan:
    """`carrier_id` carries `agency_id` on the days after `after` up to `until` (open if None)."""

    agency_id: int
    carrier_id: int
    after: datetime.date
    until: datetime.date | None


@dataclass(frozen=True, slots=True)
class AsOf:
    """A recorded agency or unit as a page of a date shows it: the one in force on that date, with
    the recorded one beside it when they differ ("Tuyên Quang · recorded: Hà Giang").

    The one display rule of every page and export: str() gives the text, and templates of both
    engines (Django's and Jinja2's) call __html__.
    """

    name: str  # in force on the date
    recorded: str  # as the record was written
    changed: bool  # another agency (or unit) carries the record on the date
    agency: Agency | None = None  # the agency in force, to link to its page (None for a unit)

    @property
    def recorded_label(self) -> str:
        return gettext("recorded: %(name)s") % {"name": self.recorded}

    def __str__(self) -> str:
        return f"{self.name} · {self.recorded_label}" if self.changed else self.name

    def __html__(self) -> SafeString:
        return self.linked(None)

    def linked(self, href: str | None) -> SafeString:
        """The same, the name in force a link to `href` (the agency's page) when given."""
        name = format_html('<a href="{}" class="agency-link">{}</a>', href, self.name) if href else self.name
        if not self.changed:
            return conditional_escape(name)
        return format_html('{} <small class="muted recorded">· {}</small>', name, self.recorded_label)

    @property
    def html(self) -> SafeString:
        """For Django templates, which print other objects than strings through str():
        {{ trainee.agency_as_of.html|default:"—" }}. Jinja2 templates print the object itself."""
        return self.__html__()  # safe: made by conditional_escape or format_html


def compact(name: str) -> str:
    """Folded, without spaces: "TP. Hồ Chí Minh" -> "tphochiminh", "Bộ TT&TT" -> "bottt"."""
    return fold(name).replace(" ", "")


def _keys(text: str) -> set[str]:
    folded = fold(text)
    if not folded:
        return set()
    # "&" folds away while "và" stays: "Bộ KH và CN" and "Bộ KH&CN" must share a key.
    variants = {folded, _AND.sub(" ", folded)}
    return {
        key for variant in variants for key in (variant.replace(" ", ""), _PREFIXES.sub("", variant).replace(" ", ""))
    }


class AgencyDirectory:
    def __init__(self, agencies: Iterable[Agency]):
        self.by_id: dict[int, Agency] = {agency.pk: agency for agency in agencies}
        # as_of() answers, which lists ask for once per row: (agency id, date, name field) -> AsOf.
        self._shown: dict[tuple, AsOf] = {}

    @cached_property
    def _by_key(self) -> dict[str, list[Agency]]:
        """Agencies by folded name, built on the first lookup by name: reports that only follow
        successions (every page that speaks of a date) skip folding some 700 names."""
        by_key: dict[str, list[Agency]] = defaultdict(list)
        for agency in self.by_id.values():
            names = [agency.name_vi, agency.name_en, agency.short_name, *agency.abbreviations]
            for key in set().union(*(_keys(name) for name in names)):
                by_key[key].append(agency)
        return by_key

    @classmethod
    def load(cls) -> AgencyDirectory:
        return cls(Agency.objects.all())

    @classmethod
    def cached(cls) -> AgencyDirectory:
        """The directory loaded once per process, for pages read often (the attendance grid, the
        directory): kept while the agencies' version in the cache stays (every save or deletion
        of an agency or unit changes it, see forget_directory) and ten minutes at most, as
        migrations and bulk writes send no signal and a local-memory cache is not shared between
        processes. Read-only: pages share its agencies."""
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        memo = _memo.get("directory")
        if memo is not None and memo[0] == version and time.monotonic() - memo[1] < KEEP_SECONDS:
            return memo[2]
        directory = cls.load()
        _memo["directory"] = (version, time.monotonic(), directory)
        return directory

    # --- succession ---------------------------------------------------------------

    def in_force(self, agency: Agency | int, on: datetime.date | None = None) -> Agency:
        """The agency that carries `agency` on a date: itself, or the end of its successor chain."""
        on = on or timezone.localdate()
        current = self.by_id[agency] if isinstance(agency, int) else self.by_id.get(agency.pk, agency)
        seen = set()
        while current.valid_to is not None and current.valid_to < on and current.successor_id:
            if current.pk in seen:  # a cycle in edited data must not hang a report
                break
            seen.add(current.pk)
            current = self.by_id[current.successor_id]
        return current

    def carrier(self, agency_id: int, on: datetime.date) -> int:
        """The id of the agency in force that carries `agency_id` on `on`: the commitment rule's
        `carrier` (trainees/commitments.py)."""
        return self.in_force(agency_id, on).pk

    def as_of(self, agency: Agency | int | None, on: datetime.date | None = None, *, name: str = "short_name"):
        """How a page of the date `on` (default today) shows a record written at `agency`: the
        agency in force, with the recorded one beside it when they differ (AsOf); None for none.
        `name` is the field shown: "short_name" in lists, "name_vi" where there is room."""
        if agency is None:
            return None
        agency_id = agency if isinstance(agency, int) else agency.pk
        on = on or timezone.localdate()  # pages with many rows pass it: the zone lookup costs more
        shown = self._shown.get((agency_id, on, name))
        if shown is None:
            recorded = self._known(agency_id)
            current = self.in_force(recorded, on)
            shown = AsOf(getattr(current, name), getattr(recorded, name), current.pk != recorded.pk, current)
            if recorded.pk in self.by_id:
                self._shown[(agency_id, on, name)] = shown
        return shown

    def unit_as_of(self, unit_id: int | None, name: str | None, on: datetime.date | None = None):
        """The same for a unit recorded as (`unit_id`, `name`): units follow their successors too."""
        if unit_id is None:
            return None
        units = self._unit_successions
        if unit_id not in units:
            return AsOf(name or "", name or "", False)
        on = on or timezone.localdate()
        current, seen = units[unit_id], set()
        while current.valid_to is not None and current.valid_to < on and current.successor_id in units:
            if current.pk in seen:
                break
            seen.add(current.pk)
            current = units[current.successor_id]
        return AsOf(current.name, units[unit_id].name, current.pk != unit_id)

    @cached_property
    def _unit_successions(self) -> dict[int, Unit]:
        """The units handed over to a successor and their successors (one query, on first use):
        the few that need following, not every unit."""
        handed_over = Unit.objects.filter(successor__isnull=False)
        chained = Unit.objects.filter(Q(successor__isnull=False) | Q(pk__in=handed_over.values("successor_id")))
        return {unit.pk: unit for unit in chained.only("pk", "name", "valid_to", "successor_id")}

    def _known(self, agency_id: int) -> Agency:
        """An agency by id; one created since the directory was loaded (by another process) is
        read on its own and the kept directory forgotten, rather than failing the page."""
        agency = self.by_id.get(agency_id)
        if agency is None:
            agency = Agency.objects.get(pk=agency_id)
            forget_directory()
        return agency

    def predecessors_of(self, agency: Agency | int) -> list[Agency]:
        """Every agency whose successor chain leads to `agency` (merged or renamed into it, directly
        or through others), nearest first: posts recorded at any of them roll up to it."""
        agency_id = agency if isinstance(agency, int) else agency.pk
        found, frontier = {}, [agency_id]
        while frontier:
            current = frontier.pop(0)
            for candidate in self.by_id.values():
                if candidate.successor_id == current and candidate.pk != agency_id and candidate.pk not in found:
                    found[candidate.pk] = candidate
                    frontier.append(candidate.pk)
        return list(found.values())

    def lineage(self, agency: Agency | int) -> list[Agency]:
        """The agency itself, then its predecessors: what a filter on it must match."""
        agency_id = agency if isinstance(agency, int) else agency.pk
        return [self.by_id[agency_id], *self.predecessors_of(agency_id)]

    def carrier_spans(self) -> list[CarrierSpan]:
        """in_force() as data, for queries that resolve in SQL: for each agency handed over to a
        successor, the days on which another agency carries it. Any (agency, day) not covered is
        carried by the agency itself. tests/trainees/test_agencies.py checks both agree."""
        spans = []
        for agency in self.by_id.values():
            current, after, seen = agency, None, {agency.pk}
            while current.valid_to is not None and current.successor_id and current.successor_id not in seen:
                # Days after every valid_to met so far: in_force() walks on only past all of them.
                after = current.valid_to if after is None else max(after, current.valid_to)
                current = self.by_id[current.successor_id]
                seen.add(current.pk)
                until = current.valid_to if current.valid_to is not None and current.successor_id else None
                if until is None or until > after:
                    spans.append(CarrierSpan(agency.pk, current.pk, after, until))
        return spans

    def agencies_in_force(self, on: datetime.date | None = None, kinds: Iterable[str] | None = None) -> list[Agency]:
        on = on or timezone.localdate()
        kinds = set(kinds) if kinds else None
        return [
            agency
            for agency in self.by_id.values()
            if agency.is_in_force(on) and (kinds is None or agency.kind in kinds)
        ]

    # --- names ----------------------------------------------------------------------

    def resolve(self, name: str, on: datetime.date | None = None) -> Agency | None:
        """The agency a written name or official code means, preferring the one in force on `on`.

        Names of abolished agencies resolve to that abolished agency, as written; callers
        that need today's agency pass the result through in_force().
        """
        on = on or timezone.localdate()
        text = (name or "").strip()
        if _CODE.match(text):
            return self._by_code(text.zfill(2), on)
        candidates = []
        for key in _keys(text):
            candidates.extend(self._by_key.get(key, []))
        candidates = list({agency.pk: agency for agency in candidates}.values())
        if not candidates:
            return None
        in_force = [agency for agency in candidates if agency.is_in_force(on)]
        if len(in_force) == 1:
            return in_force[0]
        if len(in_force) > 1:
            return None  # two agencies in force under one name: let the user be precise
        # None in force on that date: the one that existed closest to it.
        return max(candidates, key=lambda agency: agency.valid_to or datetime.date.max)

    def _by_code(self, code: str, on: datetime.date) -> Agency | None:
        matches = [agency for agency in self.by_id.values() if agency.is_in_force(on) and agency.code_on(on) == code]
        return matches[0] if len(matches) == 1 else None

    def suggest(self, name: str, limit: int = 3) -> list[Agency]:
        """Agencies whose names look like `name`, best first, for "did you mean" messages."""
        key = compact(name)
        if not key:
            return []
        found: dict[int, Agency] = {}
        for candidate_key in sorted(self._by_key, key=len, reverse=True):
            if len(candidate_key) >= 4 and candidate_key in key:
                for agency in self._by_key[candidate_key]:
                    found.setdefault(agency.pk, agency)
        for candidate_key in difflib.get_close_matches(key, self._by_key, n=limit * 2, cutoff=0.6):
            for agency in self._by_key[candidate_key]:
                found.setdefault(agency.pk, agency)
        return list(found.values())[:limit]


VERSION_KEY = "trainees:agency-directory-version"
KEEP_SECONDS = 600
_memo: dict[str, tuple[str, float, AgencyDirectory]] = {}


def forget_directory(**kwargs) -> None:
    """Receiver of the save and delete signals of Agency and Unit (trainees/apps.py): every
    process's kept directory is reloaded at its next use, and again once the change commits
    (a process reading in between would keep the data of before)."""
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


def show_current_posts(trainees: Iterable, *, directory: AgencyDirectory | None = None, on=None) -> None:
    """Set `agency_as_of` and `unit_as_of` (AsOf, or None without a post) on trainees annotated
    by Trainee.objects.with_current_post(): what a page of the date `on` (default today) shows."""
    directory = directory or AgencyDirectory.cached()
    on = on or timezone.localdate()
    for trainee in trainees:
        trainee.agency_as_of = directory.as_of(trainee.current_agency_id, on)
        trainee.unit_as_of = directory.unit_as_of(trainee.current_unit_id, trainee.current_unit_name, on)


def resolve_unit(agency: Agency, name: str, units: Iterable[Unit] | None = None) -> Unit | None:
    """A unit of `agency` written as `name` (folded comparison of names and abbreviations)."""
    key = compact(name)
    if not key:
        return None
    units = agency.units.all() if units is None else units
    for unit in units:
        if unit.agency_id == agency.pk and key in {compact(text) for text in [unit.name, *unit.abbreviations]}:
            return unit
    return None
