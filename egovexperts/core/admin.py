"""What every admin class of the project shares."""

from django import forms
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from import_export import admin as import_export_admin
from simple_history.admin import SimpleHistoryAdmin

# Links typed without a scheme ("zoom.us/j/123") are read as https, as the workspace's forms do.
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's autocomplete widget looks up the submitted values as they are, so a form posted
    again with a key that is not a number ("abc") raised ValueError instead of showing the
    field's error. Values the key field cannot read are left out of the lookup."""

    def optgroups(self, name, value, attr=None):
        key_field = self.field.target_field
        return super().optgroups(name, [item for item in value if _readable(key_field, item)], attr)


def _readable(field, value) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class AutocompleteMixin:
    """Admin classes with `autocomplete_fields` draw them with the widget above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CheckedModelForm(forms.ModelForm):
    """An admin form that applies, after the model's own validation, the rules the workspace's
    service applies to the same object: `check` takes the instance and raises ValidationError.
    The admin then writes nothing the workspace would refuse."""

    @staticmethod
    def check(instance) -> None:
        pass

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return  # the rules read fields that must be valid first
        try:
            self.check(self.instance)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                self.add_error(None, error)
                return
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


class ExportActionMixin(import_export_admin.ExportActionMixin):
    """Exports of the filtered change list. A filter the model does not have (a hand-edited
    query string) is answered as the change list answers it, not with a server error."""

    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            opts = self.model._meta
            return HttpResponseRedirect(
                f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{ERROR_FLAG}=1"
            )


class ImportButtonMixin:
    """An "Import a file" button on the change list, to the import page preset to `import_kind`:
    files go through its preview, its confirm in one transaction and its log, never past them."""

    import_kind = ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "import_kind": self.import_kind})


class HistoryAdmin(SimpleHistoryAdmin):
    """The history of a record, to read. A past version is put back through the workspace's
    "restore this version", which goes through the record's service: the history form saves it
    as it stands. SIMPLE_HISTORY_REVERT_DISABLED takes away its button; the form still accepts a
    post, which is refused here."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)


class KeptRecordsMixin:
    """A delete that would lose records is refused with its reason. Records that refer to the
    one to delete by a protecting key are listed by Django's delete page and "delete selected";
    `check_delete` adds what the owning service refuses (a course with sessions), whose `delete`
    then deletes. Nothing is deleted while the list is not empty.

    Django would name instead the kinds of records the user may not delete, when the protecting
    ones are among them (sessions, say): those would not be deleted, and the page must say why
    the record stays."""

    @staticmethod
    def check_delete(obj) -> None:
        pass

    @staticmethod
    def delete(obj) -> None:
        obj.delete()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            try:
                self.check_delete(obj)
            except ValidationError as error:
                protected.append(f"{obj}: {' '.join(error.messages)}")
        return deleted, counts, set() if protected else perms_needed, protected

    def delete_model(self, request, obj):
        self.delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj)
