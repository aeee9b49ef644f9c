"""Reads of proposals that pages and the API share. Visibility itself is decided in core.access."""

from dataclasses import dataclass
from datetime import datetime

from jianyan.core.models import AuditEvent
from jianyan.proposals.models import Proposal

ACTION_LABELS = {
    "proposal.created": "创建草稿",
    "proposal.edited": "修改提案",
    "proposal.cosign_requested": "提交并邀请联名",
    "proposal.cosign_accepted": "确认联名",
    "proposal.cosign_declined": "拒绝联名",
    "proposal.submitted": "提交提案",
    "proposal.returned": "退回修改",
    "proposal.registered": "立案",
    "proposal.not_registered": "不予立案",
    "proposal.converted": "转为意见建议",
    "proposal.merged": "并案",
    "proposal.assigned": "交办",
    "proposal.designated_key": "确定为重点提案",
    "assignment.signed": "签收",
    "assignment.return_requested": "申请退回",
    "assignment.return_accepted": "同意退回",
    "assignment.return_rejected": "驳回退回申请",
    "extension.requested": "申请延期",
    "extension.approved": "批准延期",
    "extension.refused": "不予延期",
    "consultation.recorded": "沟通协商",
    "co_opinion.recorded": "提交会办意见",
    "reply.submitted": "提交答复",
    "reply.approved": "答复审核通过",
    "reply.sent_back": "答复退回修改",
    "evaluation.recorded": "评价办理情况",
    "proposal.closed": "办结",
    "quality.rated": "评议提案质量",
    "attachment.added": "上传附件",
    "attachment.removed": "删除附件",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


def actor_name(event: AuditEvent) -> str:
    user = event.actor
    if user is None:
        return "系统"
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.get_username()


def timeline_of(proposal: Proposal) -> list[TimelineEntry]:
    events = AuditEvent.objects.filter(proposal=proposal).select_related("actor__profile").order_by("at", "id")
    return [
        TimelineEntry(e.at, actor_name(e), e.action, ACTION_LABELS.get(e.action, e.action), e.from_state,
                      e.to_state, e.note)
        for e in events
    ]
