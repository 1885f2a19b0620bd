"""``rightdesk createagent USERNAME``: create an agent, manager or admin from the shell."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rightdesk.accounts.models import Role, Team
from rightdesk.accounts.services import create_agent
from rightdesk.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an agent (agent, manager or admin) who can sign in to the console."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.AGENT)
        parser.add_argument("--password", help="Prompted for when omitted.")
        parser.add_argument("--name", default="", help="Display name, e.g. 'Dana Price'.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--team", action="append", default=[], help="An existing team to join (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        teams = []
        for name in options["team"]:
            team = Team.objects.filter(name=name).first()
            if team is None:
                raise CommandError(f"No team named {name!r}.")
            teams.append(team)
        password: str | None = options["password"]
        if password is None:
            password = self._prompt_password()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            user = create_agent(
                username=username,
                password=password,
                email=options["email"],
                display_name=options["name"],
                role=options["role"],
                teams=teams,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Created {options['role']} {user.get_username()!r}.")

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("Give --password when not running in a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
