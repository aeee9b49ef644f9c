"""Per-committee extensions of the national working-day calendar, and the deadline policy."""

from django.db import models


class CalendarException(models.Model):
    """A local holiday or a correction of the national calendar for one committee (e.g. a city's own
    day off, or a date the State Council changed after the calendar package was released)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假（非工作日）"
        WORKDAY = "workday", "上班（工作日）"

    committee = models.ForeignKey("people.Committee", on_delete=models.CASCADE, related_name="calendar_exceptions")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("说明", max_length=50, blank=True, help_text="如：本市防汛放假、调休上班")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["committee", "date"], name="one_calendar_exception_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class DeadlinePolicy(models.Model):
    """The deadlines a committee sets beyond those on Committee (handling months, return window,
    evaluation window). A committee without a row uses the defaults below."""

    committee = models.OneToOneField("people.Committee", on_delete=models.CASCADE, related_name="deadline_policy")
    near_due_working_days = models.PositiveSmallIntegerField(
        "临期提醒（工作日）", default=3, help_text="剩余不超过该工作日数时显示黄牌并发送提醒")
    cosign_working_days = models.PositiveSmallIntegerField(
        "联名确认期限（工作日）", default=5, help_text="大会提案截止后发起的联名，自发起之日起计算")
    review_working_days = models.PositiveSmallIntegerField("审查立案期限（工作日）", default=10)
    co_opinion_working_days = models.PositiveSmallIntegerField(
        "会办意见期限（工作日）", default=20, help_text="自交办之日起；会办单位应在此期限内向主办单位提出意见")
    extension_max_months = models.PositiveSmallIntegerField("单次延期上限（月）", default=1)
    handling_cap_months = models.PositiveSmallIntegerField(
        "办理总期限上限（月）", default=6, help_text="含延期在内，自交办之日起不超过该月数")

    class Meta:
        verbose_name = "期限设置"
        verbose_name_plural = "期限设置"

    def __str__(self) -> str:
        return f"{self.committee} 期限设置"


class SentReminder(models.Model):
    """The ledger of the daily scan: one row per reminder or escalation sent, keyed by the item, the kind
    of message and the deadline it was about. The scan sends only what it can insert here, so running it
    twice sends nothing twice; a new deadline (after an extension) is a new key."""

    class Kind(models.TextChoices):
        NEAR_DUE = "near_due", "临期提醒"
        OVERDUE = "overdue", "超期催办"
        ESCALATED = "escalated", "超期上报"

    item = models.CharField("事项", max_length=60, help_text="如 assignment:12:handling")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    due_date = models.DateField("期限")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    recipients = models.PositiveIntegerField("通知人数", default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "due_date"], name="one_reminder_per_item_kind_due")]

    def __str__(self) -> str:
        return f"{self.item} {self.get_kind_display()} {self.due_date}"
