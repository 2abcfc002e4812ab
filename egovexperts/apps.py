from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EgovexpertsConfig(AppConfig):
    name = "egovexperts"
    verbose_name = "egovexperts"

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the role is kept in step there
        # (after each app's migrations: the project package itself has no models).
        post_migrate.connect(ensure_roles, dispatch_uid="egovexperts-ensure-roles")
