"""The daily deadline scan: reminders N working days before a deadline, and when it has passed a
催办 to whoever must act plus an escalation to the staff and the unit's leader.

Idempotent: every message is first written to the SentReminder ledger (unique by item, kind and
deadline); a message whose row exists already is not sent again, so running the scan twice a day, or
two workers at once, sends nothing twice."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from jianyan.handling.models import Evaluation
from jianyan.notifications import notify
from jianyan.people.models import Committee
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.workdays import deadlines
from jianyan.workdays.models import SentReminder
from jianyan.workdays.status import NEAR, OVERDUE, assignment_deadline, open_assignments, status_for


@dataclass
class Item:
    """One open item with a deadline: who must act, and who hears when it is overdue."""

    key: str
    proposal: Proposal
    what: str
    due: dt.date
    actors: list = field(default_factory=list)
    escalate_to: list = field(default_factory=list)
    who: str = ""


def assignment_items(committee) -> list[Item]:
    items = []
    staff = list(notify.staff_of(committee.pk))
    people: dict[int, tuple[list, list]] = {}  # unit → (liaisons, leaders), asked once per unit
    for a in open_assignments(committee):
        found = assignment_deadline(a, committee, has_opinion=a.has_opinion)
        if not found:
            continue
        what, due = found
        if a.unit_id not in people:
            people[a.unit_id] = (list(notify.liaisons_of([a.unit_id])), list(notify.unit_leaders_of([a.unit_id])))
        liaisons, leaders = people[a.unit_id]
        items.append(Item(f"assignment:{a.pk}:{what}", a.proposal, what, due, liaisons, staff + leaders, a.unit.name))
    return items


def review_items(committee) -> list[Item]:
    staff = list(notify.staff_of(committee.pk))
    return [Item(f"proposal:{p.pk}:review", p, "审查立案", deadlines.review_due(p), staff, [], "提案委员会")
            for p in Proposal.objects.filter(committee=committee, state=State.SUBMITTED).select_related("committee")]


def cosign_items(committee) -> list[Item]:
    """Pending co-signatures: a reminder only (a co-signer who misses the deadline simply does not count)."""
    items = []
    for entry in Proposer.objects.filter(proposal__committee=committee, proposal__state=State.COSIGNING,
                                         status=Proposer.Status.PENDING, user__isnull=False,
                                         proposal__cosign_deadline__isnull=False).select_related("proposal", "user"):
        due = deadlines.local_date(entry.proposal.cosign_deadline)
        items.append(Item(f"proposer:{entry.pk}:cosign", entry.proposal, "联名确认", due, [entry.user]))
    return items


def evaluation_items(committee) -> list[Item]:
    """Proposers who have not rated a replied proposal; overdue, the staff hear that it may be closed."""
    from jianyan.handling.workflow import raters, replied_at

    items = []
    staff = list(notify.staff_of(committee.pk))
    for p in Proposal.objects.filter(committee=committee, state=State.REPLIED).select_related("committee"):
        since = replied_at(p)
        if since is None:
            continue
        rated = set(Evaluation.objects.filter(proposal=p, round=p.round).values_list("proposer_id", flat=True))
        users = [e.user for e in raters(p).select_related("user") if e.pk not in rated and e.user_id]
        if users:
            items.append(Item(f"proposal:{p.pk}:evaluation:{p.round}", p, "满意度评价",
                              deadlines.evaluation_due(committee, since), users, staff, "提案人"))
    return items


def open_items(committee) -> list[Item]:
    return review_items(committee) + cosign_items(committee) + assignment_items(committee) + evaluation_items(committee)


def claim(item: Item, kind: str, recipients: int) -> bool:
    """Write the ledger row; False if this message was sent before (by this or a concurrent scan)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(item=item.key, kind=kind, due_date=item.due, proposal=item.proposal,
                                        recipients=recipients)
        return True
    except IntegrityError:
        return False


def send_once(item: Item, kind: str, users: list, send, *args) -> int:
    """Claim the ledger row and send in one transaction: a failed send leaves no row, so the next scan retries."""
    if not users:
        return 0
    with transaction.atomic():
        if not claim(item, kind, len(users)):
            return 0
        send(item.proposal, users, *args)
    return 1


def scan_committee(committee, on: dt.date) -> dict[str, int]:
    sent = {"near_due": 0, "overdue": 0, "escalated": 0}
    for item in open_items(committee):
        status = status_for(item.due, committee, on)
        if status.level == NEAR:
            sent["near_due"] += send_once(item, SentReminder.Kind.NEAR_DUE, item.actors, notify.deadline_near,
                                          item.what, item.due, status.days_left)
        elif status.level == OVERDUE:
            sent["overdue"] += send_once(item, SentReminder.Kind.OVERDUE, item.actors, notify.deadline_overdue,
                                         item.what, item.due)
            sent["escalated"] += send_once(item, SentReminder.Kind.ESCALATED, item.escalate_to,
                                           notify.deadline_escalated, item.who, item.what, item.due)
    return sent


def scan_deadlines(on: dt.date | None = None, committee=None) -> dict[str, int]:
    """Scan every committee (or one) for deadlines near or past on `on` (today); returns what was sent."""
    on = on or timezone.localdate()
    totals = {"near_due": 0, "overdue": 0, "escalated": 0}
    for c in [committee] if committee else Committee.objects.all():
        for k, v in scan_committee(c, on).items():
            totals[k] += v
    return totals
