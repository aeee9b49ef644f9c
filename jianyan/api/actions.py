"""POST /api/v1/proposals/{id}/actions/{action}: each action runs exactly one workflow function.

The table below is the contract's action table: the body each action reads and the function it calls.
The API only shapes the input; who may act and in which state is decided by the workflow (403 / 409)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic

from jianyan.api import schemas as s
from jianyan.api.errors import fields_from_errors
from jianyan.core.errors import InvalidInput
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals


@dataclass(frozen=True)
class Action:
    body: type[s.Input]
    run: Callable[..., Any]
    label: str

    def parse(self, raw: dict) -> s.Input:
        try:
            return self.body.model_validate(raw)
        except pydantic.ValidationError as e:
            raise InvalidInput("请求参数有误，请检查后重试", fields=fields_from_errors(e.errors(include_url=False)))


def plan(units: list[s.UnitPlan]) -> list[dict]:
    return [{"unit": u.unit, "mode": str(u.mode)} for u in units]


ACTIONS: dict[str, Action] = {
    "submit": Action(s.EmptyAction, lambda p, u, b: proposals.submit_proposal(p, actor=u), "提交"),
    "cosign": Action(s.CosignAction, lambda p, u, b: proposals.respond_to_cosign(p, actor=u, accept=b.accept),
                     "联名确认"),
    "return": Action(s.ReturnAction, lambda p, u, b: proposals.return_proposal(p, actor=u, note=b.note), "退回修改"),
    "register": Action(s.RegisterAction, lambda p, u, b: proposals.register_proposal(
        p, actor=u, theme=b.category, note=b.note), "立案"),
    "reject": Action(s.RejectAction, lambda p, u, b: proposals.reject_proposal(
        p, actor=u, reason_code=b.reason_code, note=b.note), "不予立案"),
    "convert": Action(s.NoteAction, lambda p, u, b: proposals.convert_proposal(p, actor=u, note=b.note),
                      "转意见建议"),
    "merge": Action(s.MergeAction, lambda p, u, b: proposals.merge_proposal(p, actor=u, into=b.into, note=b.note),
                    "并案"),
    "assign": Action(s.AssignAction, lambda p, u, b: handling.assign_proposal(
        p, actor=u, units=plan(b.units), due_date=b.due_date, note=b.note), "交办"),
    "sign": Action(s.EmptyAction, lambda p, u, b: handling.sign_assignment(p, actor=u), "签收"),
    "request_return": Action(s.RequestReturnAction, lambda p, u, b: handling.request_return(
        p, actor=u, reason=b.reason), "申请退回"),
    "decide_return": Action(s.DecideReturnAction, lambda p, u, b: handling.decide_return(
        p, actor=u, accept=b.accept, units=plan(b.units), note=b.note), "处理退回申请"),
    "consult": Action(s.ConsultAction, lambda p, u, b: handling.record_consultation(
        p, actor=u, form=str(b.form), date=b.date, participants=b.participants, outcome=b.outcome), "沟通协商"),
    "co_opinion": Action(s.CoOpinionAction, lambda p, u, b: handling.record_co_opinion(p, actor=u, text=b.text),
                         "会办意见"),
    "reply": Action(s.ReplyAction, lambda p, u, b: handling.submit_reply(
        p, actor=u, result_class=b.result_class, body=b.body, signer=b.signer, doc_no=b.doc_no), "答复"),
    "approve_reply": Action(s.ApproveReplyAction, lambda p, u, b: handling.approve_reply(
        p, actor=u, result_class=b.result_class, reply=b.reply, note=b.note), "审核通过答复"),
    "send_back_reply": Action(s.SendBackReplyAction, lambda p, u, b: handling.send_back_reply(
        p, actor=u, note=b.note, reply=b.reply), "退回答复"),
    "evaluate": Action(s.EvaluateAction, lambda p, u, b: handling.evaluate_proposal(
        p, actor=u, attitude=str(b.attitude), result=str(b.result), comment=b.comment), "评价"),
    "close": Action(s.CloseAction, lambda p, u, b: handling.close_proposal(
        p, actor=u, note=b.note, unresolved=b.unresolved), "办结"),
    "rate_quality": Action(s.RateQualityAction, lambda p, u, b: handling.rate_quality(
        p, actor=u, scores=b.scores, comment=b.comment), "评议提案质量"),
}


def read_json_object(request) -> dict:
    """The request body as a JSON object; an empty body is {}. Anything else is a 400."""
    raw = request.body
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except Exception:  # JSONDecodeError, UnicodeDecodeError, RecursionError, too many digits...
        raise InvalidInput("请求内容不是有效的 JSON", code="malformed")
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象，如 {\"note\": \"...\"}", code="malformed")
    return data
