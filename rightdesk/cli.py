"""The ``rightdesk`` command: serve, worker, demo, createagent and Django's manage.

Arguments are parsed before Django is set up, because ``serve`` decides how the
settings load (plain HTTP on this machine, or HTTPS behind a proxy).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rightdesk.demo.services import DemoLogin

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _port(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rightdesk", description="Rightdesk: customer service done right."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="Run the web server (console, portal, admin, API) and the background worker."
    )
    serve.add_argument("--demo", action="store_true", help="Load the demo businesses first.")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"Address to bind (default {DEFAULT_HOST})."
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"Port to listen on (default {DEFAULT_PORT}; 0 picks a free one).",
    )
    serve.add_argument(
        "--threads", type=_positive, default=8, help="Web server threads (default 8)."
    )
    serve.add_argument(
        "--https",
        action="store_true",
        help="Running behind a TLS proxy: keep secure cookies and HTTPS redirects.",
    )
    serve.add_argument(
        "--trusted-proxy",
        default="127.0.0.1",
        help="With --https: address of the proxy whose X-Forwarded-Proto is "
        "trusted (default 127.0.0.1).",
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="Do not run background jobs in this process (run `rightdesk worker`).",
    )
    serve.add_argument(
        "--worker-threads",
        type=_positive,
        default=2,
        help="Background worker threads in this process (default 2).",
    )

    serve.add_argument(
        "--smtp-port",
        type=_port,
        default=None,
        help="Port of the inbound mail gateway started beside the web server "
        "(default RIGHTDESK_SMTPD_PORT, 2525).",
    )
    serve.add_argument(
        "--no-smtpd",
        action="store_true",
        help="Do not run the inbound mail gateway in this process (run `rightdesk smtpd`).",
    )

    commands.add_parser(
        "smtpd",
        add_help=False,
        help="Run the inbound SMTP gateway: [--host H] [--port P] [--threads N].",
    ).add_argument("args", nargs=argparse.REMAINDER)

    importer = commands.add_parser("import", help="Import data: `rightdesk import orders FILE`.")
    importer.add_argument("what", choices=["orders"], help="What to import.")
    importer.add_argument("args", nargs=argparse.REMAINDER, help="FILE [--dry-run] [--report PATH]")

    worker = commands.add_parser("worker", help="Run a standalone background worker.")
    worker.add_argument("--workers", type=_positive, default=2, help="Worker threads (default 2).")

    ping = commands.add_parser(
        "ping-worker", help="Check that a background worker is consuming the job queue."
    )
    ping.add_argument(
        "--timeout", type=float, default=15.0, help="Seconds to wait for an answer (default 15)."
    )

    commands.add_parser("demo", help="Load the demo businesses (does nothing if already loaded).")

    manage = commands.add_parser(
        "manage",
        help="Run a Django management command, e.g. `rightdesk manage migrate`.",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)

    createagent = commands.add_parser(
        "createagent",
        add_help=False,
        help="Create an agent: USERNAME [--role agent|manager|admin] [--password P] [--name N].",
    )
    createagent.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightdesk.settings")
    import django

    django.setup()


def format_logins(logins: Sequence[DemoLogin]) -> str:
    """The demo logins grouped by business, one ``username / password`` per line."""
    lines = ["Demo logins (username / password):"]
    business = None
    width = max(len(login.username) for login in logins)
    password_width = max(len(login.password) for login in logins)
    for login in logins:
        if login.business != business:
            business = login.business
            lines.append(f"  {business}")
        lines.append(
            f"    {login.username.ljust(width)} / {login.password.ljust(password_width)}"
            f"   {login.name}, {login.role}"
        )
    return "\n".join(lines)


def _serve(args: argparse.Namespace) -> int:
    from rightdesk.server import is_loopback

    if not args.https:
        # Plain HTTP: cookies cannot be Secure and nothing may redirect to HTTPS.
        os.environ["RIGHTDESK_INSECURE_HTTP"] = "1"
    _setup_django()

    from django.conf import settings

    from rightdesk.core.db import DurabilityError
    from rightdesk.server import (
        ServeOptions,
        describe_database,
        prepare_data_folder,
        prepare_database,
        run_server,
    )

    if not args.https and not is_loopback(args.host):
        print(
            f"Warning: serving plain HTTP on {args.host}: passwords and sessions cross the "
            "network unencrypted. Put Rightdesk behind a TLS proxy and start it with --https. "
            "Set ALLOWED_HOSTS to the names clients use.",
            file=sys.stderr,
            flush=True,
        )
    print(f"Data folder: {settings.DATA_DIR}", flush=True)
    print(f"Database: {describe_database()}", flush=True)
    prepare_data_folder()
    try:
        prepare_database()
    except DurabilityError as exc:
        print(
            f"Refusing to serve: {exc}. Committed writes could be lost in a crash.",
            file=sys.stderr,
            flush=True,
        )
        return 1
    logins_text = ""
    if args.demo:
        from rightdesk.demo.services import load_demo

        result = load_demo()
        print("Demo data loaded." if result.created else "Demo data already present.", flush=True)
        logins_text = format_logins(result.logins)
    workers = 0 if args.no_worker else args.worker_threads
    print(
        f"Background worker: {workers} thread(s) in this process."
        if workers
        else "Background worker: not running here (start `rightdesk worker`).",
        flush=True,
    )

    def banner(url: str) -> None:
        if logins_text:
            print(logins_text, flush=True)
        print(f"Rightdesk is running at {url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    options = ServeOptions(
        host=args.host,
        port=args.port,
        threads=args.threads,
        https=args.https,
        trusted_proxy=args.trusted_proxy,
        worker_threads=workers,
        smtp_port=None if args.no_smtpd else args.smtp_port,
        smtpd=not args.no_smtpd,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how serving ends
        run_server(options, banner=banner)
    print("Stopped.", flush=True)
    return 0


def _worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from rightdesk.core.db import DurabilityError, check_durability, unapplied_migrations

    try:
        check_durability()
    except DurabilityError as exc:
        print(f"Refusing to run: {exc}.", file=sys.stderr, flush=True)
        return 1
    # Workers never migrate (several may start at once); the deployment step or serve does.
    pending = unapplied_migrations()
    if pending:
        print(
            f"Refusing to run: {len(pending)} migration(s) not applied, e.g. {pending[0]}. "
            "Run `rightdesk manage migrate` (or start `rightdesk serve`) first.",
            file=sys.stderr,
            flush=True,
        )
        return 1
    logging.getLogger("huey").propagate = False  # run_huey gives it its own handler
    call_command("run_huey", workers=args.workers, worker_type="thread")
    return 0


def _ping_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from huey.exceptions import ResultTimeout

    from rightdesk.core.tasks import ping

    started = time.monotonic()
    result = ping(time.time())
    try:
        # Revoked on timeout: a worker started later must not answer a question nobody asks.
        result.get(
            blocking=True, timeout=args.timeout, backoff=1.0, max_delay=0.1, revoke_on_timeout=True
        )
    except ResultTimeout:
        print(f"No worker answered within {args.timeout:g} s.", file=sys.stderr)
        return 1
    print(f"A worker answered in {(time.monotonic() - started) * 1000:.0f} ms.")
    return 0


def _demo() -> int:
    _setup_django()
    from django.core.management import call_command

    from rightdesk.demo.services import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo()
    print("Demo data loaded." if result.created else "Demo data already present.")
    print(format_logins(result.logins))
    return 0


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rightdesk manage", *argv])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rightdesk`` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Pass-through commands keep every argument (even --help) for Django to parse.
    if arguments and arguments[0] == "manage":
        return _manage(arguments[1:])
    if arguments and arguments[0] in ("createagent", "smtpd"):
        return _manage(arguments)
    if len(arguments) >= 2 and arguments[0] == "import" and arguments[1] == "orders":
        return _manage(["import_orders", *arguments[2:]])
    args = build_parser().parse_args(arguments)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "worker":
            return _worker(args)
        if args.command == "ping-worker":
            return _ping_worker(args)
        if args.command == "demo":
            return _demo()
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
