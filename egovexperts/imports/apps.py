from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "egovexperts.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self):
        # Wired from above: the domain apps' admins export with this package's resources
        # (formula-escaped, the import template's columns) without importing it.
        from django.contrib import admin

        from cohorts.models import Enrolment
        from trainees.models import RetentionCommitment, Trainee

        from .exports import CommitmentExportResource, EnrolmentExportResource, TraineeExportResource

        for model, resource in (
            (Trainee, TraineeExportResource),
            (RetentionCommitment, CommitmentExportResource),
            (Enrolment, EnrolmentExportResource),
        ):
            admin.site.get_model_admin(model).resource_classes = [resource]
