from django.db import migrations, models


class Migration(migrations.Migration):
    """The commitment tracker's default order (by end, then id) read from one index."""

    dependencies = [
        ("trainees", "0006_commitment_contact_email"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="retentioncommitment", name="commitment_ends_idx"),
        migrations.AddIndex(
            model_name="retentioncommitment",
            index=models.Index(fields=["ends_on", "id"], name="commitment_ends_idx"),
        ),
    ]
