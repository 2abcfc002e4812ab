from django.db import migrations, models

LINK_KINDS = ("invitation", "password_reset")


def move_links_out_of_context(apps, schema_editor):
    """Password-setting links written before this migration: kept (as secrets) only on messages
    still waiting to go out; erased from those already sent or given up."""
    OutboundMessage = apps.get_model("notifications", "OutboundMessage")
    for message in OutboundMessage.objects.filter(kind__in=LINK_KINDS).iterator():
        path = message.context.pop("path", None)
        if path and message.status in ("queued", "sending"):
            message.secret_context = {"path": path}
        message.save(update_fields=["context", "secret_context"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="secret_context",
            field=models.JSONField(blank=True, default=dict, verbose_name="secret context"),
        ),
        migrations.RunPython(move_links_out_of_context, migrations.RunPython.noop),
    ]
