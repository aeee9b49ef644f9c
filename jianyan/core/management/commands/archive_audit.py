"""`jianyan archive-audit --before DATE -o FILE [--delete]`: copy the audit events older than DATE to a JSON Lines
file (one event per line, oldest first), for off-line keeping.

The rows stay in the database unless `--delete` is given: a proposal's timeline is read from its audit events,
so removing them shortens what every user sees. With `--delete` the rows written to the file (and only those,
checked against the file once written) are removed through core.audit.purge_events, the one path the
append-only trigger lets through on PostgreSQL. Events of the last 180 days can never be archived away
(等保 2.0: logs are kept at least 180 days)."""

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from jianyan.core.audit import purge_events
from jianyan.core.models import AuditEvent

RETENTION_DAYS = 180
BATCH = 2000


def parse_day(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as e:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from e
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def as_line(event: dict) -> str:
    return json.dumps(event, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


FIELDS = ["id", "at", "actor_id", "actor__username", "action", "committee_id", "proposal_id", "from_state",
          "to_state", "note", "data"]


class Command(BaseCommand):
    help = "将指定日期之前的审计事件导出为 JSON Lines 文件（默认保留数据库中的记录；--delete 在核对后删除）"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="导出此日期（YYYY-MM-DD，不含当日）之前的事件")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.jsonl），已存在时拒绝覆盖")
        parser.add_argument("--delete", action="store_true", help="导出并核对后，从数据库中删除这些事件")

    def handle(self, *args, before: str, output: str, delete: bool = False, **options):
        cutoff = parse_day(before)
        oldest_allowed = timezone.now() - dt.timedelta(days=RETENTION_DAYS)
        if delete and cutoff > oldest_allowed:
            raise CommandError(f"审计日志至少保留 {RETENTION_DAYS} 天：--delete 时 --before 不能晚于 "
                               f"{timezone.localdate(oldest_allowed).isoformat()}")
        path = Path(output)
        if path.exists():
            raise CommandError(f"文件已存在，拒绝覆盖：{path}")
        events = AuditEvent.objects.filter(at__lt=cutoff)
        with transaction.atomic():
            # One snapshot of the rows: the ids written are exactly the ids that may be deleted.
            ids, digest = self.export(events.order_by("at", "id"), path)
            if delete and ids:
                self.check_file(path, ids)
                deleted = purge_events(AuditEvent.objects.filter(pk__in=ids))
            else:
                deleted = 0
        self.stdout.write(f"已导出 {len(ids)} 条审计事件到 {path}（SHA-256 {digest}）"
                          + (f"，已从数据库删除 {deleted} 条" if delete else "，数据库中的记录保留不变"))

    @staticmethod
    def export(events, path: Path) -> tuple[list[int], str]:
        ids: list[int] = []
        digest = hashlib.sha256()
        with path.open("x", encoding="utf-8") as out:
            for row in events.values(*FIELDS).iterator(chunk_size=BATCH):
                row["actor"] = row.pop("actor__username")
                line = as_line(row) + "\n"
                out.write(line)
                digest.update(line.encode())
                ids.append(row["id"])
        return ids, digest.hexdigest()

    @staticmethod
    def check_file(path: Path, ids: list[int]) -> None:
        """Read the file back before anything is deleted: every exported id must be in it, once."""
        with path.open(encoding="utf-8") as f:
            written = [json.loads(line)["id"] for line in f if line.strip()]
        if written != ids:
            raise CommandError("导出文件核对失败，未删除任何记录")
