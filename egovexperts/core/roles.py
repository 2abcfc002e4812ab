"""The Organizer group and its model permissions: created once, by a data migration.

Afterwards the group is the admins' to change: a permission they take away (the import
permission, say) stays away, and only a later data migration grants anything again. Nothing
runs on `migrate` to "keep it in step". Tests that empty every table (transactional tests)
create the group again through the same function (tests/conftest.py).
"""

from django.db import DEFAULT_DB_ALIAS

from .permissions import ORGANIZER_GROUP

ORGANIZER_APPS = ("trainees", "cohorts", "courses", "imports")


def create_roles(apps, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the Organizer group with every model permission of ORGANIZER_APPS, unless it exists.

    `apps` is a migration's registry of historical models, or `django.apps.apps`.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    if group_model.objects.using(using).filter(name=ORGANIZER_GROUP).exists():
        return
    # Django creates permissions after the last migration (post_migrate): on a fresh database
    # they do not exist yet. The global config only says the app has models; the models and
    # their permissions come from `apps`.
    for label in ORGANIZER_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)
    group = group_model.objects.using(using).create(name=ORGANIZER_GROUP)
    group.permissions.add(*permission_model.objects.using(using).filter(content_type__app_label__in=ORGANIZER_APPS))
