"""Proposals: the list, one proposal, drafting and editing, the timeline, and the workflow actions."""

from typing import Literal

from ninja import Query, Router, Status

from jianyan.api.actions import ACTIONS, read_json_object
from jianyan.api.endpoints import responses
from jianyan.api.schemas import (
    PROPOSAL_ORDERINGS,
    ProposalDetail,
    ProposalFilters,
    ProposalIn,
    ProposalList,
    ProposalPatch,
    TimelineOut,
)
from jianyan.core.access import ensure_can, get_visible_proposal, proposals_visible_to
from jianyan.core.errors import NotFound
from jianyan.proposals import workflow
from jianyan.proposals.presenters import Viewer, list_item, proposal_detail, timeline, with_list_relations

router = Router(tags=["提案"])


def detail_of(request, proposal) -> dict:
    return proposal_detail(proposal, Viewer.of(request.auth))


@router.get("/proposals", response=responses({200: ProposalList}, 400, 401), operation_id="listProposals",
            summary="提案列表（仅本人可见的提案）")
def list_proposals(request, filters: Query[ProposalFilters]):
    qs = proposals_visible_to(request.auth)
    if filters.year is not None:
        qs = qs.filter(session__year=filters.year)
    if filters.session is not None:
        qs = qs.filter(session_id=filters.session)
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    if filters.category is not None:
        qs = qs.filter(theme_id=filters.category)
    if filters.unit is not None:
        qs = qs.filter(assignments__unit_id=filters.unit, assignments__is_active=True).distinct()
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    qs = qs.order_by(*PROPOSAL_ORDERINGS[filters.ordering])
    total = qs.count()
    start = (filters.page - 1) * filters.page_size
    page = with_list_relations(qs)[start:start + filters.page_size] if start < total else []
    return {"items": [list_item(p) for p in page], "total": total, "page": filters.page,
            "page_size": filters.page_size}


@router.post("/proposals", response=responses({201: ProposalDetail}, 400, 401, 403), operation_id="createProposal",
             summary="撰写提案（保存为草稿）")
def create_proposal(request, payload: ProposalIn):
    """For members and collective clerks; `cosigners` are usernames of members of the same committee."""
    proposal = workflow.create_proposal(
        actor=request.auth, title=payload.title, background=payload.background, suggestions=payload.suggestions,
        cosigners=payload.cosigners, contact=payload.contact,
    )
    return Status(201, detail_of(request, proposal))


@router.get("/proposals/{id}", response=responses({200: ProposalDetail}, 401, 404), operation_id="getProposal",
            summary="提案详情")
def get_proposal(request, id: int):
    return detail_of(request, get_visible_proposal(request.auth, id))


@router.patch("/proposals/{id}", response=responses({200: ProposalDetail}), operation_id="editProposal",
              summary="修改草稿或退回修改的提案")
def edit_proposal(request, id: int, payload: ProposalPatch):
    """Send only the fields to change, with the `version` last read: a stale version answers 409."""
    proposal = get_visible_proposal(request.auth, id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    proposal = workflow.edit_proposal(proposal, actor=request.auth, changes=changes, expected_version=version)
    return detail_of(request, proposal)


@router.get("/proposals/{id}/timeline", response=responses({200: list[TimelineOut]}, 401, 404),
            operation_id="proposalTimeline", summary="提案的办理过程")
def get_timeline(request, id: int):
    return timeline(get_visible_proposal(request.auth, id), Viewer.of(request.auth))


ActionName = Literal[*ACTIONS]
ACTION_DOC = "\n".join(f"- `{name}` {a.label}：{', '.join(a.body.model_fields) or '（无）'}" for name, a in ACTIONS.items())


@router.post(
    "/proposals/{id}/actions/{action}", response=responses({200: ProposalDetail}), operation_id="runAction",
    summary="执行一个办理动作",
    description="运行一个工作流动作并返回提案详情。请求体为 JSON 对象，字段因动作而异：\n\n" + ACTION_DOC,
    openapi_extra={
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": f"#/components/schemas/{a.body.__name__}"} for a in
                      {a.body.__name__: a for a in ACTIONS.values()}.values()],
        }}}},
    },
)
def run_action(request, id: int, action: ActionName):
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(f"没有“{action[:40]}”这个操作", code="no_such_action")
    user = request.auth
    proposal = get_visible_proposal(user, id)  # 404 for what the user cannot see
    ensure_can(user, action, proposal)  # 403 before looking at the body
    body = spec.parse(read_json_object(request))  # 400 with fields
    spec.run(proposal, user, body)  # 403 / 409 / 400 from the workflow
    return detail_of(request, get_visible_proposal(user, id))
