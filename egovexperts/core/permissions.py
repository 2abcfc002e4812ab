"""Roles and who may see what. Imports no app.

Admins are superusers; organizers are members of the "Organizer" group (which carries the
model permissions of the programme office); trainees are users linked to a Trainee record.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

ORGANIZER_GROUP = "Organizer"
IMPORT_PERMISSION = "imports.add_importrun"


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def is_organizer(user) -> bool:
    """Admins see everything organizers see."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organizer", None)
    if cached is None:
        cached = user._is_organizer = user.groups.filter(name=ORGANIZER_GROUP).exists()
    return cached


def organizers():
    """Active organizers and admins: who the programme office's mail goes to (one query)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name=ORGANIZER_GROUP), is_active=True)
    return users.exclude(email="").distinct().order_by("email")


def can_import(user) -> bool:
    """Organizers and admins who hold the import permission load files (and see the buttons to)."""
    return is_organizer(user) and user.has_perm(IMPORT_PERMISSION)


def is_trainee(user) -> bool:
    return user.is_authenticated and hasattr(user, "trainee")


def organizer_required(view):
    """Anonymous users go to the login page; signed-in non-organizers get 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_organizer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def trainee_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_trainee(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def roles(request):
    """Template context: which parts of the navigation to show."""
    user = request.user
    return {
        "is_organizer": is_organizer(user),
        "is_admin": is_admin(user),
        "is_trainee": is_trainee(user),
        # Lazy: reading permissions costs a query, and only the pages with import buttons ask.
        "can_import": SimpleLazyObject(lambda: can_import(user)),
    }
