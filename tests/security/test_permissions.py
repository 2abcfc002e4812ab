"""One permission, the import permission, governs import, confirm and revert everywhere; the
Organizer group is created once, and what an admin takes away from it stays away."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.core.roles import ORGANIZER_APPS
from egovexperts.imports import services
from egovexperts.imports.models import ImportRun
from tests.imports.conftest import fingerprint, xlsx, xlsx_bytes
from trainees.models import Trainee

ROW = ["Lê Cường", "cuong@example.org"]
HEADERS = ["Họ và tên", "Email"]


def _organizer_permissions() -> set[str]:
    return set(Group.objects.get(name=ORGANIZER_GROUP).permissions.values_list("codename", flat=True))


def _take_away_the_import_permission() -> None:
    Group.objects.get(name=ORGANIZER_GROUP).permissions.remove(Permission.objects.get(codename="add_importrun"))


@pytest.fixture
def run(organizer):
    return services.confirm(xlsx([ROW], headers=HEADERS), kind="trainees", user=organizer)


def _revert_in_the_admin(client, run):
    changelist = reverse("admin:imports_importrun_changelist")
    return client.post(changelist, {"action": "revert_runs", "_selected_action": [run.pk]})


def test_organizers_with_the_import_permission_revert_in_the_admin(organizer_client, run):
    _revert_in_the_admin(organizer_client, run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REVERTED
    assert not Trainee.objects.filter(email="cuong@example.org").exists()


def test_organizers_without_the_import_permission_cannot_revert_in_the_admin(organizer_client, run):
    _take_away_the_import_permission()
    changelist = organizer_client.get(reverse("admin:imports_importrun_changelist"))
    assert changelist.status_code == 200  # they still read the log
    assert 'value="revert_runs"' not in changelist.content.decode()

    _revert_in_the_admin(organizer_client, run)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.CONFIRMED
    assert run.reverted_by is None
    assert Trainee.objects.filter(email="cuong@example.org").exists()


def test_organizers_without_the_import_permission_cannot_revert_in_the_workspace(organizer_client, run):
    _take_away_the_import_permission()
    before = fingerprint()
    assert organizer_client.post(reverse("imports:run-revert", args=[run.pk])).status_code == 403
    assert organizer_client.get(reverse("imports:run-detail", args=[run.pk])).status_code == 403
    assert fingerprint() == before


def test_organizers_without_the_import_permission_cannot_confirm_a_preview(organizer_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    file = SimpleUploadedFile("danh-sach.xlsx", xlsx_bytes([ROW], headers=HEADERS))
    preview = organizer_client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": file})
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.content.decode()))
    assert hidden["token"]  # the preview could be confirmed, until the permission went
    _take_away_the_import_permission()
    before = fingerprint()

    assert organizer_client.post(reverse("imports:import-confirm"), hidden).status_code == 403
    assert organizer_client.post(reverse("imports:import-preview"), {"kind": "trainees"}).status_code == 403
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)  # migrate opens SQLite's schema editor, refused inside a transaction
def test_a_permission_taken_away_stays_away_after_migrate(organizer):
    _take_away_the_import_permission()
    call_command("migrate", verbosity=0)
    assert "add_importrun" not in _organizer_permissions()
    organizer = type(organizer).objects.get(pk=organizer.pk)  # no cached permissions
    assert not organizer.has_perm("imports.add_importrun")
    assert organizer.has_perm("imports.view_importrun")


def _permissions_of_the_organizer_apps() -> set[str]:
    return set(Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS).values_list("codename", flat=True))


def test_the_organizer_group_holds_the_permissions_of_the_programme_office(db):
    permissions = _organizer_permissions()
    assert {"add_importrun", "change_session", "add_enrolment", "view_trainee"} <= permissions
    assert permissions == _permissions_of_the_organizer_apps()
    assert not {"add_user", "change_group", "add_permission"} & permissions


@pytest.mark.django_db(transaction=True)
def test_the_migration_creates_the_group_and_its_permissions_on_a_fresh_database():
    # As before the first migrate: no group, no permission of the apps (they are created only
    # after the last migration); the data migration has to create both.
    Group.objects.filter(name=ORGANIZER_GROUP).delete()
    Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS).delete()
    call_command("migrate", "imports", "0001", verbosity=0)

    call_command("migrate", "imports", "0002", verbosity=0)

    group = Group.objects.get(name=ORGANIZER_GROUP)
    assert "add_importrun" in set(group.permissions.values_list("codename", flat=True))
    call_command("migrate", verbosity=0)  # post_migrate adds nothing the migration forgot
    assert _organizer_permissions() == _permissions_of_the_organizer_apps()
