"""PostgreSQL: GIN expression indexes for full-text search (no-op elsewhere)."""

from django.db import migrations

from rightdesk.search.schema import drop_search_schema, ensure_postgresql_indexes


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        ensure_postgresql_indexes(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_search_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_sqlite_fts")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
