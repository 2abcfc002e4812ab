import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.imports import services
from egovexperts.imports.exports import TraineeExportResource
from egovexperts.imports.models import ImportRun
from tests.factories import AssignmentFactory, TraineeFactory, UserFactory
from tests.imports.conftest import xlsx
from trainees.models import Trainee


def test_admin_export_pages_open(admin_client, db):
    for name in ("trainees_trainee", "trainees_retentioncommitment", "cohorts_enrolment"):
        assert admin_client.get(reverse(f"admin:{name}_export")).status_code == 200


def test_the_admins_trainee_resource_escapes_formulas_and_shows_the_current_post(db):
    AssignmentFactory(trainee=TraineeFactory(full_name="=2+5"), position="Phó giám đốc")
    dataset = TraineeExportResource().export(Trainee.objects.all())
    assert dataset.dict[0]["Họ và tên"] == "'=2+5"
    assert dataset.dict[0]["Chức vụ"] == "Phó giám đốc"


def test_the_import_log_in_the_admin_reverts_runs(admin_client, admin_user, organizer):
    run = services.confirm(
        xlsx([["Lê Cường", "cuong@example.org"]], headers=["Họ và tên", "Email"]), kind="trainees", user=organizer
    )
    changelist = reverse("admin:imports_importrun_changelist")
    assert reverse("imports:index") in admin_client.get(changelist).content.decode()
    admin_client.post(changelist, {"action": "revert_runs", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REVERTED
    assert not Trainee.objects.filter(email="cuong@example.org").exists()


IMPORT_LINK = 'href="/imports/'
ADMIN_IMPORTS = [
    ("trainees_trainee", "trainees"),
    ("courses_session", "schedule"),
    ("courses_attendance", "attendance"),
]


@pytest.mark.django_db  # the persona is a database fixture taken by name, which pytest-django cannot see
@pytest.mark.parametrize("persona", ["admin_user", "organizer"])
@pytest.mark.parametrize("changelist, kind", ADMIN_IMPORTS)
def test_the_admin_changelists_offer_the_import_page_with_the_kind_chosen(client, request, persona, changelist, kind):
    client.force_login(request.getfixturevalue(persona))
    link = f"{reverse('imports:index')}?kind={kind}"
    assert f'href="{link}"' in client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    page = client.get(link).content.decode()
    assert f'<option value="{kind}" selected>' in page


def test_the_import_page_ignores_a_kind_it_does_not_know(admin_client):
    page = admin_client.get(reverse("imports:index") + "?kind=zzz").content.decode()
    assert '<option value="trainees" selected>' in page


@pytest.mark.parametrize("changelist, kind", ADMIN_IMPORTS)
def test_staff_without_the_import_permission_see_no_import_button_and_may_not_import(client, db, changelist, kind):
    app_label, model_name = changelist.split("_")
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename=f"view_{model_name}", content_type__app_label=app_label))
    client.force_login(user)
    page = client.get(reverse(f"admin:{changelist}_changelist"))
    assert page.status_code == 200
    assert IMPORT_LINK not in page.content.decode()
    assert client.get(f"{reverse('imports:index')}?kind={kind}").status_code == 403


def test_organizers_without_the_import_permission_see_no_import_button(client, db):
    group = Group.objects.get(name=ORGANIZER_GROUP)
    group.permissions.remove(Permission.objects.get(codename="add_importrun"))
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    assert IMPORT_LINK not in client.get(reverse("admin:trainees_trainee_changelist")).content.decode()
    assert IMPORT_LINK not in client.get(reverse("admin:imports_importrun_changelist")).content.decode()
    assert client.get(reverse("imports:index")).status_code == 403
