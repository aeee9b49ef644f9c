"""The daily scan as a background task (django.tasks, django-tasks-db backend, run by `manage.py db_worker`).

The worker has no cron, so the scan keeps itself going: each run ends by enqueuing the next one for
SCAN_HOUR tomorrow (local time). `scan-deadlines --schedule` (called by `make run` before the worker
starts) enqueues the first if none is waiting; because scheduling checks for a waiting scan first, a
restart, a manual run or two workers never leave more than one scan queued."""

import datetime as dt

from django.tasks import default_task_backend, task
from django.tasks.base import TaskResultStatus
from django.utils import timezone

SCAN_HOUR = 7  # before office hours, so the day's reminders are waiting at 8


@task()
def daily_scan() -> dict:
    from jianyan.notifications.channels import send_digests
    from jianyan.workdays.scan import scan_deadlines

    result = scan_deadlines()
    result["digests"] = send_digests()
    schedule_next_scan()
    return result


def next_scan_time(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    day = local.date() + dt.timedelta(days=1) if local.hour >= SCAN_HOUR else local.date()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(SCAN_HOUR)))


def waiting_scan_exists() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=daily_scan.module_path, status=TaskResultStatus.READY).exists()


def schedule_next_scan(now: dt.datetime | None = None):
    """Enqueue the next daily scan unless one is already waiting. Only a backend that can defer tasks
    (the database one) schedules; with others (tests, the immediate backend) the command runs the scan."""
    if not default_task_backend.supports_defer or waiting_scan_exists():
        return None
    return daily_scan.using(run_after=next_scan_time(now)).enqueue()
