"""The actions a proposal page can post: each runs exactly one workflow function, the same one the JSON
API's action of that name runs (api/actions.py). Here the form's strings are only shaped into the
function's arguments; who may act, in which state and with what input is decided by the workflow."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jianyan.core.errors import InvalidInput
from jianyan.handling import workflow as handling
from jianyan.handling.models import QualityRating
from jianyan.proposals import attachments
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal, State

BOOLEAN = {"1": True, "true": True, "0": False, "false": False}


def text(data, name: str) -> str:
    return data.get(name, "")


def flag(data, name: str):
    """"1"/"0" from a radio or a button; anything else is passed on as None for the workflow to refuse."""
    return BOOLEAN.get(data.get(name, ""))


def unit_plan(data, prefix: str = "") -> list[dict]:
    """The units of an assignment form: a lead unit with co-handling units, or separate units."""
    if data.get(f"{prefix}plan") == "separate":
        return [{"unit": u, "mode": "separate"} for u in data.getlist(f"{prefix}separate") if u]
    units = [{"unit": data[f"{prefix}lead"], "mode": "lead"}] if data.get(f"{prefix}lead") else []
    return units + [{"unit": u, "mode": "co"} for u in data.getlist(f"{prefix}co") if u]


def replacement_units(data) -> list[dict]:
    unit, mode = data.get("new_unit"), data.get("new_mode") or "lead"
    return [{"unit": unit, "mode": mode}] if unit else []


def scores(data) -> dict:
    out = {}
    for dim in QualityRating.DIMENSIONS:
        raw = (data.get(f"score_{dim}") or "").strip()
        try:
            out[dim] = int(raw)
        except ValueError:
            raise InvalidInput("每项得分应为 0 到 20 的整数", fields={"scores": "每项 0–20 的整数", f"score_{dim}": "请填写整数"})
    return out


def submitted_message(p: Proposal) -> str:
    if p.state == State.COSIGNING:
        return "提案已提交，已邀请联名人确认；联名人全部答复（或截止）后进入审查。"
    return "提案已提交，请等待提案委员会审查。"


def cosign_message(p: Proposal) -> str:
    return "您已答复联名邀请。" + ("该提案已提交审查。" if p.state == State.SUBMITTED else "")


def evaluate_message(p: Proposal) -> str:
    return {
        State.CLOSED: "感谢您的评价，该提案已办结。",
        State.REHANDLING: "您的评价已记录：对办理结果不满意的提案已转承办单位重新办理。",
    }.get(p.state, "感谢您的评价，已记录。")


def sign_message(p: Proposal) -> str:
    return "已签收，请按期办理。" if p.state == State.HANDLING else "已签收，等待其他承办单位签收。"


def reply_message(p: Proposal) -> str:
    return "答复已提交，等待提案委员会审核。"


@dataclass(frozen=True)
class PageAction:
    run: Callable[[Proposal, Any, Any, Any], Any]
    done: Callable[[Proposal], str]
    to_queue: bool = False  # after a review decision staff go back to their queue


ACTIONS: dict[str, PageAction] = {
    "submit": PageAction(lambda p, u, d, f: proposals.submit_proposal(p, actor=u), submitted_message),
    "cosign": PageAction(lambda p, u, d, f: proposals.respond_to_cosign(p, actor=u, accept=flag(d, "accept")),
                         cosign_message),
    "return": PageAction(lambda p, u, d, f: proposals.return_proposal(p, actor=u, note=text(d, "note")),
                         lambda p: "已退回提案人修改。", to_queue=True),
    "register": PageAction(lambda p, u, d, f: proposals.register_proposal(
        p, actor=u, theme=text(d, "theme"), note=text(d, "note")),
        lambda p: f"已立案，案号{p.display_number}。请继续交办。"),
    "reject": PageAction(lambda p, u, d, f: proposals.reject_proposal(
        p, actor=u, reason_code=text(d, "reason_code"), note=text(d, "note")),
        lambda p: "已作不予立案处理，并已通知提案人。", to_queue=True),
    "convert": PageAction(lambda p, u, d, f: proposals.convert_proposal(p, actor=u, note=text(d, "note")),
                          lambda p: "已转为意见建议，并已通知提案人。", to_queue=True),
    "merge": PageAction(lambda p, u, d, f: proposals.merge_proposal(
        p, actor=u, into=text(d, "into"), note=text(d, "note")),
        lambda p: f"已并入提案{p.merge_host.display_number}办理。", to_queue=True),
    "assign": PageAction(lambda p, u, d, f: handling.assign_proposal(
        p, actor=u, units=unit_plan(d), due_date=text(d, "due_date"), note=text(d, "note")),
        lambda p: "已交办，承办单位将收到签收通知。"),
    "sign": PageAction(lambda p, u, d, f: handling.sign_assignment(p, actor=u), sign_message),
    "request_return": PageAction(lambda p, u, d, f: handling.request_return(p, actor=u, reason=text(d, "reason")),
                                 lambda p: "退回申请已提交，等待提案委员会处理。"),
    "decide_return": PageAction(lambda p, u, d, f: handling.decide_return(
        p, actor=u, accept=flag(d, "accept"), units=replacement_units(d), note=text(d, "note")),
        lambda p: "退回申请已处理。"),
    "consult": PageAction(lambda p, u, d, f: handling.record_consultation(
        p, actor=u, form=text(d, "form"), date=text(d, "date"), participants=text(d, "participants"),
        outcome=text(d, "outcome")), lambda p: "沟通协商情况已记录。"),
    "co_opinion": PageAction(lambda p, u, d, f: handling.record_co_opinion(p, actor=u, text=text(d, "text")),
                             lambda p: "会办意见已送主办单位。"),
    "reply": PageAction(lambda p, u, d, f: attachments.submit_reply_with_letter(
        p, actor=u, result_class=text(d, "result_class"), body=text(d, "body"), signer=text(d, "signer"),
        doc_no=text(d, "doc_no"), letter=f.get("letter")), reply_message),
    "approve_reply": PageAction(lambda p, u, d, f: handling.approve_reply(
        p, actor=u, result_class=text(d, "result_class") or None, reply=text(d, "reply") or None,
        note=text(d, "note")), lambda p: "答复已审核通过。" + ("已请提案人评价。" if p.state == State.REPLIED else "")),
    "send_back_reply": PageAction(lambda p, u, d, f: handling.send_back_reply(
        p, actor=u, note=text(d, "note"), reply=text(d, "reply") or None), lambda p: "答复已退回承办单位修改。"),
    "evaluate": PageAction(lambda p, u, d, f: handling.evaluate_proposal(
        p, actor=u, attitude=text(d, "attitude"), result=text(d, "result"), comment=text(d, "comment")),
        evaluate_message),
    "close": PageAction(lambda p, u, d, f: handling.close_proposal(
        p, actor=u, note=text(d, "note"), unresolved=d.get("unresolved") == "1"), lambda p: "提案已办结。"),
    "rate_quality": PageAction(lambda p, u, d, f: handling.rate_quality(
        p, actor=u, scores=scores(d), comment=text(d, "comment")), lambda p: "提案质量评议已提交。"),
}
