"""Restoring a past version of a record: the helpers each app's `restore_<thing>` service shares.

A version is a row of django-simple-history's table of the model. The services copy from it only
the fields they name: what a version says of any other field (an account link, a secret, a
derived column) never comes back. Imports no app.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def check_version(record, version) -> None:
    """The version is one of this record's own and records a state, not the record's deletion."""
    if version.instance_type is not type(record) or version.id != record.pk:
        raise ValueError(f"{version!r} is not a version of {record!r}")
    if version.history_type == "-":
        raise deletion()


def differing(record, version, fields) -> list[str]:
    """The fields among `fields` whose value differs between the record and the version."""
    check_version(record, version)
    attnames = {name: record._meta.get_field(name).attname for name in fields}
    return [name for name, attname in attnames.items() if getattr(record, attname) != getattr(version, attname)]


def copy_version(record, version, fields) -> list[str]:
    """Set the record's `fields` to the version's values; the names of those that changed."""
    changed = differing(record, version, fields)
    for name in changed:
        attname = record._meta.get_field(name).attname
        setattr(record, attname, getattr(version, attname))
    return changed


def deletion() -> ValidationError:
    return ValidationError(_("This version records a deletion: there is nothing to restore."))


def unchanged() -> ValidationError:
    return ValidationError(_("The record already has this version's values: there is nothing to restore."))


def user_label(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def restore_reason(version, by) -> str:
    """The history's reason for a restore, e.g. "Restored version of 04/12/2025 09:30 by Lan"."""
    when = f"{timezone.localtime(version.history_date):%d/%m/%Y %H:%M}"
    return _("Restored version of %(date)s by %(user)s") % {"date": when, "user": user_label(by)}


def mark_restored(record, version, by) -> str:
    """Have the history row the record's next save writes name the restore and who did it."""
    record._change_reason = restore_reason(version, by)
    record._history_user = by
    return record._change_reason
