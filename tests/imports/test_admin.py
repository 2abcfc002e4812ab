from django.urls import reverse

from egovexperts.imports import services
from egovexperts.imports.exports import TraineeExportResource
from egovexperts.imports.models import ImportRun
from tests.factories import AssignmentFactory, TraineeFactory
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
