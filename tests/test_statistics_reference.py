"""year_statistics (set-based queries joined in Python) against a straightforward computation: every
proposal-level figure recomputed proposal by proposal from the model objects, following the definitions'
docstrings, on a small year built by hand with each case the figures distinguish (late, on the due day,
overdue, pending audit, separate units, a co unit, a rehandled proposal, a re-rating, key, merged,
converted, not registered, sectors, a party)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from jianyan.handling import workflow as handling
from jianyan.handling.models import Assignment, Evaluation, Reply
from jianyan.people.models import Sector
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import (
    COLLECTIVE_TYPES,
    MEMBER_TYPES,
    REGISTERED_STATES,
    REVIEW_STATES,
    Proposal,
    State,
)
from jianyan.reports.statistics import RATED_STATES, RECEIVED_STATES, UNREPLIED_STATES, year_statistics

S, B, U = "satisfied", "basically_satisfied", "unsatisfied"
REPLYING = ("lead", "separate")
COUNTS = ("received", "registered", "collective", "member", "not_registered", "merged", "converted",
          "pending_review", "replied", "on_time", "closed", "key_proposals", "overdue_proposals")


def at(day, hour=10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone()),
                               tick=False)


def reply(p, liaison, staff, result_class="A", approve=True):
    handling.submit_reply(p, actor=liaison, result_class=result_class, body="已落实。", signer="王局长")
    return handling.approve_reply(p, actor=staff) if approve else p


def handled(build, author, staff, theme, units, liaisons, title):
    p = build.assigned(author, staff, theme, units, title=title)
    for liaison in liaisons:
        p = handling.sign_assignment(p, actor=liaison)
    return p


@pytest.fixture
def varied_year(committee, session, member, cosigner, clerk, staff, liaison, liaison2, leader, unit_gxj, unit_kjj,
                themes, build):
    economy = Sector.objects.create(committee=committee, name="经济界")
    Sector.objects.create(committee=committee, name="教育界")
    member.profile.sector = economy
    member.profile.save()
    lead = [{"unit": unit_gxj.pk, "mode": "lead"}]
    on_time = handled(build, member, staff, themes[0], lead + [{"unit": unit_kjj.pk, "mode": "co"}],
                      [liaison, liaison2], "关于甲的提案")
    on_due_day = handled(build, member, staff, themes[0], lead, [liaison], "关于乙的提案")
    late = handled(build, cosigner, staff, themes[1], lead, [liaison], "关于丙的提案")
    pending = handled(build, member, staff, themes[1], lead, [liaison], "关于丁的提案")
    handled(build, clerk, staff, themes[2], lead, [liaison], "关于戊的提案")  # never answered: overdue
    separate = handled(build, member, staff, themes[3],
                       [{"unit": unit_gxj.pk, "mode": "separate"}, {"unit": unit_kjj.pk, "mode": "separate"}],
                       [liaison, liaison2], "关于己的提案")
    rehandled = handled(build, cosigner, staff, themes[3], [{"unit": unit_kjj.pk, "mode": "lead"}], [liaison2],
                        "关于庚的提案")
    due = on_time.assignments.get(mode="lead").due_date
    reply(on_time, liaison, staff, "A")
    handling.evaluate_proposal(on_time, actor=member, attitude=S, result=B)
    reply(rehandled, liaison2, staff, "C")
    handling.evaluate_proposal(rehandled, actor=cosigner, attitude=U, result=U)  # -> rehandling
    handling.submit_reply(separate, actor=liaison, result_class="B", body="工信局答复。", signer="王局长")
    with at(due, 23):  # late evening of the due day, local time: still in time
        reply(on_due_day, liaison, staff, "B")
    with at(due + dt.timedelta(days=2)):
        reply(late, liaison, staff, "C")
        reply(pending, liaison, staff, "B", approve=False)
        handling.submit_reply(separate, actor=liaison2, result_class="A", body="科技局答复。", signer="李局长")
        handling.approve_reply(separate, actor=staff)
        reply(rehandled, liaison2, staff, "B")  # the second round decides the class
    rehandled.refresh_from_db()
    handling.evaluate_proposal(rehandled, actor=cosigner, attitude=B, result=S)
    handling.evaluate_proposal(late, actor=cosigner, attitude=S, result=S)
    from jianyan.supervision.workflow import designate_key_proposal

    designate_key_proposal(actor=staff, session=session, topic="产业转型", proposals=[on_time], lead_leader=leader)
    host = build.registered(member, staff, themes[4], title="关于发展数字经济的提案")
    proposals.merge_proposal(build.submitted(member, title="关于发展数字经济的几点提案"), actor=staff, into=host)
    proposals.convert_proposal(build.submitted(clerk, title="关于增设路灯的提案"), actor=staff)
    proposals.reject_proposal(build.submitted(member, title="关于解决本人住房问题的提案"), actor=staff, reason_code="R7")
    build.submitted(cosigner, title="关于加强校园安全的提案")
    build.draft(member, title="关于公园建设的提案")
    return due


def local_date(moment):
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def reference(committee, year) -> dict:
    """Each figure computed proposal by proposal, straight from the definitions."""
    today = timezone.localdate()
    latest_eval = {}
    for e in Evaluation.objects.filter(proposal__committee=committee, proposal__session__year=year):
        if e.proposer_id not in latest_eval or e.round > latest_eval[e.proposer_id].round:
            latest_eval[e.proposer_id] = e
    groups: dict = {}
    units: dict = {}
    unrated = 0

    def group(dim, key):
        return groups.setdefault((dim, key), {**dict.fromkeys(COUNTS, 0), "classes": {}, "reasons": {},
                                              "returned": 0, "attitude": {}, "result": {}})

    for p in Proposal.objects.filter(committee=committee, session__year=year):
        first = p.proposers.get(role="first")
        sector = first.user.profile.sector_id if first.user else None
        registered = p.state in REGISTERED_STATES
        approved = sorted(Reply.objects.filter(proposal=p, status="approved"),
                          key=lambda r: (r.round, r.audited_at, r.id))
        replying = list(Assignment.objects.filter(proposal=p, is_active=True, mode__in=REPLYING))

        def answered(a):
            return Reply.objects.filter(assignment=a, status="approved").exists()

        def in_time(a):
            return any(r.round == 1 and local_date(r.written_at) <= a.due_date
                       for r in Reply.objects.filter(assignment=a, status="approved"))

        facts = {
            "received": p.state in RECEIVED_STATES,
            "registered": registered,
            "collective": registered and p.proposer_type in COLLECTIVE_TYPES,
            "member": registered and p.proposer_type in MEMBER_TYPES,
            "not_registered": p.state == State.NOT_REGISTERED,
            "merged": p.state == State.MERGED,
            "converted": p.state == State.CONVERTED,
            "pending_review": p.state in REVIEW_STATES,
            "replied": registered and bool(approved),
            "on_time": registered and bool(replying) and all(in_time(a) for a in replying),
            "closed": p.state == State.CLOSED,
            "key_proposals": registered and p.is_key,
            "overdue_proposals": p.state in UNREPLIED_STATES and any(
                a.due_date < today and not answered(a) for a in replying),
        }
        evaluations = [e for e in latest_eval.values() if e.proposal_id == p.pk] if registered else []
        for dim, key in (("total", None), ("session", p.session_id), ("theme", p.theme_id),
                         ("proposer_type", p.proposer_type), ("sector", sector), ("party", p.organisation_id)):
            g = group(dim, key)
            for name, counted in facts.items():
                g[name] += counted
            if facts["replied"]:
                g["classes"][approved[-1].result_class] = g["classes"].get(approved[-1].result_class, 0) + 1
            if facts["not_registered"]:
                code = p.reject_reason.code if p.reject_reason else ""
                g["reasons"][code] = g["reasons"].get(code, 0) + 1
            for e in evaluations:
                g["returned"] += 1
                g["attitude"][e.attitude] = g["attitude"].get(e.attitude, 0) + 1
                g["result"][e.result] = g["result"].get(e.result, 0) + 1
        if p.state in RATED_STATES:
            unrated += sum(1 for x in p.proposers.filter(status="accepted")
                           if not Evaluation.objects.filter(proposer=x, round=p.round).exists())
        if registered:
            for a in Assignment.objects.filter(proposal=p, is_active=True):
                u = units.setdefault(a.unit_id, dict.fromkeys(
                    ("lead", "co", "separate", "replying", "replied", "on_time", "overdue", "returned"), 0))
                u[a.mode] += 1
                if a.mode in REPLYING:
                    u["replying"] += 1
                    u["replied"] += answered(a)
                    u["on_time"] += in_time(a)
                    u["overdue"] += (not answered(a) and a.due_date < today and p.state in UNREPLIED_STATES)
                    u["returned"] += len(evaluations)
    return {"groups": groups, "units": units, "unrated": unrated}


def figures_of(row) -> dict:
    """The counts of one group of year_statistics, in the reference's shape."""
    sat = row["satisfaction"]
    value = {"satisfied": S, "basically_satisfied": B, "unsatisfied": U}
    return {
        **{name: row[name] for name in COUNTS},
        "classes": {c: n for c, n in row["by_result_class"].items() if n},
        "reasons": row["not_registered_by_reason"],
        "returned": row["evaluations_returned"],
        **{dim: {value[k]: sat[dim][k] for k in value if sat[dim][k]} for dim in ("attitude", "result")},
    }


def compare(committee, year):
    s = year_statistics(year=year, committee=committee)
    ref = reference(committee, year)
    empty = {**dict.fromkeys(COUNTS, 0), "classes": {}, "reasons": {}, "returned": 0, "attitude": {}, "result": {}}
    assert figures_of(s) == ref["groups"][("total", None)]
    for dim, rows in s["breakdowns"].items():
        for row in rows:
            assert figures_of(row) == ref["groups"].get((dim, row["key"]), empty), (dim, row["label"])
    assert {r["unit_id"]: {k: r[k] for k in ("lead", "co", "separate", "replying", "replied", "on_time", "overdue")}
            | {"returned": r["evaluations_returned"]} for r in s["by_unit"]} == ref["units"]
    assert s["unrated"] == ref["unrated"]
    assert s["overdue"] == sum(u["overdue"] for u in ref["units"].values())
    return s


def test_every_figure_equals_the_straightforward_computation(committee, session, varied_year):
    s = compare(committee, session.year)
    # The year has each case at least once, so the comparison above is not vacuous.
    assert (s["received"], s["registered"], s["replied"], s["on_time"]) == (11, 8, 5, 3)
    assert (s["merged"], s["converted"], s["not_registered"], s["pending_review"], s["key_proposals"]) == (1, 1, 1, 1, 1)
    assert s["by_result_class"] == {"A": 2, "B": 2, "C": 1} and s["evaluations_returned"] == 3
    assert s["unrated"] == 2  # the on-due-day and the separate proposals are not rated yet
    with at(varied_year + dt.timedelta(days=3)):  # past the due date: the unanswered ones are overdue
        s = compare(committee, session.year)
    assert (s["overdue"], s["overdue_proposals"]) == (2, 2)


def test_practice_statistics_count_publications_not_consents(stage, member, cosigner, staff):
    from jianyan.disclosure import workflow as disclosure
    from jianyan.reports.statistics import practice_statistics

    consented = stage.replied(title="关于只同意公开尚未发布的提案")
    disclosure.give_publish_consent(consented, actor=member)
    shown = stage.replied(title="关于已经向社会公开的提案")
    disclosure.give_publish_consent(shown, actor=member)
    disclosure.approve_publication(shown, actor=staff)
    facts = practice_statistics(year=shown.session.year, committee=shown.committee)
    assert facts["published"] == 1
