"""Text assistance: similar proposals, 并案 candidates, the draft pre-check, theme and unit suggestions.

Results only ever hold proposals the caller may see (jianyan.assist.services filters them)."""

from ninja import Query, Router

from jianyan.api.endpoints import responses
from jianyan.api.schemas import (
    DuplicateFilters,
    DuplicateList,
    PrecheckIn,
    PrecheckOut,
    SimilarFilters,
    SimilarIn,
    SimilarList,
    SuggestIn,
    SuggestOut,
)
from jianyan.assist import services

router = Router(tags=["文本辅助"])


@router.get("/proposals/{id}/similar", response=responses({200: SimilarList}, 400, 401, 403, 404),
            operation_id="similarProposals", summary="与本提案相似的提案（提案委工作人员、提案人）")
def proposal_similar(request, id: int, filters: Query[SimilarFilters]):
    """Best first, among the proposals the caller may see; others who may see the proposal get 403."""
    return {"items": [i.as_dict() for i in services.similar_to_proposal(request.auth, id, top=filters.top)]}


@router.get("/proposals/{id}/duplicates", response=responses({200: DuplicateList}, 400, 401, 403, 404),
            operation_id="duplicateCandidates", summary="并案建议：同一事项或文字高度重合的提案（提案委工作人员）")
def proposal_duplicates(request, id: int, filters: Query[DuplicateFilters]):
    """Each with the passages it shares with this proposal (character spans in both texts)."""
    return {"items": [d.as_dict() for d in services.duplicate_candidates(request.auth, id, top=filters.top)]}


@router.post("/assist/similar", response=responses({200: SimilarList}, 400, 401, 403),
             operation_id="similarToText", summary="与正在撰写的案由、正文相似的提案")
def similar_to_text(request, payload: SimilarIn):
    """For the draft being typed: only proposals the caller may see (a member: their own)."""
    items = services.similar_proposals(request.auth, title=payload.title, body=payload.body, top=payload.top)
    return {"items": [i.as_dict() for i in items]}


@router.post("/assist/precheck", response=responses({200: PrecheckOut}, 400, 401, 403),
             operation_id="precheckDraft", summary="提案预审（慧预审）")
def precheck_draft(request, payload: PrecheckIn):
    """The findings on a draft under the caller's committee's rules (length limit, units), errors first."""
    committee = services.committee_of(request.auth)
    findings = services.precheck(title=payload.title, background=payload.background,
                                 suggestions=payload.suggestions, committee=committee)
    counts = services.precheck_summary(findings)
    return {"ok": counts["error"] == 0, "counts": counts, "findings": [f.as_dict() for f in findings]}


@router.post("/assist/suggest", response=responses({200: SuggestOut}, 400, 401, 403, 404),
             operation_id="suggestThemesAndUnits", summary="建议主题和承办单位（提案委工作人员）")
def suggest(request, payload: SuggestIn):
    """Top themes and handling units with scores and reasons, learned from the committee's history."""
    return services.suggest_for_user(request.auth, payload.text, top=payload.top,
                                     committee_code=payload.committee).as_dict()
