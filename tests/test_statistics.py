"""The statistics of domain.md §9 (jianyan.reports.statistics) on small years built through the workflow,
and the `stats` command."""

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from jianyan.handling import workflow as handling
from jianyan.people.models import Session
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import State
from jianyan.reports.statistics import year_statistics

S, B, U = "satisfied", "basically_satisfied", "unsatisfied"


@pytest.fixture
def year(session):
    return session.year


def stats(committee, year):
    return year_statistics(year=year, committee=committee)


def handled(author, staff, theme, liaison, unit, build, **kw):
    """Registered, assigned to `unit` as lead, signed: being handled."""
    p = build.registered(author, staff, theme, **kw)
    p = handling.assign_proposal(p, actor=staff, units=[{"unit": unit.pk, "mode": "lead"}])
    return handling.sign_assignment(p, actor=liaison)


def replied(p, liaison, staff, result_class="A", approve_as=None):
    handling.submit_reply(p, actor=liaison, result_class=result_class, body="已制定行动方案并组织实施。", signer="王局长")
    return handling.approve_reply(p, actor=staff, result_class=approve_as)


def rate(p, user, attitude, result):
    handling.evaluate_proposal(p, actor=user, attitude=attitude, result=result)
    p.refresh_from_db()
    return p


# ---- counting ----------------------------------------------------------------------------------

def test_received_counts_decided_proposals_and_the_identity_holds(
        committee, year, member, cosigner, clerk, staff, themes, build):
    joint = proposals.submit_proposal(build.draft(member, title="关于发展数字经济的提案", cosigners=["member2"]),
                                      actor=member)
    proposals.respond_to_cosign(joint, actor=cosigner, accept=True)
    host = proposals.register_proposal(joint, actor=staff, theme=themes[0])
    build.registered(member, staff, themes[3], title="关于改善养老服务的提案")
    build.registered(clerk, staff, themes[3], title="关于完善社会救助的提案")  # collective (民革)
    proposals.merge_proposal(build.submitted(member, title="关于发展数字经济的几点提案"), actor=staff, into=host)
    proposals.convert_proposal(build.submitted(clerk, title="关于增设路灯的提案"), actor=staff)  # collective, not registered
    proposals.reject_proposal(build.submitted(member, title="关于解决本人住房问题的提案"), actor=staff, reason_code="R7")
    build.submitted(member, title="关于加强校园安全的提案")  # pending review
    proposals.return_proposal(build.submitted(member, title="关于治理噪声的提案"), actor=staff, note="请补充建议")
    build.draft(member, title="关于公园建设的提案")  # drafts are not received
    proposals.submit_proposal(build.draft(member, title="关于停车的提案", cosigners=["member2"]), actor=member)

    s = stats(committee, year)
    assert s["received"] == 6
    assert (s["registered"], s["merged"], s["converted"], s["not_registered"]) == (3, 1, 1, 1)
    assert s["received"] == s["registered"] + s["merged"] + s["converted"] + s["not_registered"]
    assert (s["collective"], s["member"]) == (1, 2)
    assert s["pending_review"] == 2
    assert s["registration_rate"] == 0.5
    assert s["collective_share"] == round(1 / 3, 4)
    assert s["by_category"] == {t.name: n for t, n in zip(themes, [1, 0, 0, 2, 0], strict=True)}
    assert list(s["by_category"]) == [t.name for t in themes]
    assert s["by_proposer_type"]["joint"] == 1 and s["by_proposer_type"]["member"] == 1
    assert s["by_proposer_type"]["party"] == 1
    assert s["not_registered_by_reason"] == {"R7": 1}


def test_only_the_committee_and_the_year_of_the_session_count(committee, session, year, member, cosigner, staff,
                                                              leader, themes, build, outsider):
    from jianyan.supervision.workflow import designate_key_proposal

    build.registered(member, staff, themes[0])
    next_year = Session.objects.create(
        term=session.term, sitting=session.sitting + 1, year=year + 1, plenary_start=session.plenary_start,
        plenary_end=session.plenary_end, submission_deadline=session.submission_deadline)
    later = proposals.create_proposal(actor=member, title="关于明年的提案", suggestions=["一条建议"], session=next_year)
    proposals.register_proposal(proposals.submit_proposal(later, actor=member), actor=staff, theme=themes[0])
    assert stats(committee, year)["registered"] == 1
    assert stats(committee, year + 1)["registered"] == 1
    assert stats(outsider.profile.committee, year)["received"] == 0
    # the members who took part, and the key proposals, are the year's too (read through its sessions)
    cosigner_next_year = proposals.create_proposal(actor=cosigner, title="关于明年另一件事的提案",
                                                   suggestions=["一条建议"], session=next_year)
    proposals.register_proposal(proposals.submit_proposal(cosigner_next_year, actor=cosigner), actor=staff,
                                theme=themes[0])
    assert (stats(committee, year)["members_participating"], stats(committee, year + 1)["members_participating"]) \
        == (1, 2)
    designate_key_proposal(actor=staff, session=next_year, topic="明年的重点", proposals=[later], lead_leader=leader)
    assert (stats(committee, year)["key_proposals"], stats(committee, year + 1)["key_proposals"]) == (0, 1)


def test_an_empty_year_gives_zero_rates(committee, year):
    s = stats(committee, year)
    assert s["received"] == 0
    assert s["registration_rate"] == s["completion_rate"] == s["satisfaction_rate"] == s["on_time_rate"] == 0
    assert s["by_unit"] == []


# ---- replies, deadlines, result classes ------------------------------------------------------------

def test_replied_needs_an_approved_reply_and_on_time_compares_with_the_due_date(
        committee, year, member, staff, liaison, unit_gxj, themes, build):
    in_time = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于按期答复的提案")
    on_due_day = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于截止日答复的提案")
    late = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于超期答复的提案")
    pending = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于答复待审核的提案")
    unanswered = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于尚未答复的提案")
    replied(in_time, liaison, staff)
    due = late.assignments.get().due_date

    def at(day):  # 10:00 in Yangquan on that day
        return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone()),
                                   tick=False)

    with at(due):  # the unit replies on the due date; the audit two days later is not the unit's delay
        handling.submit_reply(on_due_day, actor=liaison, result_class="A", body="已落实。", signer="王局长")
    with at(due + dt.timedelta(days=2)):
        handling.approve_reply(on_due_day, actor=staff)
    with at(due + dt.timedelta(days=3)):
        replied(late, liaison, staff)
        handling.submit_reply(pending, actor=liaison, result_class="B", body="正在研究。", signer="王局长")
        s = stats(committee, year)
    assert s["replied"] == 3
    assert s["on_time"] == 2
    assert s["replied_rate"] == 0.6 and s["on_time_rate"] == 0.4
    assert s["overdue"] == 2  # the pending reply and the unanswered one are past due without an approved reply
    assert s["closed"] == 0 and s["completion_rate"] == 0
    (row,) = s["by_unit"]
    assert (row["unit"], row["lead"], row["co"], row["separate"], row["replied"]) == ("市工信局", 5, 0, 0, 3)
    assert row["on_time_rate"] == 0.4
    assert unanswered.assignments.get().replies.count() == 0


def test_a_rehandled_proposal_is_not_overdue_for_its_answered_first_round(
        committee, year, member, staff, liaison, unit_gxj, themes, build):
    p = handled(member, staff, themes[0], liaison, unit_gxj, build)
    p = rate(replied(p, liaison, staff), member, S, U)
    due = p.assignments.get().due_date
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=5), dt.time(10), tzinfo=dt.UTC), tick=False):
        s = stats(committee, year)
    assert p.state == State.REHANDLING
    assert (s["overdue"], s["on_time"], s["replied"]) == (0, 1, 1)


def test_units_are_counted_by_mode(committee, year, member, staff, liaison, liaison2, unit_gxj, unit_kjj, themes,
                                   build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"},
                                                  {"unit": unit_kjj.pk, "mode": "co"}])
    separate = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "separate"},
                                                         {"unit": unit_kjj.pk, "mode": "separate"}], title="关于分办的提案")
    handling.sign_assignment(p, actor=liaison)
    for unit_liaison in (liaison, liaison2):
        handling.sign_assignment(separate, actor=unit_liaison)
    handling.submit_reply(separate, actor=liaison, result_class="A", body="工信局答复。", signer="王局长")
    assert stats(committee, year)["on_time"] == 0  # one separate unit has not replied yet
    handling.submit_reply(separate, actor=liaison2, result_class="B", body="科技局答复。", signer="李局长")
    handling.approve_reply(separate, actor=staff)
    s = stats(committee, year)
    assert (s["replied"], s["on_time"]) == (1, 1)  # each separate unit replied in time
    rows = {r["unit"]: r for r in s["by_unit"]}
    assert (rows["市工信局"]["lead"], rows["市工信局"]["co"], rows["市工信局"]["separate"]) == (1, 0, 1)
    assert (rows["市科技局"]["lead"], rows["市科技局"]["co"], rows["市科技局"]["separate"]) == (0, 1, 1)
    assert rows["市工信局"]["on_time_rate"] == 0.5 and rows["市科技局"]["on_time_rate"] == 1.0


def test_result_classes_count_each_replied_proposal_once_by_its_latest_reply(
        committee, year, member, staff, liaison, unit_gxj, themes, build):
    a = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于甲的提案")
    b = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于乙的提案")
    overridden = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于丙的提案")
    rehandled = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于丁的提案")
    replied(a, liaison, staff, "A")
    replied(b, liaison, staff, "B")
    replied(overridden, liaison, staff, "B", approve_as="A")  # the auditor changes the class
    replied(rehandled, liaison, staff, "C")
    rate(rehandled, member, S, U)  # -> rehandling, then a second reply of class B
    replied(rehandled, liaison, staff, "B")

    s = stats(committee, year)
    assert s["by_result_class"] == {"A": 2, "B": 2, "C": 0}
    assert s["replied"] == 4
    assert s["solved_rate"] == 0.5 and s["adopted_rate"] == 1.0


# ---- satisfaction --------------------------------------------------------------------------------

def test_satisfaction_per_dimension_uses_each_proposers_latest_round(
        committee, year, member, staff, liaison, unit_gxj, themes, build):
    p1, p2, p3, p4 = (handled(member, staff, themes[0], liaison, unit_gxj, build, title=f"关于第{i}件事的提案")
                      for i in range(4))
    for p in (p1, p2, p3, p4):
        replied(p, liaison, staff)
    assert rate(p1, member, S, B).state == State.CLOSED
    assert rate(p2, member, B, S).state == State.CLOSED
    assert rate(p3, member, S, U).state == State.REHANDLING
    replied(p3, liaison, staff)
    assert rate(p3, member, S, S).state == State.CLOSED  # round 2 replaces round 1 in the statistics
    assert rate(p4, member, S, U).state == State.REHANDLING  # latest is still the unsatisfied round 1

    s = stats(committee, year)
    assert s["evaluations_returned"] == 4
    assert s["satisfaction"]["attitude"] == {"satisfied": 3, "basically_satisfied": 1, "unsatisfied": 0,
                                             "rate": 1.0, "satisfied_rate": 0.75}
    assert s["satisfaction"]["result"] == {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 1,
                                           "rate": 0.75, "satisfied_rate": 0.5}
    assert s["satisfaction_rate"] == 0.75
    assert s["by_unit"][0]["satisfaction_rate"] == 0.75
    assert s["unrated"] == 0


def test_a_proposer_who_does_not_rate_is_unrated_never_satisfied(
        committee, year, member, cosigner, staff, liaison, unit_gxj, themes, build):
    joint = proposals.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    proposals.respond_to_cosign(joint, actor=cosigner, accept=True)
    joint = proposals.register_proposal(joint, actor=staff, theme=themes[0])
    joint = handling.assign_proposal(joint, actor=staff, units=[{"unit": unit_gxj.pk, "mode": "lead"}])
    joint = handling.sign_assignment(joint, actor=liaison)
    alone = handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于无人评价的提案")
    replied(joint, liaison, staff)
    replied(alone, liaison, staff)
    rate(joint, member, S, S)  # member2 never rates

    s = stats(committee, year)
    assert (s["unrated"], s["evaluations_returned"], s["satisfaction_rate"]) == (2, 1, 1.0)
    later = timezone.now() + dt.timedelta(days=2 * committee.evaluation_window_days + 15)  # past any window
    with time_machine.travel(later, tick=False):
        handling.close_proposal(alone, actor=staff)  # closed after the window: still 未评价
        handling.close_proposal(joint, actor=staff)
    s = stats(committee, year)
    assert s["closed"] == 2 and s["completion_rate"] == 1.0
    assert (s["unrated"], s["evaluations_returned"]) == (2, 1)
    assert s["satisfaction"]["result"]["satisfied"] == 1


# ---- participation, key proposals, cost ----------------------------------------------------------

def test_member_participation_counts_first_proposers_and_accepted_cosigners(
        committee, year, member, cosigner, staff, themes, build, clerk):
    p = proposals.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    proposals.respond_to_cosign(p, actor=cosigner, accept=False)
    build.draft(cosigner, title="关于只写了草稿的提案")
    s = stats(committee, year)
    assert (s["members_participating"], s["members_total"], s["member_participation"]) == (0, 2, 0)
    proposals.register_proposal(p, actor=staff, theme=themes[0])
    assert stats(committee, year)["member_participation"] == 0.5  # member2 declined
    q = proposals.submit_proposal(build.draft(member, title="关于联名的提案", cosigners=["member2"]), actor=member)
    proposals.reject_proposal(proposals.respond_to_cosign(q, actor=cosigner, accept=True), actor=staff,
                              reason_code="R10")
    assert stats(committee, year)["member_participation"] == 1.0  # a received proposal, even not registered


def test_key_proposals_are_counted(committee, session, year, member, staff, leader, themes, build):
    from jianyan.supervision.workflow import designate_key_proposal

    p = build.registered(member, staff, themes[3])
    build.registered(member, staff, themes[3], title="关于另一件事的提案")
    designate_key_proposal(actor=staff, session=session, topic="医养结合", proposals=[p], lead_leader=leader)
    assert stats(committee, year)["key_proposals"] == 1


def test_statistics_take_a_constant_number_of_queries(
        committee, year, member, staff, liaison, unit_gxj, themes, build, django_assert_max_num_queries):
    for i in range(3):
        p = handled(member, staff, themes[i], liaison, unit_gxj, build, title=f"关于第{i}项工作的提案")
        rate(replied(p, liaison, staff), member, S, B)
    with django_assert_max_num_queries(20) as first:  # the facts of the three proposals computed
        stats(committee, year)
    with django_assert_max_num_queries(8):  # nothing changed: no fact recomputed
        stats(committee, year)
    for i in range(6):
        build.registered(member, staff, themes[i % 5], title=f"关于新增第{i}项工作的提案")
    with django_assert_max_num_queries(len(first)):  # six changed: the same queries as for three
        assert stats(committee, year)["registered"] == 9


# ---- the command ---------------------------------------------------------------------------------

def test_stats_command_prints_json_and_a_chinese_summary(committee, year, member, staff, themes, build):
    build.registered(member, staff, themes[0])
    out = StringIO()
    call_command("stats", "--year", str(year), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["year"], data["received"], data["registered"]) == (year, 1, 1)
    assert "产业转型" in out.getvalue()  # ensure_ascii=False
    out = StringIO()
    call_command("stats", "--year", str(year), "--committee", "yq", stdout=out)
    assert "收到提案 1 件，立案 1 件" in out.getvalue()


@pytest.mark.parametrize("args, message", [
    (["--year", "二〇二四"], "年度无效"),
    (["--year", "99999"], "年度无效"),
    (["--year", "1990"], "没有 1990 年的会次"),
    (["--year", "2024", "--committee", "nowhere"], "没有代码为“nowhere”的政协"),
])
def test_stats_command_refuses_bad_input_in_one_chinese_line(committee, session, args, message):
    with pytest.raises(CommandError) as err:
        call_command("stats", *args, stdout=StringIO())
    assert message in str(err.value)
    assert "\n" not in str(err.value)


# ---- breakdowns, formulas, units, trend, and the lists the figures link to --------------------------

@pytest.fixture
def mixed_year(committee, session, year, member, cosigner, clerk, staff, liaison, liaison2, unit_gxj, unit_kjj,
               themes, build, party):
    """By hand: member (sector 经济界) writes 4, cosigner (no sector) 1, the party (民革) 2.
    - member: A replied and rated (S, B) on theme 0 by 工信局; B replied on theme 0 by 科技局, unrated;
      one registered on theme 1; one not registered (R7).
    - cosigner: one C replied on theme 1 by 工信局, rated (U, U) -> rehandling.
    - party: one registered on theme 3; one converted."""
    from jianyan.people.models import Sector

    economy = Sector.objects.create(committee=committee, name="经济界")
    Sector.objects.create(committee=committee, name="教育界")
    member.profile.sector = economy
    member.profile.save()
    a = replied(handled(member, staff, themes[0], liaison, unit_gxj, build, title="关于甲的提案"), liaison, staff, "A")
    rate(a, member, S, B)
    b = handled(member, staff, themes[0], liaison2, unit_kjj, build, title="关于乙的提案")
    replied(b, liaison2, staff, "B")
    build.registered(member, staff, themes[1], title="关于丙的提案")
    proposals.reject_proposal(build.submitted(member, title="关于丁的提案"), actor=staff, reason_code="R7")
    c = replied(handled(cosigner, staff, themes[1], liaison, unit_gxj, build, title="关于戊的提案"), liaison, staff, "C")
    rate(c, cosigner, U, U)
    build.registered(clerk, staff, themes[3], title="关于己的提案")
    proposals.convert_proposal(build.submitted(clerk, title="关于庚的提案"), actor=staff)
    return {"economy": economy, "party": party}


def rows_by_label(rows):
    return {r["label"]: r for r in rows}


def test_breakdowns_by_theme_type_sector_party_and_session(committee, year, mixed_year, themes, session):
    s = stats(committee, year)
    assert (s["received"], s["registered"], s["replied"]) == (7, 5, 3)
    theme = rows_by_label(s["breakdowns"]["theme"])
    assert [r["label"] for r in s["breakdowns"]["theme"]] == [t.name for t in themes] + ["未分主题"]
    t0, t1 = theme[themes[0].name], theme[themes[1].name]
    assert (t0["received"], t0["registered"], t0["replied"], t0["replied_rate"]) == (2, 2, 2, 1.0)
    assert t0["by_result_class"] == {"A": 1, "B": 1, "C": 0} and t0["solved_rate"] == 0.5
    assert t0["satisfaction"]["result"]["basically_satisfied"] == 1 and t0["evaluations_returned"] == 1
    assert (t1["registered"], t1["replied"], t1["replied_rate"], t1["satisfaction_rate"]) == (2, 1, 0.5, 0)
    # the not-registered and the converted proposal have no theme: their own row, so the rows add up
    assert sum(r["received"] for r in s["breakdowns"]["theme"]) == 7
    unthemed = s["breakdowns"]["theme"][-1]
    assert (unthemed["key"], unthemed["received"], unthemed["not_registered"], unthemed["converted"]) == (None, 2, 1, 1)
    types = {r["key"]: r for r in s["breakdowns"]["proposer_type"]}
    assert (types["member"]["received"], types["member"]["registered"], types["member"]["not_registered"]) == (5, 4, 1)
    assert types["member"]["registration_rate"] == 0.8
    assert (types["party"]["received"], types["party"]["registered"], types["party"]["converted"]) == (2, 1, 1)
    sector = {r["key"]: r for r in s["breakdowns"]["sector"]}
    economy = sector[mixed_year["economy"].pk]
    assert (economy["received"], economy["registered"], economy["replied"], economy["not_registered"]) == (4, 3, 2, 1)
    assert economy["not_registered_by_reason"] == {"R7": 1}
    assert sector[None]["label"] == "未填界别" and sector[None]["received"] == 3  # cosigner's and the party's
    assert [r["label"] for r in s["breakdowns"]["sector"]][:2] == ["经济界", "教育界"]
    (party_row,) = s["breakdowns"]["party"]
    assert (party_row["label"], party_row["received"], party_row["registered"]) == ("民革阳泉市委员会", 2, 1)
    (session_row,) = s["breakdowns"]["session"]
    assert (session_row["key"], session_row["label"]) == (session.pk, session.label)
    assert (session_row["received"], session_row["registered"]) == (7, 5)


def test_result_class_shares_and_configurable_formulas(committee, year, mixed_year):
    from jianyan.reports.models import StatisticsSettings

    s = stats(committee, year)
    assert s["by_result_class"] == {"A": 1, "B": 1, "C": 1}
    assert s["result_class_shares"] == {"A": 0.3333, "B": 0.3333, "C": 0.3333}
    assert (s["solved_rate"], s["adopted_rate"]) == (0.3333, 0.6667)  # default: A / replied, (A+B) / replied
    assert s["rate_formulas"] == {"solved": "(A) / 已答复", "adopted": "(A + B) / 已答复"}
    StatisticsSettings.objects.create(committee=committee, solved_classes="AB", adopted_classes="ABC",
                                      rate_base="registered")
    s = stats(committee, year)
    assert (s["solved_rate"], s["adopted_rate"]) == (0.4, 0.6)  # 2 / 5 and 3 / 5 registered
    assert s["rate_formulas"]["adopted"] == "(A + B + C) / 立案"


def test_settings_refuse_letters_that_are_not_classes(committee):
    from django.core.exceptions import ValidationError

    from jianyan.reports.models import StatisticsSettings

    with pytest.raises(ValidationError):
        StatisticsSettings(committee=committee, solved_classes="AX").full_clean()
    with pytest.raises(ValidationError):
        StatisticsSettings(committee=committee, adopted_classes="AA").full_clean()


def test_unit_rows_have_rates_satisfaction_and_overdue(committee, year, mixed_year, member, staff, liaison, unit_gxj,
                                                       themes, build):
    late = handled(member, staff, themes[2], liaison, unit_gxj, build, title="关于迟迟未答复的提案")
    due = late.assignments.get().due_date
    at = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(at, tick=False):
        s = stats(committee, year)
    rows = {r["unit"]: r for r in s["by_unit"]}
    gxj, kjj = rows["市工信局"], rows["市科技局"]
    assert (gxj["lead"], gxj["replying"], gxj["replied"], gxj["replied_rate"]) == (3, 3, 2, 0.6667)
    assert (gxj["overdue"], kjj["overdue"], s["overdue"], s["overdue_proposals"]) == (1, 0, 1, 1)
    # 工信局's proposals were rated twice: (S, B) and (U, U) -> result 1 of 2, attitude 1 of 2
    assert (gxj["evaluations_returned"], gxj["satisfaction_rate"], gxj["attitude_rate"]) == (2, 0.5, 0.5)
    assert (kjj["replied"], kjj["on_time"], kjj["on_time_rate"], kjj["evaluations_returned"]) == (1, 1, 1.0, 0)


def test_yearly_trend_counts_each_year(committee, session, year, member, staff, themes, build):
    from jianyan.reports.statistics import yearly_trend

    build.registered(member, staff, themes[0])
    proposals.reject_proposal(build.submitted(member, title="关于其他的提案"), actor=staff, reason_code="R7")
    earlier = Session.objects.create(term=session.term, sitting=session.sitting - 1, year=year - 1,
                                     plenary_start=session.plenary_start, plenary_end=session.plenary_end,
                                     submission_deadline=session.submission_deadline)
    old = proposals.create_proposal(actor=member, title="关于去年的提案", suggestions=["一条建议"], session=earlier)
    proposals.register_proposal(proposals.submit_proposal(old, actor=member), actor=staff, theme=themes[0])
    trend = yearly_trend(committee)
    assert [(r["year"], r["received"], r["registered"], r["registration_rate"]) for r in trend] == [
        (year - 1, 1, 1, 1.0), (year, 2, 1, 0.5)]


def test_every_metric_filter_counts_what_its_figure_counts(committee, year, mixed_year, themes):
    """The lists the statistics page links to (metric_q and friends) agree with the figures."""
    from jianyan.proposals.models import Proposal
    from jianyan.reports.statistics import METRICS, evaluation_q, metric_q, result_class_q

    s = stats(committee, year)
    year_qs = Proposal.objects.filter(committee=committee, session__year=year)
    figure = {"key": "key_proposals", "overdue": "overdue_proposals", "unreplied": None, "not_on_time": None,
              "unrated": None}
    for name in METRICS:
        n = year_qs.filter(metric_q(name)).count()
        if figure.get(name, name):
            assert n == s[figure.get(name, name)], name
    assert year_qs.filter(metric_q("unreplied")).count() == s["registered"] - s["replied"]
    assert year_qs.filter(metric_q("not_on_time")).count() == s["registered"] - s["on_time"]
    assert year_qs.filter(metric_q("unrated")).count() == 1  # the B proposal nobody rated
    for code, n in s["by_result_class"].items():
        assert year_qs.filter(result_class_q(code)).count() == n
    assert year_qs.filter(evaluation_q("result", B)).count() == 1
    assert year_qs.filter(evaluation_q("attitude", U)).count() == 1


def test_the_api_and_the_command_give_the_breakdowns(committee, year, mixed_year, staff, member, api):
    response = api(staff).get("stats", {"year": year})
    assert response.status_code == 200
    data = response.json()
    assert data["registered"] == 5 and data["result_class_shares"]["A"] == 0.3333
    assert [r["label"] for r in data["breakdowns"]["party"]] == ["民革阳泉市委员会"]
    assert data["by_unit"][0]["replying"] >= 1 and "attitude_rate" in data["by_unit"][0]
    assert api(member).get("stats", {"year": year}).status_code == 403
    out = StringIO()
    call_command("stats", "--year", str(year), stdout=out)
    text = out.getvalue()
    assert "按界别（第一提案人）" in text and "  经济界：4/3/2/1" in text  # A was rated satisfied: closed
    assert "按党派（集体提案）" in text and "  民革阳泉市委员会：2/1/0/0" in text
    assert "采纳率 66.67% = (A + B) / 已答复" in text


# ---- the facts the figures are counted from (jianyan.reports.facts) --------------------------------

def test_a_transition_after_a_report_is_counted_by_the_next_one(
        committee, year, member, staff, liaison, unit_gxj, themes, build):
    p = handled(member, staff, themes[0], liaison, unit_gxj, build)
    before = stats(committee, year)
    assert (before["replied"], before["by_result_class"]["B"]) == (0, 0)
    rate(replied(p, liaison, staff, result_class="B"), member, S, B)
    after = stats(committee, year)
    assert (after["replied"], after["by_result_class"]["B"], after["evaluations_returned"]) == (1, 1, 1)
    assert after["by_unit"][0]["replied"] == 1


def test_a_first_proposers_new_sector_moves_the_proposal_to_that_sector(
        committee, year, member, staff, themes, build):
    from jianyan.people.models import Sector

    economy = Sector.objects.create(committee=committee, name="经济界")
    education = Sector.objects.create(committee=committee, name="教育界")
    member.profile.sector = economy
    member.profile.save()
    build.registered(member, staff, themes[0])
    rows = {r["label"]: r["registered"] for r in stats(committee, year)["breakdowns"]["sector"]}
    assert (rows["经济界"], rows["教育界"]) == (1, 0)
    member.profile.sector = education
    member.profile.save()  # no transition: the proposal's version does not move
    rows = {r["label"]: r["registered"] for r in stats(committee, year)["breakdowns"]["sector"]}
    assert (rows["经济界"], rows["教育界"]) == (0, 1)


def test_facts_recomputed_from_scratch_by_id_or_by_year_give_the_same_figures(
        committee, year, mixed_year, monkeypatch):
    from jianyan.reports import facts
    from jianyan.reports.models import AssignmentFacts, ProposalFacts

    first = stats(committee, year)
    assert ProposalFacts.objects.exists() and AssignmentFacts.objects.exists()
    ProposalFacts.objects.all().delete()
    AssignmentFacts.objects.all().delete()
    assert stats(committee, year) == first  # a few stale proposals: by id
    ProposalFacts.objects.update(version=0, on_time=False, result_class=None, returned=0)
    AssignmentFacts.objects.update(answered=False, in_time=False)
    monkeypatch.setattr(facts, "WHOLE_YEAR", 0)
    assert stats(committee, year) == first  # many: the whole year's rows
    assert facts.stale_proposal_ids(committee.pk, year) == []
