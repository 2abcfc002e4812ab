"""The site menu: every page a persona may open is reachable from it, and it marks where the user is."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from egovexperts.core.navigation import ENTRIES, entry_of
from egovexperts.core.permissions import ORGANIZER_GROUP
from tests.factories import CohortFactory
from tests.test_access_matrix import ORGANIZER, TRAINEE, access_of, routes

ORGANIZER_PAGES = [
    "reports:dashboard",
    "courses:curriculum",
    "portal:library",
    "cohorts:cohort-list",
    "trainees:trainee-list",
    "portal:organizer-post-changes",
    "portal:organizer-invitations",
    "imports:index",
    "reports:coverage",
    "notifications:message-list",
    "reports:commitments",
]
TRAINEE_PAGES = ["portal:schedule", "portal:progress", "portal:network", "portal:profile", "portal:library"]


def menu(response) -> dict[str, str | None]:
    """href -> aria-current of each link of the site header."""
    html = response.content.decode()
    header = html[html.index('<header class="container site-header">') : html.index("</header>")]
    return {
        href: current or None for href, current in re.findall(r'<a href="([^"]+)"(?: aria-current="(\w+)")?', header)
    }


def _urls(names):
    return {reverse(name) for name in names}


def test_every_workspace_and_portal_page_belongs_to_a_menu_entry():
    lost = [
        route.full_name
        for route in routes()
        if access_of(route) in (ORGANIZER, TRAINEE) and entry_of(route.full_name) is None
    ]
    assert lost == []
    assert {entry_of(name) for _section, name in ENTRIES.values()} == set(ENTRIES)


def test_the_organizer_menu_links_every_workspace_page_but_not_the_admin(organizer_client):
    links = menu(organizer_client.get(reverse("reports:dashboard")))
    assert _urls(ORGANIZER_PAGES) <= set(links)
    assert reverse("admin:index") not in links


def test_the_admin_menu_also_links_the_django_admin(admin_client):
    links = menu(admin_client.get(reverse("reports:dashboard")))
    assert _urls([*ORGANIZER_PAGES, "admin:index"]) <= set(links)


def test_the_trainee_menu_links_their_pages_and_no_workspace_page(trainee_client):
    links = menu(trainee_client.get(reverse("portal:schedule")))
    assert _urls(TRAINEE_PAGES) <= set(links)
    assert not _urls(ORGANIZER_PAGES) - _urls(TRAINEE_PAGES) & set(links)


def test_an_organizer_who_is_also_a_trainee_finds_both_menus(trainee_client, trainee):
    trainee.user.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    links = menu(trainee_client.get(reverse("reports:dashboard")))
    assert _urls([*ORGANIZER_PAGES, *TRAINEE_PAGES]) <= set(links)


def test_visitors_find_the_library_and_the_sign_in_page(client, db):
    links = menu(client.get(reverse("portal:library")))
    assert {reverse("portal:library"), reverse("account_login")} <= set(links)
    assert links[reverse("portal:library")] == "page"


def test_a_list_page_is_marked_as_the_current_page_and_its_section_as_current(organizer_client):
    response = organizer_client.get(reverse("cohorts:cohort-list"))
    assert menu(response)[reverse("cohorts:cohort-list")] == "page"
    assert '<summary aria-current="true">Trainees</summary>' in response.content.decode()
    assert menu(response)[reverse("reports:dashboard")] is None


def test_a_page_reached_from_an_entry_marks_that_entry(organizer_client):
    cohort = CohortFactory()
    links = menu(organizer_client.get(reverse("cohorts:cohort-detail", args=[cohort.pk])))
    assert links[reverse("cohorts:cohort-list")] == "true"
    assert [href for href, current in links.items() if current] == [reverse("cohorts:cohort-list")]


@pytest.mark.parametrize("name", ["portal:progress", "portal:profile"])
def test_trainee_pages_mark_their_entry(trainee_client, name):
    assert menu(trainee_client.get(reverse(name)))[reverse(name)] == "page"
