"""The import runs as a background task (django.tasks; django-tasks-db in production: `jianyan db_worker`),
so that a 100,000-row file does not hold a web request. Its progress goes to a small JSON file beside the
media files, not to the database: the writing happens inside one transaction, which other connections
cannot see into until it commits."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from jianyan.core.errors import DomainError
from jianyan.core.progress import read_progress_file, write_progress_file
from jianyan.exchange.importer import clean_mapping, import_table
from jianyan.exchange.models import ImportBatch
from jianyan.exchange.reading import read_table

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 5000
Status = ImportBatch.Status


def progress_path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{batch_id}.progress.json"


def write_progress(batch_id: int, phase: str, done: int, total: int) -> None:
    write_progress_file(progress_path(batch_id), phase, done, total)


def read_progress(batch_id: int) -> dict:
    return read_progress_file(progress_path(batch_id))


def prepare_statistics(committee_id: int) -> None:
    """Compute the statistics' facts of what was imported now, in the worker, rather than in the first
    report that needs them (seconds for 100,000 proposals). They are derived data: a failure here leaves
    the import as it is, and the next report computes them."""
    from jianyan.people.models import Session
    from jianyan.reports.facts import refresh_year

    try:
        for year in sorted(set(Session.objects.filter(term__committee_id=committee_id).values_list("year", flat=True))):
            refresh_year(committee_id, year)
    except Exception:
        logger.exception("statistics facts after import into committee %s", committee_id)


@task()
def run_import(batch_id: int, dry_run: bool) -> dict:
    batch = ImportBatch.objects.select_related("committee", "created_by").get(pk=batch_id)
    running = Status.CHECKING if dry_run else Status.IMPORTING
    ImportBatch.objects.filter(pk=batch_id).update(status=running, dry_run=dry_run, done=0)
    write_progress(batch_id, "检查", 0, 0)
    try:
        table = read_table(bytes(batch.content), batch.file_name)
        outcome = import_table(
            table, committee=batch.committee, actor=batch.created_by, dry_run=dry_run, batch=batch,
            mapping=clean_mapping(table.headers, batch.mapping),
            check_progress=lambda done, total: write_progress(batch_id, "检查", done, total),
            write_progress=lambda done, total: write_progress(batch_id, "写入", done, total),
        )
    except DomainError as e:
        ImportBatch.objects.filter(pk=batch_id).update(status=Status.FAILED, message=e.message,
                                                       finished_at=timezone.now())
        return {"error": e.message}
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=Status.FAILED, message="导入时发生内部错误，未导入任何数据",
                                                       finished_at=timezone.now())
        raise
    if outcome.errors:
        status = Status.REJECTED
    else:
        status = Status.CHECKED if dry_run else Status.IMPORTED
    ImportBatch.objects.filter(pk=batch_id).update(
        status=status, total=outcome.total, done=outcome.total, imported=outcome.imported, skipped=outcome.skipped,
        errors=[list(e) for e in outcome.errors[:MAX_STORED_ERRORS]], finished_at=timezone.now(),
        message=f"共 {len(outcome.errors)} 行有错误" if outcome.errors else "",
    )
    progress_path(batch_id).unlink(missing_ok=True)
    if status == Status.IMPORTED and outcome.imported:
        prepare_statistics(batch.committee_id)
    return {"total": outcome.total, "imported": outcome.imported, "errors": len(outcome.errors)}
