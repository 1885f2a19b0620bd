"""What ``rightdesk serve`` runs: database preparation, the in-process worker, waitress.

Django must be set up before anything here is called (see ``rightdesk.cli``).
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils.module_loading import autodiscover_modules
from huey.signals import SIGNAL_ERROR

from rightdesk.core.db import check_durability

#: How long a stopping worker may finish the task in hand before it is abandoned.
WORKER_SHUTDOWN_SECONDS = 10
#: An idle embedded worker polls the SQLite queue at least this often.
WORKER_MAX_POLL_SECONDS = 2.0


def prepare_data_folder() -> None:
    """Create the folders static files and uploads are served from."""
    for folder in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)


def prepare_database() -> None:
    """Refuse a database that could lose committed writes, then apply migrations.

    Raises :class:`rightdesk.core.db.DurabilityError` before anything is written.
    """
    check_durability()
    call_command("migrate", interactive=False, verbosity=0)


def describe_database() -> str:
    """One line saying where the data lives, for the startup banner."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite at {db['NAME']} (WAL, synchronous=FULL)"
    vendor = db["ENGINE"].rsplit(".", 1)[-1]
    return f"{vendor} database {db.get('NAME', '')} on {db.get('HOST') or 'localhost'}"


def is_loopback(host: str) -> bool:
    """True when ``host`` is only reachable from this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def display_url(host: str, port: int, path: str = "/desk/") -> str:
    """The URL to print: wildcard binds are reached through the loopback address."""
    shown = host.strip("[]")
    if shown in ("0.0.0.0", ""):
        shown = "127.0.0.1"
    elif shown == "::":
        shown = "::1"
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{path}"


job_log = logging.getLogger("rightdesk.worker")


def _hide_huey_task_traceback(record: logging.LogRecord) -> bool:
    """Drop huey's multi-line report of a failed task; :func:`_report_job_failure` says it."""
    return not str(record.msg).startswith("Unhandled exception in task")


def _report_job_failure(signal: str, task: Any, exc: BaseException | None = None) -> None:
    """One line per failed background job on the console; the traceback at DEBUG level."""
    retries = getattr(task, "retries", 0)
    job_log.error(
        "Background job %s failed: %s: %s%s",
        task.name,
        type(exc).__name__,
        exc,
        f" (will retry, {retries} left)" if retries else "",
        exc_info=exc if job_log.isEnabledFor(logging.DEBUG) else None,
    )


class BackgroundWorker:
    """The huey consumer running in threads of this process (embedded deployments).

    ``Consumer.run()`` installs signal handlers and loops in the calling thread,
    so instead its scheduler and worker threads are started directly and the
    web server's main thread stays in charge of Ctrl-C.
    """

    def __init__(self, *, workers: int) -> None:
        from huey.contrib.djhuey import HUEY

        autodiscover_modules("tasks")  # register every app's tasks before consuming
        HUEY.signal(SIGNAL_ERROR)(_report_job_failure)
        logging.getLogger("huey").addFilter(_hide_huey_task_traceback)
        self.workers = workers
        self.consumer = HUEY.create_consumer(
            workers=workers,
            worker_type="thread",
            check_worker_health=False,
            shutdown_timeout=WORKER_SHUTDOWN_SECONDS,
            max_delay=WORKER_MAX_POLL_SECONDS,
        )
        self.started = False

    def start(self) -> None:
        self.consumer.scheduler.start()
        for _worker, thread in self.consumer.worker_threads:
            thread.start()
        self.started = True

    def stop(self) -> None:
        """Let running tasks finish (up to the shutdown timeout), then stop."""
        if self.started:
            self.consumer.stop(graceful=True)
            self.started = False


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    threads: int
    https: bool
    trusted_proxy: str
    worker_threads: int  # 0: no in-process worker
    smtp_port: int | None = None  # None: RIGHTDESK_SMTPD_PORT
    smtpd: bool = False  # run the inbound mail gateway beside the web server


def _stop_on_sigterm() -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    return handler


def _start_gateway(options: ServeOptions, out: TextIO) -> tuple[Any, Any] | None:
    """Start the inbound mail gateway in this process; a busy port is a warning, not a crash."""
    from rightdesk.channels.smtpd import build_gateway

    controller, executor = build_gateway(host=options.host, port=options.smtp_port)
    try:
        controller.start()
    except Exception as exc:
        executor.shutdown(wait=False)
        print(
            f"Mail gateway not started ({exc}); run `rightdesk smtpd --port P` separately.",
            file=out,
            flush=True,
        )
        return None
    print(
        f"Mail gateway listening on {controller.hostname}:{controller.port}", file=out, flush=True
    )
    return controller, executor


def _warm_up() -> None:
    """Train the reply check's tone model while the server starts answering."""
    from rightdesk.quality.services import warm_reply_check

    warm_reply_check()


def run_server(
    options: ServeOptions, *, out: TextIO = sys.stdout, banner: Callable[[str], None] | None = None
) -> None:
    """Serve the WSGI application with waitress until Ctrl-C or SIGTERM.

    ``banner`` is called with the URL once the socket is bound, so whatever it
    prints is only shown when the server can actually answer.
    """
    from waitress import create_server

    from rightdesk.wsgi import application

    proxy: dict[str, object] = {}
    if options.https:
        # Trust X-Forwarded-Proto/For only from the TLS proxy in front of us.
        proxy = {
            "trusted_proxy": options.trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
        }
    server = create_server(
        application,
        host=options.host,
        port=options.port,
        threads=options.threads,
        ident="Rightdesk",
        **proxy,
    )
    worker = BackgroundWorker(workers=options.worker_threads) if options.worker_threads else None
    gateway = _start_gateway(options, out) if options.smtpd else None
    _stop_on_sigterm()
    try:
        if worker is not None:
            worker.start()
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
        port = int(server.effective_port)
        if banner is not None:
            banner(display_url(options.host, port))
        # Catches KeyboardInterrupt/SystemExit itself and stops its threads.
        server.run()
    finally:
        print("Stopping Rightdesk...", file=out, flush=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        server.close()
        if gateway is not None:
            controller, executor = gateway
            controller.stop()
            executor.shutdown(wait=True)
        if worker is not None:
            worker.stop()
        connections.close_all()
