"""Demo data of supervision, follow-up and city–county linkage, built after the rest of the demo
(jianyan.demo.builder calls `build_supervision_demo` at the end) through the workflow functions under
time-machine. It changes no proposal's state in the city's 2024 session, so the 2024 figures stay those of
the Yangquan report.

- A second district committee, 矿区政协 (code kq), beside 城区政协: its members, staff and units, a few
  proposals handled in 2024, and one 2025 proposal about city affairs transferred to the city committee.
- The 2024 key proposals approved by the chairs' meeting and signed off by their leaders; the 2025 ones
  approved, so they close only after sign-off; nominations waiting for the 2025 decision.
- 2025 follow-up items for the 2024 B/C replies, with progress updates and a supplementary reply; one 2024
  key proposal tracked in 2025 and 2026.
- The 2024 excellent proposals: nominated by units, reviewed and published."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction

from jianyan.handling import workflow as hw
from jianyan.handling.models import Assignment
from jianyan.people.models import Committee, Profile, Role, Session, Term, Unit
from jianyan.people.setup import seed_reason_codes, seed_themes
from jianyan.proposals import workflow as pw
from jianyan.proposals.models import Proposal, State
from jianyan.supervision import linkage
from jianyan.supervision import workflow as sw
from jianyan.supervision.models import (
    ExcellentNomination,
    FollowUp,
    KeyNomination,
    KeyProposal,
    KeySignOff,
    ProgressUpdate,
)

User = get_user_model()
TZ = ZoneInfo("Asia/Shanghai")
KQ_UNITS = [
    ("kq_jyj", "矿区教育局", "负责矿区学前教育和义务教育。"),
    ("kq_zjj", "矿区住建局", "负责矿区老旧小区改造和市政设施。"),
    ("kq_mzj", "矿区民政局", "负责矿区养老服务和社区治理。"),
]
KQ_PROPOSALS = [  # (title, background, suggestions, theme, unit, result class)
    ("关于推进矿区采煤沉陷区综合治理的提案", "部分采煤沉陷区治理进度滞后，群众居住安全存在隐患。",
     ["制定沉陷区治理三年计划。", "统筹资金优先安置受影响居民。"], "绿色低碳", "矿区住建局", "B"),
    ("关于加强矿区社区嵌入式养老服务的提案", "矿区老龄化程度高，社区养老服务设施不足。",
     ["在社区嵌入小型养老服务站。", "引入专业机构运营。"], "公共服务与民生", "矿区民政局", "A"),
    ("关于改善矿区中小学校舍条件的提案", "部分学校校舍陈旧，功能教室不足。",
     ["分批实施校舍改造。", "补齐实验室和图书室。"], "公共服务与民生", "矿区教育局", "C"),
]


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def build_supervision_demo(b) -> None:
    """Called by DemoBuilder.build once everything else is in place."""
    rng = random.Random(b.seed + 7)
    kq = district_committee(b)
    district_proposals(b, kq)
    key_proposal_life(b)
    nominations(b)
    follow_ups(b, rng)
    excellent(b)
    transfer_to_city(b, kq)


def district_committee(b) -> Committee:
    """矿区政协: a second district committee of Yangquan, with its staff, members and units."""
    with time_machine.travel(at(2023, 10, 9, 9), tick=False), transaction.atomic():
        kq = Committee.objects.create(code="kq", name="政协阳泉市矿区委员会", short_name="矿区政协", place="矿区",
                                      level=Committee.Level.COUNTY, parent=b.yq)
        seed_reason_codes(kq)
        seed_themes(kq)
        term = Term.objects.create(committee=kq, number=10, start_year=2022)
        b.kq2024 = Session.objects.create(
            term=term, sitting=3, year=2024, plenary_start=dt.date(2024, 1, 4), plenary_end=dt.date(2024, 1, 6),
            submission_deadline=at(2024, 1, 6, 12), assignment_meeting_date=dt.date(2024, 3, 6))
        b.kq_units = {name: Unit.objects.create(committee=kq, name=name, full_name=f"阳泉市{name}", duties=duties)
                      for _code, name, duties in KQ_UNITS}
        people = [("kq_staff", Role.STAFF, "矿区政协提案委 刘敏", {})]
        people += [(f"kq_m{i:02d}", Role.MEMBER, name, {"title": "矿区政协委员"})
                   for i, name in enumerate(["韩志强", "冯丽君", "曹建军", "彭晓燕"], start=1)]
        people += [(f"{code}", Role.UNIT, f"{name}联络员", {"unit": b.kq_units[name]}) for code, name, _d in KQ_UNITS]
        for username, role, name, extra in people:
            user = User.objects.create(username=username, password=b.password, last_name=name)
            Profile.objects.create(user=user, committee=kq, role=role, display_name=name, is_demo=True, **extra)
            b.user[username] = user
    return kq


def when(moment: dt.datetime, action):
    """Run one workflow step at that moment, in its own transaction (as the demo's scheduler does)."""
    with time_machine.travel(moment, tick=False), transaction.atomic():
        return action()


def district_proposals(b, kq: Committee) -> None:
    """Three 矿区 proposals of 2024, registered, assigned, replied and rated."""
    themes = {t.name: t for t in kq.themes.all()}
    for i, spec in enumerate(KQ_PROPOSALS):
        district_proposal(b, i, spec, themes)


def district_proposal(b, i: int, spec: tuple, themes: dict) -> None:
    from jianyan.demo.builder import DEMO_CONTACT

    title, background, suggestions, theme, unit, result_class = spec
    staff = b.user["kq_staff"]
    author, liaison = b.user[f"kq_m{i + 1:02d}"], b.user[next(c for c, n, _d in KQ_UNITS if n == unit)]
    units = [{"unit": b.kq_units[unit].pk, "mode": "lead"}]
    p = when(at(2024, 1, 5, 9 + i), lambda: pw.submit_proposal(pw.create_proposal(
        actor=author, title=title, background=background, suggestions=suggestions, contact=DEMO_CONTACT),
        actor=author))
    p = when(at(2024, 2, 20), lambda: pw.register_proposal(p, actor=staff, theme=themes[theme]))
    p = when(at(2024, 3, 6), lambda: hw.assign_proposal(p, actor=staff, units=units))
    p = when(at(2024, 3, 8), lambda: hw.sign_assignment(p, actor=liaison))
    when(at(2024, 5, 20), lambda: hw.submit_reply(p, actor=liaison, result_class=result_class,
                                                  body=f"关于《{title}》的答复：已研究落实。", signer="区局长"))
    p = when(at(2024, 5, 24), lambda: hw.approve_reply(Proposal.objects.get(pk=p.pk), actor=staff))
    when(at(2024, 6, 3), lambda: hw.evaluate_proposal(p, actor=author, attitude="satisfied", result="satisfied"))


def key_proposal_life(b) -> None:
    """2024 key proposals approved in March and signed off at the year's end; 2025 ones approved in March."""
    chair = b.leaders[1]  # 市政协副主席, for the chairs' meeting
    for key in KeyProposal.objects.filter(committee=b.yq).select_related("session").order_by("id"):
        year = key.session.year
        with time_machine.travel(at(year, 3, 28), tick=False), transaction.atomic():
            sw.approve_key_proposal(key, actor=chair, note=f"{year}年第3次主席会议审议通过")
        if year == 2024 and not key.proposals.exclude(state__in=sw.ANSWERED_STATES).exists():
            with time_machine.travel(at(2024, 12, 20), tick=False), transaction.atomic():
                for leader in {key.lead_leader, key.supervising_leader}:
                    sw.sign_off_key_proposal(key, actor=leader, note="办理到位，同意办结。")


def nominations(b) -> None:
    """Recommendations for the next key proposals: from two parties and from staff, waiting for the decision."""
    candidates = list(Proposal.objects.filter(committee=b.yq, session=b.s2025, is_key=False,
                                              state__in=[State.HANDLING, State.ASSIGNED, State.REGISTERED])
                      .order_by("id")[:6])
    with time_machine.travel(b.now - dt.timedelta(days=2), tick=False), transaction.atomic():
        for clerk in list(b.clerk.values())[:2]:
            own = [p for p in Proposal.objects.filter(committee=b.yq, session=b.s2025,
                                                     organisation=clerk.profile.organisation_id,
                                                     state__in=[State.HANDLING, State.ASSIGNED])]
            if own:
                sw.nominate_key_proposal(own[0], actor=clerk, reason="本党派年度重点调研成果，事关全市发展大局。")
        for p in candidates[:3]:
            sw.nominate_key_proposal(p, actor=b.staff1, reason="群众关注度高，需要多部门协同推进。")


def follow_ups(b, rng: random.Random) -> None:
    """2025 follow-up of the 2024 B/C replies, with progress; a 2024 key proposal tracked in 2025 and 2026."""
    with time_machine.travel(at(2025, 2, 20), tick=False), transaction.atomic():
        items = sw.open_follow_ups(actor=b.staff1, committee=b.yq, year=2025)
    liaisons = {p.unit_id: p.user for p in Profile.objects.filter(role=Role.UNIT, committee=b.yq)
                .select_related("user")}
    for i, item in enumerate(items):
        if i % 3 == 2:
            continue  # some units have not reported yet
        liaison = liaisons[item.unit_id]
        percent = rng.choice([30, 40, 50, 60])
        with time_machine.travel(at(2025, 6, 10 + i % 15), tick=False), transaction.atomic():
            sw.post_progress_update(item, actor=liaison, status=FollowUp.Status.IN_PROGRESS, percent=percent,
                                    note="已按答复承诺推进，完成年度计划的阶段性任务。")
        if i % 5 == 0:
            with time_machine.travel(at(2025, 11, 10 + i % 15), tick=False), transaction.atomic():
                sw.submit_supplementary_reply(item, actor=liaison, status=FollowUp.Status.DONE, percent=100,
                                              body="补充答复：答复中承诺的事项已全部落实，欢迎继续监督。",
                                              signer=b.signers.get(item.unit_id, "局长"))
    key = KeyProposal.objects.filter(committee=b.yq, session=b.s2024).order_by("id").first()
    if key is not None:
        for year, moment in ((2025, at(2025, 2, 21)), (2026, at(2026, 2, 20))):
            if moment > b.now:
                continue
            with time_machine.travel(moment, tick=False), transaction.atomic():
                tracked = sw.track_key_proposal(key, actor=b.staff1, year=year)
            for j, item in enumerate(tracked):
                with time_machine.travel(min(moment + dt.timedelta(days=100 + j), b.now), tick=False), \
                        transaction.atomic():
                    sw.post_progress_update(item, actor=liaisons[item.unit_id], status=FollowUp.Status.IN_PROGRESS,
                                            percent=70 if year == 2025 else 85,
                                            note=f"{year}年：医养结合服务网络继续扩面，新增签约机构。")


def excellent(b) -> None:
    """The 2024 excellent proposals: units nominate, staff shortlist and select, then publish."""
    closed = list(Proposal.objects.filter(committee=b.yq, session=b.s2024, state=State.CLOSED, is_key=True)
                  .order_by("id")[:4])
    closed += list(Proposal.objects.filter(committee=b.yq, session=b.s2024, state=State.CLOSED, is_key=False,
                                           proposer_type__in=["party", "people_org"]).order_by("id")[:2])
    nominated = []
    if not closed:
        return
    with time_machine.travel(at(2025, 1, 15), tick=False), transaction.atomic():
        for p in closed:
            lead = Assignment.objects.filter(proposal=p, is_active=True, mode__in=["lead", "separate"]).first()
            liaison = b.liaison.get(lead.unit_id) if lead else None
            actor = liaison if liaison is not None else b.staff1
            nominated.append(sw.nominate_excellent(p, actor=actor, reason="选题准确、针对性强、成效显著。", year=2024))
    with time_machine.travel(at(2025, 2, 10), tick=False), transaction.atomic():
        for n in nominated:
            sw.review_excellent(n, actor=b.staff1, decision="shortlist", note="初评通过")
    with time_machine.travel(at(2025, 2, 25), tick=False), transaction.atomic():
        for n in nominated[:-1]:
            sw.review_excellent(n, actor=b.staff1, decision="select", note="提案委员会全体会议审议通过")
        sw.review_excellent(nominated[-1], actor=b.staff1, decision="decline", note="成效尚待检验")
        sw.publish_excellent(actor=b.staff1, committee=b.yq, year=2024)


def transfer_to_city(b, kq: Committee) -> None:
    """A 矿区 member's proposal about a city-level matter, transferred to the city committee for review."""
    from jianyan.demo.builder import DEMO_CONTACT

    author, staff = b.user["kq_m04"], b.user["kq_staff"]
    moment = min(at(2025, 10, 20), b.now - dt.timedelta(days=3))
    with time_machine.travel(moment, tick=False), transaction.atomic():
        Session.objects.get_or_create(term=b.kq2024.term, sitting=4, year=2025, defaults={
            "plenary_start": dt.date(2025, 1, 3), "plenary_end": dt.date(2025, 1, 5),
            "submission_deadline": at(2025, 1, 5, 12), "assignment_meeting_date": dt.date(2025, 3, 5)})
        p = pw.submit_proposal(pw.create_proposal(
            actor=author, title="关于延伸市区公交线路至矿区的提案",
            background="市区公交线路未覆盖矿区部分新建小区，居民进城出行不便。",
            suggestions=["将市区公交线路延伸至矿区新建小区。", "优化换乘站点设置。"], contact=DEMO_CONTACT),
            actor=author)
    with time_machine.travel(moment + dt.timedelta(days=1), tick=False), transaction.atomic():
        linkage.transfer_proposal(p, actor=staff, to_committee=b.yq, note="公交线路属市级事权，转市政协审查办理。")


def reset_supervision_demo(committees, proposals) -> None:
    """reset_demo: the rows of this app that protect proposals, key proposals and users go first."""
    ProgressUpdate.objects.filter(follow_up__committee__in=committees).delete()
    FollowUp.objects.filter(committee__in=committees).delete()
    ExcellentNomination.objects.filter(committee__in=committees).delete()
    KeyNomination.objects.filter(committee__in=committees).delete()
    KeySignOff.objects.filter(key_proposal__committee__in=committees).delete()
    proposals.update(transferred_from=None)
