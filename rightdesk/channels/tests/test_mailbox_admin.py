"""The mailbox admin never shows the stored IMAP password and keeps it unless a new one is typed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from rightdesk.accounts.models import Team
from rightdesk.channels.models import Mailbox
from rightdesk.desk.tests.conftest import HttpsClient

SECRET = "s3cret-imap-Pa55"


def _form(mailbox: Mailbox, **changes: Any) -> dict[str, Any]:
    data = {
        "address": mailbox.address,
        "team": mailbox.team_id,
        "active": "on",
        "max_message_bytes": mailbox.max_message_bytes,
        "imap_host": mailbox.imap_host,
        "imap_port": mailbox.imap_port,
        "imap_ssl": "on",
        "imap_username": mailbox.imap_username,
        "imap_password": "",
        "imap_folder": mailbox.imap_folder,
        "imap_move_to": "",
        "imap_last_uid": 0,
    }
    data.update(changes)
    return data


def test_the_imap_password_is_write_only(team: Team) -> None:
    mailbox = Mailbox.objects.create(
        address="help@shop.example",
        team=team,
        imap_host="imap.shop.example",
        imap_username="help",
        imap_password=SECRET,
    )
    client = HttpsClient()
    client.force_login(User.objects.create_superuser("root", "root@shop.example", "pw-123456"))
    url = f"/admin/channels/mailbox/{mailbox.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert SECRET not in page.content.decode()

    # Saved with the field left empty (the usual case): the password stays.
    response = client.post(url, _form(mailbox, imap_folder="Support"))
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox.refresh_from_db()
    assert mailbox.imap_folder == "Support"
    assert mailbox.imap_login_password() == SECRET

    # A new password replaces it.
    client.post(url, _form(mailbox, imap_password="n3w-Pa55"))
    mailbox.refresh_from_db()
    assert mailbox.imap_login_password() == "n3w-Pa55"
    assert "n3w-Pa55" not in mailbox.imap_password  # sealed at rest


def test_passwords_stored_in_clear_before_sealing_are_sealed_by_the_migration(
    team: Team,
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("rightdesk.channels.migrations.0002_seal_imap_passwords")
    mailbox = Mailbox.objects.create(address="old@shop.example", team=team, imap_host="imap.x")
    # As an older version kept it:
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password=SECRET)

    migration.seal_stored(apps, None)

    mailbox.refresh_from_db()
    assert SECRET not in mailbox.imap_password
    assert mailbox.imap_login_password() == SECRET


def test_saving_a_mailbox_moves_its_password_to_the_new_key(team: Team, settings: Any) -> None:
    mailbox = Mailbox.objects.create(
        address="rotate@shop.example", team=team, imap_host="imap.x", imap_password=SECRET
    )
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-next-key-" + "n" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    mailbox.save()  # e.g. the admin saved with the password field left empty
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone for good

    mailbox.refresh_from_db()
    assert mailbox.imap_login_password() == SECRET


def test_a_password_that_looks_like_the_sealed_prefix_is_still_sealed(team: Team) -> None:
    mailbox = Mailbox.objects.create(
        address="odd@shop.example", team=team, imap_host="imap.x", imap_password="enc1:hunter2"
    )
    mailbox.refresh_from_db()
    assert "hunter2" not in mailbox.imap_password
    assert mailbox.imap_login_password() == "enc1:hunter2"


def test_saving_under_the_same_key_leaves_the_sealed_password_as_stored(team: Team) -> None:
    mailbox = Mailbox.objects.create(
        address="steady@shop.example", team=team, imap_host="imap.x", imap_password=SECRET
    )
    stored = Mailbox.objects.get(pk=mailbox.pk).imap_password
    mailbox.imap_folder = "Support"
    mailbox.save()
    mailbox.refresh_from_db()
    assert mailbox.imap_password == stored  # not sealed again: the same token
    assert mailbox.imap_login_password() == SECRET
