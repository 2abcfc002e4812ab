"""Where the current page sits in the menu of templates/_navigation.html.

The menu marks its entry (and, for the organizer menus, the section holding it) with
aria-current: "page" on the entry's own page, "true" on the pages reached from it.
"""

from fnmatch import fnmatchcase

# Menu entry: (section of the menu, URL name of the entry's own page).
ENTRIES = {
    "dashboard": ("dashboard", "reports:dashboard"),
    "curriculum": ("training", "courses:curriculum"),
    "library": ("training", "portal:library"),
    "cohorts": ("trainees", "cohorts:cohort-list"),
    "directory": ("trainees", "trainees:trainee-list"),
    "post-changes": ("trainees", "portal:organizer-post-changes"),
    "commitments": ("trainees", "reports:commitments"),
    "coverage": ("trainees", "reports:coverage"),
    "accounts": ("trainees", "portal:organizer-invitations"),
    "imports": ("imports", "imports:index"),
    "messages": ("messages", "notifications:message-list"),
    "schedule": ("learning", "portal:schedule"),
    "progress": ("learning", "portal:progress"),
    "network": ("learning", "portal:network"),
    "profile": ("learning", "portal:profile"),
}

# URL names ("namespace:name", shell-style patterns) -> the entry their page belongs to; the
# first match wins. tests/test_navigation.py fails when a workspace or portal page has none.
PAGES = [
    ("reports:commitment*", "commitments"),
    ("reports:coverage*", "coverage"),
    ("reports:agency", "coverage"),  # reached from the coverage tables
    ("reports:*", "dashboard"),
    ("courses:*", "curriculum"),
    ("portal:library", "library"),
    ("portal:material-download", "library"),
    ("cohorts:*", "cohorts"),
    ("trainees:*", "directory"),
    ("portal:organizer-post-change*", "post-changes"),
    ("portal:organizer-invitation*", "accounts"),
    ("imports:*", "imports"),
    ("notifications:*", "messages"),
    ("portal:schedule", "schedule"),
    ("portal:absence-notice*", "schedule"),
    ("portal:session-ics", "schedule"),
    ("portal:calendar-token-regenerate", "schedule"),
    ("portal:progress", "progress"),
    ("portal:network", "network"),
    ("portal:profile", "profile"),
    ("portal:post-change-request", "profile"),
    # An object's history belongs where the object's page does.
    ("history:trainee*", "directory"),
    ("history:session*", "curriculum"),
    ("history:cohort*", "cohorts"),
]


def entry_of(view_name: str) -> str | None:
    return next((entry for pattern, entry in PAGES if fnmatchcase(view_name, pattern)), None)


def navigation(request):
    """Template context: `nav_entry`, `nav_section` and `nav_current` (the aria-current value)."""
    match = getattr(request, "resolver_match", None)
    entry = entry_of(match.view_name) if match else None
    if entry is None:
        return {"nav_entry": None, "nav_section": None, "nav_current": None}
    section, own_page = ENTRIES[entry]
    return {
        "nav_entry": entry,
        "nav_section": section,
        "nav_current": "page" if match.view_name == own_page else "true",
    }
