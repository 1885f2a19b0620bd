"""``rightdesk smtpd``: run the inbound SMTP gateway in the foreground."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rightdesk.channels.durability import NotDurable, check_durability
from rightdesk.channels.smtpd import build_gateway, serve_forever


class Command(BaseCommand):
    help = "Run the SMTP gateway that stores incoming mail before answering 250."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="Address to listen on.")
        parser.add_argument("--port", type=int, default=None, help="Port (default 2525).")
        parser.add_argument("--threads", type=int, default=4, help="Database writer threads.")
        parser.add_argument(
            "--no-enqueue",
            action="store_true",
            help="Do not hand messages to the worker (the sweep still does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            check_durability()
        except NotDurable as exc:
            raise CommandError(f"Refusing to accept mail: {exc}") from exc
        kwargs: dict[str, Any] = {
            "host": options["host"],
            "port": options["port"],
            "threads": options["threads"],
        }
        if options["no_enqueue"]:
            kwargs["on_stored"] = None
        controller, executor = build_gateway(**kwargs)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(
            f"SMTP gateway listening on {controller.hostname}:{controller.port}", ending="\n"
        )
        self.stdout.flush()
        try:
            serve_forever(controller, stop)
        finally:
            executor.shutdown(wait=True)
