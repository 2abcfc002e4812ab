"""The Organizer group and its model permissions, kept in step after every migrate."""

from .permissions import ORGANIZER_GROUP

ORGANIZER_APPS = ("trainees", "cohorts", "courses", "imports")


def ensure_roles(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=ORGANIZER_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS))
