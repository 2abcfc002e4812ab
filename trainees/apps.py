from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "trainees"
    verbose_name = _("Trainees")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .agencies import forget_directory
        from .models import Agency, Unit

        for signal in (post_save, post_delete):
            for model in (Agency, Unit):
                signal.connect(forget_directory, sender=model)

        from . import reminders

        reminders.register()  # commitment notices: 90 and 30 days before the end, fulfilled
