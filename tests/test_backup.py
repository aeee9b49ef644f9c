"""`jianyan backup` / `jianyan restore`: a round trip into an empty instance (a separate process, a separate
database and MEDIA_ROOT) gives back every row of every table and every uploaded file, on SQLite and on
PostgreSQL (whichever the tests run on); a damaged archive and a non-empty target are refused."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jianyan.core.backup import instance_has_data
from jianyan.proposals import attachments
from jianyan.proposals.models import Attachment, Proposal

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads committed data, as in production


@pytest.fixture
def populated(stage, uploads, media_root, leader, clerk, outsider):
    """A replied proposal, a draft with three files, and the rest of the cast."""
    replied = stage.replied()
    draft = stage.draft(title="关于推进数字乡村建设的提案")
    attachments.add_attachments(draft, actor=stage.member, uploads=[uploads.pdf(), uploads.docx(), uploads.png()])
    assert Attachment.objects.count() == 3 and Proposal.objects.count() == 2
    return replied


def comparable(value):
    """The same value read by two drivers or connections: datetimes in UTC, buffers as bytes."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, str) and value[:1] in "{[":  # JSON columns: text from Django's connection
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict | list):  # ... parsed by a plain psycopg connection
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def rows_of(cursor, table: str) -> list[str]:
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the introspection)
    return sorted(repr(tuple(comparable(v) for v in row)) for row in cursor.fetchall())


def all_tables(cursor) -> dict[str, list[str]]:
    names = connection.introspection.table_names(cursor)
    return {name: rows_of(cursor, name) for name in names if not name.startswith("sqlite_")}


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class Target:
    """An empty instance: its own database and its own var/ folder, driven through the `jianyan` command."""

    def __init__(self, tmp_path: Path):
        self.var = tmp_path / "target-var"
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
            self.sqlite_path = tmp_path / "target.sqlite3"
        else:
            self.name = f"{settings['NAME']}_restore"
            self.recreate_pg_database()
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{self.name}"

    def recreate_pg_database(self):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE template0')

    def run(self, *args) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "JIANYAN_VAR_DIR": str(self.var), "DEBUG": "1",
               "DJANGO_SETTINGS_MODULE": "jianyan.settings"}
        # Our own interpreter and command with arguments from the test itself, no shell.
        return subprocess.run([sys.executable, "-m", "jianyan", *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                              text=True, timeout=600, check=False)

    def tables(self) -> dict[str, list[str]]:
        if connection.vendor == "sqlite":
            # The same column converters as Django's own connection, so values compare as the same types.
            con = sqlite3.connect(self.sqlite_path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
            try:
                cursor = con.cursor()
                names = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                return {n: rows_of(cursor, n) for n in names if not n.startswith("sqlite_")}
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as con, con.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {n: rows_of(cursor, n) for (n,) in cursor.fetchall()}

    def drop(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


@pytest.fixture
def target(tmp_path):
    t = Target(tmp_path)
    yield t
    t.drop()


def test_a_round_trip_gives_back_every_table_and_every_file(populated, media_root, tmp_path, target):
    archive = tmp_path / "jianyan-backup.tar.gz"
    call_command("backup", "-o", str(archive))
    with connection.cursor() as cursor:
        before = all_tables(cursor)
    files_before = files_under(media_root)
    assert len(files_before) == 3 and before["proposals_proposal"] and before["core_auditevent"]

    done = target.run("restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "恢复完成" in done.stdout

    after = target.tables()
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, f"table {table} differs after the restore"
    assert files_under(target.var / "media") == files_before


def test_the_archive_has_a_manifest_with_checksums(populated, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["format"] == "jianyan-backup" and manifest["vendor"] == connection.vendor
    assert {m["name"] for m in manifest["members"]} | {"manifest.json"} == names
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])
    assert ["core", "0002_audit_append_only"] in manifest["migrations"]


def test_restore_refuses_an_instance_with_data_and_changes_nothing(populated, tmp_path, media_root):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive))
    assert instance_has_data()
    Proposal.objects.filter(pk=populated.pk).update(title="恢复前的标题")
    with pytest.raises(CommandError, match="目标实例已有数据"):
        call_command("restore", str(archive))
    assert Proposal.objects.get(pk=populated.pk).title == "恢复前的标题"


def test_a_damaged_archive_is_refused_before_anything_changes(populated, tmp_path, target):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for info in src.getmembers():
            body = src.extractfile(info).read()
            if info.name.startswith("media/"):
                body = b"%PDF-tampered" + body[13:]
            import io

            dst.addfile(info, io.BytesIO(body))
    done = target.run("restore", str(damaged))
    assert done.returncode != 0 and "校验失败" in done.stderr
    assert not (target.var / "media").exists()


def test_backup_refuses_to_overwrite_a_file(db, tmp_path):
    out = tmp_path / "b.tar.gz"
    out.write_bytes(b"keep")
    with pytest.raises(CommandError, match="拒绝覆盖"):
        call_command("backup", "-o", str(out))
    assert out.read_bytes() == b"keep"


APP_TABLE_PREFIXES = ("core_", "people_", "proposals_", "handling_", "supervision_", "notifications_", "api_",
                      "assist_", "auth_user", "auth_group")


@pytest.mark.slow
def test_the_json_format_restores_on_sqlite_whatever_the_source(populated, tmp_path, media_root):
    """`--format json`: vendor-neutral, so a PostgreSQL site can be moved to SQLite and back."""
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive), "--format", "json")
    with connection.cursor() as cursor:
        before = {t: r for t, r in all_tables(cursor).items() if t.startswith(APP_TABLE_PREFIXES)}
    sqlite_target = tmp_path / "json-target.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{sqlite_target}", "JIANYAN_VAR_DIR": str(tmp_path / "jv"),
           "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "jianyan.settings"}
    done = subprocess.run([sys.executable, "-m", "jianyan", "restore", str(archive)], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(sqlite_target)
    try:
        for table, rows in before.items():
            count = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            assert count == len(rows), table
    finally:
        con.close()
    assert files_under(tmp_path / "jv" / "media") == files_under(media_root)
