"""IMAP passwords are kept sealed (``rightdesk.core.secrets``); seal the ones stored in clear."""

from typing import Any

from django.db import migrations, models


def seal_stored(apps: Any, schema_editor: Any) -> None:
    from rightdesk.core.secrets import is_sealed, seal

    Mailbox = apps.get_model("channels", "Mailbox")
    for mailbox in Mailbox.objects.exclude(imap_password=""):
        if not is_sealed(mailbox.imap_password):
            Mailbox.objects.filter(pk=mailbox.pk).update(imap_password=seal(mailbox.imap_password))


def unseal_stored(apps: Any, schema_editor: Any) -> None:
    from rightdesk.core.secrets import is_sealed, unseal

    Mailbox = apps.get_model("channels", "Mailbox")
    for mailbox in Mailbox.objects.exclude(imap_password=""):
        if is_sealed(mailbox.imap_password):
            plain = unseal(mailbox.imap_password, what=f"The IMAP password of {mailbox.address}")
            Mailbox.objects.filter(pk=mailbox.pk).update(imap_password=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_email_channel"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mailbox",
            name="imap_password",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal_stored, unseal_stored),
    ]
