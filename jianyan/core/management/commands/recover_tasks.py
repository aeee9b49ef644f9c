"""`jianyan recover-tasks [--older-than MINUTES]`: put back in the queue the background tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker takes it and has no recovery of its own: if the worker is
killed (SIGKILL, out of memory, a power cut) the task stays RUNNING for ever and never runs again
(github.com/RealOrangeOne/django-tasks-db/issues/5). Run this before starting the workers, when every RUNNING
task is an orphan (`make run` does, with --older-than 0); beside live workers, give an --older-than longer than
any task takes (the default, 60 minutes), or a task still running would be started a second time.

A task may therefore run twice, so Jianyan's tasks are safe to run again: notifications are sent at most once
per notification and channel (a Delivery row is written before sending), the daily scan keeps a ledger of the
reminders it sent, and an import writes everything in one transaction."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.tasks.base import TaskResultStatus
from django.utils import timezone


def requeue_interrupted_tasks(*, older_than: dt.timedelta) -> int:
    """RUNNING tasks started more than `older_than` ago become READY again. Returns how many."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff).update(
        status=TaskResultStatus.READY, started_at=None)


class Command(BaseCommand):
    help = "把工作进程中断后仍处于“运行中”的后台任务重新排队（在启动 db_worker 之前运行）"

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=float, default=60, metavar="MINUTES",
                            help="只重新排队开始运行超过这么多分钟的任务（默认 60；确认没有工作进程在运行时可用 0）")

    def handle(self, *args, older_than: float, **options):
        if older_than < 0:
            raise CommandError("--older-than 不能为负数")
        count = requeue_interrupted_tasks(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"已重新排队 {count} 个中断的后台任务")
