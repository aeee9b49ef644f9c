"""Handling (办理): assignment to units, signing and return requests, consultations, co-handlers'
opinions, replies and their audit, the proposers' evaluations, rehandling and closing.

Multi-unit rules: the lead unit (主办) replies once for everyone after reading the co-handlers'
(会办) opinions; each separate unit (分办) replies on its own. A proposal moves on when every unit
that replies has done so."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jianyan.core.access import ensure_can, profile_of, unit_assignments
from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed
from jianyan.handling.models import (
    Assignment,
    Consultation,
    CoOpinion,
    Evaluation,
    Extension,
    QualityRating,
    Reply,
    ReturnRequest,
)
from jianyan.notifications import notify
from jianyan.people.models import Role, Unit
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.proposals.workflow import ensure_state, lock_proposal, move, require_text, touch
from jianyan.supervision.selectors import key_sign_off_pending
from jianyan.workdays import deadlines

Mode = Assignment.Mode
# A consultation that counts as 面商 before closing a twice-unsatisfied proposal as unresolved.
FACE_TO_FACE_FORMS = {Consultation.Form.FACE_TO_FACE, Consultation.Form.FORUM, Consultation.Form.ON_SITE}
Value = Evaluation.Value
UNSATISFIED = Q(attitude=Value.UNSATISFIED) | Q(result=Value.UNSATISFIED)


# ---- assignment (交办) ----------------------------------------------------------------------------

def default_due_date(proposal: Proposal, start: dt.date | None = None) -> dt.date:
    """The committee's handling period (大会 or 平时) from today, moved off holidays (see workdays.deadlines)."""
    return deadlines.handling_due(proposal, start)


def parse_unit_plan(proposal: Proposal, units) -> list[tuple[Unit, str]]:
    """Validate [{"unit": id, "mode": "lead"|"co"|"separate"}]: one lead (with any co-handlers), or separate units."""
    if not isinstance(units, list) or not units:
        raise InvalidInput("请选择承办单位", fields={"units": "至少选择一个承办单位"})
    plan: list[tuple[int, str]] = []
    for item in units:
        if not isinstance(item, dict):
            raise InvalidInput("承办单位格式不正确", fields={"units": "应为 {unit, mode} 列表"})
        unit_id, mode = item.get("unit"), item.get("mode", Mode.LEAD)
        if mode not in Mode.values:
            raise InvalidInput("办理方式应为主办、会办或分办", fields={"units": f"无效的办理方式：{mode}"})
        try:
            unit_pk = int(unit_id.pk if isinstance(unit_id, Unit) else unit_id)
        except (TypeError, ValueError):
            unit_pk = 0
        if not 0 < unit_pk < 2**63:
            raise InvalidInput("承办单位无效", fields={"units": "单位编号无效"})
        plan.append((unit_pk, mode))
    ids = [u for u, _ in plan]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一单位不能重复交办", fields={"units": "单位重复"})
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids, committee_id=proposal.committee_id, is_active=True)}
    if len(found) != len(ids):
        raise InvalidInput("承办单位不属于本政协或已停用", fields={"units": "单位无效"})
    modes = [m for _, m in plan]
    leads, seps, cos = modes.count(Mode.LEAD), modes.count(Mode.SEPARATE), modes.count(Mode.CO)
    if not ((leads == 1 and seps == 0) or (leads == 0 and seps >= 1 and cos == 0)):
        raise InvalidInput("须指定一个主办单位（可加会办单位），或若干分办单位",
                           fields={"units": "主办一个；会办须有主办；分办不与主办、会办混用"})
    return [(found[u], m) for u, m in plan]


def parse_due_date(value, proposal: Proposal) -> dt.date:
    if value in (None, ""):
        return default_due_date(proposal)
    if isinstance(value, dt.date):
        due = value
    else:
        try:
            due = dt.date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput("办理期限格式应为 YYYY-MM-DD", fields={"due_date": "日期格式无效"})
    if due < timezone.localdate():
        raise InvalidInput("办理期限不能早于今天", fields={"due_date": "不能早于今天"})
    return due


def create_assignments(proposal: Proposal, plan, due: dt.date) -> list[Assignment]:
    now = timezone.now()
    return Assignment.objects.bulk_create(
        Assignment(proposal=proposal, unit=unit, mode=mode, assigned_at=now, due_date=due) for unit, mode in plan
    )


def assign_proposal(proposal: Proposal, *, actor, units, due_date=None, note: str = "") -> Proposal:
    """Assign (交办) a registered proposal to its lead / co / separate units with a due date."""
    ensure_can(actor, "assign", proposal)
    plan = parse_unit_plan(proposal, units)
    due = parse_due_date(due_date, proposal)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "assign")
        create_assignments(proposal, plan, due)
        move(proposal, State.ASSIGNED, actor=actor, action="proposal.assigned", note=note,
             data={"units": [{"unit": u.name, "mode": m} for u, m in plan], "due_date": due.isoformat()})
    unit_ids = [u.pk for u, _ in plan]
    transaction.on_commit(lambda: notify.assigned(proposal, unit_ids))
    return proposal


def actor_assignment(actor, proposal: Proposal, *, modes=None) -> Assignment:
    assignment = unit_assignments(actor, proposal).first()
    if assignment is None or (modes and assignment.mode not in modes):
        raise NotAllowed("贵单位不是该提案的相应承办单位")
    return assignment


def all_signed(proposal: Proposal) -> bool:
    return not proposal.assignments.filter(is_active=True, signed_at__isnull=True).exists()


def sign_assignment(proposal: Proposal, *, actor) -> Proposal:
    """A unit signs for (签收) its assignment; once every unit has signed the proposal is being handled."""
    ensure_can(actor, "sign", proposal)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "sign")
        assignment = actor_assignment(actor, proposal)
        if assignment.signed_at:
            raise InvalidState("贵单位已签收该提案")
        assignment.signed_at = timezone.now()
        assignment.save(update_fields=["signed_at"])
        data = {"unit": assignment.unit.name}
        if all_signed(proposal):
            move(proposal, State.HANDLING, actor=actor, action="assignment.signed", data=data)
        else:
            touch(proposal, actor=actor, action="assignment.signed", data=data)
    return proposal


def request_return(proposal: Proposal, *, actor, reason: str) -> Proposal:
    """A unit asks to give back an assignment it thinks is not its business, within the return window."""
    ensure_can(actor, "request_return", proposal)
    reason = require_text(reason, "reason", "退回理由", max_length=2000)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "request_return")
        assignment = actor_assignment(actor, proposal)
        if assignment.signed_at:
            raise InvalidState("已签收的提案不能申请退回")
        last_day = deadlines.return_window_end(assignment, proposal.committee)
        if timezone.localdate() > last_day:
            raise InvalidState(f"已超过申请退回期限（{last_day:%Y年%-m月%-d日}），请按交办意见办理")
        ReturnRequest.objects.create(assignment=assignment, reason=reason, requested_by=actor)
        move(proposal, State.RETURN_REQUESTED, actor=actor, action="assignment.return_requested", note=reason,
             data={"unit": assignment.unit.name})
    unit_name = assignment.unit.name
    transaction.on_commit(lambda: notify.return_requested(proposal, unit_name))
    return proposal


def decide_return(proposal: Proposal, *, actor, accept: bool, units=None, note: str = "") -> Proposal:
    """Staff accept a return request (and name the new units) or reject it (the unit keeps handling)."""
    ensure_can(actor, "decide_return", proposal)
    if not isinstance(accept, bool):
        raise InvalidInput("请选择同意或驳回退回申请", fields={"accept": "应为 true 或 false"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "decide_return")
        request = (ReturnRequest.objects.select_related("assignment__unit")
                   .filter(assignment__proposal=proposal, accepted__isnull=True).first())
        old = request.assignment
        notified = [old.unit_id]
        newly_assigned: list[int] = []
        if accept:
            old.is_active = False
            old.save(update_fields=["is_active"])
            replacement = units or []
            remaining = list(proposal.assignments.filter(is_active=True))
            if old.replies_to_proposer and not replacement and not any(a.replies_to_proposer for a in remaining):
                raise InvalidInput("退回的是主办单位，请指定新的承办单位", fields={"units": "请指定新的承办单位"})
            if replacement:
                plan = parse_unit_plan_addition(proposal, replacement, remaining)
                created = create_assignments(proposal, plan, old.due_date if old.due_date >= timezone.localdate()
                                             else default_due_date(proposal))
                newly_assigned = [a.unit_id for a in created]
        request.accepted = accept
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note or ""
        request.save(update_fields=["accepted", "decided_by", "decided_at", "decision_note"])
        to_state = State.HANDLING if all_signed(proposal) else State.ASSIGNED
        move(proposal, to_state, actor=actor, action="assignment.return_accepted" if accept else "assignment.return_rejected",
             note=note, data={"unit": old.unit.name})
    transaction.on_commit(lambda: notify.return_decided(proposal, notified, accept))
    if newly_assigned:  # the new units are told to sign, not that "someone else" now handles it
        transaction.on_commit(lambda: notify.assigned(proposal, newly_assigned))
    return proposal


def parse_unit_plan_addition(proposal: Proposal, units, remaining: list[Assignment]):
    """Validate replacement units together with the assignments that stay."""
    kept = [{"unit": a.unit_id, "mode": a.mode} for a in remaining]
    full = parse_unit_plan(proposal, kept + list(units))
    kept_ids = {a.unit_id for a in remaining}
    return [(u, m) for u, m in full if u.pk not in kept_ids]


# ---- during handling ----------------------------------------------------------------------------

def record_consultation(proposal: Proposal, *, actor, form: str, date, participants: str, outcome: str) -> Consultation:
    """Record a consultation (沟通协商) with the proposer: before, during or after handling."""
    ensure_can(actor, "consult", proposal)
    if form not in Consultation.Form.values:
        raise InvalidInput("请选择协商形式", fields={"form": "形式无效"})
    try:
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    except ValueError:
        raise InvalidInput("协商日期格式应为 YYYY-MM-DD", fields={"date": "日期格式无效"})
    if day > timezone.localdate():
        raise InvalidInput("协商日期不能晚于今天", fields={"date": "不能晚于今天"})
    participants = require_text(participants, "participants", "参加人员", max_length=1000)
    outcome = require_text(outcome, "outcome", "协商结果", max_length=5000)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "consult")
        profile = profile_of(actor)
        consultation = Consultation.objects.create(
            proposal=proposal, unit_id=profile.unit_id if profile and profile.role == Role.UNIT else None,
            form=form, date=day, participants=participants, outcome=outcome, recorded_by=actor,
        )
        touch(proposal, actor=actor, action="consultation.recorded", note=outcome,
              data={"form": form, "date": day.isoformat()})
    return consultation


def record_co_opinion(proposal: Proposal, *, actor, text: str) -> CoOpinion:
    """A co-handling unit sends its opinion (会办意见) to the lead unit."""
    ensure_can(actor, "co_opinion", proposal)
    text = require_text(text, "text", "会办意见", max_length=10000)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "co_opinion")
        assignment = actor_assignment(actor, proposal, modes={Mode.CO})
        opinion = CoOpinion.objects.create(assignment=assignment, text=text, written_by=actor)
        touch(proposal, actor=actor, action="co_opinion.recorded", data={"unit": assignment.unit.name})
    return opinion


def replying_assignments(proposal: Proposal):
    return proposal.assignments.filter(is_active=True, mode__in=[Mode.LEAD, Mode.SEPARATE])


def check_result_class(proposal: Proposal, result_class) -> str:
    codes = proposal.committee.result_class_codes
    if result_class not in codes:
        raise InvalidInput(f"办理结果分类应为 {'/'.join(codes)}", fields={"result_class": "分类无效"})
    return result_class


def submit_reply(proposal: Proposal, *, actor, result_class: str, body: str, signer: str, doc_no: str = "") -> Reply:
    """The lead or a separate unit submits its reply (答复) for audit."""
    ensure_can(actor, "reply", proposal)
    result_class = check_result_class(proposal, result_class)
    body = require_text(body, "body", "答复正文", max_length=20000)
    signer = require_text(signer, "signer", "签发人", max_length=50)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "reply")
        assignment = actor_assignment(actor, proposal, modes={Mode.LEAD, Mode.SEPARATE})
        if assignment.replies.filter(round=proposal.round).exclude(status=Reply.Status.SENT_BACK).exists():
            raise InvalidState("贵单位本轮答复已提交，请等待审核")
        reply = Reply.objects.create(
            proposal=proposal, assignment=assignment, round=proposal.round, result_class=result_class,
            proposed_class=result_class, body=body, signer=signer, doc_no=(doc_no or "")[:50], written_by=actor,
        )
        data = {"unit": assignment.unit.name, "result_class": result_class, "round": proposal.round}
        if every_replying_unit_has(proposal, {Reply.Status.PENDING, Reply.Status.APPROVED}):
            move(proposal, State.REPLY_AUDIT, actor=actor, action="reply.submitted", data=data)
        else:
            touch(proposal, actor=actor, action="reply.submitted", data=data)
    transaction.on_commit(lambda: notify.reply_submitted(proposal))
    return reply


def every_replying_unit_has(proposal: Proposal, statuses: set[str]) -> bool:
    units = replying_assignments(proposal)
    done = Reply.objects.filter(assignment__in=units, round=proposal.round, status__in=statuses)
    return units.count() == done.values("assignment").distinct().count()


def pending_replies(proposal: Proposal, reply_id=None):
    replies = Reply.objects.select_related("assignment__unit").filter(
        proposal=proposal, round=proposal.round, status=Reply.Status.PENDING
    )
    if reply_id is not None:
        try:
            replies = replies.filter(pk=int(reply_id))
        except (TypeError, ValueError):
            raise InvalidInput("答复编号无效", fields={"reply": "编号无效"})
    replies = list(replies)
    if not replies:
        raise InvalidState("没有待审核的答复")
    return replies


def approve_reply(proposal: Proposal, *, actor, result_class: str | None = None, reply=None, note: str = "") -> Proposal:
    """Staff approve the pending reply (or the one given), possibly changing its result class.

    When every replying unit's reply is approved, the proposal is replied (已答复) and the proposers are asked to rate it."""
    ensure_can(actor, "approve_reply", proposal)
    if result_class is not None:
        check_result_class(proposal, result_class)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "approve_reply")
        now = timezone.now()
        approved = pending_replies(proposal, reply)
        for r in approved:
            r.result_class = result_class or r.result_class
            r.status, r.audited_by, r.audited_at, r.audit_note = Reply.Status.APPROVED, actor, now, note or ""
            r.save(update_fields=["result_class", "status", "audited_by", "audited_at", "audit_note"])
        data = {"replies": [r.pk for r in approved], "result_class": [r.result_class for r in approved]}
        done = every_replying_unit_has(proposal, {Reply.Status.APPROVED})
        if done:
            move(proposal, State.REPLIED, actor=actor, action="reply.approved", note=note, data=data)
        else:
            touch(proposal, actor=actor, action="reply.approved", note=note, data=data)
    if done:
        transaction.on_commit(lambda: notify.replied(proposal))
    return proposal


def send_back_reply(proposal: Proposal, *, actor, note: str, reply=None) -> Proposal:
    """Staff send a reply back to its unit for revision; the proposal returns to handling."""
    ensure_can(actor, "send_back_reply", proposal)
    note = require_text(note, "note", "退回意见", max_length=2000)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "send_back_reply")
        sent_back = pending_replies(proposal, reply)
        for r in sent_back:
            r.status, r.audited_by, r.audited_at, r.audit_note = Reply.Status.SENT_BACK, actor, timezone.now(), note
            r.save(update_fields=["status", "audited_by", "audited_at", "audit_note"])
        to_state = State.REHANDLING if proposal.round > 1 else State.HANDLING
        move(proposal, to_state, actor=actor, action="reply.sent_back", note=note,
             data={"replies": [r.pk for r in sent_back]})
    unit_ids = [r.assignment.unit_id for r in sent_back]
    transaction.on_commit(lambda: notify.reply_sent_back(proposal, unit_ids, note))
    return proposal


# ---- evaluation and closing --------------------------------------------------------------------

def raters(proposal: Proposal):
    """The proposer entries that rate: the first proposer and every co-signer who confirmed."""
    return proposal.proposers.filter(status=Proposer.Status.ACCEPTED)


def rater_entry(actor, proposal: Proposal) -> Proposer:
    entries = raters(proposal)
    profile = profile_of(actor)
    if profile and profile.role == Role.CLERK and proposal.organisation_id == profile.organisation_id:
        entry = entries.filter(organisation_id=proposal.organisation_id).first()
    else:
        entry = entries.filter(user=actor).first()
    if entry is None:
        raise NotAllowed("您不是该提案的提案人，不能评价")
    return entry


def evaluate_proposal(proposal: Proposal, *, actor, attitude: str, result: str, comment: str = "") -> Evaluation:
    """A proposer rates the handling: attitude and result, each 满意 / 基本满意 / 不满意.

    The first 不满意 sends the proposal to rehandling; after a second 不满意 it stays replied for
    staff to close after a face-to-face consultation. When all have rated and none is unsatisfied it closes."""
    ensure_can(actor, "evaluate", proposal)
    for field, value in (("attitude", attitude), ("result", result)):
        if value not in Value.values:
            raise InvalidInput("评价应为满意、基本满意或不满意", fields={field: "取值无效"})
    if not isinstance(comment or "", str):
        raise InvalidInput("意见应为文字", fields={"comment": "应为文字"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "evaluate")
        entry = rater_entry(actor, proposal)
        if entry.evaluations.filter(round=proposal.round).exists():
            raise InvalidState("您已评价过本轮办理")
        evaluation = Evaluation.objects.create(
            proposal=proposal, proposer=entry, round=proposal.round, attitude=attitude, result=result,
            comment=(comment or "")[:5000], rated_by=actor,
        )
        data = {"attitude": attitude, "result": result, "round": proposal.round}
        unsatisfied = Value.UNSATISFIED in (attitude, result)
        outcome = after_evaluation(proposal, actor=actor, unsatisfied=unsatisfied, data=data)
    units = list(replying_assignments(proposal).values_list("unit_id", flat=True))
    if outcome == "rehandling":
        transaction.on_commit(lambda: notify.rehandling(proposal, units))
    elif outcome == "unsatisfied_again":
        transaction.on_commit(lambda: notify.evaluation_unsatisfied_again(proposal))
    elif outcome == "closed":
        transaction.on_commit(lambda: notify.closed(proposal))
    return evaluation


def after_evaluation(proposal: Proposal, *, actor, unsatisfied: bool, data: dict) -> str:
    if unsatisfied and rehandling_left(proposal):
        proposal.round += 1
        replying_assignments(proposal).update(rehandling_due_date=deadlines.rehandling_due(proposal))
        move(proposal, State.REHANDLING, actor=actor, action="evaluation.recorded", fields=["round"], data=data)
        return "rehandling"
    if unsatisfied:
        touch(proposal, actor=actor, action="evaluation.recorded", data=data)
        return "unsatisfied_again"
    if all_rated_satisfied(proposal) and not key_sign_off_pending(proposal):
        proposal.closed_at = timezone.now()
        move(proposal, State.CLOSED, actor=actor, action="evaluation.recorded", fields=["closed_at"], data=data)
        return "closed"
    touch(proposal, actor=actor, action="evaluation.recorded", data=data)
    return "recorded"


def rehandling_left(proposal: Proposal) -> bool:
    """Whether a 不满意 still sends the proposal back for rehandling (the committee's limit of rounds)."""
    return proposal.round <= proposal.committee.rehandling_limit


def all_rated_satisfied(proposal: Proposal) -> bool:
    round_evals = Evaluation.objects.filter(proposal=proposal, round=proposal.round)
    return round_evals.count() >= raters(proposal).count() and not round_evals.filter(UNSATISFIED).exists()


def close_if_rated(proposal: Proposal, *, actor) -> bool:
    """Close a replied proposal whose proposers have all rated this round without 不满意 — for a key proposal
    that waited for its leaders' sign-off. Returns whether it closed."""
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        if proposal.state != State.REPLIED or key_sign_off_pending(proposal) or not all_rated_satisfied(proposal):
            return False
        proposal.closed_at = timezone.now()
        move(proposal, State.CLOSED, actor=actor, action="proposal.closed", fields=["closed_at"],
             data={"after": "key.signed_off"})
    transaction.on_commit(lambda: notify.closed(proposal))
    return True


def replied_at(proposal: Proposal):
    last = proposal.replies.filter(round=proposal.round, status=Reply.Status.APPROVED).order_by("-audited_at").first()
    return last.audited_at if last else None


def close_proposal(proposal: Proposal, *, actor, note: str = "", unresolved: bool = False) -> Proposal:
    """Staff close a replied proposal: after the evaluation window (missing ratings stay 未评价), or after a
    second 不满意 and a recorded consultation, marked unresolved."""
    ensure_can(actor, "close", proposal)
    if not isinstance(unresolved, bool):
        raise InvalidInput("unresolved 应为 true 或 false", fields={"unresolved": "应为布尔值"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "close")
        since = replied_at(proposal)
        key = key_sign_off_pending(proposal)
        if key is not None:
            raise InvalidState(f"该提案属重点提案“{key.topic}”，须经领办、督办领导签字确认后才能办结")
        second_unsatisfied = not rehandling_left(proposal) and Evaluation.objects.filter(
            proposal=proposal, round=proposal.round
        ).filter(UNSATISFIED).exists()
        if second_unsatisfied:
            if not proposal.consultations.filter(recorded_at__gte=since, form__in=FACE_TO_FACE_FORMS).exists():
                raise InvalidState("重新办理后仍不满意的提案，须先记录当面协商情况才能办结")
        else:
            window = proposal.committee.evaluation_window_days
            # The window's last day (moved off holidays) must have passed; a window of 0 days means none.
            if since and window and timezone.localdate() <= deadlines.evaluation_due(proposal.committee, since):
                last_day = deadlines.evaluation_due(proposal.committee, since)
                raise InvalidState(f"评价期（{window}天）尚未结束，{last_day:%Y年%-m月%-d日}后方可办结")
            unresolved = False
        proposal.closed_at = timezone.now()
        proposal.closed_unresolved = unresolved
        move(proposal, State.CLOSED, actor=actor, action="proposal.closed", note=note,
             fields=["closed_at", "closed_unresolved"], data={"unresolved": unresolved})
    transaction.on_commit(lambda: notify.closed(proposal))
    return proposal


def rate_quality(proposal: Proposal, *, actor, scores: dict, comment: str = "") -> QualityRating:
    """A handling unit rates the proposal's quality (双向评议), blind to the proposers' ratings."""
    ensure_can(actor, "rate_quality", proposal)
    dims = QualityRating.DIMENSIONS
    if not isinstance(scores, dict) or set(scores) != set(dims):
        raise InvalidInput(f"请为{'、'.join(dims.values())}五项打分", fields={"scores": f"应包含 {', '.join(dims)}"})
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 20 for v in scores.values()):
        raise InvalidInput("每项得分应为 0 到 20 的整数", fields={"scores": "每项 0–20"})
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "rate_quality")
        assignment = actor_assignment(actor, proposal)
        if assignment.quality_ratings.exists():
            raise InvalidState("贵单位已评议过该提案")
        rating = QualityRating.objects.create(
            proposal=proposal, assignment=assignment, scores=scores, total=sum(scores.values()),
            comment=(comment or "")[:2000] if isinstance(comment, str) else "", rated_by=actor,
        )
        touch(proposal, actor=actor, action="quality.rated", data={"unit": assignment.unit.name})
    return rating



# ---- extensions (延期) --------------------------------------------------------------------------

EXTENDABLE_STATES = {State.ASSIGNED, State.HANDLING}


def parse_date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD", fields={field: "日期格式无效"})


def check_extension_date(assignment: Assignment, wanted: dt.date, field: str) -> None:
    limit = deadlines.extension_limit(assignment)
    if wanted <= assignment.due_date:
        raise InvalidInput(f"延期后的期限应晚于现办理期限（{assignment.due_date:%Y年%-m月%-d日}）", fields={field: "应晚于现期限"})
    if wanted > limit:
        raise InvalidInput(f"延期不能超过{limit:%Y年%-m月%-d日}（本政协规定的延期上限）", fields={field: "超过延期上限"})


def request_extension(proposal: Proposal, *, actor, due_date, reason: str) -> Extension:
    """The lead or a separate unit asks, before its deadline, to handle the proposal until a later date."""
    ensure_can(actor, "request_extension", proposal)
    reason = require_text(reason, "reason", "延期理由", max_length=2000)
    wanted = parse_date(due_date, "due_date", "申请延至日期")
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        if proposal.state not in EXTENDABLE_STATES:
            raise InvalidState(f"提案当前状态为“{proposal.get_state_display()}”，不能申请延期")
        assignment = actor_assignment(actor, proposal, modes={Mode.LEAD, Mode.SEPARATE})
        if timezone.localdate() > assignment.due_date:
            raise InvalidState("已超过办理期限，不能再申请延期，请尽快答复")
        if assignment.extensions.filter(status=Extension.Status.PENDING).exists():
            raise InvalidState("贵单位已有待审批的延期申请")
        check_extension_date(assignment, wanted, "due_date")
        extension = Extension.objects.create(assignment=assignment, reason=reason, requested_due_date=wanted,
                                             requested_by=actor, previous_due_date=assignment.due_date)
        touch(proposal, actor=actor, action="extension.requested", note=reason,
              data={"unit": assignment.unit.name, "due_date": wanted.isoformat()})
    unit_name = assignment.unit.name
    transaction.on_commit(lambda: notify.extension_requested(proposal, unit_name, wanted))
    return extension


def decide_extension(proposal: Proposal, *, actor, approve: bool, due_date=None, note: str = "",
                     extension=None) -> Extension:
    """Staff approve a pending extension (with the requested date, or another within the caps) or refuse it."""
    ensure_can(actor, "decide_extension", proposal)
    if not isinstance(approve, bool):
        raise InvalidInput("请选择批准或不批准", fields={"approve": "应为 true 或 false"})
    if not approve:
        note = require_text(note, "note", "不批准的理由", max_length=2000)
    granted = parse_date(due_date, "due_date", "批准延至日期") if approve and due_date not in (None, "") else None
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        pending = Extension.objects.select_related("assignment__unit").filter(
            assignment__proposal=proposal, status=Extension.Status.PENDING)
        if extension is not None:
            try:
                pending = pending.filter(pk=int(getattr(extension, "pk", extension)))
            except (TypeError, ValueError):
                raise InvalidInput("延期申请编号无效", fields={"extension": "编号无效"})
        ext = pending.select_for_update().first()
        if ext is None:
            raise InvalidState("没有待审批的延期申请")
        assignment = Assignment.objects.select_for_update().get(pk=ext.assignment_id)
        if approve:
            granted = granted or ext.requested_due_date
            check_extension_date(assignment, granted, "due_date")
            assignment.due_date = granted
            assignment.save(update_fields=["due_date"])
        ext.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
        ext.granted_due_date, ext.decided_by, ext.decided_at = granted, actor, timezone.now()
        ext.decision_note = note or ""
        ext.save(update_fields=["status", "granted_due_date", "decided_by", "decided_at", "decision_note"])
        touch(proposal, actor=actor, action="extension.approved" if approve else "extension.refused", note=note or "",
              data={"unit": assignment.unit.name, "due_date": granted.isoformat() if granted else None})
    unit_id = assignment.unit_id
    transaction.on_commit(lambda: notify.extension_decided(proposal, [unit_id], approve, granted, note or ""))
    return ext
