"""Every state change of a proposal before handling: drafting, co-signing, submission and review.

One function per transition. Each checks who may act (404/403), then in one transaction locks the
proposal row, checks the state (409), changes it, and writes the audit event; notifications go out
on commit. Handling (交办 to 办结) is in jianyan.handling.workflow and uses the helpers here.
"""

from datetime import timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jianyan.assist.index import index_after_commit
from jianyan.core.access import ACTION_LABELS, ensure_can, is_author, profile_of
from jianyan.core.audit import record
from jianyan.core.errors import Conflict, InvalidInput, InvalidState, NotAllowed
from jianyan.notifications import notify
from jianyan.people.models import Organisation, ReasonCode, Role, Session, Theme
from jianyan.proposals import counts
from jianyan.proposals.models import (
    REGISTERED_STATES,
    TRANSITIONS,
    Kind,
    Proposal,
    Proposer,
    ProposerType,
    State,
)

User = get_user_model()
COSIGN_WINDOW = timedelta(days=7)
ORGANISATION_PROPOSER_TYPES = {
    Organisation.Kind.PARTY: ProposerType.PARTY,
    Organisation.Kind.PEOPLE_ORG: ProposerType.PEOPLE_ORG,
    Organisation.Kind.SPECIAL_COMMITTEE: ProposerType.SPECIAL_COMMITTEE,
    Organisation.Kind.SECTOR_GROUP: ProposerType.SECTOR,
    Organisation.Kind.MEMBER_GROUP: ProposerType.GROUP,
}


# ---- shared by every workflow module -------------------------------------------------------------

def lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("committee", "session").get(pk=proposal.pk)


def ensure_state(proposal: Proposal, action: str) -> None:
    if proposal.state not in TRANSITIONS[action]:
        raise InvalidState(
            f"提案当前状态为“{proposal.get_state_display()}”，不能执行“{ACTION_LABELS.get(action, action)}”"
            "（可能已被他人处理，请刷新后重试）"
        )


def move(proposal: Proposal, to_state: str, *, actor, action: str, note: str = "", fields=(), data=None) -> None:
    """Change the state of a locked proposal, save it, and write the audit event."""
    from_state = proposal.state
    proposal.state = to_state
    proposal.version += 1
    proposal.save(update_fields=["state", "version", "updated_at", *fields])
    record(actor=actor, action=action, proposal=proposal, from_state=from_state, to_state=to_state, note=note, data=data)
    if to_state in counts.FINISHED_STATES or from_state in counts.FINISHED_STATES:
        transaction.on_commit(partial(counts.bump_finished, proposal.committee_id))


def touch(proposal: Proposal, *, actor, action: str, note: str = "", fields=(), data=None) -> None:
    """Record an act that leaves the state as it is (a consultation, an opinion, a co-signature)."""
    proposal.version += 1
    proposal.save(update_fields=["version", "updated_at", *fields])
    record(actor=actor, action=action, proposal=proposal, from_state=proposal.state, to_state=proposal.state,
           note=note, data=data)


def require_text(value, field: str, label: str, *, max_length: int | None = None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if not text:
        raise InvalidInput(f"请填写{label}", fields={field: f"{label}不能为空"})
    if max_length and len(text) > max_length:
        raise InvalidInput(f"{label}不能超过{max_length}字", fields={field: f"最多{max_length}字"})
    return text


# ---- drafting ----------------------------------------------------------------------------------

def current_session(committee) -> Session:
    session = Session.objects.filter(term__committee=committee).order_by("-year", "-sitting").first()
    if session is None:
        raise InvalidInput("本政协尚未设置会次，暂不能撰写提案")
    return session


def clean_suggestions(suggestions) -> list[str]:
    if suggestions is None:
        return []
    if not isinstance(suggestions, list) or not all(isinstance(s, str) for s in suggestions):
        raise InvalidInput("具体建议应为若干条文字", fields={"suggestions": "应为文字列表"})
    cleaned = [s.strip() for s in suggestions if s.strip()]
    if len(cleaned) > 30:
        raise InvalidInput("具体建议最多30条", fields={"suggestions": "最多30条"})
    return cleaned


def resolve_cosigners(actor, committee, usernames) -> list:
    if usernames is None:
        return []
    if not isinstance(usernames, list) or not all(isinstance(u, str) for u in usernames):
        raise InvalidInput("联名人应为用户名列表", fields={"cosigners": "应为用户名列表"})
    names = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=names, is_active=True, profile__committee=committee, profile__role=Role.MEMBER
        )
    }
    unknown = [n for n in names if n not in users]
    if unknown:
        raise InvalidInput(f"以下联名人不是本政协委员：{'、'.join(unknown)}", fields={"cosigners": "联名人无效"})
    if actor.username in users:
        raise InvalidInput("不能邀请自己联名", fields={"cosigners": "不能包含本人"})
    return [users[n] for n in names]


def create_proposal(*, actor, title: str, background: str = "", suggestions=None, cosigners=None,
                    contact: str = "", session: Session | None = None) -> Proposal:
    """Save a new draft (草稿) for a member, or for a collective clerk in the organisation's name."""
    profile = profile_of(actor)
    if profile is None or profile.role not in (Role.MEMBER, Role.CLERK):
        raise NotAllowed("只有委员或集体提案经办人可以撰写提案")
    committee = profile.committee
    title = require_text(title, "title", "案由", max_length=200)
    suggestions = clean_suggestions(suggestions)
    session = session or current_session(committee)
    if profile.role == Role.CLERK:
        if not profile.organisation_id:
            raise NotAllowed("您的账号未关联集体提案单位")
        if cosigners:
            raise InvalidInput("集体提案不设联名人", fields={"cosigners": "集体提案不设联名人"})
        cosigner_users = []
        proposer_type = ORGANISATION_PROPOSER_TYPES[profile.organisation.kind]
    else:
        cosigner_users = resolve_cosigners(actor, committee, cosigners)
        proposer_type = ProposerType.JOINT if cosigner_users else ProposerType.MEMBER
    with transaction.atomic():
        proposal = Proposal.objects.create(
            committee=committee, session=session, created_by=actor, title=title,
            background=(background or "").strip(), suggestions=suggestions, contact=contact or "",
            proposer_type=proposer_type,
            organisation=profile.organisation if profile.role == Role.CLERK else None,
        )
        if profile.role == Role.CLERK:
            Proposer.objects.create(proposal=proposal, organisation=profile.organisation, role=Proposer.Role.FIRST)
        else:
            Proposer.objects.create(proposal=proposal, user=actor, role=Proposer.Role.FIRST)
        add_cosigners(proposal, cosigner_users)
        record(actor=actor, action="proposal.created", proposal=proposal, to_state=State.DRAFT)
    index_after_commit(proposal)
    return proposal


def add_cosigners(proposal: Proposal, users) -> None:
    Proposer.objects.bulk_create(
        Proposer(proposal=proposal, user=u, role=Proposer.Role.COSIGNER, status=Proposer.Status.PENDING, order=i + 1)
        for i, u in enumerate(users)
    )


EDITABLE_FIELDS = {"title", "background", "suggestions", "contact", "cosigners"}


def edit_proposal(proposal: Proposal, *, actor, changes: dict, expected_version: int | None = None) -> Proposal:
    """Edit a draft, or a proposal returned for revision. `expected_version` guards against lost updates."""
    ensure_can(actor, "edit", proposal)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"不能修改这些字段：{'、'.join(sorted(unknown))}", fields={f: "不可修改" for f in unknown})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "edit")
        if expected_version is not None and expected_version != proposal.version:
            raise Conflict("提案已被修改，请刷新后再编辑")
        fields = []
        if "title" in changes:
            proposal.title = require_text(changes["title"], "title", "案由", max_length=200)
            fields.append("title")
        if "background" in changes:
            if not isinstance(changes["background"], str):
                raise InvalidInput("情况分析应为文字", fields={"background": "应为文字"})
            proposal.background = changes["background"].strip()
            fields.append("background")
        if "suggestions" in changes:
            proposal.suggestions = clean_suggestions(changes["suggestions"])
            fields.append("suggestions")
        if "contact" in changes:
            if not isinstance(changes["contact"], str):
                raise InvalidInput("联系方式应为文字", fields={"contact": "应为文字"})
            proposal.contact = changes["contact"][:200]
            fields.append("contact")
        if "cosigners" in changes:
            if proposal.state != State.DRAFT or proposal.is_collective:
                raise InvalidInput("只有个人提案的草稿可以修改联名人", fields={"cosigners": "当前不可修改"})
            users = resolve_cosigners(actor, proposal.committee, changes["cosigners"])
            proposal.proposers.filter(role=Proposer.Role.COSIGNER).delete()
            add_cosigners(proposal, users)
            proposal.proposer_type = ProposerType.JOINT if users else ProposerType.MEMBER
            fields.append("proposer_type")
        touch(proposal, actor=actor, action="proposal.edited", fields=fields, data={"fields": sorted(changes)})
    index_after_commit(proposal)
    return proposal


# ---- submission and co-signing -----------------------------------------------------------------

def check_submittable(proposal: Proposal) -> None:
    if not proposal.suggestions:
        raise InvalidInput("提案须有具体建议（至少一条）", fields={"suggestions": "请填写具体建议"})
    limit = proposal.committee.body_max_chars
    if limit and proposal.body_length > limit:
        raise InvalidInput(f"提案正文共{proposal.body_length}字，超过本政协{limit}字的上限",
                           fields={"background": f"正文不超过{limit}字"})


def submit_proposal(proposal: Proposal, *, actor) -> Proposal:
    """Submit: invite co-signers first (待联名), or go straight to review (已提交).

    Submitting again while co-signing drops the co-signers who have not confirmed (they do not count)."""
    ensure_can(actor, "submit", proposal)
    invited = []
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "submit")
        check_submittable(proposal)
        now = timezone.now()
        pending = proposal.proposers.filter(role=Proposer.Role.COSIGNER, status=Proposer.Status.PENDING)
        if proposal.state == State.DRAFT and pending.exists():
            proposal.cosign_deadline = cosign_deadline_for(proposal, now)
            invited = [p.user for p in pending.select_related("user__profile")]
            move(proposal, State.COSIGNING, actor=actor, action="proposal.cosign_requested",
                 fields=["cosign_deadline"], data={"cosigners": [u.username for u in invited]})
        else:
            dropped = list(pending.values_list("user__username", flat=True))
            pending.update(status=Proposer.Status.DROPPED, responded_at=now)
            mark_submitted(proposal, actor=actor, now=now, data={"dropped_cosigners": dropped} if dropped else None)
    if invited:
        transaction.on_commit(lambda: notify.cosign_requested(proposal, invited))
    else:
        transaction.on_commit(lambda: notify.submitted(proposal))
    return proposal


def cosign_deadline_for(proposal: Proposal, now):
    """The plenary deadline, or after it the committee's working days (workdays.deadlines.cosign_deadline)."""
    from jianyan.workdays.deadlines import cosign_deadline

    return cosign_deadline(proposal, now)


def mark_submitted(proposal: Proposal, *, actor, now, data=None) -> None:
    # A proposal that arrives after the plenary deadline is handled as an interim (平时) proposal. Its first
    # arrival decides: one returned for revision (退回修改) and resubmitted after the deadline stays a 大会提案.
    if proposal.submitted_at is None:
        proposal.kind = Kind.PLENARY if now <= proposal.session.submission_deadline else Kind.INTERIM
        proposal.submitted_at = now
    move(proposal, State.SUBMITTED, actor=actor, action="proposal.submitted", fields=["kind", "submitted_at"], data=data)
    index_after_commit(proposal)


def respond_to_cosign(proposal: Proposal, *, actor, accept: bool) -> Proposal:
    """A co-signer confirms or declines. When nobody is pending any more the proposal is submitted."""
    ensure_can(actor, "cosign", proposal)
    if not isinstance(accept, bool):
        raise InvalidInput("请选择同意或拒绝联名", fields={"accept": "应为 true 或 false"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "cosign")
        now = timezone.now()
        link = proposal.proposers.filter(user=actor, role=Proposer.Role.COSIGNER).first()
        if link.status != Proposer.Status.PENDING:
            raise InvalidState("您已经答复过这次联名邀请")
        if proposal.cosign_deadline and now > proposal.cosign_deadline:
            raise InvalidState("联名确认已过截止时间，本次确认不计入")
        link.status = Proposer.Status.ACCEPTED if accept else Proposer.Status.DECLINED
        link.responded_at = now
        link.save(update_fields=["status", "responded_at"])
        touch(proposal, actor=actor, action="proposal.cosign_accepted" if accept else "proposal.cosign_declined")
        submitted = not proposal.proposers.filter(status=Proposer.Status.PENDING).exists()
        if submitted:
            mark_submitted(proposal, actor=actor, now=now)
    if submitted:
        transaction.on_commit(lambda: notify.submitted(proposal))
    return proposal


# ---- review (审查) -------------------------------------------------------------------------------

def return_proposal(proposal: Proposal, *, actor, note: str) -> Proposal:
    """Send a submitted proposal back to its proposer for revision (退回修改)."""
    ensure_can(actor, "return", proposal)
    note = require_text(note, "note", "退回意见", max_length=2000)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "return")
        proposal.decision_note = note
        move(proposal, State.RETURNED, actor=actor, action="proposal.returned", note=note, fields=["decision_note"])
    transaction.on_commit(lambda: notify.decided(proposal, f"已退回修改：{note}"))
    return proposal


def next_number(session: Session) -> int:
    """The next 案号 of a session: locking the session row makes numbers gapless and unique."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    locked.last_number += 1
    locked.save(update_fields=["last_number"])
    return locked.last_number


def resolve_theme(proposal: Proposal, theme) -> Theme:
    if isinstance(theme, Theme):
        theme = theme.pk
    try:
        return Theme.objects.get(pk=int(theme), committee_id=proposal.committee_id)
    except (TypeError, ValueError, Theme.DoesNotExist):
        raise InvalidInput("请选择本政协的提案主题", fields={"category": "主题无效"})


def register_proposal(proposal: Proposal, *, actor, theme, note: str = "") -> Proposal:
    """Register (立案) a submitted proposal under a theme and give it the next number of its session."""
    ensure_can(actor, "register", proposal)
    theme = resolve_theme(proposal, theme)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "register")
        proposal.theme = theme
        proposal.number = next_number(proposal.session)
        proposal.decided_at = timezone.now()
        proposal.decision_note = note or ""
        move(proposal, State.REGISTERED, actor=actor, action="proposal.registered", note=note,
             fields=["theme", "number", "decided_at", "decision_note"],
             data={"number": proposal.number, "theme": theme.name})
    transaction.on_commit(lambda: notify.decided(proposal, f"已立案，案号{proposal.display_number}。"))
    return proposal


def reject_proposal(proposal: Proposal, *, actor, reason_code: str, note: str = "") -> Proposal:
    """Not register (不予立案) with a coded reason of the committee's list."""
    ensure_can(actor, "reject", proposal)
    reason = ReasonCode.objects.filter(
        committee_id=proposal.committee_id, code=str(reason_code or "").strip(), is_active=True
    ).first()
    if reason is None:
        raise InvalidInput("请选择不予立案的理由", fields={"reason_code": "理由代码无效"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "reject")
        proposal.reject_reason = reason
        proposal.decided_at = timezone.now()
        proposal.decision_note = note or ""
        move(proposal, State.NOT_REGISTERED, actor=actor, action="proposal.not_registered", note=note,
             fields=["reject_reason", "decided_at", "decision_note"], data={"reason_code": reason.code})
    transaction.on_commit(lambda: notify.decided(proposal, f"不予立案，理由：{reason.text}。"))
    return proposal


def convert_proposal(proposal: Proposal, *, actor, note: str = "") -> Proposal:
    """Convert (转为意见建议) a submitted proposal: forwarded to the departments for reference."""
    ensure_can(actor, "convert", proposal)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "convert")
        proposal.decided_at = timezone.now()
        proposal.decision_note = note or ""
        move(proposal, State.CONVERTED, actor=actor, action="proposal.converted", note=note,
             fields=["decided_at", "decision_note"])
    transaction.on_commit(lambda: notify.decided(proposal, "已转为意见建议，转有关部门参考。"))
    return proposal


def merge_proposal(proposal: Proposal, *, actor, into, note: str = "") -> Proposal:
    """Merge (并案) a submitted proposal into a registered host of the same committee."""
    ensure_can(actor, "merge", proposal)
    try:
        host_id = int(into.pk if isinstance(into, Proposal) else into)
    except (TypeError, ValueError):
        raise InvalidInput("请选择并入的提案", fields={"into": "提案编号无效"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "merge")
        host = Proposal.objects.filter(pk=host_id, committee_id=proposal.committee_id).first()
        if host is None or host.pk == proposal.pk or host.state not in REGISTERED_STATES:
            raise InvalidInput("只能并入本政协已立案的提案", fields={"into": "并入的提案无效"})
        proposal.merge_host = host
        proposal.decided_at = timezone.now()
        proposal.decision_note = note or ""
        move(proposal, State.MERGED, actor=actor, action="proposal.merged", note=note,
             fields=["merge_host", "decided_at", "decision_note"],
             data={"host": host.pk, "host_number": host.display_number})
    transaction.on_commit(lambda: notify.decided(proposal, f"已并入提案{host.display_number}《{host.title}》办理。"))
    return proposal


__all__ = [
    "create_proposal", "edit_proposal", "submit_proposal", "respond_to_cosign", "return_proposal",
    "register_proposal", "reject_proposal", "convert_proposal", "merge_proposal", "is_author",
]
