"""The shapes the API reads and writes. Inputs reject unknown fields; ids and numbers are bounded so that
no value reaches the database that it cannot hold."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool, StrictInt, model_validator

from jianyan.handling.models import Assignment, Consultation, Evaluation
from jianyan.proposals.models import State

MAX_ID = 2**63 - 1  # the largest value of a 64-bit primary key (SQLite and PostgreSQL bigint)


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    return value


def Text(max_length: int):  # reads as a type in the schemas below
    return Annotated[str, Field(max_length=max_length), AfterValidator(no_nul)]


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---- inputs --------------------------------------------------------------------------------------

class TokenIn(Input):
    username: Text(150)
    password: Text(4096)
    name: Text(100) = "api"


class ProposalIn(Input):
    title: Text(200)
    background: Text(20000) = ""
    suggestions: Annotated[list[Text(5000)], Field(max_length=30)] = []
    cosigners: Annotated[list[Text(150)], Field(max_length=50)] = []
    contact: Text(200) = ""


class ProposalPatch(Input):
    """Only the fields sent are changed. `version` (from the last read) guards against lost updates."""

    title: Text(200) | None = None
    background: Text(20000) | None = None
    suggestions: Annotated[list[Text(5000)], Field(max_length=30)] | None = None
    cosigners: Annotated[list[Text(150)], Field(max_length=50)] | None = None
    contact: Text(200) | None = None
    version: Id | None = None


class DropEmpty(BaseModel):
    """Query parameters. A plain pydantic model, so that the validator below sees the raw dict."""

    @model_validator(mode="before")
    @classmethod
    def drop_empty(cls, data: Any) -> Any:
        # "?year=&state=" means "no filter", as an HTML form sends it.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data


class Page(DropEmpty):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=100)


PROPOSAL_ORDERINGS = {
    "id": ("id",), "-id": ("-id",),
    "number": ("session_id", "number", "id"), "-number": ("-session_id", "-number", "-id"),
    "submitted_at": ("submitted_at", "id"), "-submitted_at": ("-submitted_at", "-id"),
    "updated_at": ("updated_at", "id"), "-updated_at": ("-updated_at", "-id"),
}
ProposalOrdering = Literal[*PROPOSAL_ORDERINGS]


class ProposalFilters(Page):
    year: int | None = Field(None, ge=1949, le=9999, description="会次年度")
    session: QueryId | None = Field(None, description="会次 id")
    state: State | None = Field(None, description="状态代码")
    category: QueryId | None = Field(None, description="主题 id（/api/v1/themes）")
    unit: QueryId | None = Field(None, description="承办单位 id（/api/v1/units），有效交办")
    q: Text(100) | None = Field(None, description="案由包含的文字")
    ordering: ProposalOrdering = Field("-id", description="排序：id、number（案号）、submitted_at、updated_at，"
                                                          "前加 - 为倒序；默认 -id（最新的在前）")


class NotificationFilters(Page):
    unread: bool | None = Field(None, description="true 只看未读")


class StatsFilters(DropEmpty):
    year: int | None = Field(None, ge=1949, le=9999, description="年度，默认今年")
    committee: Text(32) | None = Field(None, description="政协代码（管理员可选，其他用户为本政协）")


class CommitteeFilter(DropEmpty):
    committee: Text(32) | None = Field(None, description="政协代码（仅管理员可选）")


# ---- action bodies (POST /proposals/{id}/actions/{action}) ----------------------------------------

class EmptyAction(Input):
    pass


class CosignAction(Input):
    accept: StrictBool


class ReturnAction(Input):
    note: Text(2000)


class RegisterAction(Input):
    category: Id = Field(description="主题 id")
    note: Text(2000) = ""


class RejectAction(Input):
    reason_code: Text(20) = Field(description="不予立案理由代码，如 R10（/api/v1/reason-codes）")
    note: Text(2000) = ""


class NoteAction(Input):
    note: Text(2000) = ""


class MergeAction(Input):
    into: Id = Field(description="并入的已立案提案 id")
    note: Text(2000) = ""


class UnitPlan(Input):
    unit: Id
    mode: Assignment.Mode = Assignment.Mode.LEAD


class AssignAction(Input):
    units: Annotated[list[UnitPlan], Field(min_length=1, max_length=50)]
    due_date: dt.date | None = None
    note: Text(2000) = ""


class RequestReturnAction(Input):
    reason: Text(2000)


class DecideReturnAction(Input):
    accept: StrictBool
    units: Annotated[list[UnitPlan], Field(max_length=50)] = []
    note: Text(2000) = ""


class ConsultAction(Input):
    form: Consultation.Form
    date: dt.date
    participants: Text(1000)
    outcome: Text(5000)


class CoOpinionAction(Input):
    text: Text(10000)


class ReplyAction(Input):
    result_class: Text(1)
    body: Text(20000)
    signer: Text(50)
    doc_no: Text(50) = ""


class ApproveReplyAction(Input):
    result_class: Text(1) | None = None
    reply: Id | None = Field(None, description="只审核这一份答复（默认本轮全部待审核答复）")
    note: Text(2000) = ""


class SendBackReplyAction(Input):
    note: Text(2000)
    reply: Id | None = None


class EvaluateAction(Input):
    attitude: Evaluation.Value
    result: Evaluation.Value
    comment: Text(5000) = ""


class CloseAction(Input):
    note: Text(2000) = ""
    unresolved: StrictBool = False


class RateQualityAction(Input):
    scores: dict[Text(20), StrictInt] = Field(
        description="science 科学性, seriousness 严肃性, feasibility 可行性, norm 规范性, impact 影响性：各 0–20")
    comment: Text(2000) = ""


# ---- outputs -------------------------------------------------------------------------------------

class TokenOut(Schema):
    token: str
    username: str
    role: str | None


class MeOut(Schema):
    username: str
    name: str
    role: str | None
    role_label: str | None
    committee: dict[str, Any] | None
    unit: dict[str, Any] | None
    organisation: dict[str, Any] | None


class Ref(Schema):
    id: int
    name: str


class SessionRef(Schema):
    id: int
    label: str
    year: int


class ProposerOut(Schema):
    name: str
    role: str
    role_label: str
    status: str
    status_label: str
    username: str | None
    organisation: str | None


class UnitMode(Schema):
    id: int
    name: str
    mode: str


class ProposalItem(Schema):
    id: int
    number: int | None
    display_number: str | None
    title: str
    state: str
    state_label: str
    kind: str
    proposer_type: str
    category: Ref | None
    session: SessionRef
    proposers: list[ProposerOut]
    units: list[UnitMode]
    is_key: bool
    version: int
    submitted_at: dt.datetime | None
    created_at: dt.datetime


class ProposalList(Schema):
    items: list[ProposalItem]
    total: int
    page: int
    page_size: int


class AssignmentOut(Schema):
    id: int
    unit: Ref
    mode: str
    mode_label: str
    assigned_at: dt.datetime
    due_date: dt.date
    signed_at: dt.datetime | None
    is_active: bool


class ReplyOut(Schema):
    id: int
    unit: Ref
    round: int
    result_class: str
    proposed_class: str | None
    body: str
    signer: str
    doc_no: str
    status: str
    status_label: str
    written_at: dt.datetime
    audited_at: dt.datetime | None
    audit_note: str | None


class EvaluationOut(Schema):
    id: int
    proposer: str
    round: int
    attitude: str
    attitude_label: str
    result: str
    result_label: str
    comment: str
    rated_at: dt.datetime


class QualityRatingOut(Schema):
    id: int
    unit: Ref
    scores: dict[str, int]
    total: int
    grade: str
    comment: str
    rated_at: dt.datetime


class ConsultationOut(Schema):
    id: int
    unit: Ref | None
    form: str
    form_label: str
    date: dt.date
    participants: str
    outcome: str
    recorded_at: dt.datetime


class CoOpinionOut(Schema):
    id: int
    unit: Ref
    text: str
    written_at: dt.datetime


class ReturnRequestOut(Schema):
    id: int
    unit: Ref
    reason: str
    requested_at: dt.datetime
    accepted: bool | None
    decided_at: dt.datetime | None
    decision_note: str


class MergeHostOut(Schema):
    id: int
    display_number: str | None
    title: str


class ReasonOut(Schema):
    code: str
    text: str


class ProposalDetail(Schema):
    id: int
    number: int | None
    display_number: str | None
    title: str
    background: str
    suggestions: list[str]
    contact: str
    state: str
    state_label: str
    kind: str
    kind_label: str
    proposer_type: str
    proposer_type_label: str
    category: Ref | None
    session: SessionRef
    proposers: list[ProposerOut]
    assignments: list[AssignmentOut]
    replies: list[ReplyOut]
    evaluations: list[EvaluationOut]
    quality_ratings: list[QualityRatingOut]
    consultations: list[ConsultationOut]
    co_opinions: list[CoOpinionOut]
    return_requests: list[ReturnRequestOut]
    merge_host: MergeHostOut | None
    reject_reason: ReasonOut | None
    decision_note: str
    is_key: bool
    round: int
    closed_unresolved: bool
    version: int
    cosign_deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime


class TimelineOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


class UnitOut(Schema):
    id: int
    name: str
    full_name: str
    system: str
    system_label: str


class ThemeOut(Schema):
    id: int
    name: str
    national_area: str
    national_area_label: str
    description: str


class SessionOut(Schema):
    id: int
    label: str
    year: int
    term: int
    sitting: int
    plenary_start: dt.date
    plenary_end: dt.date
    submission_deadline: dt.datetime


class UnitList(Schema):
    items: list[UnitOut]


class ThemeList(Schema):
    items: list[ThemeOut]


class ReasonList(Schema):
    items: list[ReasonOut]


class SessionList(Schema):
    items: list[SessionOut]


class NotificationOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    text: str
    proposal: int | None
    read: bool


class NotificationList(Schema):
    items: list[NotificationOut]
    total: int
    unread: int
    page: int
    page_size: int


class ReadAllOut(Schema):
    updated: int


# ---- text assistance (jianyan.assist) ------------------------------------------------------------

class SimilarIn(Input):
    title: Text(200) = ""
    body: Text(20000) = Field("", description="正文（情况分析、具体建议），可空")
    top: Annotated[StrictInt, Field(ge=1, le=50)] = 10


class SimilarFilters(DropEmpty):
    top: int = Field(10, ge=1, le=50, description="最多返回几件")


class DuplicateFilters(DropEmpty):
    top: int = Field(5, ge=1, le=20, description="最多返回几件")


class PrecheckIn(Input):
    title: Text(200) = ""
    background: Text(20000) = ""
    suggestions: Annotated[list[Text(5000)], Field(max_length=30)] = []


class SuggestIn(Input):
    text: Text(20000) = Field(description="案由或提案全文（第一行为案由）")
    top: Annotated[StrictInt, Field(ge=1, le=10)] = 3
    committee: Text(32) | None = Field(None, description="政协代码（仅管理员可选）")


class SimilarOut(Schema):
    id: int
    title: str
    display_number: str | None
    session: str = Field(description="会次，如 市政协十四届三次会议")
    year: int
    state: str
    state_label: str
    score: float = Field(description="相似度 0–1")
    reason: str = Field(description="为什么相似（共同关键词、相关主题或文字重合）")
    near_duplicate: bool = Field(description="文字高度重合，疑似重复")
    result_class: str | None = Field(description="已答复的提案：审核通过的答复的办理结果分类")


class SimilarList(Schema):
    items: list[SimilarOut]


class PassageOut(Schema):
    text: str
    start: int = Field(description="在本提案全文（案由、换行、情况分析、各条建议）中的起点")
    end: int
    other_start: int = Field(description="在候选提案全文中的起点")
    other_end: int


class DuplicateOut(SimilarOut):
    text: str = Field(description="候选提案全文（与 other_start/other_end 对应）")
    passages: list[PassageOut]
    may_merge_into: bool = Field(description="已立案：可将本提案并入")


class DuplicateList(Schema):
    items: list[DuplicateOut]


class SuggestionOut(Schema):
    id: int | None = Field(description="主题或承办单位 id（立案、交办时使用）")
    name: str
    score: float
    reason: str


class SuggestOut(Schema):
    themes: list[SuggestionOut]
    units: list[SuggestionOut]


class LocationOut(Schema):
    part: str = Field(description="title、background、suggestions 或 all")
    item: int | None = Field(description="第几条建议（从 0 起）")
    start: int
    end: int


class FindingOut(Schema):
    code: str
    severity: str = Field(description="error 须修改、warning 建议修改、info 提示")
    message: str
    fix: str
    location: LocationOut


class PrecheckCounts(Schema):
    error: int
    warning: int
    info: int


class PrecheckOut(Schema):
    ok: bool = Field(description="没有须修改的问题")
    counts: PrecheckCounts
    findings: list[FindingOut]
