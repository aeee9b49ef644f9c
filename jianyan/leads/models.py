"""Proposal leads (提案线索): topics the public sends in, moderated by staff, drafted into proposals by members."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Lead(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "未采纳（垃圾信息）"

    # The whole machine: staff decide once on a pending lead.
    TRANSITIONS = {Status.PENDING: {Status.ACCEPTED, Status.REJECTED}}

    committee = models.ForeignKey("people.Committee", on_delete=models.CASCADE, related_name="leads",
                                  verbose_name="政协")
    topic = models.CharField("主题", max_length=100)
    description = models.TextField("内容")
    contact = models.CharField("联系方式", max_length=100, blank=True,
                               help_text="只有提案委员会工作人员可见")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    source_hash = models.CharField("来源标识", max_length=64, blank=True,
                                   help_text="提交者 IP 的加盐散列，只用于发现滥用，不保存 IP 本身")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="审核人")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderation_note = models.CharField("审核说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "提案线索"
        verbose_name_plural = "提案线索"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["committee", "status", "-submitted_at"])]

    def __str__(self) -> str:
        return f"线索第{self.pk}号 {self.topic}"


class LeadDraft(models.Model):
    """The link from a lead to a draft proposal a member started from it."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="drafts", verbose_name="线索")
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="lead_link",
                                    verbose_name="提案")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name="撰写人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "线索转提案"
        verbose_name_plural = "线索转提案"
        constraints = [models.UniqueConstraint(fields=["lead", "created_by"], name="one_draft_per_member_and_lead")]

    def __str__(self) -> str:
        return f"{self.lead} → {self.proposal_id}"
