from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from trainees.filters import forget_filter_choices

        from .models import Cohort

        for signal in (post_save, post_delete):
            signal.connect(forget_filter_choices, sender=Cohort)
