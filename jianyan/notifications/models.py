from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An in-app message about a workflow event that concerns the user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=40)
    text = models.CharField("内容", max_length=300)
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """Which events a user also wants by e-mail or SMS (the in-app inbox always gets everything), and
    whether e-mails come at once or as one daily digest. Keys of `email_events` / `sms_events` are the
    event groups of notifications.events.EVENT_GROUPS."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    email_events = models.JSONField("邮件通知的事件", default=list, blank=True)
    sms_events = models.JSONField("短信通知的事件", default=list, blank=True)
    daily_digest = models.BooleanField("邮件按日汇总", default=False, help_text="每天发送一封汇总邮件，而不是逐条发送")
    last_digest_at = models.DateTimeField("上次汇总时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user} 通知设置"


class Delivery(models.Model):
    """One attempt to send a notification (or a digest) through an outside channel: e-mail or SMS.

    The row is written (as "sending") before the message goes out, and at most one exists per notification
    and channel: a task that runs again after its worker was killed finds the row and never sends twice. A row
    left "sending" means the worker died during that send; whether the message arrived is unknown."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮件"
        SMS = "sms", "短信"

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "无联系方式"
        SENDING = "sending", "发送中"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    is_digest = models.BooleanField("汇总邮件", default=False)
    error = models.CharField("错误", max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "通知发送记录"
        verbose_name_plural = "通知发送记录"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], condition=models.Q(notification__isnull=False),
                                    name="one_delivery_per_notification_and_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.user} {self.get_status_display()}"
