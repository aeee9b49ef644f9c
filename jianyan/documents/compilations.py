"""The 提案汇编 as a background job: start one (or join the one already running), follow its progress, find
the finished file that is still current, and keep the folder small.

A job's progress goes to a small JSON file beside its output, written atomically, as the Excel import does:
the page polls it with htmx. A job left in 排队中/生成中 by a worker that died must not block the session
for ever: after STALE_AFTER it counts as interrupted and a new request starts afresh."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jianyan.core.audit import record
from jianyan.core.progress import read_progress_file, write_progress_file
from jianyan.documents.models import CompilationJob
from jianyan.people.models import Session

Job = CompilationJob
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)
KEEP_FILES = 5  # per session and format: older finished jobs keep their row, not their file
STALE_MESSAGE = "后台任务超时未完成（可能已中断），请重新生成"


def stale_after() -> dt.timedelta:
    """The demo's 194-page PDF takes one to two minutes on a busy machine; a job still 排队中 or 生成中
    after this long has lost its worker (or none is running)."""
    return dt.timedelta(seconds=int(getattr(settings, "JIANYAN_COMPILATION_STALE_SECONDS", 15 * 60)))


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "compilations"


def output_name(job: Job) -> str:
    """The file's path relative to MEDIA_ROOT."""
    return f"compilations/{job.session_id}/{job.pk}.{job.format}"


def file_path(job: Job) -> Path | None:
    """The job's file if it is still there (and inside the compilations folder)."""
    if not job.file:
        return None
    path = (Path(settings.MEDIA_ROOT) / job.file).resolve()
    if not path.is_relative_to(folder().resolve()) or not path.is_file():
        return None
    return path


# ---- progress ------------------------------------------------------------------------------------

def progress_path(job_id: int) -> Path:
    return folder() / "progress" / f"{job_id}.json"


def write_progress(job_id: int, phase: str, done: int = 0, total: int = 0) -> None:
    """phase: "汇编" (done/total proposals), "排版" (WeasyPrint, no progress of its own) or "写入"."""
    write_progress_file(progress_path(job_id), phase, done, total)


def read_progress(job_id: int) -> dict:
    return read_progress_file(progress_path(job_id))


def forget_progress(job_id: int) -> None:
    progress_path(job_id).unlink(missing_ok=True)


# ---- jobs ----------------------------------------------------------------------------------------

def stale_filter() -> Q:
    """Active jobs that began (or were queued) longer ago than stale_after()."""
    limit = timezone.now() - stale_after()
    return Q(status__in=ACTIVE) & (Q(started_at__lt=limit) | Q(started_at__isnull=True, created_at__lt=limit))


def expire_stale(session: Session) -> int:
    """Mark the session's stale jobs as failed, so they no longer block a new one; returns how many."""
    stale = list(Job.objects.filter(stale_filter(), session=session).values_list("pk", flat=True))
    if not stale:
        return 0
    count = Job.objects.filter(stale_filter(), pk__in=stale).update(
        status=Job.Status.FAILED, message=STALE_MESSAGE, finished_at=timezone.now())
    for pk in stale:
        forget_progress(pk)
    return count


def active_job(session: Session, fmt: str) -> Job | None:
    return Job.objects.filter(session=session, format=fmt, status__in=ACTIVE).order_by("-id").first()


def start_compilation(session: Session, fmt: str, *, actor) -> tuple[Job, bool]:
    """Queue a job for the session's 提案汇编 in this format, or return the one already under way.
    Returns (job, started)."""
    from jianyan.documents.tasks import build_compilation

    if fmt not in Job.Format.values:
        raise ValueError(f"unknown format {fmt!r}")
    expire_stale(session)
    running = active_job(session, fmt)
    if running is not None:
        return running, False
    with transaction.atomic():
        job = Job.objects.create(session=session, format=fmt, requested_by=actor)
        record(actor=actor, action="documents.compilation_requested", committee=session.term.committee,
               data={"session": session.pk, "format": fmt, "job": job.pk})
    transaction.on_commit(lambda: build_compilation.enqueue(job.pk))
    return job, True


def current_file(session: Session, fmt: str, fingerprint: str) -> Job | None:
    """The newest finished job whose content equals the session's current content and whose file is there."""
    for job in Job.objects.filter(session=session, format=fmt, status=Job.Status.DONE,
                                  fingerprint=fingerprint).order_by("-id")[:KEEP_FILES]:
        if file_path(job) is not None:
            return job
    return None


def store_file(job: Job, body: bytes) -> str:
    """Write the job's output atomically under MEDIA_ROOT; returns its relative name."""
    name = output_name(job)
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(body)
    partial.replace(path)
    return name


def prune_files(session: Session, fmt: str) -> None:
    """Keep the files of the newest KEEP_FILES finished jobs of a session and format; the rows stay, as a
    record of who asked for what when."""
    old = Job.objects.filter(session=session, format=fmt, status=Job.Status.DONE).exclude(file="")
    for job in old.order_by("-id")[KEEP_FILES:]:
        path = file_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(file="")
