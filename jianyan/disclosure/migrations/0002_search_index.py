"""The full-text index of publications (jianyan.search): raw SQL per database, since FTS5 and tsvector
tables are not Django models. pg_trgm's index is built only where the database's LC_CTYPE lets it see
Chinese characters (see jianyan/search/postgres.py)."""

from django.db import migrations

from jianyan.search import postgres, sqlite


def create_index(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        statements = sqlite.CREATE
    elif conn.vendor == "postgresql":
        statements = list(postgres.CREATE)
        with conn.cursor() as cursor:
            if postgres.ctype_supports_trigrams(cursor):
                statements += postgres.TRGM_CREATE
    else:
        return
    for sql in statements:
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    module = {"sqlite": sqlite, "postgresql": postgres}.get(schema_editor.connection.vendor)
    for sql in module.DROP if module else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
