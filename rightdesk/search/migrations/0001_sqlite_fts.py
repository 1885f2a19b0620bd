"""SQLite: FTS5 indexes over subjects, message bodies and customers, fed by triggers."""

from django.db import migrations

from rightdesk.search.schema import drop_search_schema, ensure_sqlite_fts


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        ensure_sqlite_fts(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        drop_search_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("customers", "0002_fact_source_message"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
