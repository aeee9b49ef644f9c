"""Key proposals (重点提案), cross-year follow-up (跟踪问效) and excellent proposals (优秀提案).

Key proposals: parties, organisations and special committees (their clerks) and staff nominate
proposals → the proposal committee decides a topic with its proposals and leaders (designate) → the
chairs' meeting approves (a leader) → leaders and staff record supervision activities → when the
proposals are replied, the lead leader (领办) and the supervising leader (督办) sign off; only then can the
proposals of an approved key proposal close (handling.workflow asks supervision.selectors).

Follow-up: replies of class B/C open follow-up items for the next year; a key proposal can be tracked
for several years. The handling unit posts progress (status, percent, note) and supplementary replies.

Each function checks who may act, then changes rows in one transaction with an audit event. Events of the
later years (follow-up, excellent proposals) are the committee's, with the proposal in their data: a
proposal's own trail is its handling, which ends in the year it was handled. The follow-up shows on the
proposal page from the FollowUp rows."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from jianyan.core.access import can_see, is_staff_of, profile_of, role_of
from jianyan.core.audit import record
from jianyan.core.errors import Conflict, InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.handling.models import Assignment, Reply
from jianyan.notifications import notify
from jianyan.people.models import Role
from jianyan.proposals.models import REGISTERED_STATES, Proposal, State
from jianyan.proposals.workflow import require_text
from jianyan.supervision.models import (
    ExcellentNomination,
    FollowUp,
    KeyNomination,
    KeyProposal,
    KeySignOff,
    ProgressUpdate,
    SupervisionActivity,
)
from jianyan.supervision.selectors import missing_sign_offs

ANSWERED_STATES = {State.REPLIED, State.CLOSED}
FOLLOW_UP_CLASSES = {"B": FollowUp.Source.CLASS_B, "C": FollowUp.Source.CLASS_C}


def parse_day(value, label: str, field: str = "date") -> dt.date:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD", fields={field: "日期格式无效"})
    if day > timezone.localdate():
        raise InvalidInput(f"{label}不能晚于今天", fields={field: "不能晚于今天"})
    return day


def ensure_staff(actor, committee_id: int, message: str) -> None:
    if not is_staff_of(actor, committee_id):
        raise NotAllowed(message)


# ---- key proposals: nomination, decision, approval --------------------------------------------

def nominate_key_proposal(proposal: Proposal, *, actor, reason: str) -> KeyNomination:
    """A party, organisation or special committee (through its clerk), or staff, recommend a proposal."""
    if not can_see(actor, proposal):
        raise NotFound()
    profile = profile_of(actor)
    role = role_of(actor)
    if role == Role.CLERK and profile.organisation_id and profile.committee_id == proposal.committee_id:
        organisation_id = profile.organisation_id
    elif is_staff_of(actor, proposal.committee_id):
        organisation_id = None
    else:
        raise NotAllowed("只有各党派、团体、专委会的经办人和提案委工作人员可以推荐重点提案")
    reason = require_text(reason, "reason", "推荐理由", max_length=2000)
    if proposal.state not in REGISTERED_STATES:
        raise InvalidState("只有已立案的提案可以推荐为重点提案")
    with transaction.atomic():
        if KeyNomination.objects.select_for_update().filter(
                proposal=proposal, organisation_id=organisation_id, status=KeyNomination.Status.PENDING).exists():
            raise Conflict("已推荐过该提案，请等待提案委审定")
        nomination = KeyNomination.objects.create(committee_id=proposal.committee_id, proposal=proposal,
                                                  organisation_id=organisation_id, reason=reason, nominated_by=actor)
        record(actor=actor, action="key.nominated", proposal=proposal, from_state=proposal.state,
               to_state=proposal.state, data={"nomination": nomination.pk})
    return nomination


def decline_key_nomination(nomination: KeyNomination, *, actor, note: str = "") -> KeyNomination:
    ensure_staff(actor, nomination.committee_id, "只有提案委工作人员可以审定重点提案推荐")
    with transaction.atomic():
        nomination = KeyNomination.objects.select_for_update().get(pk=nomination.pk)
        if nomination.status != KeyNomination.Status.PENDING:
            raise InvalidState("该推荐已审定")
        nomination.status, nomination.decided_by, nomination.decided_at = (
            KeyNomination.Status.DECLINED, actor, timezone.now())
        nomination.decision_note = (note or "")[:2000]
        nomination.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record(actor=actor, action="key.nomination_declined", proposal=nomination.proposal,
               data={"nomination": nomination.pk})
    return nomination


def check_leaders(*leaders) -> None:
    for leader in leaders:
        if leader is not None and role_of(leader) != Role.LEADER:
            raise InvalidInput("领办、督办人须为领导账号", fields={"leader": "不是领导账号"})


def designate_key_proposal(*, actor, session, topic: str, proposals, lead_leader=None,
                           supervising_leader=None, plan: str = "") -> KeyProposal:
    """The proposal committee decides (审定) a key-proposal topic with its proposals and leaders; the chairs'
    meeting approves it next. Nominations of these proposals that were waiting are marked selected."""
    committee = session.term.committee
    ensure_staff(actor, committee.pk, "只有提案委工作人员可以确定重点提案")
    topic = require_text(topic, "topic", "督办专题", max_length=200)
    check_leaders(lead_leader, supervising_leader)
    chosen = list(Proposal.objects.filter(pk__in=[p.pk for p in proposals], committee=committee,
                                          state__in=REGISTERED_STATES))
    if not chosen or len(chosen) != len(proposals):
        raise InvalidInput("重点提案须为本政协已立案的提案", fields={"proposals": "提案无效"})
    with transaction.atomic():
        key = KeyProposal.objects.create(committee=committee, session=session, topic=topic, plan=plan,
                                         lead_leader=lead_leader, supervising_leader=supervising_leader)
        key.proposals.set(chosen)
        Proposal.objects.filter(pk__in=[p.pk for p in chosen]).update(is_key=True)
        KeyNomination.objects.filter(proposal__in=chosen, status=KeyNomination.Status.PENDING).update(
            status=KeyNomination.Status.SELECTED, key_proposal=key, decided_by=actor, decided_at=timezone.now())
        for p in chosen:
            record(actor=actor, action="proposal.designated_key", proposal=p, from_state=p.state, to_state=p.state,
                   data={"topic": topic})
    return key


def lock_key(key: KeyProposal) -> KeyProposal:
    return KeyProposal.objects.select_for_update().get(pk=key.pk)


def approve_key_proposal(key: KeyProposal, *, actor, note: str = "", lead_leader=None,
                         supervising_leader=None) -> KeyProposal:
    """The chairs' meeting (主席会议) approves a decided key proposal; a leader of the committee records it.
    Both a lead leader (领办) and a supervising leader (督办) must be named by then."""
    profile = profile_of(actor)
    if role_of(actor) != Role.LEADER or profile.committee_id != key.committee_id:
        if role_of(actor) in (Role.LEADER, Role.STAFF) and profile.committee_id == key.committee_id:
            raise NotAllowed("重点提案须由主席会议批准，请由领导账号操作")
        raise NotFound()
    check_leaders(lead_leader, supervising_leader)
    with transaction.atomic():
        key = lock_key(key)
        if key.status != KeyProposal.Status.DECIDED:
            raise InvalidState("该重点提案已批准")
        key.lead_leader = lead_leader or key.lead_leader
        key.supervising_leader = supervising_leader or key.supervising_leader
        if not (key.lead_leader_id and key.supervising_leader_id):
            raise InvalidInput("批准前须指定领办领导和督办领导", fields={"leader": "请指定领办、督办领导"})
        key.status, key.approved_by, key.approved_at = KeyProposal.Status.APPROVED, actor, timezone.now()
        key.approval_note = (note or "")[:2000]
        key.save(update_fields=["status", "approved_by", "approved_at", "approval_note", "lead_leader",
                                "supervising_leader"])
        record(actor=actor, action="key.approved", committee=key.committee, note=key.approval_note,
               data={"key_proposal": key.pk, "topic": key.topic})
    leaders = [u for u in (key.lead_leader, key.supervising_leader) if u]
    transaction.on_commit(lambda: notify.send("key.approved", None, leaders,
                                              f"重点提案“{key.topic}”已经主席会议批准，请领办、督办。"))
    return key


# ---- supervision activities and sign-off ----------------------------------------------------

def record_supervision_activity(key: KeyProposal, *, actor, form: str, date, participants: str = "",
                                minutes: str = "", attachment=None) -> SupervisionActivity:
    """Record a supervision activity (座谈, 调研, 视察, 督办会, 走访) with an optional file (PDF, DOCX, image)."""
    from jianyan.proposals.attachments import check_upload, clean_name

    if not (is_staff_of(actor, key.committee_id) or actor.pk in (key.lead_leader_id, key.supervising_leader_id)):
        raise NotAllowed("只有提案委工作人员或该重点提案的领办、督办领导可以记录督办活动")
    if form not in SupervisionActivity.Form.values:
        raise InvalidInput("请选择督办形式", fields={"form": "形式无效"})
    day = parse_day(date, "活动日期")
    file_type = check_upload(attachment, field="attachment") if attachment else ""
    with transaction.atomic():
        activity = SupervisionActivity(key_proposal=key, form=form, date=day, participants=participants[:5000],
                                       minutes=minutes[:20000], recorded_by=actor)
        if attachment:
            activity.attachment_type = file_type
            activity.attachment_name = clean_name(attachment.name, file_type)
            attachment.seek(0)
            activity.attachment.save(activity.attachment_name, attachment, save=False)
        try:
            activity.save()
            record(actor=actor, action="supervision.activity_recorded", committee=key.committee,
                   data={"key_proposal": key.pk, "form": form, "date": day.isoformat()})
        except BaseException:
            if activity.attachment:
                activity.attachment.storage.delete(activity.attachment.name)
            raise
    transaction.on_commit(lambda: notify_activity(key, activity))
    return activity


def notify_activity(key: KeyProposal, activity: SupervisionActivity) -> None:
    """The proposers and the handling units of each proposal of the key hear of a supervision activity."""
    text = f"{activity.get_form_display()}（{activity.date:%Y年%-m月%-d日}），重点提案“{key.topic}”"
    for proposal in key.proposals.all():
        units = Assignment.objects.filter(proposal=proposal, is_active=True).values_list("unit_id", flat=True)
        notify.supervision_activity(proposal, [*notify.proposers_of(proposal), *notify.liaisons_of(units)], text)


def sign_off_key_proposal(key: KeyProposal, *, actor, note: str = "") -> KeyProposal:
    """The lead or the supervising leader signs off (签字确认) once every proposal of the key has been replied.
    When both have signed, the proposals whose ratings are all in and satisfied close."""
    from jianyan.handling import workflow as handling

    parts = [part for part, leader in ((KeySignOff.Part.LEAD, key.lead_leader_id),
                                       (KeySignOff.Part.SUPERVISING, key.supervising_leader_id)) if leader == actor.pk]
    if not parts:
        if role_of(actor) in (Role.LEADER, Role.STAFF) and profile_of(actor).committee_id == key.committee_id:
            raise NotAllowed("只有该重点提案的领办、督办领导可以签字确认")
        raise NotFound()
    with transaction.atomic():
        key = lock_key(key)
        if key.status != KeyProposal.Status.APPROVED:
            raise InvalidState("只有主席会议批准、尚未签字确认的重点提案可以签字确认")
        waiting = key.proposals.exclude(state__in=ANSWERED_STATES)
        if waiting.exists():
            raise InvalidState(f"尚有{waiting.count()}件提案未答复，暂不能签字确认")
        todo = [p for p in parts if p in missing_sign_offs(key)]
        if not todo:
            raise InvalidState("您已签字确认")
        for part in todo:
            KeySignOff.objects.create(key_proposal=key, part=part, leader=actor, note=(note or "")[:2000])
        done = not missing_sign_offs(key)
        if done:
            key.status = KeyProposal.Status.SIGNED_OFF
            key.save(update_fields=["status"])
        record(actor=actor, action="key.signed_off", committee=key.committee, note=note or "",
               data={"key_proposal": key.pk, "parts": todo, "complete": done})
    if done:
        for proposal in key.proposals.filter(state=State.REPLIED):
            handling.close_if_rated(proposal, actor=actor)
    return key


# ---- cross-year follow-up (跟踪问效) ---------------------------------------------------------------

def final_replies(committee_id: int, year: int):
    """The latest approved reply of each replying assignment, for proposals of the sessions of `year`."""
    latest = (Reply.objects.filter(assignment=OuterRef("assignment"), status=Reply.Status.APPROVED)
              .order_by("-round", "-id").values("pk")[:1])
    return (Reply.objects.filter(proposal__committee_id=committee_id, proposal__session__year=year,
                                 proposal__state__in=ANSWERED_STATES, status=Reply.Status.APPROVED,
                                 assignment__is_active=True, pk=Subquery(latest))
            .select_related("assignment", "proposal"))


def open_follow_ups(*, actor, committee, year: int) -> list[FollowUp]:
    """Staff open the follow-up items of `year` for the B/C replies of the year before (跨年度跟踪).

    Running it again creates nothing twice."""
    ensure_staff(actor, committee.pk, "只有提案委工作人员可以开启跟踪事项")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("年度无效", fields={"year": "年度无效"})
    created = []
    with transaction.atomic():
        for reply in final_replies(committee.pk, year - 1):
            source = FOLLOW_UP_CLASSES.get(reply.result_class)
            if source is None:
                continue
            item, new = FollowUp.objects.get_or_create(
                proposal=reply.proposal, unit_id=reply.assignment.unit_id, year=year,
                defaults={"committee": committee, "source": source})
            if new:
                created.append(item)
                record(actor=actor, action="follow_up.opened", committee=committee,
                       data={"proposal": reply.proposal_id, "year": year, "unit": reply.assignment.unit_id,
                             "class": reply.result_class})
    notify_units(created, f"{year}年跟踪办理")
    return created


def track_key_proposal(key: KeyProposal, *, actor, year: int) -> list[FollowUp]:
    """Track a key proposal in another year (跨年度跟踪): one follow-up item per proposal and lead unit."""
    ensure_staff(actor, key.committee_id, "只有提案委工作人员可以安排重点提案跨年度跟踪")
    if not isinstance(year, int) or not key.session.year < year <= key.session.year + 5:
        raise InvalidInput("跟踪年度应在重点提案年度之后五年内", fields={"year": "年度无效"})
    created = []
    with transaction.atomic():
        assignments = Assignment.objects.filter(proposal__in=key.proposals.all(), is_active=True,
                                                mode__in=[Assignment.Mode.LEAD, Assignment.Mode.SEPARATE])
        for a in assignments.select_related("proposal"):
            item, new = FollowUp.objects.get_or_create(
                proposal=a.proposal, unit_id=a.unit_id, year=year,
                defaults={"committee_id": key.committee_id, "source": FollowUp.Source.KEY, "key_proposal": key})
            if not new and item.key_proposal_id is None:
                item.key_proposal = key
                item.save(update_fields=["key_proposal"])
            if new:
                created.append(item)
        record(actor=actor, action="key.tracked", committee=key.committee,
               data={"key_proposal": key.pk, "year": year, "items": [i.pk for i in created]})
    notify_units(created, f"重点提案“{key.topic}”{year}年跟踪")
    return created


def notify_units(items: list[FollowUp], what: str) -> None:
    for item in items:
        transaction.on_commit(lambda item=item: notify.send(
            "follow_up.opened", item.proposal, notify.liaisons_of([item.unit_id]),
            f"提案{notify.label(item.proposal)}列入{what}，请定期报送进展。"))


def lock_follow_up(item: FollowUp, actor) -> FollowUp:
    item = FollowUp.objects.select_for_update().select_related("proposal__committee", "unit").get(pk=item.pk)
    profile = profile_of(actor)
    if role_of(actor) == Role.UNIT and profile.unit_id == item.unit_id:
        return item
    if is_staff_of(actor, item.committee_id):
        raise NotAllowed("进展由承办单位报送")
    raise NotFound()


def check_progress(status, percent) -> int:
    if status not in FollowUp.Status.values:
        raise InvalidInput("请选择进展状态", fields={"status": "状态无效"})
    try:
        value = int(percent)
    except (TypeError, ValueError):
        raise InvalidInput("完成进度应为 0 到 100 的整数", fields={"percent": "应为整数"})
    if isinstance(percent, bool) or not 0 <= value <= 100:
        raise InvalidInput("完成进度应为 0 到 100 的整数", fields={"percent": "0–100"})
    if status == FollowUp.Status.DONE and value != 100:
        raise InvalidInput("已落实的事项完成进度应为100%", fields={"percent": "已落实应为100"})
    return value


def post_progress_update(item: FollowUp, *, actor, status: str, percent, note: str) -> ProgressUpdate:
    """The handling unit posts the progress of a follow-up item: status, percent done and a note."""
    percent = check_progress(status, percent)
    note = require_text(note, "note", "进展说明", max_length=5000)
    return save_update(item, actor=actor, status=status, percent=percent, note=note)


def submit_supplementary_reply(item: FollowUp, *, actor, body: str, signer: str, doc_no: str = "",
                               status: str | None = None, percent=None) -> ProgressUpdate:
    """A supplementary reply (补充答复) to the proposers on a follow-up item; it may update the progress too."""
    body = require_text(body, "body", "补充答复正文", max_length=20000)
    signer = require_text(signer, "signer", "签发人", max_length=50)
    status = status or item.status
    percent = check_progress(status, item.percent if percent in (None, "") else percent)
    update = save_update(item, actor=actor, status=status, percent=percent, note=body, supplementary=True,
                         signer=signer, doc_no=(doc_no or "")[:50] if isinstance(doc_no, str) else "")
    proposal = update.follow_up.proposal
    transaction.on_commit(lambda: notify.send("follow_up.supplementary_reply", proposal,
                                              notify.proposers_of(proposal),
                                              f"您的提案{notify.label(proposal)}收到补充答复，请查看。"))
    return update


def save_update(item: FollowUp, *, actor, status: str, percent: int, note: str, supplementary: bool = False,
                signer: str = "", doc_no: str = "") -> ProgressUpdate:
    with transaction.atomic():
        item = lock_follow_up(item, actor)
        now = timezone.now()
        update = ProgressUpdate.objects.create(follow_up=item, status=status, percent=percent, note=note,
                                               is_supplementary_reply=supplementary, signer=signer, doc_no=doc_no,
                                               author=actor, created_at=now)
        item.status, item.percent, item.updated_at = status, percent, now
        item.save(update_fields=["status", "percent", "updated_at"])
        record(actor=actor, action="follow_up.supplementary_reply" if supplementary else "follow_up.progress",
               committee=item.proposal.committee,
               data={"proposal": item.proposal_id, "follow_up": item.pk, "year": item.year, "status": status,
                     "percent": percent})
    return update


# ---- excellent proposals (优秀提案) ---------------------------------------------------------------

def nominate_excellent(proposal: Proposal, *, actor, reason: str, year: int | None = None) -> ExcellentNomination:
    """A handling unit of the proposal, or staff, nominate a replied proposal as excellent (征集)."""
    if not can_see(actor, proposal):
        raise NotFound()
    profile = profile_of(actor)
    is_unit = role_of(actor) == Role.UNIT and proposal.assignments.filter(unit_id=profile.unit_id).exists()
    if not (is_unit or is_staff_of(actor, proposal.committee_id)):
        raise NotAllowed("只有承办单位和提案委工作人员可以推荐优秀提案")
    reason = require_text(reason, "reason", "推荐理由", max_length=2000)
    if proposal.state not in ANSWERED_STATES:
        raise InvalidState("只有已答复或办结的提案可以推荐为优秀提案")
    year = year or timezone.localdate().year
    try:
        with transaction.atomic():
            nomination = ExcellentNomination.objects.create(committee_id=proposal.committee_id, proposal=proposal,
                                                            year=year, reason=reason, nominated_by=actor)
            record(actor=actor, action="excellent.nominated", committee=proposal.committee,
                   data={"proposal": proposal.pk, "year": year})
    except IntegrityError:
        raise Conflict("该提案已被推荐为本年度优秀提案候选")
    return nomination


REVIEW_STEPS = {
    "shortlist": (ExcellentNomination.Status.NOMINATED, ExcellentNomination.Status.SHORTLISTED),  # 初评
    "select": (ExcellentNomination.Status.SHORTLISTED, ExcellentNomination.Status.SELECTED),      # 审议
}


def review_excellent(nomination: ExcellentNomination, *, actor, decision: str, note: str = "") -> ExcellentNomination:
    """Staff move a nomination on (初评 shortlist, 审议 select) or decline it."""
    ensure_staff(actor, nomination.committee_id, "只有提案委工作人员可以评审优秀提案")
    if decision not in (*REVIEW_STEPS, "decline"):
        raise InvalidInput("评审结论应为初评通过、审议通过或不入选", fields={"decision": "无效"})
    with transaction.atomic():
        nomination = ExcellentNomination.objects.select_for_update().get(pk=nomination.pk)
        if decision == "decline":
            allowed, to = {ExcellentNomination.Status.NOMINATED, ExcellentNomination.Status.SHORTLISTED}, \
                ExcellentNomination.Status.DECLINED
        else:
            frm, to = REVIEW_STEPS[decision]
            allowed = {frm}
        if nomination.status not in allowed:
            raise InvalidState(f"该推荐当前为“{nomination.get_status_display()}”，不能执行此评审")
        nomination.status, nomination.reviewed_by, nomination.reviewed_at = to, actor, timezone.now()
        nomination.review_note = (note or "")[:2000]
        nomination.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        record(actor=actor, action=f"excellent.{decision}", committee=nomination.proposal.committee,
               data={"proposal": nomination.proposal_id, "year": nomination.year})
    return nomination


def publish_excellent(*, actor, committee, year: int) -> int:
    """Publish (公布) the selected excellent proposals of a year; returns how many were published."""
    ensure_staff(actor, committee.pk, "只有提案委工作人员可以公布优秀提案")
    with transaction.atomic():
        rows = ExcellentNomination.objects.select_for_update().filter(
            committee=committee, year=year, status=ExcellentNomination.Status.SELECTED)
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            raise InvalidState("没有审议通过、待公布的优秀提案")
        ExcellentNomination.objects.filter(pk__in=ids).update(status=ExcellentNomination.Status.PUBLISHED,
                                                              published_at=timezone.now())
        record(actor=actor, action="excellent.published", committee=committee, data={"year": year, "count": len(ids)})
    return len(ids)

