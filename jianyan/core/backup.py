"""Backup and restore (contract §2: `jianyan backup -o FILE`, `jianyan restore FILE`).

A backup is one .tar.gz holding
  manifest.json      what is inside: format, vendor, migrations, and the size and SHA-256 of every member
  database.sqlite3   SQLite: a page-by-page copy made with SQLite's online backup API (one read snapshot), or
  database.dump      PostgreSQL: `pg_dump --format=custom` (pg_dump reads one REPEATABLE READ snapshot), or
  database.json      either, as Django fixtures read inside one REPEATABLE READ transaction (PostgreSQL without
                     a usable pg_dump, or `--format json`); restorable on the other vendor too
  media/...          the uploaded files

The database is copied first and the files after it: a file uploaded in between is an extra, harmless file;
a record in the snapshot always finds its file unless the file was deleted in those seconds (only drafts'
attachments are ever deleted). The site stays up during a backup.

Restore checks every checksum before it touches anything, refuses an instance that already has data unless
forced, puts the database and the files in place, then runs `migrate` (a backup from older code is brought
up to date)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump / pg_restore, fixed argument lists, never a shell)
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "jianyan-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
CHUNK = 1024 * 1024
# Rows that make an instance "not empty": people, committees or anything in the audit trail.
DATA_TABLES = ("auth_user", "people_committee", "core_auditevent")
JSON_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class BackupError(Exception):
    """A backup or a restore could not be done; the message is for the operator, in Chinese."""


@dataclass
class Member:
    name: str
    size: int
    sha256: str


# ---- small helpers -------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def vendor() -> str:
    return connection.vendor


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def pg_params() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {"host": str(db.get("HOST") or ""), "port": str(db.get("PORT") or ""), "user": str(db.get("USER") or ""),
            "password": str(db.get("PASSWORD") or ""), "name": str(db["NAME"])}


def pg_command(tool: str) -> list[str]:
    p = pg_params()
    cmd = [shutil.which(tool) or tool]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if p[key]:
            cmd += [flag, p[key]]
    return cmd + ["--no-password"]


def pg_env() -> dict[str, str]:
    env = dict(os.environ)
    if pg_params()["password"]:
        env["PGPASSWORD"] = pg_params()["password"]
    return env


def tool_major_version(tool: str) -> int | None:
    """The major version of pg_dump / pg_restore on the PATH, or None if there is none."""
    path = shutil.which(tool)
    if not path:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def pg_dump_usable() -> bool:
    """pg_dump refuses a server newer than itself; then the JSON path is used instead."""
    major = tool_major_version("pg_dump")
    connection.ensure_connection()
    return major is not None and major >= connection.pg_version // 10000


# ---- backup ------------------------------------------------------------------------------------

def snapshot_sqlite(target: Path) -> None:
    """SQLite's online backup API: a consistent copy while other connections keep reading and writing."""
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        with dest:
            connection.connection.backup(dest)
    finally:
        dest.close()


def snapshot_pg_dump(target: Path) -> None:
    p = pg_params()
    cmd = pg_command("pg_dump") + ["--format=custom", "--no-owner", "--no-acl", "--file", str(target), p["name"]]
    done = subprocess.run(cmd, capture_output=True, text=True, env=pg_env(), timeout=3600, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_dump 执行失败：{done.stderr.strip()[:500]}")


def snapshot_json(target: Path) -> None:
    """Django fixtures of every table, read in one snapshot (REPEATABLE READ on PostgreSQL; SQLite's read
    transaction is a snapshot by itself)."""
    with transaction.atomic():
        if vendor() == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with target.open("w", encoding="utf-8") as out:
            call_command("dumpdata", natural_foreign=True, exclude=JSON_EXCLUDE, stdout=out, verbosity=0)


def choose_format(requested: str | None) -> str:
    if requested == "json":
        return "json"
    if vendor() == "sqlite":
        return "sqlite"
    if vendor() == "postgresql":
        return "pg_dump" if pg_dump_usable() else "json"
    return "json"


DATABASE_MEMBER = {"sqlite": "database.sqlite3", "pg_dump": "database.dump", "json": "database.json"}
SNAPSHOT = {"sqlite": snapshot_sqlite, "pg_dump": snapshot_pg_dump, "json": snapshot_json}


def add_file(tar: tarfile.TarFile, path: Path, name: str) -> Member:
    digest = sha256_of(path)
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as f:
        tar.addfile(info, f)
    return Member(name=name, size=info.size, sha256=digest)


def create_backup(output: Path, *, requested_format: str | None = None) -> dict:
    """Writes the archive (to a temporary name first, so a failed backup never looks like a good one)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"文件已存在，拒绝覆盖：{output}")
    fmt = choose_format(requested_format)
    partial = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory(prefix="jianyan-backup-") as tmp:
        db_file = Path(tmp) / DATABASE_MEMBER[fmt]
        taken_at = timezone.now()
        SNAPSHOT[fmt](db_file)
        members: list[Member] = []
        try:
            with tarfile.open(partial, "w:gz") as tar:
                members.append(add_file(tar, db_file, DATABASE_MEMBER[fmt]))
                root = media_root()
                for path in media_files(root):
                    members.append(add_file(tar, path, f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}"))
                manifest = {
                    "format": FORMAT, "version": VERSION, "created_at": taken_at.isoformat(),
                    "vendor": vendor(), "database": {"format": fmt, "member": DATABASE_MEMBER[fmt]},
                    "migrations": applied_migrations(),
                    "members": [m.__dict__ for m in members],
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(body), int(taken_at.timestamp())
                tar.addfile(info, io.BytesIO(body))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# ---- restore -----------------------------------------------------------------------------------

def safe_member_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def read_archive(archive: Path, into: Path) -> dict:
    """Unpacks the archive into a scratch folder and checks it against its manifest: every member listed,
    none extra, sizes and SHA-256 equal. Nothing outside `into` is written."""
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                manifest = json.load(tar.extractfile(MANIFEST))
            except (KeyError, TypeError, json.JSONDecodeError) as e:
                raise BackupError("备份文件缺少有效的清单（manifest.json），不是建言的备份") from e
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise BackupError("备份文件格式不受支持")
            listed = {m["name"]: m for m in manifest["members"]}
            for info in tar.getmembers():
                if info.name == MANIFEST:
                    continue
                if info.name not in listed or not info.isfile() or not safe_member_name(info.name):
                    raise BackupError(f"备份文件含有清单以外的内容：{info.name}")
                tar.extract(info, into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BackupError(f"备份文件已损坏，无法读取：{e}") from e
    for name, member in listed.items():
        path = into / name
        if not path.is_file() or path.stat().st_size != member["size"] or sha256_of(path) != member["sha256"]:
            raise BackupError(f"备份文件校验失败（{name}），未做任何改动")
    return manifest


def table_has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return False
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 (a known table name)
        return cursor.fetchone() is not None


def instance_has_data() -> list[str]:
    """What makes this instance non-empty (empty list: it may be restored into)."""
    found = [table for table in DATA_TABLES if table_has_rows(table)]
    if media_files(media_root()):
        found.append("MEDIA_ROOT")
    return found


def restore_backup(archive: Path, *, force: bool = False, stdout=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="jianyan-restore-") as tmp:
        scratch = Path(tmp)
        manifest = read_archive(Path(archive), scratch)
        fmt = manifest["database"]["format"]
        check_target_vendor(fmt)
        check_migrations_known(manifest["migrations"])
        occupied = instance_has_data()
        if occupied and not force:
            raise BackupError("目标实例已有数据（" + "、".join(occupied) + "），拒绝覆盖；确需覆盖请加 --force")
        db_file = scratch / manifest["database"]["member"]
        RESTORE[fmt](db_file)
        restore_media(scratch / MEDIA_DIR)
        call_command("migrate", interactive=False, verbosity=0, stdout=stdout)
    return manifest


def check_target_vendor(fmt: str) -> None:
    needs = {"sqlite": "sqlite", "pg_dump": "postgresql"}.get(fmt)
    if needs and needs != vendor():
        raise BackupError(f"该备份来自 {needs} 数据库，只能恢复到同类数据库（当前为 {vendor()}）；"
                          "跨数据库迁移请用 jianyan backup --format json 备份")


def check_migrations_known(migrations: list[list[str]]) -> None:
    """A backup made by newer code than this one cannot be restored here."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in migrations if (app, name) not in known and app in apps.app_configs]
    if unknown:
        raise BackupError("备份来自更新版本的建言，请先升级程序（未知迁移：" + "、".join(unknown[:5]) + "）")


def restore_sqlite(db_file: Path) -> None:
    """Copy the snapshot over the database through the backup API again: the live file, its WAL and every
    open connection see the restored pages at once, in one step."""
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def restore_pg_dump(db_file: Path) -> None:
    connections.close_all()
    cmd = pg_command("pg_restore") + ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
                                      "--exit-on-error", "--dbname", pg_params()["name"], str(db_file)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=pg_env(), timeout=3600, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_restore 执行失败：{done.stderr.strip()[:500]}")


def restore_json(db_file: Path) -> None:
    """Tables first (migrate), then the rows, in one transaction; the rows of an instance being forced over
    are removed first (flush: TRUNCATE on PostgreSQL, which the audit trigger allows)."""
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)  # post_migrate brings back content types
        call_command("loaddata", str(db_file), verbosity=0)


RESTORE = {"sqlite": restore_sqlite, "pg_dump": restore_pg_dump, "json": restore_json}


def restore_media(source: Path) -> None:
    """The uploaded files replace the instance's: copied next to MEDIA_ROOT, then swapped in."""
    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    incoming = root.with_name(root.name + f".restore-{dt.datetime.now():%Y%m%d%H%M%S}")
    if source.is_dir():
        shutil.copytree(source, incoming)
    else:
        incoming.mkdir()
    old = root.with_name(root.name + ".before-restore")
    if root.exists():
        shutil.rmtree(old, ignore_errors=True)
        root.rename(old)
    incoming.rename(root)
    shutil.rmtree(old, ignore_errors=True)
