"""Every number of the proposal-work statistics (domain.md §9), defined once, here.

`year_statistics(year=..., committee=...)` is what the `stats` command, the API and the annual report
call. It runs a small, constant number of aggregate queries (about a dozen) whatever the number of
proposals: no per-proposal loops over queries.

Common definitions, used by every figure below:

- **Year**: a proposal belongs to the year of its session (`Session.year`), whenever it was written.
- **Received (收到)**: proposals with a review decision: registered or any later state, not registered,
  merged, or converted. So the counting identity
  ``received = registered + converted + not_registered + merged`` holds at every moment.
  Proposals still under review are `pending_review`, not received; drafts and proposals awaiting
  co-signatures are not counted at all.
- **Registered (立案)**: state in `proposals.models.REGISTERED_STATES` (registered and every handling
  state after it). Merged hosts count here; the proposals merged into them count in `merged`.
- **Rates** are fractions rounded to 4 places, 0 when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateTimeField, Exists, Func, OuterRef, Q
from django.utils import timezone

from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Committee, Profile, Role, Session, Theme
from jianyan.proposals.models import (
    COLLECTIVE_TYPES,
    DECIDED_STATES,
    MEMBER_TYPES,
    REGISTERED_STATES,
    REVIEW_STATES,
    Proposal,
    Proposer,
    ProposerType,
    State,
)

RECEIVED_STATES = frozenset(REGISTERED_STATES | DECIDED_STATES)
"""States that count as received (收到): a review decision has been taken."""

RATED_STATES = frozenset({State.REPLIED, State.CLOSED})
"""States in which every proposer has been asked to rate the current round of handling."""

UNREPLIED_STATES = frozenset({State.ASSIGNED, State.RETURN_REQUESTED, State.HANDLING, State.REPLY_AUDIT,
                              State.REHANDLING})
"""Handling states in which a unit may still owe its reply (rehandling: the second-round reply)."""

REPLYING_MODES = (Assignment.Mode.LEAD, Assignment.Mode.SEPARATE)
"""Modes whose unit replies to the proposer: the lead unit (主办) and each separate unit (分办)."""

SATISFIED = Evaluation.Value.SATISFIED
BASICALLY = Evaluation.Value.BASICALLY_SATISFIED
UNSATISFIED = Evaluation.Value.UNSATISFIED


def rate(numerator: int, denominator: int) -> float:
    """A fraction rounded to 4 places; 0 when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else 0


# ---- the building blocks: one queryset or expression per definition -------------------------------

def year_proposals(committee_id: int, year: int):
    """Every proposal of the committee whose session is of that year, in any state."""
    return Proposal.objects.filter(committee_id=committee_id, session__year=year)


def approved_reply_exists():
    """Has at least one approved reply (答复审核通过): the proposal has been replied to (已答复/办复)."""
    return Exists(Reply.objects.filter(proposal=OuterRef("pk"), status=Reply.Status.APPROVED))


class DayEnd(Func):
    """The first instant after a date column's day in the project's time zone (local midnight of the next
    day), so that ``datetime < DayEnd(date)`` means "on or before that local date" without converting
    every row: on SQLite the ``__date`` lookup calls Python once per row (seconds at 100,000 rows).
    SQLite applies the zone's current UTC offset (exact for Asia/Shanghai, which has no daylight time)."""

    arity = 1
    output_field = DateTimeField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((({sql}) + 1)::timestamp AT TIME ZONE %s)", (*params, settings.TIME_ZONE)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        offset = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
        return f"datetime({sql}, '+1 day', %s)", (*params, f"{-int(offset.total_seconds())} seconds")


def on_time_reply_exists():
    """The assignment's unit replied in time (按期): an approved reply of the first round that the unit
    submitted (`written_at`) on or before the assignment's due date (local date). The date of the unit's
    submission counts, not the committee's audit, which is not the unit's delay; a reply sent back
    and rewritten counts by the date of the version that was approved."""
    replies = Reply.objects.filter(assignment=OuterRef("pk"), round=1, status=Reply.Status.APPROVED)
    if connection.vendor in ("sqlite", "postgresql"):
        return Exists(replies.filter(written_at__lt=DayEnd(OuterRef("due_date"))))
    return Exists(replies.filter(written_at__date__lte=OuterRef("due_date")))


def replied_on_time_count(registered_proposals) -> int:
    """On time (按期办复): registered proposals that have at least one active replying assignment (lead or
    separate) and whose every such assignment has an on-time reply (see `on_time_reply_exists`). With one
    lead unit this is simply "the lead unit's approved reply was submitted by the due date".
    Counted from the assignments: proposals with one, less those with one late or unanswered."""
    counts = (
        Assignment.objects.filter(proposal__in=registered_proposals, is_active=True, mode__in=REPLYING_MODES)
        .annotate(in_time=on_time_reply_exists())
        .aggregate(any=Count("proposal_id", distinct=True),
                   late=Count("proposal_id", distinct=True, filter=Q(in_time=False)))
    )
    return counts["any"] - counts["late"]


def latest_approved_replies(proposals):
    """Each proposal's most recent approved reply (latest round, then latest audit, then latest id), whose
    class is the proposal's result class (办理结果分类). A rehandled proposal is classed by its second
    reply; with separate units the last approved reply decides, so each replied proposal has one class."""
    later = Reply.objects.filter(proposal=OuterRef("proposal"), status=Reply.Status.APPROVED).filter(
        Q(round__gt=OuterRef("round"))
        | Q(round=OuterRef("round"), audited_at__gt=OuterRef("audited_at"))
        | Q(round=OuterRef("round"), audited_at=OuterRef("audited_at"), id__gt=OuterRef("id"))
    )
    return Reply.objects.filter(proposal__in=proposals, status=Reply.Status.APPROVED).filter(~Exists(later))


def latest_evaluations(proposals):
    """Each proposer's latest evaluation of each proposal: the one of the highest round they rated.
    A proposer who rated 不满意 and then rated the rehandled reply counts once, with the second rating."""
    later = Evaluation.objects.filter(proposer=OuterRef("proposer"), round__gt=OuterRef("round"))
    return Evaluation.objects.filter(proposal__in=proposals).filter(~Exists(later))


def satisfaction_counts(prefix: str = "") -> dict:
    """Aggregates counting evaluations by value on both dimensions (办理态度 attitude, 办理结果 result)."""
    out = {"returned": Count("id")}
    for dim in ("attitude", "result"):
        for value in (SATISFIED, BASICALLY, UNSATISFIED):
            out[f"{dim}_{value}"] = Count("id", filter=Q(**{dim: value}))
    return out


def satisfaction_block(row: dict, dim: str) -> dict:
    """One dimension's counts and rates.

    - `rate` (满意率) = (满意 + 基本满意) / evaluations returned;
    - `satisfied_rate` = 满意 alone / evaluations returned (some reports give only this, 初次满意率 aside).
    Proposers who did not rate (未评价) are not in the denominator and are never counted as satisfied."""
    s, b, u = (row[f"{dim}_{v}"] for v in (SATISFIED, BASICALLY, UNSATISFIED))
    returned = row["returned"]
    return {
        "satisfied": s, "basically_satisfied": b, "unsatisfied": u,
        "rate": rate(s + b, returned), "satisfied_rate": rate(s, returned),
    }


# ---- the figures ---------------------------------------------------------------------------------

def resolve_committee(committee) -> Committee:
    if isinstance(committee, Committee):
        return committee
    return Committee.objects.get(pk=committee)


def year_statistics(*, year: int, committee) -> dict:
    """The statistics of one committee's year (domain.md §9), as one JSON-ready dict.

    Keys (counts are integers, rates fractions rounded to 4 places):

    - `received`, `registered`, `not_registered`, `merged`, `converted`: see the module docstring;
      `pending_review`: submitted or returned for revision, not yet decided (not in `received`).
    - `collective` / `member`: registered proposals by proposer type (`COLLECTIVE_TYPES` — parties,
      people's organisations, sectors, groups, special committees — and `MEMBER_TYPES` — a member
      alone or jointly); `collective_share` (集体提案占比) = collective / registered;
      `by_proposer_type`: registered proposals by each proposer type.
    - `registration_rate` (立案率) = registered / received.
    - `replied` (已办复): registered proposals with at least one approved reply;
      `replied_rate` (办复率) = replied / registered.
    - `closed` (办结): state closed; `completion_rate` (办结率) = closed / registered.
    - `on_time`: registered proposals replied by the due date (see `replied_on_time`);
      `on_time_rate` (按期办复率) = on_time / registered.
    - `by_category`: {theme name: registered proposals of the theme}, every theme of the committee in
      its order; the themes partition the registered proposals.
    - `by_result_class`: {class: replied proposals whose latest approved reply has it}, every class the
      committee uses; the counts add up to `replied`. `solved_rate` (解决率) = A / replied,
      `adopted_rate` (采纳率) = (A + B) / replied.
    - `not_registered_by_reason`: {reason code: not-registered proposals}.
    - `evaluations_returned`: proposers' latest evaluations (see `latest_evaluations`) of the year's
      registered proposals; `satisfaction`: {"attitude": {...}, "result": {...}} (see
      `satisfaction_block`); `satisfaction_rate` (满意率) = that of the `result` dimension, i.e.
      (满意 + 基本满意) / evaluations returned.
    - `unrated` (未评价): proposers (members or collective bodies) of replied or closed proposals with no
      evaluation of the current round — including those whose proposal staff closed after the
      evaluation window. Never counted as satisfied.
    - `member_participation` (委员参与率) = members of the committee who are the first proposer or an
      accepted co-signer of a received proposal of the year / all member profiles of the committee;
      with `members_participating` and `members_total`.
    - `overdue` (超期): active lead or separate assignments of the year's registered proposals whose
      due date is before today and that have no approved reply (as of today, not of the year's end).
    - `key_proposals`: registered proposals marked key (重点提案).
    - `by_unit`: one row per handling unit with assignments, busiest first:
      `lead`, `co`, `separate` (active assignments by mode), `replied` (its lead/separate assignments
      with an approved reply), `on_time_rate` = on-time replies / its lead and separate assignments,
      `satisfaction_rate` = (满意 + 基本满意) / latest evaluations on the result dimension of the
      proposals it replies to (lead or separate).
    """
    committee = resolve_committee(committee)
    cid = committee.pk
    proposals = year_proposals(cid, year)
    registered_q = Q(state__in=REGISTERED_STATES)

    # 1. Counts by state and type, and replied, in one query; on time in another.
    counts = proposals.annotate(has_reply=approved_reply_exists()).aggregate(
        received=Count("id", filter=Q(state__in=RECEIVED_STATES)),
        registered=Count("id", filter=registered_q),
        collective=Count("id", filter=registered_q & Q(proposer_type__in=COLLECTIVE_TYPES)),
        member=Count("id", filter=registered_q & Q(proposer_type__in=MEMBER_TYPES)),
        not_registered=Count("id", filter=Q(state=State.NOT_REGISTERED)),
        merged=Count("id", filter=Q(state=State.MERGED)),
        converted=Count("id", filter=Q(state=State.CONVERTED)),
        pending_review=Count("id", filter=Q(state__in=REVIEW_STATES)),
        replied=Count("id", filter=registered_q & Q(has_reply=True)),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        key_proposals=Count("id", filter=registered_q & Q(is_key=True)),
    )
    registered = counts["registered"]
    replied = counts["replied"]
    registered_proposals = proposals.filter(registered_q)
    counts["on_time"] = replied_on_time_count(registered_proposals)

    # 2. Themes, every theme of the committee in its order.
    themes = Theme.objects.filter(committee_id=cid).order_by("order", "id").annotate(
        n=Count("proposals", filter=Q(proposals__session__year=year, proposals__state__in=REGISTERED_STATES))
    )
    by_category = {t.name: t.n for t in themes}

    # 3. Proposer types.
    type_rows = dict(registered_proposals.values_list("proposer_type").annotate(n=Count("id")).order_by())
    by_proposer_type = {code: type_rows.get(code, 0) for code in ProposerType.values}

    # 4. Reasons of non-registration.
    reason_rows = (proposals.filter(state=State.NOT_REGISTERED).values_list("reject_reason__code")
                   .annotate(n=Count("id")).order_by("reject_reason__code"))
    not_registered_by_reason = {code or "": n for code, n in reason_rows}

    # 5. Result classes of the replied proposals.
    class_rows = dict(latest_approved_replies(registered_proposals).values_list("result_class")
                      .annotate(n=Count("id")).order_by())
    by_result_class = {code: class_rows.get(code, 0) for code in committee.result_class_codes}
    for code, n in class_rows.items():  # a class the committee no longer uses still shows
        by_result_class.setdefault(code, n)

    # 6. Satisfaction, each proposer's latest round.
    sat = latest_evaluations(registered_proposals).aggregate(**satisfaction_counts())
    satisfaction = {dim: satisfaction_block(sat, dim) for dim in ("attitude", "result")}

    # 7. Unrated proposers of replied or closed proposals.
    current_round = Evaluation.objects.filter(proposer=OuterRef("pk"), round=OuterRef("proposal__round"))
    unrated = Proposer.objects.filter(
        proposal__in=proposals.filter(state__in=RATED_STATES), status=Proposer.Status.ACCEPTED
    ).filter(~Exists(current_round)).count()

    # 8. Member participation, from the members' side (one index look-up each).
    took_part = Exists(Proposer.objects.filter(
        user_id=OuterRef("user_id"), status=Proposer.Status.ACCEPTED,
        proposal__committee_id=cid, proposal__session__year=year, proposal__state__in=RECEIVED_STATES,
    ))
    members = Profile.objects.filter(committee_id=cid, role=Role.MEMBER).aggregate(
        total=Count("id"), participating=Count("id", filter=Q(took_part)))
    participating, members_total = members["participating"], members["total"]

    # 9. Overdue assignments, as of today (only proposals not yet replied can have one).
    overdue = Assignment.objects.filter(
        proposal__in=proposals.filter(state__in=UNREPLIED_STATES), is_active=True, mode__in=REPLYING_MODES,
        due_date__lt=timezone.localdate(),
    ).exclude(replies__status=Reply.Status.APPROVED).count()

    # 10–11. Handling units.
    by_unit = unit_rows(registered_proposals)

    a = by_result_class.get("A", 0)
    b = by_result_class.get("B", 0)
    return {
        "year": year,
        "committee": committee.code,
        "received": counts["received"],
        "registered": registered,
        "collective": counts["collective"],
        "member": counts["member"],
        "not_registered": counts["not_registered"],
        "merged": counts["merged"],
        "converted": counts["converted"],
        "pending_review": counts["pending_review"],
        "replied": replied,
        "closed": counts["closed"],
        "on_time": counts["on_time"],
        "registration_rate": rate(registered, counts["received"]),
        "replied_rate": rate(replied, registered),
        "completion_rate": rate(counts["closed"], registered),
        "on_time_rate": rate(counts["on_time"], registered),
        "collective_share": rate(counts["collective"], registered),
        "satisfaction_rate": satisfaction["result"]["rate"],
        "satisfaction": satisfaction,
        "evaluations_returned": sat["returned"],
        "unrated": unrated,
        "solved_rate": rate(a, replied),
        "adopted_rate": rate(a + b, replied),
        "by_category": by_category,
        "by_result_class": by_result_class,
        "by_proposer_type": by_proposer_type,
        "not_registered_by_reason": not_registered_by_reason,
        "member_participation": rate(participating, members_total),
        "members_participating": participating,
        "members_total": members_total,
        "overdue": overdue,
        "key_proposals": counts["key_proposals"],
        "by_unit": by_unit,
    }


def unit_rows(registered_proposals) -> list[dict]:
    """The `by_unit` rows (two queries): assignment counts by mode with replies and on-time replies, and
    the result-dimension satisfaction of the proposals each unit replies to."""
    replying = Q(mode__in=REPLYING_MODES)
    rows = (
        Assignment.objects.filter(proposal__in=registered_proposals, is_active=True)
        .annotate(answered=Exists(Reply.objects.filter(assignment=OuterRef("pk"), status=Reply.Status.APPROVED)),
                  in_time=on_time_reply_exists())
        .values("unit_id", "unit__name")
        .annotate(
            lead=Count("id", filter=Q(mode=Assignment.Mode.LEAD)),
            co=Count("id", filter=Q(mode=Assignment.Mode.CO)),
            separate=Count("id", filter=Q(mode=Assignment.Mode.SEPARATE)),
            replying=Count("id", filter=replying),
            replied=Count("id", filter=replying & Q(answered=True)),
            on_time=Count("id", filter=replying & Q(in_time=True)),
        )
        .order_by()
    )
    sat = {
        r["proposal__assignments__unit_id"]: r
        for r in latest_evaluations(registered_proposals)
        .filter(proposal__assignments__is_active=True, proposal__assignments__mode__in=REPLYING_MODES)
        .values("proposal__assignments__unit_id")
        .annotate(returned=Count("id"), good=Count("id", filter=Q(result__in=(SATISFIED, BASICALLY))))
        .order_by()
    }
    out = []
    for r in rows:
        s = sat.get(r["unit_id"], {"returned": 0, "good": 0})
        out.append({
            "unit": r["unit__name"], "unit_id": r["unit_id"],
            "lead": r["lead"], "co": r["co"], "separate": r["separate"], "replied": r["replied"],
            "on_time_rate": rate(r["on_time"], r["replying"]),
            "satisfaction_rate": rate(s["good"], s["returned"]),
        })
    out.sort(key=lambda u: (-(u["lead"] + u["co"] + u["separate"]), u["unit_id"]))
    return out


def years_with_sessions(committee) -> list[int]:
    """The years for which the committee has a session, newest first."""
    committee = resolve_committee(committee)
    return sorted(set(Session.objects.filter(term__committee=committee).values_list("year", flat=True)),
                  reverse=True)
