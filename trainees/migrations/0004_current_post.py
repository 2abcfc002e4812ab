"""The post each trainee holds today, pointed to and folded on the trainee row.

List pages join it without a date condition, and a search word matches one table through two
trigram indexes instead of a union with the posts; the index on the posts' text is then no
longer read and is dropped (it slowed imports). Indexes are PostgreSQL only, as in 0003.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


def index_posts(apps, schema_editor):
    Trainee = apps.get_model("trainees", "Trainee")
    Assignment = apps.get_model("trainees", "Assignment")
    today = timezone.localdate()
    held = Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), trainee=OuterRef("pk"), starts_on__lte=today
    ).order_by("-starts_on", "-pk")
    Trainee.objects.update(
        current_post=Subquery(held.values("pk")[:1]),
        post_search_text=Coalesce(Subquery(held.values("search_text")[:1]), Value("")),
    )


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trainee_post_search_trgm "
            "ON trainees_trainee USING gin (post_search_text gin_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS assignment_search_trgm")


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS assignment_search_trgm "
            "ON trainees_assignment USING gin (search_text gin_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS trainee_post_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0003_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainee",
            name="current_post",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="trainees.assignment",
            ),
        ),
        migrations.AddField(
            model_name="trainee",
            name="post_search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(index_posts, migrations.RunPython.noop),
        migrations.RunPython(swap_indexes, restore_indexes),
    ]
