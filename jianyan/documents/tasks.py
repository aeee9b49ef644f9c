"""The 提案汇编 is made by a background task (django.tasks; django-tasks-db in production: `jianyan db_worker`),
so that laying out a 200-page PDF (a minute or two) does not hold a web request."""

from __future__ import annotations

import logging
import time

from django.tasks import task
from django.utils import timezone

from jianyan.documents import compilations, official
from jianyan.documents.fonts import FontMissing
from jianyan.documents.models import CompilationJob
from jianyan.documents.render import render

logger = logging.getLogger(__name__)
Job = CompilationJob
PROGRESS_EVERY = 0.2  # seconds between two writes of the progress file


def claim(job_id: int) -> bool:
    """Mark the job running. A job already running is taken over: its task runs again only when its worker
    died (`jianyan recover-tasks` puts such tasks back in the queue), and the output is written atomically
    under the same name. A job expired as stale or finished is left alone."""
    return bool(Job.objects.filter(pk=job_id, status__in=compilations.ACTIVE)
                .update(status=Job.Status.RUNNING, started_at=timezone.now()))


def throttled_progress(job_id: int):
    """The per-proposal callback of official.compilation: writes the file at most five times a second,
    and always for the last proposal."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        compilations.write_progress(job_id, "汇编", done, total)

    return report


@task()
def build_compilation(job_id: int) -> dict:
    if not claim(job_id):
        return {"skipped": job_id}
    job = Job.objects.select_related("session__term__committee").get(pk=job_id)
    compilations.write_progress(job_id, "汇编", 0, 0)
    try:
        document = official.compilation(job.session, progress=throttled_progress(job_id))
        # WeasyPrint lays the whole PDF out in one call that reports nothing: the page shows 排版中 meanwhile.
        compilations.write_progress(job_id, "排版" if job.format == "pdf" else "写入", len(document.toc),
                                    len(document.toc))
        body = render(document, job.format)  # a PDF whose HTML is unchanged comes from render's cache
        name = compilations.store_file(job, body)
    except FontMissing as e:
        fail(job_id, e.message)
        return {"error": e.message}
    except Exception:
        logger.exception("compilation job %s failed", job_id)
        fail(job_id, "生成时发生内部错误，请稍后重试或联系管理员")
        raise
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, finished_at=timezone.now(), file=name, size=len(body),
        proposals=len(document.toc), fingerprint=document.fingerprint(), message="")
    compilations.forget_progress(job_id)
    compilations.prune_files(job.session, job.format)
    return {"job": job_id, "size": len(body), "proposals": len(document.toc)}


def fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=message, finished_at=timezone.now())
    compilations.forget_progress(job_id)
