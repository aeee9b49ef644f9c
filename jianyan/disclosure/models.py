"""A proposal's publication: what the public sees of it (redacted title, body and reply), and whether it is
still public. The public never reads the proposal's own text: only the redacted copies kept here."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Publication(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "已公开"
        WITHDRAWN = "withdrawn", "已撤回"

    proposal = models.OneToOneField(
        "proposals.Proposal", verbose_name="提案", on_delete=models.PROTECT, related_name="publication"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True)
    title = models.CharField("公开标题", max_length=200)
    body = models.TextField("公开正文")
    reply = models.TextField("公开答复")
    redactions = models.JSONField(
        "隐去的内容", default=dict, blank=True, help_text="{字段: [隐去的原文片段]}，仅工作人员可见"
    )
    result_class = models.CharField("办理结果分类", max_length=1, blank=True)
    published_at = models.DateTimeField("首次公开时间", default=timezone.now, db_index=True)
    changed_at = models.DateTimeField("最近更新", default=timezone.now)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "公开提案"
        verbose_name_plural = "公开提案"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title
