"""Who hears about which workflow event. Called from workflow functions through transaction.on_commit,
so a rolled-back change notifies nobody."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from jianyan.notifications import channels, tasks
from jianyan.notifications.models import Notification
from jianyan.people.models import Role

User = get_user_model()


def staff_of(committee_id: int):
    return User.objects.filter(profile__committee_id=committee_id, profile__role=Role.STAFF, is_active=True)


def proposers_of(proposal) -> list:
    """People who speak for the proposal: the author, accepted co-signers and the organisation's clerks."""
    users = {proposal.created_by_id}
    users |= set(proposal.proposers.filter(status="accepted", user__isnull=False).values_list("user_id", flat=True))
    if proposal.organisation_id:
        users |= set(
            User.objects.filter(profile__organisation_id=proposal.organisation_id, profile__role=Role.CLERK)
            .values_list("id", flat=True)
        )
    return list(User.objects.filter(id__in=users, is_active=True))


def liaisons_of(unit_ids: Iterable[int]):
    return User.objects.filter(profile__unit_id__in=list(unit_ids), profile__role=Role.UNIT, is_active=True)


def unit_leaders_of(unit_ids: Iterable[int]):
    """The leaders in charge of the units (a leader profile attached to the unit)."""
    return User.objects.filter(profile__unit_id__in=list(unit_ids), profile__role=Role.LEADER, is_active=True)


def send(kind: str, proposal, users: Iterable, text: str) -> int:
    """Put the message in each user's inbox, then hand it to the outside channels they chose (e-mail,
    SMS) through a background task."""
    rows = [Notification(user=u, kind=kind, text=text[:300], proposal=proposal) for u in {u.pk: u for u in users}.values()]
    Notification.objects.bulk_create(rows)
    if rows:
        ids = channels.needs_delivery(rows)
        if ids:
            transaction.on_commit(lambda: tasks.deliver_notifications.enqueue(ids))
    return len(rows)


def label(proposal) -> str:
    number = proposal.display_number
    return f"{number}《{proposal.title}》" if number else f"《{proposal.title}》"


def submitted(proposal):
    send("proposal.submitted", proposal, staff_of(proposal.committee_id), f"收到新提案{label(proposal)}，请审查。")


def cosign_requested(proposal, users):
    send("proposal.cosign_requested", proposal, users, f"{proposal.created_by.profile.display_name}邀请您联名提案{label(proposal)}，请确认。")


def decided(proposal, text: str):
    send(f"proposal.{proposal.state}", proposal, proposers_of(proposal), f"您的提案{label(proposal)}{text}")


def assigned(proposal, unit_ids):
    send("proposal.assigned", proposal, liaisons_of(unit_ids), f"提案{label(proposal)}已交办贵单位，请及时签收。")


def return_requested(proposal, unit_name: str):
    send("assignment.return_requested", proposal, staff_of(proposal.committee_id), f"{unit_name}申请退回提案{label(proposal)}，请处理。")


def return_decided(proposal, unit_ids, accepted: bool):
    text = "退回申请已同意，已改由其他单位办理。" if accepted else "退回申请未获同意，请继续办理。"
    send("assignment.return_decided", proposal, liaisons_of(unit_ids), f"提案{label(proposal)}{text}")


def reply_submitted(proposal):
    send("reply.submitted", proposal, staff_of(proposal.committee_id), f"提案{label(proposal)}的答复已提交，请审核。")


def reply_sent_back(proposal, unit_ids, note: str):
    send("reply.sent_back", proposal, liaisons_of(unit_ids), f"提案{label(proposal)}的答复被退回修改：{note}")


def replied(proposal):
    send("reply.sent", proposal, proposers_of(proposal), f"您的提案{label(proposal)}已收到答复，请对办理情况进行评价。")


def rehandling(proposal, unit_ids):
    send("proposal.rehandling", proposal, liaisons_of(unit_ids), f"提案人对提案{label(proposal)}的办理不满意，请重新办理。")
    send("proposal.rehandling", proposal, staff_of(proposal.committee_id), f"提案{label(proposal)}收到不满意评价，已转重新办理。")


def evaluation_unsatisfied_again(proposal):
    send("proposal.unsatisfied_again", proposal, staff_of(proposal.committee_id),
         f"提案{label(proposal)}重新办理后仍不满意，请组织当面协商后办结。")


def closed(proposal):
    send("proposal.closed", proposal, proposers_of(proposal), f"您的提案{label(proposal)}已办结。")


def extension_requested(proposal, unit_name: str, due):
    send("extension.requested", proposal, staff_of(proposal.committee_id),
         f"{unit_name}申请将提案{label(proposal)}的办理期限延至{due:%Y年%-m月%-d日}，请审批。")


def extension_decided(proposal, unit_ids, approved: bool, due, note: str = ""):
    text = (f"延期申请已批准，办理期限延至{due:%Y年%-m月%-d日}。" if approved
            else f"延期申请未获批准{('：' + note) if note else ''}，请按原期限办理。")
    send("extension.decided", proposal, liaisons_of(unit_ids), f"提案{label(proposal)}{text}")


def deadline_near(proposal, users, what: str, due, days_left: int):
    send("deadline.near_due", proposal, users,
         f"提醒：提案{label(proposal)}的{what}将于{due:%Y年%-m月%-d日}到期（还剩{days_left}个工作日）。")


def deadline_overdue(proposal, users, what: str, due):
    send("deadline.overdue", proposal, users,
         f"催办：提案{label(proposal)}的{what}已于{due:%Y年%-m月%-d日}到期，至今未完成，请尽快办理。")


def deadline_escalated(proposal, users, who: str, what: str, due):
    send("deadline.escalated", proposal, users,
         f"超期：{who}对提案{label(proposal)}的{what}已超过期限（{due:%Y年%-m月%-d日}），请督办。")


def supervision_activity(proposal, users, text: str):
    """For the supervision workflow: a supervision activity (座谈、调研、视察、督办会) concerning the proposal."""
    send("supervision.activity", proposal, users, f"提案{label(proposal)}督办：{text}")
