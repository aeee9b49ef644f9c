from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "jianyan.workdays"
    label = "workdays"
    verbose_name = "工作日与期限"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from jianyan.workdays import checks  # noqa: F401  (registers the calendar-range check)
        from jianyan.workdays.models import CalendarException, DeadlinePolicy

        for model in (CalendarException, DeadlinePolicy):
            post_save.connect(forget_cached, sender=model, dispatch_uid=f"workdays-forget-{model.__name__}")
            post_delete.connect(forget_cached, sender=model, dispatch_uid=f"workdays-forget-del-{model.__name__}")


def forget_cached(sender, instance, **kwargs):
    """A committee's calendar or policy changed: compute its deadlines afresh (cache only, no logic)."""
    from jianyan.workdays.calendar import rules

    rules.forget(instance.committee_id)


def forget_all() -> None:
    """For tests: a rolled-back transaction removes rows without signals."""
    from jianyan.workdays.calendar import rules

    rules.forget()
