"""The public part of the API (no login): published proposals with their redacted text and replies, and the
year's public statistics. The same reads as the public site (jianyan.disclosure.public)."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from jianyan.api.endpoints import responses
from jianyan.api.schemas import DropEmpty, Page, QueryId, Text
from jianyan.core.errors import NotFound
from jianyan.disclosure import public

router = Router(tags=["公开数据"], auth=None)

PUBLIC_ORDERINGS = {
    "-published_at": ("-published_at", "-id"), "published_at": ("published_at", "id"),
    "-id": ("-id",), "id": ("id",),
}


class PublicFilters(Page):
    q: Text(100) | None = Field(None, description="全文检索（中文分词，标题命中排在前面；给出时按相关度排序）")
    session: QueryId | None = Field(None, description="会次 id")
    theme: QueryId | None = Field(None, description="主题 id")
    unit: QueryId | None = Field(None, description="承办单位 id")
    result_class: Literal["A", "B", "C", "D"] | None = Field(None, description="办理结果分类")
    state: Literal["replied", "closed", "rehandling"] | None = Field(None, description="状态代码")
    committee: Text(32) | None = Field(None, description="政协代码")
    ordering: Literal[*PUBLIC_ORDERINGS] = Field(
        "-published_at", description="排序（无 q 时）：published_at（公开时间）或 id，前加 - 为倒序")


class PublicUnit(Schema):
    id: int
    name: str
    mode: str
    mode_label: str


class PublicItem(Schema):
    id: int = Field(description="公开编号（/public/proposals/{id}）")
    number: str = Field(description="案号，如 第0012号")
    title: str = Field(description="标题（公开版，可能有隐去的内容）")
    committee: str
    session: str
    session_id: int
    year: int
    theme: str
    theme_id: int | None
    kind: str
    proposer_type: str
    units: list[PublicUnit]
    state: str
    state_label: str
    result_class: str
    published_at: dt.datetime
    updated_at: dt.datetime


class PublicDetail(PublicItem):
    body: str = Field(description="提案正文（公开版）")
    reply: str = Field(description="答复（公开版）")
    timeline: list["PublicStep"]


class PublicStep(Schema):
    at: dt.datetime
    step: str


PublicDetail.model_rebuild()


class PublicList(Schema):
    items: list[PublicItem]
    total: int = Field(description="符合条件的件数；全文检索（q）时最多计到 1000")
    page: int
    page_size: int


class PublicStatsFilters(DropEmpty):
    year: int | None = Field(None, ge=1949, le=9999, description="年度，默认最近有会次的年度")
    committee: Text(32) | None = Field(None, description="政协代码，默认市政协")


class PublicUnitStats(Schema):
    unit_id: int
    unit: str
    lead: int
    co: int
    separate: int
    replying: int
    replied: int
    replied_rate: float
    on_time: int
    on_time_rate: float
    evaluations_returned: int
    satisfaction_rate: float


class PublicStats(Schema):
    year: int
    committee: str
    received: int
    registered: int
    replied: int
    closed: int
    on_time: int
    registration_rate: float
    replied_rate: float
    completion_rate: float
    on_time_rate: float
    satisfaction_rate: float
    evaluations_returned: int
    key_proposals: int
    published: int = Field(description="已公开的提案数")
    by_category: dict[str, int]
    by_result_class: dict[str, int]
    by_unit: list[PublicUnitStats]


@router.get("/public/proposals", response=responses({200: PublicList}, 400), operation_id="listPublicProposals",
            summary="公开的提案（无需登录）")
def list_public_proposals(request, filters: Query[PublicFilters]):
    query = public.Filters(q=(filters.q or "").strip(), session=filters.session, theme=filters.theme,
                           unit=filters.unit, result_class=filters.result_class or "", state=filters.state or "",
                           committee=filters.committee or "")
    found, ranked = public.find(query)
    start = (filters.page - 1) * filters.page_size
    if ranked:
        total = len(found)
        rows = public.load(found[start:start + filters.page_size])
    else:
        qs = found.order_by(*PUBLIC_ORDERINGS[filters.ordering])
        total = qs.count()
        rows = list(qs[start:start + filters.page_size]) if start < total else []
    return {"items": [public.as_dict(p) for p in rows], "total": total, "page": filters.page,
            "page_size": filters.page_size}


@router.get("/public/proposals/{id}", response=responses({200: PublicDetail}, 404),
            operation_id="getPublicProposal", summary="一件公开的提案及其答复（无需登录）")
def get_public_proposal(request, id: QueryId):
    publication = public.get_public(id)
    if publication is None:
        raise NotFound("该提案不存在或未公开")
    return {**public.as_dict(publication, full=True),
            "timeline": [{"at": s.at, "step": s.label} for s in public.public_timeline(publication)]}


@router.get("/public/stats", response=responses({200: PublicStats}, 400, 404), operation_id="getPublicStats",
            summary="年度提案统计（公开，无需登录）")
def get_public_stats(request, filters: Query[PublicStatsFilters]):
    committee = public.public_committee(filters.committee or "")
    if committee is None:
        raise NotFound("没有这个政协", code="no_such_committee")
    years = public.public_years(committee)
    year = filters.year or (years[0] if years else dt.date.today().year)
    return public.public_statistics(committee=committee, year=year)
