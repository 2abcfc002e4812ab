"""The post each trainee holds today, folded on the trainee row for the directory search.

A word then matches one table through two trigram indexes instead of a union with the posts,
so the index on the posts' text is no longer read and is dropped (it slowed imports). Indexes
are PostgreSQL only, as in 0003.
"""

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
    )
    text = Subquery(held.order_by("-starts_on", "-pk").values("search_text")[:1])
    Trainee.objects.update(post_search_text=Coalesce(text, Value("")))


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trainee_post_search_trgm ON trainees_trainee USING gin (post_search_text gin_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS assignment_search_trgm")


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS assignment_search_trgm ON trainees_assignment USING gin (search_text gin_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS trainee_post_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0003_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltrainee",
            name="post_search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="trainee",
            name="post_search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(index_posts, migrations.RunPython.noop),
        migrations.RunPython(swap_indexes, restore_indexes),
    ]
