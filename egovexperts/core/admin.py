"""What every admin class of the project shares."""

from django import forms
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export import admin as import_export_admin

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
