"""Trigram indexes for the directory's accent-insensitive search (`LIKE '%word%'`).

PostgreSQL only, and kept out of the models' Meta: SQLite has no trigram index, and a
`GinIndex` declared there would be created on SQLite too. pg_trgm is a trusted extension:
the database owner may create it.
"""

from django.db import migrations

INDEXES = {
    "trainee_search_trgm": "trainees_trainee",
    "assignment_search_trgm": "trainees_assignment",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("trainees", "0002_reference_agencies")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
