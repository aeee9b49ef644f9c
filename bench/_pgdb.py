"""Shared by the benchmarks that can run on PostgreSQL: a scratch database made anew for each run."""

from django.db import connection


def recreate_pg_database(*, ctype: str | None = None) -> None:
    """Drop and create the scratch PostgreSQL database the run is connected to (named in --pg); with
    ``ctype``, from template0 with that collation and character type (pg_trgm needs C.UTF-8 for Chinese)."""
    import psycopg

    name = connection.settings_dict["NAME"]
    params = {k: v for k, v in {"host": connection.settings_dict["HOST"], "port": connection.settings_dict["PORT"],
                                "user": connection.settings_dict["USER"]}.items() if v}
    locale = (f" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '{ctype}' LC_CTYPE '{ctype}'" if ctype else "")
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"{locale}')
