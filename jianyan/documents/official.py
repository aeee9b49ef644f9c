"""The official documents (公文) of one proposal, a unit's assignment list and a session's compilation,
each built as a `Document` (jianyan.documents.layout) that `render` turns into PDF, DOCX or Markdown.

Which documents a viewer may download is decided here, from the proposal's state and the viewer's side
(`kinds_for`), for both the download view and the links on the proposal page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from jianyan.documents.layout import Document, chinese_date, doc_number
from jianyan.handling.models import Assignment
from jianyan.people.models import Committee, Session, Unit
from jianyan.proposals.models import IN_HANDLING_STATES, REGISTERED_STATES, Proposal, Proposer, State

S = State
REPLYING = (Assignment.Mode.LEAD, Assignment.Mode.SEPARATE)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    states: frozenset
    audience: frozenset  # "staff" (staff, leaders, admins), "proposer", "unit" (any active unit), "replying_unit"


KINDS = {k.slug: k for k in (
    Kind("register_notice", "立案通知", frozenset(REGISTERED_STATES), frozenset({"staff", "proposer"})),
    Kind("reject_notice", "不予立案告知书", frozenset({S.NOT_REGISTERED}), frozenset({"staff", "proposer"})),
    Kind("assignment_notice", "交办通知", frozenset(IN_HANDLING_STATES), frozenset({"staff", "unit"})),
    Kind("reply_template", "答复函模板",
         frozenset({S.ASSIGNED, S.RETURN_REQUESTED, S.HANDLING, S.REPLY_AUDIT, S.REHANDLING}),
         frozenset({"staff", "replying_unit"})),
    Kind("evaluation_form", "征询意见表", frozenset({S.REPLIED, S.REHANDLING, S.CLOSED}), frozenset({"staff", "proposer"})),
)}


def kinds_for(state: str, *, oversees: bool, proposer: bool, unit_mode: str | None) -> list[Kind]:
    """The documents that apply to a proposal in this state for a viewer on this side of it."""
    sides = set()
    if oversees:
        sides.add("staff")
    if proposer:
        sides.add("proposer")
    if unit_mode:
        sides.add("unit")
        if unit_mode in REPLYING:
            sides.add("replying_unit")
    return [k for k in KINDS.values() if state in k.states and k.audience & sides]


# ---- shared pieces -------------------------------------------------------------------------------

def proposal_office(committee: Committee) -> str:
    """The issuing organ of the committee's proposal letters: 政协阳泉市委员会提案委员会."""
    return f"{committee.name}提案委员会"


def doc_prefix(committee: Committee, extra: str = "") -> str:
    """阳政协提: the place's first character, 政协, 提 (提案委员会), and a letter for the kind."""
    place = (committee.place or committee.short_name or committee.name)[:1]
    return f"{place}政协提{extra}"


def accepted_proposers(proposal: Proposal) -> list[Proposer]:
    return list(proposal.proposers.filter(status=Proposer.Status.ACCEPTED)
                .select_related("user__profile", "organisation").order_by("order", "id"))


def proposer_names(proposal: Proposal) -> str:
    if proposal.organisation_id:
        return proposal.organisation.name
    return "、".join(p.name for p in accepted_proposers(proposal)) or proposal.created_by.get_username()


def salutation(proposal: Proposal) -> str:
    """张委员： / 民革阳泉市委员会： — the addressee line of a letter to the proposers."""
    if proposal.organisation_id:
        return f"{proposal.organisation.name}："
    names = [p.name if p.name.endswith("委员") else f"{p.name}委员" for p in accepted_proposers(proposal)]
    return ("、".join(names) or "提案人") + "："


def number_text(proposal: Proposal) -> str:
    return f"{proposal.session.label}{proposal.display_number}" if proposal.number else proposal.session.label


def active_assignments(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(is_active=True).select_related("unit").order_by("id"))


def units_sentence(assignments: list[Assignment]) -> str:
    """由市工信局主办，市科技局会办"""
    parts = []
    for mode in (Assignment.Mode.LEAD, Assignment.Mode.SEPARATE, Assignment.Mode.CO):
        names = "、".join(a.unit.name for a in assignments if a.mode == mode)
        if names:
            parts.append(f"{names}{Assignment.Mode(mode).label}")
    return "由" + "，".join(parts) if parts else ""


def letter(proposal: Proposal, title: str, filename: str, *, template: str, prefix_extra: str = "",
           number: int | None = None) -> Document:
    committee = proposal.committee
    return Document(
        template=template, title=title, filename=filename, organ=proposal_office(committee),
        doc_no=doc_number(doc_prefix(committee, prefix_extra), proposal.session.year, number),
    )


def signature(committee: Committee, date) -> list[str]:
    return [proposal_office(committee), chinese_date(date)]


# ---- the letters of one proposal -----------------------------------------------------------------

def register_notice(proposal: Proposal) -> Document:
    """立案通知, to the proposers."""
    doc = letter(proposal, "提案立案通知", f"立案通知-{proposal.display_number or proposal.pk}",
                 template="register_notice", number=proposal.number)
    doc.add("plain", salutation(proposal))
    theme = f"，列入“{proposal.theme.name}”类" if proposal.theme_id else ""
    doc.add("p", f"您（们）提出的《{proposal.title}》，经{proposal_office(proposal.committee)}审查，"
                 f"符合立案条件，予以立案，案号为{number_text(proposal)}{theme}。")
    assignments = active_assignments(proposal)
    if assignments:
        due = max(a.due_date for a in assignments)
        doc.add("p", f"该提案已交办，{units_sentence(assignments)}，承办单位应于{chinese_date(due)}前办理答复。")
    else:
        doc.add("p", "该提案将按程序交有关承办单位办理，交办后承办单位将在规定期限内与您沟通并书面答复。")
    if proposal.decision_note:
        doc.add("p", f"审查意见：{proposal.decision_note}")
    doc.add("p", "请您关注提案办理进展，积极与承办单位沟通协商，并在收到答复后及时反馈意见。特此通知。")
    doc.add("sign", lines=signature(proposal.committee, proposal.decided_at))
    return doc


def reject_notice(proposal: Proposal) -> Document:
    """不予立案告知书, with the coded reason and the reviewer's note from the workflow."""
    doc = letter(proposal, "提案不予立案告知书", f"不予立案告知书-{proposal.pk}", template="reject_notice",
                 prefix_extra="告", number=proposal.pk)
    doc.add("plain", salutation(proposal))
    doc.add("p", f"您（们）于{chinese_date(proposal.submitted_at)}提交的《{proposal.title}》，"
                 f"经{proposal_office(proposal.committee)}审查，不予立案。")
    reason = proposal.reject_reason
    if reason is not None:
        doc.add("p", f"不予立案理由：{reason.code} {reason.text}。")
    if proposal.decision_note:
        doc.add("p", f"审查意见：{proposal.decision_note}")
    doc.add("p", "根据政协提案工作条例，上述内容不宜以提案形式提出。您反映的情况如属社情民意，可通过社情民意信息"
                 "等渠道反映。感谢您对提案工作的支持，欢迎继续围绕中心工作和群众关切提出高质量提案。特此告知。")
    doc.add("sign", lines=signature(proposal.committee, proposal.decided_at))
    return doc


def assignment_notice(proposal: Proposal) -> Document:
    """交办通知, to the handling units, with each unit's mode and due date."""
    assignments = active_assignments(proposal)
    doc = letter(proposal, "提案交办通知", f"交办通知-{proposal.display_number or proposal.pk}",
                 template="assignment_notice", prefix_extra="交", number=proposal.number)
    doc.add("plain", "、".join(a.unit.full_name or a.unit.name for a in assignments) + "：")
    doc.add("p", f"现将{number_text(proposal)}《{proposal.title}》（提案者：{proposer_names(proposal)}）"
                 f"交你单位办理，{units_sentence(assignments)}。")
    doc.add("table", headers=["承办单位", "办理方式", "交办日期", "办理期限"], rows=[
        [a.unit.full_name or a.unit.name, a.get_mode_display(), chinese_date(a.assigned_at), chinese_date(a.due_date)]
        for a in assignments])
    window = proposal.committee.return_window_days
    doc.add("p", f"请于收到之日起{window}日内签收；如认为不属于本单位职责，请在{window}日内提出退回申请并说明理由。"
                 "主办单位应主动与会办单位协调，与提案人沟通协商，在办理期限内形成书面答复，经单位负责人签发后"
                 "答复提案人并报送提案委员会；会办单位应向主办单位提供会办意见。")
    doc.add("sign", lines=signature(proposal.committee, min((a.assigned_at for a in assignments), default=None)))
    return doc


def reply_template(proposal: Proposal, unit: Unit | None = None) -> Document:
    """The reply letter (答复函) for a unit to complete: its own 版头, the heading, the proposal's number
    and title prefilled, the body left blank for the unit."""
    assignments = active_assignments(proposal)
    if unit is None:
        lead = next((a for a in assignments if a.mode in REPLYING), None)
        unit = lead.unit if lead else None
    unit_name = (unit.full_name or unit.name) if unit else "（承办单位）"
    doc = Document(template="reply_template", organ=unit_name, doc_no=f"〔{proposal.session.year}〕　　号",
                   signer="　　　　", title=f"关于{number_text(proposal)}提案的答复",
                   filename=f"答复函-{proposal.display_number or proposal.pk}-{unit.name if unit else '承办单位'}")
    doc.add("plain", salutation(proposal))
    doc.add("p", f"您（们）提出的《{proposal.title}》（{number_text(proposal)}）收悉。"
                 f"{unit_name}高度重视，现将办理情况答复如下：")
    doc.add("note", "（以下由承办单位填写：办理措施、落实情况和下一步工作。）")
    doc.add("blank", count=8)
    classes = "　".join(f"□{c}类" for c in proposal.committee.result_class_codes)
    doc.add("plain", f"办理结果分类：{classes}")
    doc.add("p", "感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见。")
    doc.add("sign", lines=[unit_name, chinese_date(None)])
    doc.add("plain", "联系单位及电话：")
    doc.add("plain", f"抄送：{proposal_office(proposal.committee)}")
    return doc


def evaluation_form(proposal: Proposal) -> Document:
    """征询意见表: the proposers rate the handling (attitude and result) and may comment."""
    assignments = active_assignments(proposal)
    doc = Document(template="evaluation_form", title="提案办理情况征询意见表", subtitle=proposal.session.label,
                   filename=f"征询意见表-{proposal.display_number or proposal.pk}")
    latest = (proposal.replies.filter(status="approved").select_related("assignment__unit")
              .order_by("-round", "-audited_at", "-id").first())
    choices = "□满意　□基本满意　□不满意"
    doc.add("table", widths=[22, 78], rows=[
        ["案号", proposal.display_number or "—"],
        ["案由", proposal.title],
        ["提案者", proposer_names(proposal)],
        ["承办单位", "；".join(f"{a.unit.name}（{a.get_mode_display()}）" for a in assignments) or "—"],
        ["答复情况", f"{latest.assignment.unit.name} {chinese_date(latest.written_at)} 答复，{latest.result_class}类"
                   if latest else "—"],
        ["办理态度", choices],
        ["办理结果", choices],
        ["意见和建议", "\n\n\n"],
        ["提案人签名", "\n\n　　　　　　　　　　　　　　年　　月　　日"],
    ])
    doc.add("note", f"请于收到答复后{proposal.committee.evaluation_window_days}日内填写，交回"
                    f"{proposal_office(proposal.committee)}，或在“建言”平台上直接评价。")
    return doc


BUILDERS = {
    "register_notice": register_notice,
    "reject_notice": reject_notice,
    "assignment_notice": assignment_notice,
    "reply_template": reply_template,
    "evaluation_form": evaluation_form,
}


# ---- lists: one unit's assignments, a session's compilation --------------------------------------

def unit_assignments(unit: Unit, session: Session) -> Document:
    """交办清单: every proposal of a session assigned to one unit (active assignments), by number."""
    rows = list(Assignment.objects.filter(unit=unit, is_active=True, proposal__session=session)
            .select_related("proposal__committee", "proposal__organisation")
            .order_by("proposal__number", "proposal_id"))
    committee = unit.committee
    doc = Document(template="unit_assignments", organ=proposal_office(committee),
                   doc_no=doc_number(doc_prefix(committee, "交"), session.year, None),
                   title=f"{session.label}提案交办清单", subtitle=f"承办单位：{unit.full_name or unit.name}",
                   filename=f"交办清单-{session.year}-{unit.name}")
    table_rows = []
    for i, a in enumerate(rows, 1):
        p = a.proposal
        table_rows.append([str(i), p.display_number or "—", p.title, proposer_names(p), a.get_mode_display(),
                           chinese_date(a.due_date)])
    lead = sum(1 for a in rows if a.mode == Assignment.Mode.LEAD)
    doc.add("p", f"{session.label}交由你单位办理的提案共{len(table_rows)}件，其中主办{lead}件、"
                 f"会办{sum(1 for a in rows if a.mode == Assignment.Mode.CO)}件、"
                 f"分办{sum(1 for a in rows if a.mode == Assignment.Mode.SEPARATE)}件。清单如下：")
    doc.add("table", headers=["序号", "案号", "案由", "提案者", "方式", "办理期限"], rows=table_rows,
            widths=[8, 14, 36, 18, 9, 15])
    doc.add("sign", lines=signature(committee, session.assignment_meeting_date or timezone.localdate()))
    return doc


def compilation(session: Session, progress=None) -> Document:
    """提案汇编: every registered proposal of the session, by number, with a table of contents.
    `progress(done, total)`, if given, is called after each proposal (the background job's progress bar)."""
    proposals = list(
        Proposal.objects.filter(session=session, state__in=REGISTERED_STATES)
        .select_related("committee", "organisation", "theme", "created_by")
        .prefetch_related("proposers__user__profile", "proposers__organisation", "assignments__unit")
        .order_by("number", "id"))
    doc = Document(template="compilation", title=f"{session.label}提案汇编",
                   subtitle=f"（共{len(proposals)}件）", filename=f"提案汇编-{session.year}")
    doc.add("heading", "目　录", level=1)
    doc.add("toc")
    doc.add("pagebreak")
    for done, p in enumerate(proposals, 1):
        if progress is not None:
            progress(done - 1, len(proposals))
        anchor = f"p{p.pk}"
        label = f"{p.display_number}　{p.title}"
        doc.toc.append((anchor, label))
        doc.add("heading", label, level=1, anchor=anchor)
        names = p.organisation.name if p.organisation_id else "、".join(
            x.name for x in p.proposers.all() if x.status == Proposer.Status.ACCEPTED)
        units = "；".join(f"{a.unit.name}（{a.get_mode_display()}）" for a in p.assignments.all() if a.is_active)
        doc.add("plain", f"提案者：{names}　主题：{p.theme.name if p.theme_id else '—'}")
        if units:
            doc.add("plain", f"承办单位：{units}")
        if p.is_secret:
            doc.add("p", "（涉密提案，正文不予汇编。）")
            continue
        if p.background:
            doc.add("heading", "情况分析", level=2)
            doc.paragraphs(p.background)
        if p.suggestions:
            doc.add("heading", "具体建议", level=2)
            for i, s in enumerate(p.suggestions, 1):
                doc.add("p", f"{i}. {s}")
    if progress is not None:
        progress(len(proposals), len(proposals))
    return doc
