"""Import of past years' proposals from a spreadsheet: map the columns, check every row, then write all
rows in one transaction or none.

Why rows are written in bulk and not through the workflow functions: the workflow replays each step
(create, submit, register, assign, sign, reply, approve, evaluate, close) with its locks, checks,
notifications and search indexing — about 60 queries per proposal, far from 100,000 rows a minute, and
it would send notifications about events of past years. Instead each row becomes exactly the rows the
workflow leaves behind for that final state — Proposal (state, number, theme, dates), Proposer (first
proposer and confirmed co-signers, ACCEPTED), active Assignments (signed), approved first-round Replies,
one Evaluation per proposer — so `reports.statistics` counts imported proposals exactly like
workflow-made ones. The audit trail gets one `proposal.imported` event per proposal (data.imported =
true, with the batch and row), not invented intermediate steps that never happened in this system.
Dates the file does not give are derived from the session (plenary, assignment meeting, due date), so
a reply without a date counts as on time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput
from jianyan.core.models import AuditEvent
from jianyan.exchange.bulk import Inserter, reserve_ids
from jianyan.exchange.models import ImportBatch, ImportedProposal
from jianyan.exchange.reading import Table, read_table
from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Committee, Organisation, Profile, ReasonCode, Role, Session, Theme, Unit
from jianyan.proposals import counts
from jianyan.proposals.models import (
    REGISTERED_STATES,
    Proposal,
    Proposer,
    ProposerType,
    State,
)
from jianyan.proposals.workflow import ORGANISATION_PROPOSER_TYPES

User = get_user_model()
Progress = Callable[[int, int], None]
BATCH_SIZE = 2000

# ---- the fields and their column-name aliases ------------------------------------------------------

FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "year": ("年度", ("年度", "年份", "会次年度", "year")),
    "number": ("案号", ("案号", "提案号", "提案编号", "编号", "number", "no")),
    "title": ("案由", ("案由", "标题", "提案标题", "题目", "title")),
    "background": ("情况分析", ("情况分析", "背景", "background")),
    "suggestions": ("具体建议", ("具体建议", "建议", "suggestions")),
    "body": ("正文", ("正文", "提案内容", "内容", "全文", "body", "text")),
    "proposers": ("提案人", ("提案人", "提案者", "第一提案人", "提案人姓名", "proposers", "proposer")),
    "proposer_type": ("提案者类型", ("提案者类型", "提案人类型", "提案类型", "proposertype", "proposer_type")),
    "theme": ("主题", ("主题", "类别", "分类", "提案类别", "theme")),
    "state": ("状态", ("状态", "办理状态", "state")),
    "lead_units": ("主办单位", ("主办单位", "承办单位", "lead_units", "leadunits", "lead")),
    "co_units": ("会办单位", ("会办单位", "协办单位", "co_units", "counits", "co")),
    "due_on": ("办理期限", ("办理期限", "办理时限", "答复期限", "due_on", "duedate", "due_date")),
    "replied_on": ("答复日期", ("答复日期", "办复日期", "答复时间", "replied_on", "repliedon")),
    "result_class": ("办理结果分类", ("办理结果分类", "答复分类", "结果分类", "result_class", "resultclass")),
    "attitude": ("办理态度评价", ("办理态度评价", "办理态度", "态度满意度", "attitude")),
    "result": ("办理结果评价", ("办理结果评价", "结果满意度", "办理结果满意度", "result")),
    "closed_on": ("办结日期", ("办结日期", "办结时间", "closed_on", "closedon")),
    "reason": ("不予立案理由", ("不予立案理由", "理由代码", "不立案理由", "reason")),
}
FIELD_LABELS = {key: label for key, (label, _a) in FIELDS.items()}
IMPORTABLE_STATES = (State.CLOSED, State.REPLIED, State.HANDLING, State.ASSIGNED, State.REGISTERED,
                     State.NOT_REGISTERED, State.CONVERTED, State.MERGED)
ASSIGNED_STATES = (State.ASSIGNED, State.HANDLING, State.REPLIED, State.CLOSED)
SIGNED_STATES = (State.HANDLING, State.REPLIED, State.CLOSED)
REPLIED_STATES = (State.CLOSED, State.REPLIED)
SEPARATORS = re.compile(r"[、,，;；/\n]+")
NUMBER = re.compile(r"^(?:第)?\s*0*(\d{1,7})\s*(?:号)?$")


def normalise_header(text: str) -> str:
    return re.sub(r"[\s（）()：:*＊_]", "", str(text)).lower()


ALIASES = {normalise_header(a): key for key, (_label, aliases) in FIELDS.items() for a in aliases}


def auto_mapping(headers: list[str]) -> dict[int, str]:
    """{column index: field} for the headers recognised by name; a field is taken by its first column."""
    mapping: dict[int, str] = {}
    for i, header in enumerate(headers):
        key = ALIASES.get(normalise_header(header))
        if key and key not in mapping.values():
            mapping[i] = key
    return mapping


def apply_overrides(headers: list[str], mapping: dict[int, str], overrides: list[str]) -> dict[int, str]:
    """`列名=field` (or `列名=` to ignore a column) from the command line, on top of the automatic mapping."""
    mapping = dict(mapping)
    by_name = {h.strip(): i for i, h in enumerate(headers)}
    for item in overrides:
        column, sep, target = item.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or column not in by_name:
            raise InvalidInput(f"--map “{item}”无效：文件中没有名为“{column}”的列")
        target = ALIASES.get(normalise_header(target), target)
        if target and target not in FIELDS:
            raise InvalidInput(f"--map “{item}”无效：未知字段“{target}”（可用：{'、'.join(FIELDS)}）")
        index = by_name[column]
        mapping = {i: f for i, f in mapping.items() if i != index and f != target}
        if target:
            mapping[index] = target
    return mapping


def clean_mapping(headers: list[str], raw: dict) -> dict[int, str]:
    """A mapping from a form or JSON ({"3": "title"}), kept to known columns and fields, each field once."""
    mapping: dict[int, str] = {}
    for index, key in sorted(raw.items(), key=lambda kv: str(kv[0])):
        try:
            i = int(index)
        except (TypeError, ValueError):
            continue
        if 0 <= i < len(headers) and key in FIELDS and key not in mapping.values():
            mapping[i] = key
    return mapping


def check_mapping(mapping: dict[int, str]) -> None:
    missing = [FIELD_LABELS[f] for f in ("year", "title") if f not in mapping.values()]
    if missing:
        raise InvalidInput(f"缺少必需的列：{'、'.join(missing)}（请在列映射中指定）")


# ---- parsing one row ----------------------------------------------------------------------------

@dataclass
class Row:
    row: int
    key: str
    session: Session
    number: int | None
    title: str
    background: str
    suggestions: list[str]
    proposers: str
    proposer_type: str
    first_user: int | None
    first_org: Organisation | None
    cosigners: list[int]
    state: str
    theme: int | None
    lead_units: list[int]
    co_units: list[int]
    due_on: dt.date | None
    replied_on: dt.date | None
    result_class: str
    attitude: str
    result: str
    closed_on: dt.date | None
    reason: int | None


@dataclass
class Outcome:
    total: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def choice_lookup(choices) -> dict[str, str]:
    out = {}
    for code, label in choices:
        out[code] = code
        out[str(label)] = code
    return out


STATE_LOOKUP = {k: v for k, v in choice_lookup(State.choices).items() if v in IMPORTABLE_STATES}
STATE_LOOKUP.update({"办结": State.CLOSED, "已办复": State.REPLIED, "答复": State.REPLIED, "并案": State.MERGED,
                     "转为意见建议": State.CONVERTED})
TYPE_LOOKUP = choice_lookup(ProposerType.choices)
VALUE_LOOKUP = choice_lookup(Evaluation.Value.choices)
DATE_PATTERNS = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})"),
                 re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"))


def parse_date(text: str) -> dt.date | None:
    for pattern in DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(*(int(g) for g in m.groups()))
            except ValueError:
                return None
    return None


def split_names(text: str) -> list[str]:
    return [n.strip() for n in SEPARATORS.split(text) if n.strip()]


class Checker:
    """Looks up the committee's reference data once, then parses and checks rows one by one."""

    def __init__(self, committee: Committee):
        self.committee = committee
        self.sessions: dict[int, list[Session]] = {}
        for s in Session.objects.filter(term__committee=committee).select_related("term__committee"):
            self.sessions.setdefault(s.year, []).append(s)
        self.themes = dict(Theme.objects.filter(committee=committee).values_list("name", "id"))
        self.units = dict(Unit.objects.filter(committee=committee).values_list("name", "id"))
        self.units.update({full: pk for full, pk in Unit.objects.filter(committee=committee)
                           .exclude(full_name="").values_list("full_name", "id") if full not in self.units})
        self.orgs = {o.name: o for o in Organisation.objects.filter(committee=committee)}
        members: dict[str, list[int]] = {}
        for name, user_id in Profile.objects.filter(committee=committee, role=Role.MEMBER).values_list(
            "display_name", "user_id"
        ):
            members.setdefault(name, []).append(user_id)
        self.members = {name: ids[0] for name, ids in members.items() if len(ids) == 1}  # ambiguous names stay names
        self.reasons = dict(ReasonCode.objects.filter(committee=committee).values_list("code", "id"))
        self.classes = committee.result_class_codes
        self.imported_keys = set(ImportedProposal.objects.filter(committee=committee).values_list("key", flat=True))
        self.taken_numbers = set(Proposal.objects.filter(committee=committee, number__isnull=False)
                                 .values_list("session_id", "number"))
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}

    def check(self, n: int, get: Callable[[str], str]) -> tuple[Row | None, list[str], bool]:
        """(the parsed row or None, the reasons it is bad, whether it was imported before)."""
        bad: list[str] = []
        title = get("title")
        if not title:
            bad.append("缺少案由")
        elif len(title) > 200:
            bad.append("案由超过200字")
        session = self.session_of(get("year"), bad)
        state = self.state_of(get("state"), bad)
        registered = state in REGISTERED_STATES
        number = self.number_of(get("number"), registered, bad)
        proposers = get("proposers")
        if len(proposers) > 500:
            bad.append("提案人超过500字")
        key = self.key_of(session, number, title, proposers)
        if key and key in self.imported_keys:
            return None, [], True
        if key in self.seen:
            what = "案号" if number else "年度、案由和提案人"
            bad.append(f"{what}与第{self.seen[key]}行重复")
        elif key:
            self.seen[key] = n
            if number and session and (session.pk, number) in self.taken_numbers:
                bad.append(f"案号{number}在{session.year}年度已被系统中其他提案使用")
        names = split_names(proposers)
        first_org = self.orgs.get(names[0]) if names else None
        proposer_type = self.proposer_type_of(get("proposer_type"), names, first_org, bad)
        theme = self.lookup(get("theme"), self.themes, "主题", bad)
        if registered and theme is None and not get("theme"):
            bad.append("已立案的提案须有主题")
        lead = self.units_of(get("lead_units"), bad)
        co = self.units_of(get("co_units"), bad)
        if state in ASSIGNED_STATES and not get("lead_units"):
            bad.append(f"状态为“{State(state).label}”的提案须有主办单位")
        if state not in ASSIGNED_STATES and (lead or co):
            bad.append("未交办的提案不应有承办单位")
        if set(lead) & set(co):
            bad.append("同一单位不能既是主办又是会办")
        due_on = self.date_of(get("due_on"), "办理期限", bad, future=True)
        if due_on and state not in ASSIGNED_STATES:
            bad.append("未交办的提案不应有办理期限")
        replied_on = self.date_of(get("replied_on"), "答复日期", bad)
        closed_on = self.date_of(get("closed_on"), "办结日期", bad)
        result_class = get("result_class").upper()
        self.check_handling(state, result_class, replied_on, closed_on, bad)
        attitude = self.value_of(get("attitude"), "办理态度评价", bad)
        result = self.value_of(get("result"), "办理结果评价", bad)
        if bool(attitude) != bool(result):
            bad.append("办理态度和办理结果评价须同时填写")
        if (attitude or result) and state != State.CLOSED:
            bad.append("只有已办结的提案可以有满意度评价")
        reason = self.reason_of(get("reason"), state, bad)
        if bad or session is None or state is None:
            return None, bad, False
        background, suggestions = get("background"), [s.strip() for s in get("suggestions").splitlines() if s.strip()]
        if not background and not suggestions:
            background = get("body")
        is_org = first_org is not None
        return Row(
            row=n, key=key, session=session, number=number, title=title, background=background,
            suggestions=suggestions[:30], proposers=proposers, proposer_type=proposer_type,
            first_user=None if is_org or not names else self.members.get(names[0]),
            first_org=first_org, cosigners=[] if is_org else self.cosigners_of(names),
            state=state, theme=theme, lead_units=lead, co_units=co, due_on=due_on, replied_on=replied_on,
            result_class=result_class, attitude=attitude, result=result, closed_on=closed_on, reason=reason,
        ), [], False

    # -- the checks of single cells --
    def session_of(self, text: str, bad: list[str]) -> Session | None:
        if not text:
            bad.append("缺少年度")
            return None
        try:
            year = int(text.removesuffix("年"))
        except ValueError:
            bad.append(f"年度“{text}”无效")
            return None
        sessions = self.sessions.get(year, [])
        if not sessions:
            bad.append(f"{year}年度没有会次，请先在系统中建立该年度的会次")
            return None
        if len(sessions) > 1:
            bad.append(f"{year}年度有多个会次，无法确定")
            return None
        return sessions[0]

    def state_of(self, text: str, bad: list[str]) -> str | None:
        if not text:
            return State.CLOSED  # history is closed unless the file says otherwise
        state = STATE_LOOKUP.get(text)
        if state is None:
            labels = "、".join(State(s).label for s in IMPORTABLE_STATES)
            bad.append(f"未知状态“{text}”（可用：{labels}）")
        return state

    def number_of(self, text: str, registered: bool, bad: list[str]) -> int | None:
        if not text:
            if registered:
                bad.append("已立案的提案须有案号")
            return None
        m = NUMBER.match(text)
        if not m or int(m.group(1)) == 0:
            bad.append(f"案号“{text}”无效")
            return None
        if not registered:
            bad.append("未立案的提案不应有案号")
        return int(m.group(1))

    @staticmethod
    def key_of(session: Session | None, number: int | None, title: str, proposers: str) -> str:
        if session is None or not title:
            return ""
        if number:
            return f"{session.pk}:{number}"
        digest = hashlib.sha1(f"{title}\x1f{proposers}".encode(), usedforsecurity=False).hexdigest()[:24]
        return f"{session.pk}:t:{digest}"

    def proposer_type_of(self, text: str, names: list[str], org: Organisation | None, bad: list[str]) -> str:
        if text:
            found = TYPE_LOOKUP.get(text)
            if found is None:
                bad.append(f"未知提案者类型“{text}”")
                return ProposerType.MEMBER
            return found
        if org is not None:
            return ORGANISATION_PROPOSER_TYPES[org.kind]
        return ProposerType.JOINT if len(names) > 1 else ProposerType.MEMBER

    @staticmethod
    def lookup(text: str, table: dict[str, int], label: str, bad: list[str]) -> int | None:
        if not text:
            return None
        found = table.get(text)
        if found is None:
            bad.append(f"未知{label}“{text}”")
        return found

    def units_of(self, text: str, bad: list[str]) -> list[int]:
        out = []
        for name in split_names(text):
            found = self.lookup(name, self.units, "承办单位", bad)
            if found is not None and found not in out:
                out.append(found)
        return out

    def date_of(self, text: str, label: str, bad: list[str], *, future: bool = False) -> dt.date | None:
        if not text:
            return None
        found = parse_date(text)
        if found is None:
            bad.append(f"{label}“{text}”不是有效日期（应为 2024-03-05 或 2024年3月5日）")
        elif found > self.today and not future:
            bad.append(f"{label}“{text}”晚于今天")
            return None
        return found

    def check_handling(self, state, result_class: str, replied_on, closed_on, bad: list[str]) -> None:
        if state in REPLIED_STATES:
            if result_class not in self.classes:
                shown = f"“{result_class}”" if result_class else "为空"
                bad.append(f"办理结果分类{shown}，应为 {'/'.join(self.classes)}")
        elif result_class or replied_on:
            bad.append("未答复的提案不应有答复日期或办理结果分类")
        if closed_on and state != State.CLOSED:
            bad.append("未办结的提案不应有办结日期")
        if closed_on and replied_on and closed_on < replied_on:
            bad.append("办结日期早于答复日期")

    @staticmethod
    def value_of(text: str, label: str, bad: list[str]) -> str:
        if not text:
            return ""
        found = VALUE_LOOKUP.get(text)
        if found is None:
            bad.append(f"{label}“{text}”无效（应为满意、基本满意或不满意）")
            return ""
        return found

    def reason_of(self, text: str, state, bad: list[str]) -> int | None:
        if state == State.NOT_REGISTERED and not text:
            bad.append("不予立案的提案须注明理由代码")
            return None
        if text and state != State.NOT_REGISTERED:
            bad.append("只有不予立案的提案可以有不予立案理由")
            return None
        return self.lookup(text, self.reasons, "不予立案理由", bad)

    def cosigners_of(self, names: list[str]) -> list[int]:
        out: list[int] = []
        for name in names[1:]:
            user_id = self.members.get(name)
            if user_id is not None and user_id not in out and user_id != self.members.get(names[0]):
                out.append(user_id)
        return out


def check_rows(table: Table, mapping: dict[int, str], committee: Committee,
               progress: Progress | None = None) -> tuple[list[Row], Outcome]:
    """Parse and check every row; the outcome lists every bad row with its number and reasons."""
    check_mapping(mapping)
    checker = Checker(committee)
    columns = {key: i for i, key in mapping.items()}
    outcome = Outcome(total=len(table.rows))
    rows: list[Row] = []
    progress = progress or (lambda done, total: None)
    for done, (n, cells) in enumerate(table.rows, start=1):
        def get(key: str, cells=cells) -> str:
            i = columns.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        row, bad, seen = checker.check(n, get)
        if seen:
            outcome.skipped += 1
        elif bad:
            outcome.errors.append((n, "；".join(bad)))
        else:
            rows.append(row)
        if done % 500 == 0:
            progress(done, outcome.total)
    progress(outcome.total, outcome.total)
    return rows, outcome


# ---- writing ------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def history_proposer(committee: Committee):
    """The stand-in user for proposers recorded only by name (no member profile matches): it has no
    profile and cannot log in; the names as written are kept in ImportedProposal.proposers."""
    user, _ = User.objects.get_or_create(
        username=f"历史提案人-{committee.code}", defaults={"is_active": False, "last_name": "历史提案人"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass
class Moments:
    submitted: dt.datetime
    decided: dt.datetime
    assigned: dt.datetime
    due: dt.date
    signed: dt.datetime
    written: dt.datetime | None = None
    audited: dt.datetime | None = None
    rated: dt.datetime | None = None
    closed: dt.datetime | None = None


def session_moments(session: Session, committee: Committee) -> Moments:
    """Submitted at the plenary, registered the day after it, assigned at the assignment meeting (or a month
    after the plenary), due the committee's handling months later on its working-day calendar (as
    assign_proposal computes it), signed the next day."""
    from jianyan.workdays.deadlines import months_after

    submitted = at(session.plenary_start, 9)
    decided = at(session.plenary_end + dt.timedelta(days=1), 10)
    meeting = session.assignment_meeting_date or (session.plenary_end + dt.timedelta(days=30))
    assigned = max(at(meeting, 10), decided + dt.timedelta(hours=1))
    due = months_after(committee, timezone.localtime(assigned).date(), committee.handling_months)
    return Moments(submitted, decided, assigned, due, assigned + dt.timedelta(days=1))


def moments_of(row: Row, committee: Committee, cache: dict[int, Moments]) -> Moments:
    """The row's dates, or dates derived from its session where the file gives none (see the module doc):
    a reply without a date is written ten days before the due date (on time), a closing without a date
    comes when the evaluation window ends."""
    base = cache.get(row.session.pk)
    if base is None:
        base = cache[row.session.pk] = session_moments(row.session, committee)
    if row.due_on:
        base = dataclasses.replace(base, due=row.due_on)
    if row.state not in REPLIED_STATES:
        return base
    written = at(row.replied_on, 10) if row.replied_on else at(base.due - dt.timedelta(days=10), 10)
    written = max(written, base.signed + dt.timedelta(hours=1))
    audited = written + dt.timedelta(hours=6)
    rated = closed = None
    if row.state == State.CLOSED:
        closed = at(row.closed_on, 17) if row.closed_on else audited + dt.timedelta(days=committee.evaluation_window_days)
        closed = max(closed, audited + dt.timedelta(hours=1))
        rated = audited + (closed - audited) / 2
    return Moments(base.submitted, base.decided, base.assigned, base.due, base.signed, written, audited, rated, closed)


def write_rows(rows: list[Row], *, committee: Committee, actor, batch: ImportBatch | None,
               progress: Progress | None = None) -> None:
    """Write checked rows (call inside a transaction), a few thousand at a time, in dependency order:
    proposals, proposers, assignments, replies, evaluations, audit events, row keys."""
    progress = progress or (lambda done, total: None)
    stand_in = None
    if any(r.first_user is None and r.first_org is None for r in rows):
        stand_in = history_proposer(committee)
    writer = ChunkWriter(committee=committee, actor=actor, batch=batch, stand_in=stand_in)
    total = len(rows)
    for start in range(0, total, BATCH_SIZE):
        chunk = rows[start:start + BATCH_SIZE]
        writer.write(chunk)
        progress(start + len(chunk), total)
    top: dict[int, int] = {}
    for r in rows:
        if r.number:
            top[r.session.pk] = max(top.get(r.session.pk, 0), r.number)
    for session_id, number in top.items():  # registration after the import goes on from the highest number
        Session.objects.filter(pk=session_id, last_number__lt=number).update(last_number=number)
    transaction.on_commit(partial(counts.bump_finished, committee.pk))  # the staff's cached counts of finished ones
    progress(total, total)


class ChunkWriter:
    """The rows the workflow would have left behind, inserted as plain tuples (see jianyan.exchange.bulk)."""

    def __init__(self, *, committee: Committee, actor, batch, stand_in):
        self.committee, self.actor, self.stand_in = committee, actor, stand_in
        self.batch_id = batch.pk if batch else None
        self.session_moments: dict[int, Moments] = {}
        self.proposals = Inserter(Proposal, [
            "id", "committee_id", "session_id", "proposer_type", "organisation_id", "created_by_id", "title",
            "background", "suggestions", "state", "number", "theme_id", "reject_reason_id", "submitted_at",
            "decided_at", "closed_at", "closed_unresolved", "created_at"])
        self.proposers = Inserter(Proposer, ["id", "proposal_id", "user_id", "organisation_id", "role", "status",
                                             "responded_at", "order"])
        self.assignments = Inserter(Assignment, ["id", "proposal_id", "unit_id", "mode", "assigned_at", "due_date",
                                                 "signed_at", "is_active"])
        self.replies = Inserter(Reply, [
            "proposal_id", "assignment_id", "round", "result_class", "proposed_class", "body", "signer", "status",
            "written_by_id", "written_at", "audited_by_id", "audited_at", "audit_note"])
        self.evaluations = Inserter(Evaluation, ["proposal_id", "proposer_id", "round", "attitude", "result",
                                                 "rated_by_id", "rated_at"])
        self.events = Inserter(AuditEvent, ["at", "actor_id", "action", "committee_id", "proposal_id", "from_state",
                                            "to_state", "note", "data"])
        self.keys = Inserter(ImportedProposal, ["committee_id", "key", "proposal_id", "batch_id", "row", "proposers"])

    def write(self, rows: list[Row]) -> None:
        cid, actor_id, now = self.committee.pk, self.actor.pk, timezone.now()
        moments = [moments_of(r, self.committee, self.session_moments) for r in rows]
        ids = reserve_ids(Proposal, len(rows))
        self.proposals.insert(
            (pid, cid, r.session.pk, r.proposer_type, r.first_org.pk if r.first_org else None, actor_id, r.title,
             r.background, r.suggestions, r.state, r.number, r.theme if r.state in REGISTERED_STATES else None,
             r.reason, m.submitted, m.decided, m.closed,
             r.state == State.CLOSED and Evaluation.Value.UNSATISFIED in (r.attitude, r.result), m.submitted)
            for pid, r, m in zip(ids, rows, moments, strict=True))

        entries = []  # (proposal id, user id, organisation id, role, responded at, order, the user who rates)
        for pid, r, m in zip(ids, rows, moments, strict=True):
            if r.first_org is not None:
                entries.append((pid, None, r.first_org.pk, Proposer.Role.FIRST, None, 0, actor_id, r))
            else:
                user_id = r.first_user or self.stand_in.pk
                entries.append((pid, user_id, None, Proposer.Role.FIRST, None, 0, user_id, r))
            entries += [(pid, uid, None, Proposer.Role.COSIGNER, m.submitted, order, uid, r)
                        for order, uid in enumerate(r.cosigners, start=1)]
        entry_ids = reserve_ids(Proposer, len(entries))
        self.proposers.insert((eid, e[0], e[1], e[2], e[3], Proposer.Status.ACCEPTED, e[4], e[5])
                              for eid, e in zip(entry_ids, entries, strict=True))

        plan = []  # (proposal id, unit id, mode, row, moments)
        for pid, r, m in zip(ids, rows, moments, strict=True):
            lead_mode = Assignment.Mode.LEAD if len(r.lead_units) == 1 else Assignment.Mode.SEPARATE
            plan += [(pid, u, lead_mode, r, m) for u in r.lead_units]
            plan += [(pid, u, Assignment.Mode.CO, r, m) for u in r.co_units]
        plan_ids = reserve_ids(Assignment, len(plan))
        self.assignments.insert(
            (aid, pid, u, mode, m.assigned, m.due, m.signed if r.state in SIGNED_STATES else None, True)
            for aid, (pid, u, mode, r, m) in zip(plan_ids, plan, strict=True))
        self.replies.insert(
            (pid, aid, 1, r.result_class, r.result_class, IMPORTED_REPLY_BODY, "", Reply.Status.APPROVED, actor_id,
             m.written, actor_id, m.audited, "历史提案导入")
            for aid, (pid, _u, mode, r, m) in zip(plan_ids, plan, strict=True)
            if r.state in REPLIED_STATES and mode != Assignment.Mode.CO)

        rated = {pid: m.rated for pid, m in zip(ids, moments, strict=True)}
        self.evaluations.insert(
            (e[0], eid, 1, e[7].attitude, e[7].result, e[6], rated[e[0]])
            for eid, e in zip(entry_ids, entries, strict=True) if e[7].attitude)
        self.events.insert(
            (now, actor_id, "proposal.imported", cid, pid, "", r.state, "历史提案导入",
             {"imported": True, "batch": self.batch_id, "row": r.row})
            for pid, r in zip(ids, rows, strict=True))
        self.keys.insert((cid, r.key, pid, self.batch_id, r.row, r.proposers) for pid, r in zip(ids, rows, strict=True))


IMPORTED_REPLY_BODY = "（历史提案导入，答复原文未录入）"


# ---- the whole import -----------------------------------------------------------------------------

class RowsRejected(Exception):
    """Raised inside the transaction when a row is bad, so that nothing is written."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome


def import_table(table: Table, *, committee: Committee, actor, mapping: dict[int, str] | None = None,
                 dry_run: bool = False, batch: ImportBatch | None = None,
                 check_progress: Progress | None = None, write_progress: Progress | None = None) -> Outcome:
    """Check every row; unless it is a dry run, write them all in one transaction if every row is good, else
    nothing. Rows imported before (same row key) are skipped, so importing a file twice changes nothing."""
    mapping = auto_mapping(table.headers) if mapping is None else mapping
    if dry_run:
        return check_rows(table, mapping, committee, check_progress)[1]
    try:
        with transaction.atomic():
            # Checked inside the transaction, so that no other import can take a number in between.
            rows, outcome = check_rows(table, mapping, committee, check_progress)
            if not outcome.ok:
                raise RowsRejected(outcome)
            if rows:
                write_rows(rows, committee=committee, actor=actor, batch=batch, progress=write_progress)
                outcome.imported = len(rows)
                record(actor=actor, action="exchange.imported", committee=committee,
                       data={"batch": batch.pk if batch else None, "rows": len(rows), "skipped": outcome.skipped})
    except RowsRejected as rejected:
        return rejected.outcome
    return outcome


def import_file(content: bytes, file_name: str, **kwargs) -> Outcome:
    return import_table(read_table(content, file_name), **kwargs)

