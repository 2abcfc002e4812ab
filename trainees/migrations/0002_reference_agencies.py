from django.db import migrations

from trainees.reference import load_agencies


def load(apps, schema_editor):
    load_agencies(apps.get_model("trainees", "Agency"))


class Migration(migrations.Migration):
    dependencies = [("trainees", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
