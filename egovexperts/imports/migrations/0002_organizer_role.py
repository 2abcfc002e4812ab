"""The Organizer group, created once with the model permissions of the programme office.

Runs after the models whose permissions it grants; a group that already exists is left as the
admins made it.
"""

from django.db import migrations

from egovexperts.core.roles import create_roles


def create_organizer_role(apps, schema_editor):
    create_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("trainees", "0004_current_post"),
        ("cohorts", "0001_initial"),
        ("courses", "0001_initial"),
        ("imports", "0001_import_run_log"),
    ]

    operations = [migrations.RunPython(create_organizer_role, migrations.RunPython.noop)]
