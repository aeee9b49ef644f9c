"""Building published proposals for the disclosure, search and portal tests, through the workflow functions."""

from jianyan.disclosure import workflow as disclosure
from jianyan.handling import workflow as handling
from jianyan.proposals import workflow as proposals

PHONE = "13912345678"


def replied_proposal(member, staff, liaison, theme, unit, *, title="关于推进既有住宅加装电梯的提案",
                     background="老旧小区加装电梯协调难。", suggestions=("简化加装电梯审批流程。",),
                     reply_body="我局简化既有住宅加装电梯审批流程。", result_class="A", consent=True, close=False):
    p = proposals.create_proposal(actor=member, title=title, background=background, suggestions=list(suggestions),
                                  cosigners=[])
    p = proposals.submit_proposal(p, actor=member)
    p = proposals.register_proposal(p, actor=staff, theme=theme)
    p = handling.assign_proposal(p, actor=staff, units=[{"unit": unit.pk, "mode": "lead"}])
    p = handling.sign_assignment(p, actor=liaison)
    handling.submit_reply(p, actor=liaison, result_class=result_class, body=reply_body, signer="王局长")
    p = handling.approve_reply(p, actor=staff)
    if close:
        p = handling.close_proposal(p, actor=staff, unresolved=False)
    if consent:
        p = disclosure.give_publish_consent(p, actor=member)
    p.refresh_from_db()
    return p


def published(member, staff, liaison, theme, unit, redactions=None, **kw):
    p = replied_proposal(member, staff, liaison, theme, unit, **kw)
    return disclosure.approve_publication(p, actor=staff, redactions=redactions)
