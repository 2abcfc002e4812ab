from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from trainees.models import Agency

        from .directory import forget_filter_choices
        from .models import Cohort

        for signal in (post_save, post_delete):
            for model in (Cohort, Agency):
                signal.connect(forget_filter_choices, sender=model)
