"""Proposals (提案) and their proposers; the state machine is the table TRANSITIONS below."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    COSIGNING = "cosigning", "待联名"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    REGISTERED = "registered", "已立案"
    NOT_REGISTERED = "not_registered", "不予立案"
    MERGED = "merged", "已并案"
    CONVERTED = "converted", "转意见建议"
    ASSIGNED = "assigned", "已交办"
    RETURN_REQUESTED = "return_requested", "申请退回"
    HANDLING = "handling", "办理中"
    REPLY_AUDIT = "reply_audit", "答复审核"
    REPLIED = "replied", "已答复"
    REHANDLING = "rehandling", "重新办理"
    CLOSED = "closed", "已办结"


S = State
# Which action may move a proposal out of which state. The workflow functions check this table;
# the handling steps that depend on several units (all signed, all replied) decide the target themselves.
TRANSITIONS: dict[str, set[str]] = {
    "submit": {S.DRAFT, S.RETURNED, S.COSIGNING},
    "edit": {S.DRAFT, S.RETURNED},
    "cosign": {S.COSIGNING},
    "return": {S.SUBMITTED},
    "register": {S.SUBMITTED},
    "reject": {S.SUBMITTED},
    "convert": {S.SUBMITTED},
    "merge": {S.SUBMITTED},
    "assign": {S.REGISTERED},
    "sign": {S.ASSIGNED},
    "request_return": {S.ASSIGNED},
    "decide_return": {S.RETURN_REQUESTED},
    "consult": {S.ASSIGNED, S.HANDLING, S.REPLY_AUDIT, S.REPLIED, S.REHANDLING},
    "co_opinion": {S.ASSIGNED, S.HANDLING, S.REHANDLING},
    "reply": {S.HANDLING, S.REHANDLING},
    "approve_reply": {S.REPLY_AUDIT},
    "send_back_reply": {S.REPLY_AUDIT},
    "evaluate": {S.REPLIED},
    "close": {S.REPLIED},
    "rate_quality": {S.HANDLING, S.REPLY_AUDIT, S.REPLIED, S.REHANDLING, S.CLOSED},
}

DECIDED_STATES = {S.NOT_REGISTERED, S.MERGED, S.CONVERTED}
PRE_SUBMISSION_STATES = {S.DRAFT, S.COSIGNING}
REVIEW_STATES = {S.SUBMITTED, S.RETURNED}
REGISTERED_STATES = {
    S.REGISTERED, S.ASSIGNED, S.RETURN_REQUESTED, S.HANDLING, S.REPLY_AUDIT, S.REPLIED, S.REHANDLING, S.CLOSED,
}
IN_HANDLING_STATES = {S.ASSIGNED, S.RETURN_REQUESTED, S.HANDLING, S.REPLY_AUDIT, S.REPLIED, S.REHANDLING, S.CLOSED}


class ProposerType(models.TextChoices):
    MEMBER = "member", "委员个人"
    JOINT = "joint", "委员联名"
    PARTY = "party", "党派"
    PEOPLE_ORG = "people_org", "人民团体"
    SECTOR = "sector", "界别"
    GROUP = "group", "委员小组"
    SPECIAL_COMMITTEE = "special_committee", "专门委员会"


MEMBER_TYPES = {ProposerType.MEMBER, ProposerType.JOINT}
COLLECTIVE_TYPES = set(ProposerType) - MEMBER_TYPES


class Kind(models.TextChoices):
    PLENARY = "plenary", "大会提案"
    INTERIM = "interim", "平时提案"


class Proposal(models.Model):
    committee = models.ForeignKey("people.Committee", verbose_name="政协", on_delete=models.PROTECT, related_name="proposals")
    session = models.ForeignKey("people.Session", verbose_name="会次", on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PLENARY)
    proposer_type = models.CharField("提案者类型", max_length=20, choices=ProposerType.choices, default=ProposerType.MEMBER)
    organisation = models.ForeignKey(
        "people.Organisation", verbose_name="集体提案单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="proposals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT, related_name="authored_proposals"
    )
    title = models.CharField("案由", max_length=200)
    background = models.TextField("情况分析", blank=True)
    suggestions = models.JSONField("具体建议", default=list, blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    number = models.PositiveIntegerField("案号", null=True, blank=True)
    theme = models.ForeignKey(
        "people.Theme", verbose_name="主题", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    reject_reason = models.ForeignKey(
        "people.ReasonCode", verbose_name="不予立案理由", null=True, blank=True, on_delete=models.PROTECT
    )
    merge_host = models.ForeignKey(
        "self", verbose_name="并入提案", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_proposals"
    )
    decision_note = models.TextField("审查意见", blank=True)
    transferred_from = models.ForeignKey(
        "self", verbose_name="转自提案", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers",
        help_text="市县联动：由另一级政协转来的提案，保留原提案以便双方查看来源和经过",
    )

    is_key = models.BooleanField("重点提案", default=False)
    is_secret = models.BooleanField("涉密", default=False)
    publish_consent = models.BooleanField("同意公开", default=False)
    closed_unresolved = models.BooleanField("未解决办结", default=False)
    round = models.PositiveSmallIntegerField("办理轮次", default=1, help_text="2 表示不满意后重新办理")
    cosign_deadline = models.DateTimeField("联名确认截止", null=True, blank=True)

    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审查时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "提案"
        verbose_name_plural = "提案"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="unique_number_per_session"),
        ]
        indexes = [models.Index(fields=["committee", "state"]), models.Index(fields=["session", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def display_number(self) -> str:
        return self.committee.format_number(self.number)

    @property
    def is_collective(self) -> bool:
        return self.proposer_type in COLLECTIVE_TYPES

    @property
    def body_length(self) -> int:
        return len(self.background or "") + sum(len(s) for s in self.suggestions or [])


class Proposer(models.Model):
    """A proposer of a proposal: the first proposer (a member or an organisation) or a co-signer who must confirm."""

    class Role(models.TextChoices):
        FIRST = "first", "第一提案人"
        COSIGNER = "cosigner", "联名人"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已确认"
        DECLINED = "declined", "已拒绝"
        DROPPED = "dropped", "未确认（不计入）"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="proposers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="proposer_links"
    )
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField("身份", max_length=10, choices=Role.choices)
    status = models.CharField("确认", max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    responded_at = models.DateTimeField("确认时间", null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "提案人"
        verbose_name_plural = "提案人"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="unique_proposer_user"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        profile = getattr(self.user, "profile", None)
        return profile.display_name if profile else self.user.get_username()


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under MEDIA_ROOT with a random name: the user's file name is kept in `name` only."""
    return f"attachments/{instance.proposal_id}/{uuid.uuid4().hex}.{instance.file_type}"


class Attachment(models.Model):
    """A file of a proposal: the proposer's supporting material, or a unit's signed reply letter (答复函).

    Files live under MEDIA_ROOT, never under a static or public URL: they are served only through an
    access-checked view. The type is decided by the file's content (jianyan.proposals.attachments)."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "提案附件"
        REPLY_LETTER = "reply_letter", "答复函（签发件）"

    class FileType(models.TextChoices):
        PDF = "pdf", "PDF 文档"
        DOCX = "docx", "Word 文档"
        PNG = "png", "PNG 图片"
        JPEG = "jpg", "JPEG 图片"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.MATERIAL)
    reply = models.ForeignKey(
        "handling.Reply", verbose_name="所属答复", null=True, blank=True, on_delete=models.PROTECT,
        related_name="letters",
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    file_type = models.CharField("文件类型", max_length=10, choices=FileType.choices)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
