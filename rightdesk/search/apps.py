from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_schema(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Re-create search triggers that a table rebuild in a later migration dropped.

    Schema upkeep, not business logic: SQLite drops a table's triggers when
    Django rebuilds the table to alter it, which would silently stop indexing.
    """
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from rightdesk.search.schema import ensure_search_schema

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("search", "0002_postgresql_fts_indexes") in applied:
        ensure_search_schema(connection)


class SearchConfig(AppConfig):
    name = "rightdesk.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_repair_search_schema, sender=self)
