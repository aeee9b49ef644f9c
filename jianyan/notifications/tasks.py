"""Background tasks (django.tasks with the django-tasks-db backend; `manage.py db_worker` runs them)."""

from django.tasks import task

from jianyan.notifications import channels


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    return len(channels.deliver(notification_ids))
