"""Key proposals (重点提案) led by a party/government leader and supervised by a CPPCC leader; their
nominations and the leaders' sign-off; cross-year follow-up (跟踪问效) of B/C replies and key proposals;
excellent proposals (优秀提案)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class KeyProposal(models.Model):
    class Status(models.TextChoices):
        DECIDED = "decided", "提案委已审定，待主席会议批准"
        APPROVED = "approved", "主席会议已批准，督办中"
        SIGNED_OFF = "signed_off", "领导已签字确认"

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="key_proposals")
    session = models.ForeignKey("people.Session", on_delete=models.PROTECT, related_name="key_proposals")
    topic = models.CharField("督办专题", max_length=200)
    proposals = models.ManyToManyField("proposals.Proposal", related_name="key_topics")
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="领办领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervising_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.TextField("督办方案", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DECIDED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approval_note = models.TextField("批准意见", blank=True)

    class Meta:
        verbose_name = "重点提案"
        verbose_name_plural = "重点提案"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.topic


def activity_file_path(instance: "SupervisionActivity", filename: str) -> str:
    """A random name under MEDIA_ROOT: the user's file name is kept in `attachment_name` only."""
    return f"supervision/{uuid.uuid4().hex}.{instance.attachment_type}"


class SupervisionActivity(models.Model):
    class Form(models.TextChoices):
        FORUM = "forum", "座谈"
        SURVEY = "survey", "调研"
        INSPECTION = "inspection", "视察"
        MEETING = "meeting", "督办会"
        VISIT = "visit", "走访承办单位"

    key_proposal = models.ForeignKey(KeyProposal, on_delete=models.PROTECT, related_name="activities")
    form = models.CharField("形式", max_length=20, choices=Form.choices)
    date = models.DateField("日期")
    participants = models.TextField("参加人员", blank=True)
    minutes = models.TextField("纪要", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attachment = models.FileField("附件", upload_to=activity_file_path, max_length=200, blank=True)
    attachment_name = models.CharField("附件名", max_length=200, blank=True)
    attachment_type = models.CharField("附件类型", max_length=10, blank=True)

    class Meta:
        verbose_name = "督办活动"
        verbose_name_plural = "督办活动"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_form_display()}"


class KeyNomination(models.Model):
    """A recommendation of a proposal as a key proposal: from a party or organisation (its clerk) or from staff."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审定"
        SELECTED = "selected", "已选定"
        DECLINED = "declined", "未选定"

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="key_nominations")
    organisation = models.ForeignKey("people.Organisation", verbose_name="推荐单位", null=True, blank=True,
                                     on_delete=models.PROTECT)
    reason = models.TextField("推荐理由")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    key_proposal = models.ForeignKey(KeyProposal, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="nominations")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "重点提案推荐"
        verbose_name_plural = "重点提案推荐"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.proposal} 推荐"

    @property
    def source(self) -> str:
        return self.organisation.name if self.organisation_id else "提案委员会"


class KeySignOff(models.Model):
    """A leader's sign-off (签字确认) on the handling of a key proposal; both leaders sign before it closes."""

    class Part(models.TextChoices):
        LEAD = "lead", "领办"
        SUPERVISING = "supervising", "督办"

    key_proposal = models.ForeignKey(KeyProposal, on_delete=models.PROTECT, related_name="sign_offs")
    part = models.CharField("身份", max_length=12, choices=Part.choices)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("意见", blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "领导签字确认"
        verbose_name_plural = "领导签字确认"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["key_proposal", "part"], name="one_sign_off_per_part")]

    def __str__(self) -> str:
        return f"{self.key_proposal} {self.get_part_display()}签字确认"


class FollowUp(models.Model):
    """A follow-up item (跟踪问效) for one year: a B/C reply still to be carried out, or a key proposal tracked
    over several years. The handling unit posts progress updates, like Decidim's accountability results."""

    class Source(models.TextChoices):
        CLASS_B = "class_b", "B类答复（正在解决或列入计划）"
        CLASS_C = "class_c", "C类答复（条件限制，以后解决）"
        KEY = "key", "重点提案跨年度跟踪"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已落实"
        BLOCKED = "blocked", "暂缓（条件限制）"

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="follow_ups")
    unit = models.ForeignKey("people.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="follow_ups")
    key_proposal = models.ForeignKey(KeyProposal, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="follow_ups")
    year = models.PositiveSmallIntegerField("跟踪年度", db_index=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    status = models.CharField("进展状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "跟踪事项"
        verbose_name_plural = "跟踪事项"
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "unit", "year"], name="one_follow_up_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年跟踪：{self.proposal}"


class ProgressUpdate(models.Model):
    """One progress update of a follow-up item: status, percent and a note; or a supplementary reply (补充答复).

    Supplementary replies live here rather than as handling.Reply rows because the statistics take a
    proposal's latest approved Reply as its result: a later note must not change last year's figures."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField("进展状态", max_length=12, choices=FollowUp.Status.choices)
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    note = models.TextField("进展说明")
    is_supplementary_reply = models.BooleanField("补充答复", default=False)
    signer = models.CharField("签发人", max_length=50, blank=True)
    doc_no = models.CharField("文号", max_length=50, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "跟踪进展"
        verbose_name_plural = "跟踪进展"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.follow_up} {self.percent}%"


class ExcellentNomination(models.Model):
    """A proposal put forward as an excellent proposal (优秀提案): 征集 → 初评 → 审议 → 公布."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "已推荐"
        SHORTLISTED = "shortlisted", "初评通过"
        SELECTED = "selected", "审议通过"
        PUBLISHED = "published", "已公布"
        DECLINED = "declined", "未入选"

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="excellent_nominations")
    year = models.PositiveSmallIntegerField("评选年度", db_index=True)
    reason = models.TextField("推荐理由")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOMINATED)
    review_note = models.TextField("评审意见", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "优秀提案推荐"
        verbose_name_plural = "优秀提案推荐"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "year"], name="one_excellent_nomination_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年优秀提案推荐：{self.proposal}"
