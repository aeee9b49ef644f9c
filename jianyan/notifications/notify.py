"""Who hears about which workflow event. Called from workflow functions through transaction.on_commit,
so a rolled-back change notifies nobody."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

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


def send(kind: str, proposal, users: Iterable, text: str) -> int:
    rows = [Notification(user=u, kind=kind, text=text[:300], proposal=proposal) for u in {u.pk: u for u in users}.values()]
    Notification.objects.bulk_create(rows)
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
