"""How a registered proposal is handled: assignments to units, return requests, consultations,
co-handlers' opinions, replies, the proposers' evaluations and the units' quality ratings."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Assignment(models.Model):
    class Mode(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "会办"
        SEPARATE = "separate", "分办"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey("people.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments")
    mode = models.CharField("方式", max_length=10, choices=Mode.choices)
    assigned_at = models.DateTimeField("交办时间", default=timezone.now)
    due_date = models.DateField("办理期限", help_text="批准延期后为延期后的期限")
    rehandling_due_date = models.DateField("重新办理期限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True, help_text="退回后改派的原交办记录为无效")

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"], condition=models.Q(is_active=True), name="one_active_assignment_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_mode_display()}）"

    @property
    def replies_to_proposer(self) -> bool:
        return self.mode in (self.Mode.LEAD, self.Mode.SEPARATE)


class ReturnRequest(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="return_requests")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    accepted = models.BooleanField("同意退回", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "退回申请"
        verbose_name_plural = "退回申请"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.assignment} 申请退回"


class Extension(models.Model):
    """A unit's request, made before its deadline, to handle a proposal longer (延期); staff approve it
    (with a new due date within the committee's caps) or refuse it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField("延期理由")
    requested_due_date = models.DateField("申请延至")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    previous_due_date = models.DateField("原办理期限")
    status = models.CharField("审批状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    granted_due_date = models.DateField("批准延至", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=models.Q(status="pending"),
                                    name="one_pending_extension_per_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} 申请延期至{self.requested_due_date}"


class Consultation(models.Model):
    class Form(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "面谈"
        FORUM = "forum", "座谈会"
        ON_SITE = "on_site", "现场协商"
        PHONE = "phone", "电话"
        EMAIL = "email", "邮件"
        LETTER = "letter", "书信"
        OTHER = "other", "其他"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="consultations")
    unit = models.ForeignKey("people.Unit", null=True, blank=True, on_delete=models.PROTECT)
    form = models.CharField("形式", max_length=20, choices=Form.choices)
    date = models.DateField("日期")
    participants = models.TextField("参加人员")
    outcome = models.TextField("协商结果")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "沟通协商"
        verbose_name_plural = "沟通协商"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_form_display()}"


class CoOpinion(models.Model):
    """A co-handling unit's opinion (会办意见) for the lead unit; never sent to the proposer."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="co_opinions")
    text = models.TextField("会办意见")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "会办意见"
        verbose_name_plural = "会办意见"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.assignment} 会办意见"


class Reply(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        SENT_BACK = "sent_back", "已退回"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField("轮次", default=1, help_text="2 表示重新办理后的答复")
    result_class = models.CharField("办理结果分类", max_length=1)
    proposed_class = models.CharField("单位拟定分类", max_length=1)
    body = models.TextField("答复正文")
    signer = models.CharField("签发人", max_length=50)
    doc_no = models.CharField("文号", max_length=50, blank=True)
    status = models.CharField("审核状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    is_supplementary = models.BooleanField("补充答复", default=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    audited_at = models.DateTimeField(null=True, blank=True)
    audit_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.assignment} 第{self.round}轮答复（{self.result_class}）"


class Evaluation(models.Model):
    """One proposer's rating of one round of handling: attitude and result, each 满意/基本满意/不满意."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="evaluations")
    proposer = models.ForeignKey("proposals.Proposer", on_delete=models.PROTECT, related_name="evaluations")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    attitude = models.CharField("办理态度", max_length=20, choices=Value.choices)
    result = models.CharField("办理结果", max_length=20, choices=Value.choices)
    comment = models.TextField("意见", blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["proposer", "round"], name="one_evaluation_per_proposer_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposer} 第{self.round}轮评价"


class QualityRating(models.Model):
    """A handling unit's blind rating of the proposal's quality (双向评议)."""

    DIMENSIONS = {"science": "科学性", "seriousness": "严肃性", "feasibility": "可行性", "norm": "规范性", "impact": "影响性"}

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="quality_ratings")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="quality_ratings")
    scores = models.JSONField("分项得分")
    total = models.PositiveSmallIntegerField("总分")
    comment = models.TextField("评语", blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "提案质量评价"
        verbose_name_plural = "提案质量评价"
        constraints = [models.UniqueConstraint(fields=["assignment"], name="one_quality_rating_per_assignment")]

    def __str__(self) -> str:
        return f"{self.assignment} 质量评议 {self.total}"

    @property
    def grade(self) -> str:
        if self.total >= 90:
            return "优秀"
        if self.total >= 75:
            return "良好"
        if self.total >= 60:
            return "一般"
        return "较差"
