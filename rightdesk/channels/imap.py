"""IMAP polling (imapclient): take each new message once, store it, then flag or move it.

UIDs are tracked per mailbox together with UIDVALIDITY. The last UID is saved
in the same transaction as the stored message, so a crash between two
messages neither skips nor re-takes one; the server-side flag or move happens
only after the commit.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from imapclient import IMAPClient

from rightdesk.channels.choices import Source
from rightdesk.channels.models import Mailbox
from rightdesk.channels.parsing import one_line
from rightdesk.channels.services import _enqueue_processing, store_raw_message

log = logging.getLogger(__name__)

#: Keyword set on messages we have stored (when they are not moved).
STORED_FLAG = b"$RightdeskStored"
BATCH = 50


def _connect(mailbox: Mailbox) -> IMAPClient:
    password = mailbox.imap_login_password()  # a clear error if SECRET_KEY changed
    client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_ssl, timeout=30)
    client.login(mailbox.imap_username, password)
    return client


def poll_mailbox(*, mailbox_id: int) -> int:
    """Fetch and store the new messages of one mailbox; returns how many were stored."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    stored = 0
    client: IMAPClient | None = None
    try:
        # Inside: a refused login or an unreadable password is recorded like any failure.
        client = _connect(mailbox)
        status = client.select_folder(mailbox.imap_folder)
        validity = int(status[b"UIDVALIDITY"])
        if mailbox.imap_uidvalidity != validity:
            # A new folder generation: UIDs restart. Exactly-once keys stop duplicates.
            Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=validity, imap_last_uid=0)
            mailbox.imap_uidvalidity, mailbox.imap_last_uid = validity, 0
        uids = sorted(
            uid
            for uid in client.search(["UID", f"{mailbox.imap_last_uid + 1}:*"])
            if uid > mailbox.imap_last_uid
        )
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            done: list[int] = []
            for uid in batch:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    continue
                with transaction.atomic():
                    raw_id, created = store_raw_message(
                        raw=bytes(raw),
                        source=Source.IMAP,
                        mailbox=mailbox,
                        envelope_to=[mailbox.address],
                    )
                    Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=uid)
                if created:
                    stored += 1
                    _enqueue_processing(raw_id)
                done.append(uid)
            if done:
                if mailbox.imap_move_to:
                    client.move(done, mailbox.imap_move_to)
                else:
                    client.add_flags(done, [b"\\Seen", STORED_FLAG])
        Mailbox.objects.filter(pk=mailbox.pk).update(
            imap_last_polled_at=timezone.now(), imap_last_error=""
        )
    except Exception as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            imap_last_polled_at=timezone.now(), imap_last_error=one_line(repr(exc), 500)
        )
        raise
    finally:
        try:
            if client is not None:
                client.logout()
        except Exception:  # the connection may already be gone
            log.debug("IMAP logout failed", exc_info=True)
    return stored


def poll_all() -> int:
    """Poll every active mailbox with IMAP credentials; one failing mailbox does not stop others."""
    total = 0
    for mailbox_id in (
        Mailbox.objects.filter(active=True).exclude(imap_host="").values_list("pk", flat=True)
    ):
        try:
            total += poll_mailbox(mailbox_id=mailbox_id)
        except Exception:
            log.exception("IMAP polling failed for mailbox %s", mailbox_id)
    return total
