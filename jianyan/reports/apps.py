from django.apps import AppConfig


def forget_sector_facts_of(sender, instance, raw=False, **kwargs):
    """A profile saved with another sector: its member's first-proposer facts count elsewhere now."""
    if not raw and instance.user_id:
        from jianyan.reports.facts import forget_sector_facts

        forget_sector_facts(instance.user_id, instance.sector_id)


class ReportsConfig(AppConfig):
    name = "jianyan.reports"
    label = "reports"
    verbose_name = "统计报告"

    def ready(self):
        from django.db.models.signals import post_save

        from jianyan.people.models import Profile

        post_save.connect(forget_sector_facts_of, sender=Profile, dispatch_uid="reports-forget-sector-facts")
