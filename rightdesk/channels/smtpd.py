"""The inbound SMTP gateway (aiosmtpd): answers 250 only once the raw message is committed.

Only transport lives here. Every stored message goes through one committer
thread (``services.store_raw_messages``): messages that arrive on parallel
connections while it is writing are stored together in the next transaction
(group commit), and each connection gets its 250 after that commit. The
asyncio loop never blocks on the database and the ORM never runs in async code.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connection

from rightdesk.channels.choices import Source

if TYPE_CHECKING:
    from rightdesk.channels.services import Incoming

log = logging.getLogger(__name__)

#: How long the gateway trusts its copy of the mailbox list.
MAILBOX_CACHE_SECONDS = 10.0
#: At most this many messages share one transaction.
GROUP_COMMIT_MAX = 64

_Job = tuple["Incoming", "Future[tuple[int, bool]]"]


class GroupCommitter:
    """The gateway's one database writer: stores whatever has queued up, in one commit.

    Its own threads never compete for the write lock, and a burst on many
    connections costs one transaction per turn instead of one per message.
    """

    def __init__(self, store: Callable[..., tuple[int, bool]] | None = None) -> None:
        self._store_override = store
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="smtpd-committer", daemon=True)
        self._thread.start()

    def submit(self, item: Incoming) -> Future[tuple[int, bool]]:
        future: Future[tuple[int, bool]] = Future()
        self._jobs.put((item, future))
        return future

    def stop(self) -> None:
        """Store what is queued, then end the thread."""
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            stopping = False
            while len(batch) < GROUP_COMMIT_MAX:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(batch)
            if stopping:
                return

    def _commit(self, batch: list[_Job]) -> None:
        results: list[tuple[int, bool] | BaseException]
        close_old_connections()
        try:
            results = list(self._write([item for item, _ in batch]))
        except Exception as exc:
            connection.close()
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _write(self, items: list[Incoming]) -> list[tuple[int, bool] | Exception]:
        from rightdesk.channels.models import Mailbox
        from rightdesk.channels.services import store_raw_messages

        if self._store_override is None:
            return store_raw_messages(items=items)
        results: list[tuple[int, bool] | Exception] = []
        for item in items:
            try:
                results.append(
                    self._store_override(
                        raw=item.raw,
                        source=item.source,
                        mailbox=Mailbox(pk=item.mailbox_id),
                        envelope_from=item.envelope_from,
                        envelope_to=list(item.envelope_to),
                    )
                )
            except Exception as exc:
                results.append(exc)
        return results


class GatewaySMTP(SMTP):
    """aiosmtpd's server with long lines allowed: real mail has them and we keep everything."""

    line_length_limit = 8 * 1024 * 1024


class GatewayHandler:
    """aiosmtpd handler: known recipients only, size limits, durable store before 250."""

    def __init__(
        self,
        *,
        executor: ThreadPoolExecutor,
        on_stored: Callable[[int], None] | None = None,
        store: Callable[..., tuple[int, bool]] | None = None,
    ) -> None:
        self.executor = executor
        self.on_stored = on_stored
        self.committer = GroupCommitter(store)
        self._mailboxes: dict[str, tuple[int, int]] = {}
        self._mailboxes_at = 0.0
        self.stored = 0

    # Work run on the executor threads (Django ORM is synchronous).
    def _load_mailboxes(self) -> dict[str, tuple[int, int]]:
        from rightdesk.channels.services import active_mailboxes

        close_old_connections()
        try:
            return {a: (m.pk, m.max_message_bytes) for a, m in active_mailboxes().items()}
        except Exception:
            connection.close()
            raise

    async def _mailbox_map(self) -> dict[str, tuple[int, int]]:
        if time.monotonic() - self._mailboxes_at > MAILBOX_CACHE_SECONDS:
            loop = asyncio.get_running_loop()
            self._mailboxes = await loop.run_in_executor(self.executor, self._load_mailboxes)
            self._mailboxes_at = time.monotonic()
        return self._mailboxes

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        from rightdesk.channels.services import normalise_address

        try:
            mailboxes = await self._mailbox_map()
        except Exception:
            log.exception("cannot read the mailbox list")
            return "451 4.3.0 Temporary failure looking up the mailbox; please try again later"
        normalised = normalise_address(address)
        if normalised not in mailboxes:
            return f"550 5.1.1 <{normalised}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        from rightdesk.channels.services import normalise_address

        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mailboxes = self._mailboxes
        targets = [
            mailboxes[a]
            for a in (normalise_address(r) for r in envelope.rcpt_tos)
            if a in mailboxes
        ]
        if not targets:
            return "451 4.3.0 The mailbox list changed; please try again later"
        mailbox_id, limit = targets[0]
        if len(raw) > min(limit for _, limit in targets):
            return (
                f"552 5.3.4 Message is {len(raw)} bytes; this mailbox accepts at most {limit} bytes"
            )
        from rightdesk.channels.services import Incoming

        loop = asyncio.get_running_loop()
        incoming = Incoming(
            raw=raw,
            source=Source.SMTP,
            mailbox_id=mailbox_id,
            envelope_from=str(envelope.mail_from or ""),
            envelope_to=tuple(str(r) for r in envelope.rcpt_tos),
        )
        try:
            raw_id, created = await asyncio.wrap_future(self.committer.submit(incoming))
        except Exception:
            log.exception("could not store an incoming message")
            return "451 4.3.0 Could not store the message; please try again later"
        self.stored += 1
        if created and self.on_stored is not None:
            loop.run_in_executor(self.executor, self.on_stored, raw_id)
        return f"250 2.0.0 Stored as {raw_id}"


class GatewayController(Controller):
    """An aiosmtpd controller serving :class:`GatewaySMTP` (runs the loop in a thread)."""

    def factory(self) -> SMTP:
        return GatewaySMTP(self.handler, **self.SMTP_kwargs)


def enqueue_processing(raw_id: int) -> None:
    """After storage: hand the message to the worker (the periodic sweep covers failures)."""
    from rightdesk.channels.services import _enqueue_processing

    _enqueue_processing(raw_id)


def build_gateway(
    *,
    host: str | None = None,
    port: int | None = None,
    threads: int = 4,
    on_stored: Callable[[int], None] | None = enqueue_processing,
    store: Callable[..., tuple[int, bool]] | None = None,
) -> tuple[GatewayController, ThreadPoolExecutor]:
    """A ready-to-start gateway bound to ``host:port`` (defaults from settings)."""
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="smtpd-store")
    handler = GatewayHandler(executor=executor, on_stored=on_stored, store=store)
    kwargs: dict[str, Any] = {
        "data_size_limit": settings.RIGHTDESK_MAX_MAIL_BYTES,
        "enable_SMTPUTF8": True,
        "ident": "Rightdesk mail gateway",
    }
    controller = GatewayController(
        handler,
        hostname=host or settings.RIGHTDESK_SMTPD_HOST,
        port=port if port is not None else settings.RIGHTDESK_SMTPD_PORT,
        **kwargs,
    )
    return controller, executor


def serve_forever(controller: GatewayController, stop: threading.Event) -> None:
    """Run until ``stop`` is set (the management command sets it on SIGTERM/SIGINT)."""
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()
        controller.handler.committer.stop()
