"""Key proposals (重点提案): designation with a lead leader (领办) and a supervising leader (督办), and
the supervision activities they hold. The full nomination → approval flow comes with the
supervision issue."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jianyan.core.access import is_staff_of, role_of
from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput, NotAllowed
from jianyan.people.models import Role
from jianyan.proposals.models import REGISTERED_STATES, Proposal
from jianyan.proposals.workflow import require_text
from jianyan.supervision.models import KeyProposal, SupervisionActivity


def designate_key_proposal(*, actor, session, topic: str, proposals, lead_leader=None,
                           supervising_leader=None, plan: str = "") -> KeyProposal:
    committee = session.term.committee
    if not is_staff_of(actor, committee.pk):
        raise NotAllowed("只有提案委工作人员可以确定重点提案")
    topic = require_text(topic, "topic", "督办专题", max_length=200)
    for leader in (lead_leader, supervising_leader):
        if leader is not None and role_of(leader) != Role.LEADER:
            raise InvalidInput("领办、督办人须为领导账号", fields={"leader": "不是领导账号"})
    chosen = list(Proposal.objects.filter(pk__in=[p.pk for p in proposals], committee=committee,
                                          state__in=REGISTERED_STATES))
    if not chosen or len(chosen) != len(proposals):
        raise InvalidInput("重点提案须为本政协已立案的提案", fields={"proposals": "提案无效"})
    with transaction.atomic():
        key = KeyProposal.objects.create(committee=committee, session=session, topic=topic, plan=plan,
                                         lead_leader=lead_leader, supervising_leader=supervising_leader)
        key.proposals.set(chosen)
        Proposal.objects.filter(pk__in=[p.pk for p in chosen]).update(is_key=True)
        for p in chosen:
            record(actor=actor, action="proposal.designated_key", proposal=p, from_state=p.state, to_state=p.state,
                   data={"topic": topic})
    return key


def record_supervision_activity(key: KeyProposal, *, actor, form: str, date, participants: str = "",
                                minutes: str = "") -> SupervisionActivity:
    if not (is_staff_of(actor, key.committee_id) or actor.pk in (key.lead_leader_id, key.supervising_leader_id)):
        raise NotAllowed("只有提案委工作人员或该重点提案的领办、督办领导可以记录督办活动")
    if form not in SupervisionActivity.Form.values:
        raise InvalidInput("请选择督办形式", fields={"form": "形式无效"})
    try:
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    except ValueError:
        raise InvalidInput("活动日期格式应为 YYYY-MM-DD", fields={"date": "日期格式无效"})
    if day > timezone.localdate():
        raise InvalidInput("活动日期不能晚于今天", fields={"date": "不能晚于今天"})
    with transaction.atomic():
        activity = SupervisionActivity.objects.create(key_proposal=key, form=form, date=day,
                                                      participants=participants, minutes=minutes, recorded_by=actor)
        record(actor=actor, action="supervision.activity_recorded", committee=key.committee,
               data={"key_proposal": key.pk, "form": form, "date": day.isoformat()})
    return activity
