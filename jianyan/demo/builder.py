"""Builds the demo data through the workflow functions, so every state has a real audit trail.

Each proposal is a small script (a generator) that yields the moment of its next step and then runs
that step: create, submit, co-sign, review, assign, sign, consult, reply, audit, evaluate... A
scheduler runs the steps of all scripts in time order, each under `time_machine.travel(moment)`, and
commits once per simulated day, so notifications (sent on commit) carry that day's date.

2024 reproduces the Yangquan report (418 received; 387 registered = 53 collective + 334 member;
themes 122 / 23 / 90 / 135 / 17; all closed). 2025 is the session in progress: its plenary proposals
were handled during 2025, and the interim proposals (平时提案) of recent weeks — timed relative to the
moment the demo is loaded, so their deadlines lie ahead — put a proposal in every state of the
workflow, with work waiting for each demo account.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from jianyan.core.errors import DomainError
from jianyan.demo import reference as ref
from jianyan.demo import topics as tp
from jianyan.handling import workflow as hw
from jianyan.handling.models import Consultation
from jianyan.notifications.models import Notification
from jianyan.people.models import Committee, Organisation, Profile, Role, Sector, Session, Term, Theme, Unit
from jianyan.people.setup import seed_reason_codes, seed_themes
from jianyan.proposals import workflow as pw
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.supervision import workflow as sw
from jianyan.supervision.demo import build_supervision_demo, reset_supervision_demo
from jianyan.supervision.models import SupervisionActivity
from jianyan.workdays import deadlines

User = get_user_model()
TZ = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 — the published demo password (contract §3)
DEMO_LABEL = "演示数据（系统生成，非真实提案）"
DEMO_CONTACT = "演示数据（系统生成，非真实提案）"
DEMO_COMMITTEES = ("yq", "cq", "kq")  # kq: the second district, built by supervision.demo
DEMO_LOGINS = ("member1", "member2", "member3", "party1", "staff1", "unit_gxj", "unit_kjj", "leader1", "admin")
STOPS = ("draft", "cosigning", "submitted", "returned", "registered", "assigned", "return_requested",
         "handling", "reply_audit", "replied", "rehandling", "closed")
Mode = hw.Mode


def local(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def office(t: dt.datetime) -> dt.datetime:
    """The same day, moved into office hours (8:00–17:59) if it falls outside them."""
    lt = t.astimezone(TZ)
    if 8 <= lt.hour < 18:
        return t
    return lt.replace(hour=8 + lt.hour % 10)


# ---- one proposal's plan -------------------------------------------------------------------------

@dataclass(eq=False)
class Spec:
    key: str
    session: Session
    author: object  # the member, or the clerk of the collective proposer
    title: str
    background: str
    suggestions: list[str]
    theme_name: str = ""
    topic: tp.Topic | None = None
    cosigners: list[tuple[object, bool | None]] = field(default_factory=list)  # (user, accept; None = pending)
    stop: str = "closed"
    decision: str = "register"  # register / reject / convert / merge
    reason_code: str = ""
    merge_into: Spec | None = None
    returned: bool = False
    units: list[tuple[Unit, str]] = field(default_factory=list)
    wrong_lead: Unit | None = None  # assigned first to this unit, which asks to give it back (accepted)
    return_rejected: bool = False  # the lead asks to give it back and staff refuse
    partial_sign: bool = False
    consult: str = ""  # a Consultation.Form, or "" for none
    co_opinions: bool = True
    send_back: bool = False
    result_class: str = "A"
    audited_class: str | None = None
    quality: bool = False
    unsatisfied: bool = False  # the last rater is unsatisfied: rehandling, then satisfied
    second_unsatisfied: bool = False  # ... and unsatisfied again: consultation, closed unresolved
    leave_unrated: bool = False  # the last rater never rates: staff close after the window
    late: bool = False
    at: dict[str, dt.datetime] = field(default_factory=dict)  # fixed moments of some steps
    scale: float = 1.0  # multiplies the default delays
    staff: object = None
    proposal: Proposal | None = None


class Clock:
    """A proposal's own clock: steps at fixed moments or after random delays, always moving forward,
    in office hours where it can."""

    def __init__(self, spec: Spec, rng: random.Random, limit: dt.datetime):
        self.fixed, self.rng, self.scale, self.limit = spec.at, rng, spec.scale, limit
        self.t: dt.datetime | None = None

    def step(self, stage: str, lo: float = 0.0, hi: float = 0.0) -> dt.datetime:
        fixed = self.fixed.get(stage)
        if fixed is not None:
            cand = fixed
        else:
            cand = self.t + days(self.rng.uniform(lo, hi) * self.scale)
            cand = self.office_hours(cand)
        if self.t is not None and cand <= self.t:
            cand = self.t + dt.timedelta(minutes=self.rng.randint(3, 40))
        self.t = cand
        return cand

    def until(self, moment: dt.datetime) -> dt.datetime:
        """Not before `moment` (and after the previous step)."""
        self.t = max(moment, self.t + dt.timedelta(minutes=self.rng.randint(3, 40)))
        return self.t

    def office_hours(self, t: dt.datetime) -> dt.datetime:
        lt = t.astimezone(TZ)
        if 8 <= lt.hour < 18:
            return t
        moved = lt.replace(hour=8, minute=self.rng.randint(30, 59))
        if lt.hour >= 18:
            moved += days(1)
        return moved if moved <= self.limit else t


# ---- the builder ---------------------------------------------------------------------------------

class DemoBuilder:
    def __init__(self, *, seed: int = 2024, progress: Callable[[int, int], None] | None = None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress or (lambda done, total: None)
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.titles: dict[int, set[str]] = {}
        self.doc_numbers: dict[tuple[int, int], int] = {}

    # -- entry point ----------------------------------------------------------------------------
    def build(self) -> dict:
        # Under DEBUG every query is logged, and the SQLite backend quotes each query's parameters for the
        # log with one more query: that doubles the work of the build's tens of thousands of queries.
        debug, settings.DEBUG = settings.DEBUG, False
        try:
            with time_machine.travel(local(2023, 10, 9, 9), tick=False), transaction.atomic():
                self.setup_reference()
            specs = self.plan_city_2024() + self.plan_city_2025() + self.plan_recent_2025() + self.plan_county()
            scripts = [(s.key, self.lifecycle(s)) for s in specs] + self.key_proposal_scripts()
            self.run(scripts)
            self.mark_old_notifications_read()
            publish_demo(self)
            build_supervision_demo(self)  # key-proposal life, follow-up, excellent, 矿区 and a transfer
            return self.summary()
        finally:
            settings.DEBUG = debug

    # -- reference data -------------------------------------------------------------------------
    def setup_reference(self) -> None:
        rng = self.rng
        self.password = make_password(DEMO_PASSWORD)
        yq = Committee.objects.create(code="yq", name="政协阳泉市委员会", short_name="市政协", place="阳泉市")
        cq = Committee.objects.create(code="cq", name="政协阳泉市城区委员会", short_name="城区政协", place="城区",
                                      level=Committee.Level.COUNTY, parent=yq)
        self.yq, self.cq = yq, cq
        for c in (yq, cq):
            seed_reason_codes(c)
            seed_themes(c)
        self.themes = {t.name: t for t in Theme.objects.filter(committee=yq)}
        self.cq_themes = {t.name: t for t in Theme.objects.filter(committee=cq)}
        term = Term.objects.create(committee=yq, number=14, start_year=2022)
        self.s2024 = Session.objects.create(
            term=term, sitting=3, year=2024, plenary_start=dt.date(2024, 1, 8), plenary_end=dt.date(2024, 1, 11),
            submission_deadline=local(2024, 1, 11, 12), assignment_meeting_date=dt.date(2024, 3, 12))
        self.s2025 = Session.objects.create(
            term=term, sitting=4, year=2025, plenary_start=dt.date(2025, 1, 6), plenary_end=dt.date(2025, 1, 9),
            submission_deadline=local(2025, 1, 9, 12), assignment_meeting_date=dt.date(2025, 3, 11))
        cq_term = Term.objects.create(committee=cq, number=10, start_year=2022)
        self.cq2024 = Session.objects.create(
            term=cq_term, sitting=3, year=2024, plenary_start=dt.date(2024, 1, 3), plenary_end=dt.date(2024, 1, 5),
            submission_deadline=local(2024, 1, 5, 12), assignment_meeting_date=dt.date(2024, 3, 5))

        sectors = Sector.objects.bulk_create(Sector(committee=yq, name=n) for n in ref.SECTORS)
        self.orgs = {name: Organisation.objects.create(committee=yq, name=name, kind=kind)
                     for _login, name, kind, _n in ref.ORGANISATIONS}
        self.units = {}
        for _code, name, full, system, _abbr, duties in ref.UNITS:
            self.units[name] = Unit.objects.create(committee=yq, name=name, full_name=full, system=system, duties=duties)
        self.org_names = {o.pk: o.name for o in self.orgs.values()}
        self.unit_abbr = {name: abbr for _c, name, _f, _s, abbr, _d in ref.UNITS}
        self.cq_units = {name: Unit.objects.create(committee=cq, name=name, full_name=full, duties=duties)
                         for _code, name, full, duties in ref.COUNTY_UNITS}
        for theme_topics in tp.TOPICS.values():  # every unit a topic names exists
            for t in theme_topics:
                assert t.lead in self.units and all(u in self.units for u in t.co), t.key

        people: list[tuple[str, Committee, str, str, dict]] = []  # (username, committee, role, name, profile fields)

        def add(username, committee, role, name, **extra):
            people.append((username, committee, role, name, extra))

        add("member1", yq, Role.MEMBER, "张明远", sector=sectors[14], title="市政协委员，某制造企业总经理")
        add("member2", yq, Role.MEMBER, "李晓华", sector=sectors[16], title="市政协委员，某中学校长")
        add("member3", yq, Role.MEMBER, "王建国", sector=sectors[18], title="市政协委员，某医院副院长")
        for i in range(1, 301):
            add(f"m{i:03d}", yq, Role.MEMBER, ref.person_name(rng), sector=rng.choice(sectors), title="市政协委员")
        for login, name, _kind, _n in ref.ORGANISATIONS:
            clerk_name = "刘芳" if login == "party1" else ref.person_name(rng)
            add(login, yq, Role.CLERK, clerk_name, organisation=self.orgs[name], title=f"{name}经办人")
        add("staff1", yq, Role.STAFF, "王静", title="市政协提案委员会办公室")
        add("staff2", yq, Role.STAFF, "陈立新", title="市政协提案委员会办公室")
        add("leader1", yq, Role.LEADER, "赵志刚", title="副市长（领办重点提案）")
        add("leader2", yq, Role.LEADER, "孙文华", title="市政协副主席（督办重点提案）")
        add("leader3", yq, Role.LEADER, "周海峰", title="市政协副主席（督办重点提案）")
        add("leader4", yq, Role.LEADER, "吴建平", title="副市长（领办重点提案）")
        for code, name, _f, _s, _a, _d in ref.UNITS:
            liaison = {"gxj": "工信局联络员 郭丽", "kjj": "科技局联络员 马俊"}.get(code)
            add(f"unit_{code}", yq, Role.UNIT, liaison or f"{name.removeprefix('市')}联络员 {ref.person_name(rng)}",
                unit=self.units[name], title="提案办理联络员")
        add("cq_staff", cq, Role.STAFF, "城区政协提案委 " + ref.person_name(rng))
        for i in range(1, 13):
            add(f"cq_m{i:02d}", cq, Role.MEMBER, ref.person_name(rng), title="城区政协委员")
        for code, name, _f, _d in ref.COUNTY_UNITS:
            add(f"cq_unit_{code}", cq, Role.UNIT, f"{name}联络员 {ref.person_name(rng)}", unit=self.cq_units[name])

        taken = set(User.objects.filter(username__in=[p[0] for p in people] + ["admin"])
                    .values_list("username", flat=True))
        if taken:
            raise DomainError(f"以下用户名已存在，请先用 --reset 清除演示数据：{'、'.join(sorted(taken))}")
        User.objects.bulk_create(
            User(username=username, password=self.password, last_name=name) for username, _c, _r, name, _e in people
        )
        created = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in people])}
        users = [created[username] for username, *_ in people]
        admin = User.objects.create(username="admin", password=self.password, is_staff=True, is_superuser=True,
                                    last_name="系统管理员")
        Profile.objects.bulk_create(
            [Profile(user=u, committee=c, role=role, display_name=name, is_demo=True, **extra)
             for u, (_n, c, role, name, extra) in zip(users, people, strict=True)]
            + [Profile(user=admin, committee=yq, role=Role.ADMIN, display_name="系统管理员", is_demo=True)]
        )
        by_name = {u.username: u for u in User.objects.filter(profile__is_demo=True).select_related("profile")}
        self.user = by_name
        self.members = [by_name[f"m{i:03d}"] for i in range(1, 301)]
        self.demo_members = [by_name["member1"], by_name["member2"], by_name["member3"]]
        self.clerk = {name: by_name[login] for login, name, _k, _n in ref.ORGANISATIONS}
        self.liaison = {self.units[name].pk: by_name[f"unit_{code}"] for code, name, *_ in ref.UNITS}
        self.liaison.update({self.cq_units[name].pk: by_name[f"cq_unit_{code}"]
                             for code, name, *_ in ref.COUNTY_UNITS})
        self.staff1, self.staff2 = by_name["staff1"], by_name["staff2"]
        self.leaders = [by_name[f"leader{i}"] for i in range(1, 5)]
        self.signers = {unit.pk: ref.person_name(rng) for unit in [*self.units.values(), *self.cq_units.values()]}
        active = rng.sample(self.members, 258)
        self.active_members = active

    # -- texts ----------------------------------------------------------------------------------
    def compose(self, rng: random.Random, session: Session, theme_name: str, topic: tp.Topic | None = None,
                title: str | None = None) -> tuple[tp.Topic, str, str, list[str]]:
        """A title (unique in the session), a background of 2–4 sentences and 2–5 suggestions."""
        used = self.titles.setdefault(session.pk, set())
        candidates = tp.TOPICS[theme_name]
        weights = [t.weight for t in candidates]
        for attempt in range(60):
            chosen = topic if (topic and attempt < 40) else rng.choices(candidates, weights)[0]
            text = title or self.title_for(rng, chosen, theme_name)
            if text not in used:
                break
            title = None
        else:  # pragma: no cover — the variants are far more than the proposals of a topic
            text = f"关于{chosen.cores[0]}（第{len(used) + 1}件）的提案"
        used.add(text)
        sentences = [rng.choice(chosen.situation)]
        sentences += rng.sample(chosen.problems, k=min(len(chosen.problems), rng.randint(1, 2)))
        if len(sentences) < 3 or rng.random() < 0.4:
            sentences.append(rng.choice(tp.CLOSINGS[theme_name]))
        k = rng.randint(2, min(5, len(chosen.suggestions)))
        picked = sorted(rng.sample(range(len(chosen.suggestions)), k))
        return chosen, text, "".join(sentences), [chosen.suggestions[i] for i in picked]

    @staticmethod
    def title_for(rng: random.Random, topic: tp.Topic, theme_name: str) -> str:
        core = rng.choice(topic.cores)
        r = rng.random()
        if r < 0.4 or ("，" in core and r < 0.8):
            return f"关于{core}的提案"
        if r < 0.6 and not core.startswith(("进一步", "持续")):
            return f"关于进一步{core}的提案"
        if r < 0.7:
            return f"关于在我市{core}的提案"
        if "，" in core:
            return f"关于新形势下{core}的提案"
        return f"关于{core}，{rng.choice(tp.GOALS[theme_name])}的提案"

    def reply_body(self, spec: Spec, p: Proposal, unit: Unit, result_class: str, second: bool, consulted: bool) -> str:
        topic = spec.topic
        salutation = self.proposer_name(spec)
        if not spec.author.profile.organisation_id:
            salutation += "委员等" if any(accept for _u, accept in spec.cosigners) else "委员"
        number = p.display_number
        intro = (f"{salutation}：\n　　您提出的《{p.title}》（{spec.session.label}{number}）收悉。"
                 f"{unit.full_name or unit.name}高度重视，")
        if second:
            intro += "针对您对首次答复提出的意见，主要负责同志专题研究，重新梳理办理措施，现将重新办理情况答复如下：\n"
        elif consulted:
            intro += "专题研究办理方案，并与您进行了沟通协商，现将办理情况答复如下：\n"
        else:
            intro += "及时召开专题会议研究办理，现将办理情况答复如下：\n"
        if topic and unit.name == topic.lead:
            done = topic.done
        elif topic:  # a separate unit (分办) answers for its own part
            done = (f"我们结合本单位职能，对提案所提建议逐条研究，在{topic.cores[0]}中承担的相关工作已纳入年度工作安排，"
                    "并与牵头部门建立了工作会商机制。")
        else:
            done = "我们认真研究了您提出的意见建议，结合职能逐条提出了落实措施。"
        verdict = {
            "A": "您提出的建议已吸收采纳，相关问题已经解决或基本解决。",
            "B": f"您提出的建议已部分落实，其余已列入{p.session.year + 1}年工作计划，将分步骤推进实施。",
            "C": "受政策和财力等条件限制，部分建议暂不具备实施条件，我们将留作工作参考，待条件成熟时积极推进。",
        }[result_class]
        plan = tp.PLANS.get(spec.theme_name, tp.PLANS[tp.BUSINESS])
        return (intro + f"　　一、主要工作。{done}\n　　二、办理结果。{verdict}\n　　三、下一步打算。{plan}\n"
                f"　　感谢您对{spec.session.term.committee.place}工作的关心和支持，欢迎继续提出宝贵意见。\n"
                f"{unit.full_name or unit.name}\n（演示数据，系统生成）")

    def doc_no(self, unit: Unit, year: int) -> str:
        n = self.doc_numbers[(unit.pk, year)] = self.doc_numbers.get((unit.pk, year), 0) + 1
        abbr = self.unit_abbr.get(unit.name, unit.name.removeprefix("区")[:2])
        return f"阳{abbr}函〔{year}〕{n}号"

    # -- the lifecycle of one proposal ----------------------------------------------------------
    def lifecycle(self, s: Spec) -> Iterator[dt.datetime]:
        rng = random.Random(f"{self.seed}-{s.key}")
        clock = Clock(s, rng, self.now)
        staff = s.staff or self.staff1
        auditor = self.staff1 if staff is self.staff2 else self.staff2
        if s.session.term.committee_id != self.yq.pk:
            auditor = staff
        yield clock.step("create")
        p = pw.create_proposal(
            actor=s.author, title=s.title, background=s.background, suggestions=s.suggestions,
            cosigners=[u.username for u, _ in s.cosigners], contact=DEMO_CONTACT, session=s.session)
        s.proposal = p
        if s.stop == "draft":
            return
        yield clock.step("submit", 0.05, 2)
        p = pw.submit_proposal(p, actor=s.author)
        for user, accept in s.cosigners:
            if accept is None:
                continue
            t = clock.step("cosign", 0.02, 0.5)
            if p.cosign_deadline and t >= p.cosign_deadline:
                raise RuntimeError(f"{s.key}: co-signature after the deadline")
            yield t
            pw.respond_to_cosign(p, actor=user, accept=accept)
        if s.stop in ("cosigning", "submitted"):
            return
        if s.returned:
            yield clock.step("return", 0.5, 2)
            p = pw.return_proposal(p, actor=staff, note=rng.choice(RETURN_NOTES))
            if s.stop == "returned":
                return
            yield clock.step("resubmit", 0.5, 2)
            p = pw.edit_proposal(p, actor=s.author, changes={
                "background": s.background + "据调查，相关问题在我市较为普遍，群众反映强烈。",
                "suggestions": s.suggestions + ["建立工作台账，明确责任单位和完成时限，定期通报落实情况。"]})
            p = pw.submit_proposal(p, actor=s.author)

        yield clock.step("decide", 2, 10)
        if s.decision == "reject":
            pw.reject_proposal(p, actor=staff, reason_code=s.reason_code, note=REJECT_NOTES.get(s.reason_code, ""))
            return
        if s.decision == "convert":
            pw.convert_proposal(p, actor=staff, note="所提问题较为具体，转有关部门作为意见建议研究办理。")
            return
        if s.decision == "merge":
            host = s.merge_into.proposal
            pw.merge_proposal(p, actor=staff, into=host, note=f"与{host.display_number}提案内容相近，并案办理。")
            return
        p = s.proposal = pw.register_proposal(p, actor=staff, theme=self.theme_of(s), note="")
        if s.stop == "registered":
            return

        # -- assignment (交办) and signing
        plan = list(s.units)
        if s.wrong_lead:
            plan = [(s.wrong_lead if m == Mode.LEAD else u, m) for u, m in plan]
        yield clock.step("assign", 3, 10)
        p = hw.assign_proposal(p, actor=staff, units=[{"unit": u.pk, "mode": m} for u, m in plan])
        lead = next(u for u, m in s.units if m in (Mode.LEAD, Mode.SEPARATE))
        if s.stop == "assigned" and not s.partial_sign:
            return
        if s.wrong_lead or s.return_rejected:
            asking = s.wrong_lead or lead
            yield clock.step("request_return", 0.3, 2.5)
            reason = (f"经研究，该提案反映的问题主要属于{lead.name}职责范围，建议改由{lead.name}主办。" if s.wrong_lead
                      else "该提案涉及多个部门职能，我单位难以牵头办理，申请退回重新交办。")
            p = hw.request_return(p, actor=self.liaison[asking.pk], reason=reason)
            if s.stop == "return_requested":
                return
            yield clock.step("decide_return", 0.5, 2)
            if s.wrong_lead:
                p = hw.decide_return(p, actor=staff, accept=True, units=[{"unit": lead.pk, "mode": Mode.LEAD}],
                                     note=f"同意退回，改由{lead.name}主办。")
            else:
                p = hw.decide_return(p, actor=staff, accept=False,
                                     note="经与两办督查室研究，该提案主要涉及贵单位职能，请按交办意见办理。")
        signers = [u for u, _ in s.units]
        if s.partial_sign:
            signers = signers[:1]
        for unit in signers:
            yield clock.step("sign", 0.1, 2.5)
            p = hw.sign_assignment(p, actor=self.liaison[unit.pk])
        if s.stop == "assigned":
            return
        lead_user = self.liaison[lead.pk]
        if s.consult:
            t = clock.step("consult", 3, 15)
            yield t
            hw.record_consultation(p, actor=lead_user, form=s.consult, date=t.astimezone(TZ).date(),
                                   participants=self.participants(s, lead), outcome=consult_outcome(s, rng))
        if s.stop == "handling" and not s.co_opinions:
            return
        for unit, mode in s.units:
            if mode == Mode.CO:
                yield clock.step("co_opinion", 2, 12)
                hw.record_co_opinion(p, actor=self.liaison[unit.pk], text=co_opinion_text(unit, lead, s, rng))
        if s.stop == "handling":
            return

        # -- replies and their audit
        replying = [u for u, m in s.units if m in (Mode.LEAD, Mode.SEPARATE)]
        year = s.session.year

        def replies(second: bool, result_class: str):
            for unit in replying:
                yield clock.step("reply2" if second else "reply", 30, 80)
                hw.submit_reply(p, actor=self.liaison[unit.pk], result_class=result_class,
                                body=self.reply_body(s, p, unit, result_class, second, bool(s.consult)),
                                signer=self.signers[unit.pk], doc_no=self.doc_no(unit, year))

        yield from replies(False, s.result_class)
        if s.stop == "reply_audit":
            return
        if s.send_back:
            yield clock.step("send_back", 1, 4)
            p = hw.send_back_reply(p, actor=auditor, note=rng.choice(SEND_BACK_NOTES))
            for unit in replying:
                yield clock.step("rewrite", 2, 6)
                hw.submit_reply(p, actor=self.liaison[unit.pk], result_class=s.result_class,
                                body=self.reply_body(s, p, unit, s.result_class, False, bool(s.consult))
                                + "\n（根据审核意见补充了具体落实措施和完成时限。）",
                                signer=self.signers[unit.pk], doc_no=self.doc_no(unit, year))
        approved_at = clock.step("approve", 1, 5)
        yield approved_at
        p = hw.approve_reply(p, actor=auditor, result_class=s.audited_class,
                             note="答复分类调整。" if s.audited_class else "")
        if s.quality:
            yield clock.step("quality", 0.5, 3)
            scores = {d: rng.randint(13, 20) for d in ("science", "seriousness", "feasibility", "norm", "impact")}
            hw.rate_quality(p, actor=lead_user, scores=scores, comment=rng.choice(QUALITY_COMMENTS))
        if s.stop == "replied":
            return

        # -- evaluation, rehandling and closing
        raters = self.raters(s)
        last = raters[-1]
        for user in raters:
            if s.leave_unrated and user is last:
                break
            unhappy = (s.unsatisfied or s.second_unsatisfied) and user is last
            yield clock.step("evaluate", 0.5, 7)
            self.evaluate(p, user, rng, unhappy)
        if s.leave_unrated:
            window_end = deadlines.end_of_day(deadlines.evaluation_due(p.committee, approved_at))  # off holidays
            yield clock.until(max(approved_at + days(p.committee.evaluation_window_days + 1 + rng.random() * 4),
                                  window_end + dt.timedelta(hours=10)))
            hw.close_proposal(p, actor=staff, note="评价期已满，提案人未评价，按程序办结（计为未评价）。")
            return
        if not (s.unsatisfied or s.second_unsatisfied):
            return
        if s.stop == "rehandling":
            return
        t = clock.step("follow_up", 5, 15)
        yield t
        hw.record_consultation(p, actor=lead_user, form=Consultation.Form.FACE_TO_FACE, date=t.astimezone(TZ).date(),
                               participants=self.participants(s, lead),
                               outcome="针对提案人不满意的意见开展跟踪协商，逐条分析原因，明确重新办理的措施和时限。")
        better = {"C": "B", "B": "A", "A": "A"}[s.result_class]
        yield from replies(True, better)
        yield clock.step("approve2", 1, 4)
        p = hw.approve_reply(p, actor=auditor)
        for user in raters:
            unhappy = s.second_unsatisfied and user is last
            yield clock.step("evaluate2", 0.5, 7)
            self.evaluate(p, user, rng, unhappy)
        if s.second_unsatisfied:
            t = clock.step("face_to_face", 3, 10)
            yield t
            hw.record_consultation(p, actor=staff, form=Consultation.Form.FACE_TO_FACE, date=t.astimezone(TZ).date(),
                                   participants=f"提案人、{lead.name}负责同志、市政协提案委员会",
                                   outcome="组织当面协商，承办单位就受条件限制暂难解决的问题作出专门说明，提案人表示理解。")
            yield clock.step("close", 1, 3)
            hw.close_proposal(p, actor=staff, note="经当面协商，作未解决办结，列入跟踪督办。", unresolved=True)

    def theme_of(self, s: Spec) -> Theme:
        themes = self.cq_themes if s.session.term.committee_id == self.cq.pk else self.themes
        return themes[s.theme_name]

    @staticmethod
    def raters(s: Spec) -> list:
        """Who rates: the first proposer (a member, or the collective's clerk) and the co-signers who accepted."""
        return [s.author] + [u for u, accept in s.cosigners if accept]

    @staticmethod
    def evaluate(p: Proposal, user, rng: random.Random, unhappy: bool) -> None:
        Value = hw.Value
        if unhappy:
            attitude, result = Value.BASICALLY_SATISFIED, Value.UNSATISFIED
            comment = rng.choice(UNHAPPY_COMMENTS)
        else:
            attitude = Value.SATISFIED if rng.random() < 0.9 else Value.BASICALLY_SATISFIED
            result = Value.SATISFIED if rng.random() < 0.72 else Value.BASICALLY_SATISFIED
            comment = rng.choice(HAPPY_COMMENTS)
        hw.evaluate_proposal(p, actor=user, attitude=attitude, result=result, comment=comment)

    def proposer_name(self, spec: Spec) -> str:
        """The collective proposer's name, or the first proposer's (no queries: the profiles are loaded)."""
        profile = spec.author.profile
        if profile.organisation_id:
            return self.org_names[profile.organisation_id]
        return profile.display_name

    def participants(self, spec: Spec, unit: Unit) -> str:
        if spec.author.profile.organisation_id:
            who = f"{self.proposer_name(spec)}有关负责同志"
        else:
            who = f"提案人{self.proposer_name(spec)}委员"
        return f"{who}、{unit.name}分管负责同志及业务科室负责人"

    # -- plans ----------------------------------------------------------------------------------
    def plan_plenary(self, *, session: Session, key: str, theme_counts: dict[str, int], collective: list[tuple],
                     merged: int, converted: int, rejected: list[str], submit_from: dt.datetime,
                     review_from: dt.datetime, review_to: dt.datetime, assign_at: dt.datetime,
                     fixed: list[dict], extra: dict) -> list[Spec]:
        """Plan a plenary session: `theme_counts` registered proposals, of which `collective` (org name, n)
        are collective; `merged` / `converted` / `rejected` (reason codes) ones not registered; `fixed`
        proposals given in advance (theme, topic, and optionally title, author, cosigners, stop, flags);
        and the odd cases counted in `extra`, each on a distinct proposal."""
        rng = random.Random(f"{self.seed}-{key}-plan")
        deadline = session.submission_deadline
        slots = [name for name, n in theme_counts.items() for _ in range(n)]
        rng.shuffle(slots)
        orgs = [name for name, n in collective for _ in range(n)]
        active = list(self.active_members)
        rng.shuffle(active)
        author_cycle = iter(active)

        def next_member():
            m = next(author_cycle, None)
            return m if m is not None else rng.choice(self.active_members)

        # the fixed proposals take the first free slots of their theme
        slot_fixed: dict[int, dict] = {}
        for entry in fixed:
            wants_member = "author" in entry
            i = next(i for i, theme in enumerate(slots) if theme == entry["theme"] and i not in slot_fixed
                     and (not wants_member or i >= len(orgs)))
            slot_fixed[i] = entry

        specs: list[Spec] = []
        protected: set[int] = set()
        for i, theme_name in enumerate(slots):
            entry = slot_fixed.get(i, {})
            topic = next(t for t in tp.TOPICS[theme_name] if t.key == entry["topic"]) if entry else None
            topic, text, background, suggestions = self.compose(rng, session, theme_name, topic, entry.get("title"))
            org = self.orgs[orgs[i]] if i < len(orgs) else None
            if org is not None:
                author, cosigners = self.clerk[org.name], []
            else:
                author = entry.get("author") or next_member()
                cosigners = entry.get("cosigners")
                if cosigners is None:
                    cosigners = self.random_cosigners(rng, author) if rng.random() < 0.16 else []
            spec = Spec(key=f"{key}-{i:03d}", session=session, author=author, title=text, background=background,
                        suggestions=suggestions, theme_name=theme_name, topic=topic, cosigners=cosigners)
            spec.units = self.unit_plan(rng, topic)
            spec.result_class = rng.choices("ABC", weights=(46, 42, 12))[0]
            spec.consult = rng.choice(CONSULT_FORMS) if rng.random() < 0.6 else ""
            spec.quality = rng.random() < 0.09
            spec.staff = rng.choice((self.staff1, self.staff2))
            for flag in ("unsatisfied", "stop", "consult", "result_class"):
                if flag in entry:
                    setattr(spec, flag, entry[flag])
            if entry.get("single_lead"):
                spec.units = [(self.units[topic.lead], Mode.LEAD)] + [(self.units[c], Mode.CO) for c in topic.co[:1]]
            if org is not None and org.kind == Organisation.Kind.SECTOR_GROUP:  # only during the plenary
                start = session.plenary_start
                submit = local(start.year, start.month, start.day, 10) + days(rng.uniform(0, 2))
            else:
                latest = deadline - days(4 if cosigners else 1)
                submit = submit_from + (latest - submit_from) * (rng.random() ** 0.6)
            spec.at = {"create": office(submit - days(rng.uniform(0.1, 4))), "submit": office(submit)}
            if entry:
                protected.add(id(spec))
            specs.append(spec)

        pool = [s for s in specs if id(s) not in protected]
        rng.shuffle(pool)

        def take(n, cond=lambda s: True):
            chosen = [s for s in pool if cond(s)][:n]
            for s in chosen:
                pool.remove(s)
            return chosen

        for s in take(extra.get("returned", 0), lambda s: s.at["submit"] < deadline - days(8)):
            s.returned = True
        for s in take(extra.get("unsatisfied", 0)):
            s.unsatisfied = True
        for s in take(extra.get("second_unsatisfied", 0)):
            s.second_unsatisfied = True
        for s in take(extra.get("unrated", 0)):
            s.leave_unrated = True
        for s in take(extra.get("send_back", 0)):
            s.send_back = True
        for s in take(extra.get("reclass", 0)):
            s.audited_class = {"A": "B", "B": "A", "C": "B"}[s.result_class]
        for s in take(extra.get("return_accepted", 0),
                      lambda s: s.topic.co and all(m != Mode.SEPARATE for _, m in s.units)):
            wrong = self.units[s.topic.co[0]]
            s.units = [(u, m) for u, m in s.units if u != wrong]
            s.wrong_lead = wrong
        for s in take(extra.get("return_rejected", 0), lambda s: all(m != Mode.SEPARATE for _, m in s.units)):
            s.return_rejected = True
        for s in take(extra.get("late", 0)):
            s.late = True

        # review: registration in order of arrival, so the numbers follow it
        specs.sort(key=lambda s: s.at["submit"])
        n = len(specs)
        for i, s in enumerate(specs):
            s.at["decide"] = office(max(review_from + (review_to - review_from) * (i / max(n - 1, 1)),
                                        s.at["submit"] + days(1)))
        due = (assign_at + dt.timedelta(days=91)).replace(hour=17)
        for i, s in enumerate(specs):  # the 交办会: everything assigned the same morning
            s.at["assign"] = assign_at + dt.timedelta(seconds=20 * i)
            if s.late:
                s.at["reply"] = office(due + days(rng.uniform(2, 20)))
            else:
                s.at["reply"] = office(assign_at + days(rng.uniform(28, 88)))

        # not registered: merged into a registered host of the same topic, converted, rejected
        others = []
        hosts = [s for s in specs if s.stop == "closed"]
        for j in range(merged):
            host = rng.choice(hosts)
            author = self.clerk[orgs[j]] if j == 0 and orgs else next_member()
            _t, text, background, suggestions = self.compose(rng, session, host.theme_name, host.topic)
            s = Spec(key=f"{key}-merged-{j:02d}", session=session, author=author, title=text, background=background,
                     suggestions=suggestions, theme_name=host.theme_name, topic=host.topic,
                     decision="merge", merge_into=host, staff=self.staff1)
            submit = submit_from + (deadline - days(1) - submit_from) * rng.random()
            s.at = {"create": office(submit - days(rng.uniform(0.1, 3))), "submit": office(submit),
                    "decide": office(review_to + days(rng.uniform(0.5, 3)))}
            others.append(s)
        for j in range(converted):
            title, background, suggestions = tp.CONVERTED[(j + session.year) % len(tp.CONVERTED)]
            others.append(self.simple_spec(rng, f"{key}-converted-{j:02d}", session, next_member(), title, background,
                                           suggestions, "convert", "", submit_from, deadline, review_from, review_to))
        seen: dict[str, int] = {}
        for j, code in enumerate(rejected):
            entries = [e for e in tp.NOT_REGISTERED if e[0] == code]
            k = seen[code] = seen.get(code, -1) + 1
            _c, title, background, suggestions = entries[k % len(entries)]
            others.append(self.simple_spec(rng, f"{key}-rejected-{j:02d}", session, next_member(), title, background,
                                           suggestions, "reject", code, submit_from, deadline, review_from, review_to))
        return specs + others

    def simple_spec(self, rng, key, session, author, title, background, suggestions, decision, code,
                    submit_from, deadline, review_from, review_to) -> Spec:
        s = Spec(key=key, session=session, author=author, title=title, background=background,
                 suggestions=list(suggestions), decision=decision, reason_code=code)
        submit = submit_from + (deadline - days(1) - submit_from) * rng.random()
        s.at = {"create": office(submit - days(rng.uniform(0.1, 3))), "submit": office(submit),
                "decide": office(max(review_from + (review_to - review_from) * rng.random(), submit + days(1)))}
        s.staff = self.staff1
        return s

    def random_cosigners(self, rng, author) -> list[tuple[object, bool | None]]:
        pool = [m for m in self.active_members if m != author]
        chosen = rng.sample(pool, rng.randint(1, 3))
        out = [(u, True) for u in chosen]
        if len(out) > 1 and rng.random() < 0.15:
            out[-1] = (out[-1][0], False)  # declined: does not count as a proposer
        return out

    def unit_plan(self, rng, topic: tp.Topic) -> list[tuple[Unit, str]]:
        lead = self.units[topic.lead]
        r = rng.random()
        if topic.co and r < 0.04:
            return [(lead, Mode.SEPARATE), (self.units[topic.co[0]], Mode.SEPARATE)]
        if topic.co and r < 0.34:
            co = rng.sample(topic.co, k=min(len(topic.co), rng.choice((1, 1, 2))))
            return [(lead, Mode.LEAD)] + [(self.units[c], Mode.CO) for c in co]
        return [(lead, Mode.LEAD)]

    def plan_city_2024(self) -> list[Spec]:
        m1, m2, m3 = self.demo_members
        key_entries = [{"theme": theme, "topic": topic, "title": f"关于{title}的提案", "consult": Consultation.Form.ON_SITE,
                        "result_class": "A", "single_lead": True} for title, theme, topic in tp.KEY_TOPICS_2024]
        specs = self.plan_plenary(
            session=self.s2024, key="y2024",
            theme_counts={tp.INDUSTRY: 122, tp.BUSINESS: 23, tp.CULTURE: 90, tp.LIVELIHOOD: 135, tp.GREEN: 17},
            collective=[(name, n) for _l, name, _k, n in ref.ORGANISATIONS],
            merged=12, converted=11, rejected=["R10", "R10", "R10", "R7", "R7", "R5", "R8", "R6"],
            submit_from=local(2023, 11, 20), review_from=local(2024, 1, 12, 9), review_to=local(2024, 2, 20, 16),
            assign_at=local(2024, 3, 12, 9, 30),
            fixed=key_entries + [
                {"author": m1, "theme": tp.INDUSTRY, "topic": "传统产业", "title": "关于加快推进传统产业改造升级的提案",
                 "cosigners": [(m2, True)]},
                {"author": m1, "theme": tp.INDUSTRY, "topic": "科技创新", "cosigners": [], "unsatisfied": True},
                {"author": m1, "theme": tp.LIVELIHOOD, "topic": "义务教育", "cosigners": []},
                {"author": m2, "theme": tp.LIVELIHOOD, "topic": "学前教育", "cosigners": []},
                {"author": m2, "theme": tp.CULTURE, "topic": "非遗保护", "cosigners": [(m1, True)]},
                {"author": m3, "theme": tp.LIVELIHOOD, "topic": "医疗服务", "cosigners": []},
                {"author": m3, "theme": tp.GREEN, "topic": "碳达峰", "cosigners": [(m1, True), (m2, True)]},
            ],
            extra={"returned": 10, "unsatisfied": 5, "send_back": 6, "reclass": 8, "return_accepted": 3,
                   "return_rejected": 2, "late": 9},
        )
        titles = {e["title"] for e in key_entries}
        self.key_2024 = [s for s in specs if s.title in titles]
        return specs

    def plan_city_2025(self) -> list[Spec]:
        m1, m2, m3 = self.demo_members
        key_entries = [
            {"theme": tp.INDUSTRY, "topic": "专精特新", "title": "关于推动专精特新企业高质量发展的提案",
             "consult": Consultation.Form.FORUM, "single_lead": True},
            {"theme": tp.LIVELIHOOD, "topic": "托育服务", "title": "关于加快发展普惠托育服务体系的提案",
             "consult": Consultation.Form.ON_SITE, "single_lead": True},
        ]
        specs = self.plan_plenary(
            session=self.s2025, key="y2025",
            theme_counts={tp.INDUSTRY: 20, tp.BUSINESS: 5, tp.CULTURE: 14, tp.LIVELIHOOD: 22, tp.GREEN: 4},
            collective=[(name, 1) for _l, name, kind, _n in ref.ORGANISATIONS if kind == Organisation.Kind.PARTY]
            + [("阳泉市工商业联合会", 1), ("市政协提案委员会", 1)],
            merged=4, converted=4, rejected=["R10", "R7", "R8"],
            submit_from=local(2024, 12, 2), review_from=local(2025, 1, 10, 9), review_to=local(2025, 2, 18, 16),
            assign_at=local(2025, 3, 11, 9, 30),
            fixed=key_entries + [
                {"author": m1, "theme": tp.INDUSTRY, "topic": "专精特新", "cosigners": [(m2, True)]},
                {"author": m2, "theme": tp.LIVELIHOOD, "topic": "托育服务", "cosigners": []},
                {"author": m3, "theme": tp.LIVELIHOOD, "topic": "三医协同", "cosigners": [(m1, True)]},
                # two plenary proposals still unanswered long after their due date (超期)
                {"theme": tp.LIVELIHOOD, "topic": "老旧小区", "stop": "handling", "single_lead": True},
                {"theme": tp.CULTURE, "topic": "传统村落", "stop": "handling", "single_lead": True},
            ],
            extra={"returned": 3, "unsatisfied": 3, "second_unsatisfied": 1, "unrated": 2, "send_back": 3,
                   "reclass": 3, "return_accepted": 1, "return_rejected": 1, "late": 6},
        )
        titles = {e["title"] for e in key_entries}
        self.key_2025 = [s for s in specs if s.title in titles]
        return specs

    def plan_recent_2025(self) -> list[Spec]:
        """Interim proposals of recent weeks: every state of the workflow, with the demo accounts' work."""
        rng = random.Random(f"{self.seed}-recent")
        m1, m2, m3 = self.demo_members
        party1 = self.user["party1"]
        gxj, kjj = self.units["市工信局"], self.units["市科技局"]
        now = self.now

        def ago(d: float) -> dt.datetime:
            """In office hours on the day `d` days before now (and never after now)."""
            day = (now - days(d)).astimezone(TZ).replace(hour=9, minute=0)
            return min(day + dt.timedelta(minutes=rng.randint(0, 8 * 60)), now - dt.timedelta(minutes=5))

        specs: list[Spec] = []

        def add(key, author, theme, topic_key, *, title=None, stop, units=None, cosigners=(), times=(), more=None, **kw):
            topic = next(t for t in tp.TOPICS[theme] if t.key == topic_key)
            _t, text, background, suggestions = self.compose(rng, self.s2025, theme, topic, title)
            names = ("create", "submit", "decide", "assign", "reply", "approve", "evaluate")
            at = {n: ago(d) for n, d in zip(names, times, strict=False) if d is not None}
            at.update({n: ago(d) for n, d in (more or {}).items()})
            s = Spec(key=f"recent-{key}", session=self.s2025, author=author, title=text, background=background,
                     suggestions=suggestions, theme_name=theme, topic=topic, cosigners=list(cosigners), stop=stop,
                     units=units or [(self.units[topic.lead], Mode.LEAD)], at=at, scale=0.08,
                     staff=self.staff1, **kw)
            specs.append(s)
            return s

        IND, BUS, CUL, LIV, GRN = tp.INDUSTRY, tp.BUSINESS, tp.CULTURE, tp.LIVELIHOOD, tp.GREEN
        # member1: two drafts, one awaiting member2's co-signature, one returned, one replied to rate
        add("m1-draft-a", m1, IND, "数字经济", title="关于加快发展低空经济产业的提案", stop="draft", times=(3,))
        add("m1-draft-b", m1, LIV, "义务教育", title="关于推进中小学课后服务提质增效的提案", stop="draft", times=(1,))
        add("m1-cosigning", m1, IND, "专精特新", title="关于推动专精特新企业数字化转型的提案", stop="cosigning",
            cosigners=[(m3, True), (m2, None)], times=(2.5, 2))
        add("m1-returned", m1, LIV, "医养结合", title="关于加强城乡社区养老服务和青少年教育工作的提案", stop="returned",
            returned=True, times=(23, 22), more={"return": 16})
        add("m1-replied", m1, IND, "传统产业", title="关于推动传统产业数字化智能化改造的提案", stop="replied",
            units=[(gxj, Mode.LEAD), (kjj, Mode.CO)], consult=Consultation.Form.FACE_TO_FACE,
            times=(119, 118, 112, 105, 14, 9))
        # party1 (民革): one being handled by 市科技局, one just submitted
        add("party1-handling", party1, IND, "成果转化", title="关于加快科技成果转化、培育新质生产力的提案",
            stop="handling", units=[(kjj, Mode.LEAD)], consult=Consultation.Form.FORUM, times=(67, 66, 60, 55))
        add("party1-submitted", party1, LIV, "医养结合", title="关于完善农村养老服务体系的提案", stop="submitted",
            times=(5, 4))
        # staff1's review queue
        for j, (author, theme, topic) in enumerate([(m3, LIV, "停车难"), (self.members[10], CUL, "文旅融合"),
                                                   (self.members[11], GRN, "公交优先"), (self.members[12], BUS, "营商环境")]):
            add(f"queue-{j}", author, theme, topic, stop="submitted", times=(7 - j, 6 - j))
        for j, (theme, topic) in enumerate([(LIV, "老旧小区"), (IND, "招商引资"), (CUL, "全民健身")]):
            add(f"registered-{j}", self.members[20 + j], theme, topic, stop="registered", times=(14 + j, 13 + j, 4 - j))
        host = add("host", self.members[30], LIV, "就业", stop="assigned", times=(20, 19, 12, 2.5))
        merged = add("merged", self.members[31], LIV, "就业", stop="closed", decision="merge", times=(10, 9, 6))
        merged.merge_into = host
        add("converted", self.members[32], LIV, "停车难", stop="closed", decision="convert", times=(10, 9, 5),
            title="关于在某小学门口设置临时停车区的提案")
        s = add("rejected", self.members[33], BUS, "城市管理", stop="closed", decision="reject", reason_code="R10",
                times=(11, 10, 5), title="关于进一步改进城市工作的提案")
        s.background, s.suggestions = "城市工作还有不少需要改进的地方。", ["希望有关部门重视。"]
        # unit_gxj / unit_kjj: to sign, a return request, to handle, to reply, to re-handle
        add("gxj-sign-a", self.members[40], IND, "传统产业", stop="assigned", units=[(gxj, Mode.LEAD),
            (self.units["市发改委"], Mode.CO)], times=(16, 15, 10, 2))
        add("gxj-sign-b", self.members[41], IND, "数字经济", stop="assigned", units=[(gxj, Mode.LEAD)],
            times=(13, 12, 8, 1))
        add("kjj-sign", self.members[42], IND, "科技创新", stop="assigned", units=[(kjj, Mode.LEAD)], times=(12, 11, 7, 1))
        add("kjj-co-sign", self.members[43], IND, "专业镇", stop="assigned", partial_sign=True,
            units=[(gxj, Mode.LEAD), (kjj, Mode.CO)], times=(14, 13, 9, 3))
        add("kjj-return", self.members[44], IND, "专精特新", stop="return_requested", units=[(kjj, Mode.LEAD)],
            return_rejected=True, times=(12, 11, 8, 3.5))
        add("gxj-handling-a", self.members[45], IND, "专业镇", stop="handling", units=[(gxj, Mode.LEAD)],
            consult=Consultation.Form.PHONE, times=(52, 51, 47, 44))
        add("gxj-handling-b", self.members[46], IND, "传统产业", stop="handling", co_opinions=False,
            units=[(gxj, Mode.LEAD), (kjj, Mode.CO)], times=(40, 39, 36, 33))
        add("kjj-handling", m2, GRN, "碳达峰", stop="handling", units=[(kjj, Mode.LEAD)], times=(45, 44, 40, 37))
        add("gxj-audit", self.members[47], IND, "数字经济", stop="reply_audit", units=[(gxj, Mode.LEAD)],
            consult=Consultation.Form.FACE_TO_FACE, times=(78, 77, 72, 68, 3))
        add("kjj-audit", self.members[48], IND, "成果转化", stop="reply_audit", units=[(kjj, Mode.LEAD)],
            times=(70, 69, 64, 60, 2), result_class="B")
        add("m3-replied", m3, LIV, "医疗服务", stop="replied", times=(90, 89, 84, 80, 10, 5), result_class="B")
        add("window-passed", self.members[49], CUL, "公共文化", stop="replied", times=(95, 94, 90, 85, 28, 22))
        add("m3-rehandling", m3, IND, "传统产业", stop="rehandling", unsatisfied=True, units=[(gxj, Mode.LEAD)],
            result_class="C", times=(110, 109, 104, 100, 40, 36, 30))
        add("gxj-closed", self.members[50], IND, "数字经济", stop="closed", units=[(gxj, Mode.LEAD)],
            times=(100, 99, 95, 90, 30, 26, 20))
        add("kjj-closed", party1, IND, "科技创新", title="关于完善科技型中小企业梯度培育政策的提案", stop="closed",
            units=[(kjj, Mode.LEAD)], times=(104, 103, 98, 93, 35, 31, 25))
        return specs

    def plan_county(self) -> list[Spec]:
        rng = random.Random(f"{self.seed}-county")
        members = [self.user[f"cq_m{i:02d}"] for i in range(1, 13)]
        staff = self.user["cq_staff"]
        plan = [
            (tp.LIVELIHOOD, "老旧小区", "区住建局"), (tp.LIVELIHOOD, "老年食堂", "区民政局"),
            (tp.LIVELIHOOD, "义务教育", "区教育局"), (tp.CULTURE, "公共文化", "区文旅局"),
            (tp.INDUSTRY, "民营经济", "区经信局"), (tp.LIVELIHOOD, "学前教育", "区教育局"),
            (tp.BUSINESS, "物业管理", "区住建局"), (tp.CULTURE, "传统村落", "区文旅局"),
        ]
        specs = []
        for i, (theme, topic_key, unit_name) in enumerate(plan):
            topic = next(t for t in tp.TOPICS[theme] if t.key == topic_key)
            _t, text, background, suggestions = self.compose(rng, self.cq2024, theme, topic)
            submit = office(local(2023, 12, 10) + days(rng.uniform(0, 22)))
            s = Spec(key=f"cq-{i}", session=self.cq2024, author=members[i], title=text, background=background,
                     suggestions=suggestions, theme_name=theme, topic=None, staff=staff,
                     units=[(self.cq_units[unit_name], Mode.LEAD)], result_class=rng.choice("AAB"),
                     at={"create": submit - days(1), "submit": submit, "decide": local(2024, 1, 15) + days(i),
                         "assign": local(2024, 3, 5, 10) + dt.timedelta(minutes=i),
                         "reply": local(2024, 4, 20) + days(rng.uniform(0, 40))})
            specs.append(s)
        title, background, suggestions = tp.CONVERTED[3]
        specs.append(self.simple_spec(rng, "cq-converted", self.cq2024, members[9], title, background, suggestions,
                                      "convert", "", local(2023, 12, 10), self.cq2024.submission_deadline,
                                      local(2024, 1, 15), local(2024, 1, 25)))
        specs[-1].staff = staff
        s = Spec(key="cq-pending", session=self.cq2024, author=members[10], title="关于加强城区背街小巷环境整治的提案",
                 background="城区部分背街小巷环境脏乱，群众反映较多。", suggestions=["建立背街小巷长效管护机制。",
                                                                      "分批实施背街小巷改造提升。"],
                 stop="submitted", at={"create": office(self.now - days(6)), "submit": office(self.now - days(5))})
        specs.append(s)
        return specs

    # -- key proposals and supervision ------------------------------------------------------------
    def key_proposal_scripts(self) -> list[tuple[str, Iterator[dt.datetime]]]:
        l1, l2, l3, l4 = self.leaders
        by_topic = {topic: [s for s in self.key_2024 if s.topic.key == topic] for _t, _th, topic in tp.KEY_TOPICS_2024}
        scripts = []
        plans_2024 = [
            ("推动“医养结合”健康发展，提升养老服务水平", by_topic["医养结合"], l1, l2, [
                (local(2024, 4, 18, 9), "survey", "深入公办民营养老机构实地调研，了解医养结合服务开展情况。"),
                (local(2024, 5, 16, 15), "forum", "召开座谈会，听取养老机构、医疗机构和提案人意见，深度协商。"),
                (local(2024, 7, 11, 9), "inspection", "视察康养项目建设现场，推动医养结合项目落地。")]),
            ("持续优化法治化营商环境", by_topic["法治营商"], l1, l3, [
                (local(2024, 4, 25, 9), "forum", "市县（区）联动协商，多渠道收集企业对法治化营商环境的意见。"),
                (local(2024, 6, 6, 15), "meeting", "召开督办会，形成对策建议报市委市政府参考。")]),
            ("加强农村道路建设", by_topic["农村道路"], l4, l2, [
                (local(2024, 5, 22, 9), "inspection", "把办理协商会开在田间地头，实地查看农村道路建设成果。")]),
            ("保障农村饮用水安全", by_topic["农村饮水"], l4, l3, [
                (local(2024, 6, 13, 9), "survey", "深入乡村供水工程现场调研，现场协商水质保障措施。")]),
            ("推进社区老年食堂建设", by_topic["老年食堂"], l1, l2, [
                (local(2024, 5, 9, 10), "visit", "走进街道社区老年食堂，实地查看办理成果，听取老年人意见。")]),
        ]
        for topic, specs, lead, sup, activities in plans_2024:
            scripts.append((f"key-{topic}", self.key_script(self.s2024, topic, specs, lead, sup,
                                                            local(2024, 3, 20, 10), activities)))
        k25 = {s.topic.key: s for s in self.key_2025}
        scripts.append(("key-2025-zjtx", self.key_script(
            self.s2025, "推动专精特新企业高质量发展", [k25["专精特新"]], l1, l2, local(2025, 3, 19, 10), [
                (local(2025, 4, 24, 9), "visit", "走访市中小企业发展中心和专精特新企业，督办政策落实。"),
                (local(2025, 6, 5, 15), "meeting", "召开重点提案督办会，协调解决企业融资和人才问题。")])))
        scripts.append(("key-2025-ty", self.key_script(
            self.s2025, "发展普惠托育服务", [k25["托育服务"]], l1, l3, local(2025, 3, 19, 11), [
                (local(2025, 5, 15, 9), "survey", "调研普惠托育机构和幼儿园托班建设情况。")])))
        return scripts

    def key_script(self, session, topic, specs, lead, supervisor, when, activities) -> Iterator[dt.datetime]:
        yield when
        key = sw.designate_key_proposal(
            actor=self.staff1, session=session, topic=topic, proposals=[s.proposal for s in specs],
            lead_leader=lead, supervising_leader=supervisor,
            plan=f"由{lead.profile.display_name}领办、{supervisor.profile.display_name}督办，"
                 "坚持党政领办、政协督办，“面对面”开展协商督办活动。")
        for moment, form, minutes in activities:
            yield moment
            sw.record_supervision_activity(
                key, actor=supervisor, form=SupervisionActivity.Form(form), date=moment.astimezone(TZ).date(),
                participants=f"{supervisor.profile.display_name}、{lead.profile.display_name}、提案人代表、承办单位负责同志",
                minutes=minutes)

    # -- the scheduler -------------------------------------------------------------------------
    def run(self, scripts: list[tuple[str, Iterator[dt.datetime]]]) -> None:
        heap: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
        for i, (_name, gen) in enumerate(scripts):
            first = next(gen, None)
            if first is not None:
                heap.append((first, i, gen))
        heapq.heapify(heap)
        total, done = len(scripts), len(scripts) - len(heap)
        block, day, last = None, None, None
        try:
            while heap:
                moment, i, gen = heapq.heappop(heap)
                if moment > self.now:
                    raise RuntimeError(f"{scripts[i][0]}: step planned in the future ({moment:%Y-%m-%d %H:%M})")
                today = moment.astimezone(TZ).date()
                if today != day:
                    if block is not None:
                        self.commit(block, last)
                    block, day = transaction.atomic(), today
                    block.__enter__()
                last = moment
                with time_machine.travel(moment, tick=False):
                    try:
                        following = next(gen)
                    except StopIteration:
                        done += 1
                        self.progress(done, total)
                        continue
                    except DomainError as e:
                        raise RuntimeError(f"{scripts[i][0]} at {moment:%Y-%m-%d %H:%M}: {e.message}") from e
                if following < moment:
                    raise RuntimeError(f"{scripts[i][0]}: steps out of order")
                heapq.heappush(heap, (following, i, gen))
            if block is not None:
                self.commit(block, last)
                block = None
        finally:
            if block is not None:
                block.__exit__(*sys.exc_info())

    @staticmethod
    def commit(block, moment: dt.datetime) -> None:
        with time_machine.travel(moment, tick=False):  # notifications are created on commit, that day
            block.__exit__(None, None, None)

    def mark_old_notifications_read(self) -> None:
        Notification.objects.filter(
            user__profile__committee__code__in=DEMO_COMMITTEES, read_at__isnull=True, at__lt=self.now - days(30)
        ).update(read_at=F("at") + days(1))

    def summary(self) -> dict:
        out = {}
        for session in Session.objects.filter(term__committee__code__in=DEMO_COMMITTEES).select_related("term__committee"):
            rows = dict(Proposal.objects.filter(session=session).values_list("state").annotate(n=Count("id")).order_by())
            out[f"{session.term.committee.short_name}{session.year}"] = {
                st.value: rows[st.value] for st in State if rows.get(st.value)}
        return out


# ---- texts of the steps --------------------------------------------------------------------------

CONSULT_FORMS = (Consultation.Form.FACE_TO_FACE, Consultation.Form.FACE_TO_FACE, Consultation.Form.FORUM,
                 Consultation.Form.PHONE, Consultation.Form.ON_SITE)
RETURN_NOTES = (
    "请进一步聚焦一个问题（一事一案），补充本地情况分析和具体可行的建议后再提交。",
    "情况分析较为简略，请补充相关数据和调研情况。",
    "建议部分较为原则，请细化具体措施后重新提交。",
)
REJECT_NOTES = {
    "R10": "内容空泛，没有具体建议，不予立案。",
    "R7": "属于为本人或亲属解决个人问题，不予立案，建议通过信访等渠道反映。",
    "R5": "所涉事项已进入诉讼程序，不予立案。",
    "R8": "属于宣传、推介具体产品，不予立案。",
    "R6": "属于学术研讨内容，不予立案。",
}
SEND_BACK_NOTES = (
    "答复内容较为原则，请补充具体落实措施和完成时限。",
    "答复未逐条回应提案建议，请修改完善后重新报送。",
    "请补充与提案人沟通协商的情况。",
)
QUALITY_COMMENTS = ("选题精准，建议具有较强的针对性和可操作性。", "调研扎实，情况分析深入。",
                    "建议较为具体，部分措施需结合财力统筹考虑。", "")
HAPPY_COMMENTS = ("办理态度认真，答复具体，措施可行。", "沟通及时，办理扎实。", "希望持续跟踪落实。", "", "", "")
UNHAPPY_COMMENTS = ("答复内容较为原则，具体措施和时间表不明确，希望重新办理。",
                    "办理中未与提案人沟通，答复未回应核心建议。")


def consult_outcome(s: Spec, rng: random.Random) -> str:
    core = s.topic.cores[0] if s.topic else "提案所提问题"
    return {
        Consultation.Form.FACE_TO_FACE: f"办前面商：与提案人就{core}的办理思路和重点进行沟通，提案人对办理方案表示认可。",
        Consultation.Form.FORUM: f"召开提案办理座谈会，邀请提案人和相关部门参加，就{core}听取意见建议，形成办理措施。",
        Consultation.Form.PHONE: "电话沟通办理进展，介绍拟采取的措施，提案人表示理解和支持。",
        Consultation.Form.ON_SITE: f"邀请提案人实地查看{core}推进情况，把协商会开在现场，现场协商解决具体问题。",
    }.get(s.consult, "与提案人沟通办理情况。")


def co_opinion_text(unit: Unit, lead: Unit, s: Spec, rng: random.Random) -> str:
    return rng.choice((
        f"{unit.name}会办意见：同意{lead.name}的办理意见。我单位将结合职能，在政策衔接和资金保障方面予以配合。",
        f"{unit.name}会办意见：建议在答复中补充我单位已开展的相关工作，我单位将积极配合{lead.name}推进落实。",
        f"{unit.name}会办意见：经研究，提案所提建议与我单位年度重点工作相衔接，将配合主办单位抓好落实。",
    ))


# ---- reset ---------------------------------------------------------------------------------------

def reset_demo() -> int:
    """Delete the demo committees (yq, cq) with everything in them, their audit events and the demo users.
    Returns the number of proposals deleted."""
    from jianyan.core.audit import purge_events
    from jianyan.core.models import AuditEvent
    from jianyan.handling.models import (
        Assignment,
        CoOpinion,
        Evaluation,
        QualityRating,
        Reply,
        ReturnRequest,
    )
    from jianyan.people.models import ReasonCode
    from jianyan.supervision.models import KeyProposal

    committees = sorted(Committee.objects.filter(code__in=DEMO_COMMITTEES), key=lambda c: c.parent_id is None)
    with transaction.atomic():
        users = User.objects.filter(profile__is_demo=True) | User.objects.filter(profile__committee__in=committees)
        user_ids = list(users.values_list("id", flat=True))
        proposals = Proposal.objects.filter(committee__in=committees)
        n = proposals.count()
        purge_events(AuditEvent.objects.filter(committee__in=committees))  # the append-only table's one way out
        purge_events(AuditEvent.objects.filter(proposal__in=proposals))
        purge_events(AuditEvent.objects.filter(actor_id__in=user_ids))
        Notification.objects.filter(proposal__in=proposals).delete()
        unpublish_demo(proposals)
        reset_supervision_demo(committees, proposals)
        SupervisionActivity.objects.filter(key_proposal__committee__in=committees).delete()
        KeyProposal.objects.filter(committee__in=committees).delete()
        try:  # files uploaded while trying the demo (a reply letter protects its reply)
            apps.get_model("proposals", "Attachment").objects.filter(proposal__in=proposals).delete()
        except LookupError:
            pass
        QualityRating.objects.filter(proposal__in=proposals).delete()
        Evaluation.objects.filter(proposal__in=proposals).delete()
        Reply.objects.filter(proposal__in=proposals).delete()
        CoOpinion.objects.filter(assignment__proposal__in=proposals).delete()
        ReturnRequest.objects.filter(assignment__proposal__in=proposals).delete()
        Consultation.objects.filter(proposal__in=proposals).delete()
        Assignment.objects.filter(proposal__in=proposals).delete()
        Proposer.objects.filter(proposal__in=proposals).delete()
        proposals.update(merge_host=None)
        proposals.delete()
        Profile.objects.filter(user_id__in=user_ids).delete()
        User.objects.filter(id__in=user_ids).delete()
        for model in (Unit, Theme, ReasonCode, Organisation, Sector):
            model.objects.filter(committee__in=committees).delete()
        Session.objects.filter(term__committee__in=committees).delete()
        Term.objects.filter(committee__in=committees).delete()
        for c in committees:  # counties (with a parent) first
            c.delete()
    return n


# ---- publication (提案公开) ----------------------------------------------------------------------

DEMO_PHONE = "139-0000-0000"  # clearly fake; the demo's one redacted passage
PUBLIC_WORDS = ("养老", "公交", "电梯")  # the public search's examples: some published titles contain each


def publish_demo(b: DemoBuilder) -> None:
    """Publish a share of the closed proposals of the city committee (each proposer consents first), one with a
    fake phone number in its body redacted, and mark one closed proposal secret. Through disclosure.workflow."""
    from jianyan.disclosure import workflow as dw

    redacted = demo_redacted_proposal(b)
    closed = list(Proposal.objects.filter(committee=b.yq, state=State.CLOSED, is_secret=False)
                  .exclude(pk=redacted.pk).order_by("id"))
    chosen = []
    for word in PUBLIC_WORDS:
        chosen += [p for p in closed if word in p.title and p not in chosen][:4]
    chosen += [p for i, p in enumerate(closed) if i % 12 == 0 and p not in chosen]
    left = [p for p in closed if p not in chosen]
    secret = next((p for p in left if "电梯" in p.title), left[0])
    staff = b.staff1

    def at(p: Proposal) -> dt.datetime:
        return min(p.closed_at + days(3), b.now - dt.timedelta(minutes=10))

    for p in sorted(chosen + [redacted, secret], key=at):
        with time_machine.travel(office(at(p)), tick=False), transaction.atomic():
            dw.give_publish_consent(p, actor=p.created_by)
            if p.pk == secret.pk:
                dw.mark_secret(p, actor=staff, note="演示：涉及尚未公开的工作安排，不予公开。")
            elif p.pk == redacted.pk:
                dw.approve_publication(p, actor=staff, redactions={"body": [DEMO_PHONE]})
            else:
                dw.approve_publication(p, actor=staff)


def demo_redacted_proposal(b: DemoBuilder) -> Proposal:
    """One more closed 2025 proposal whose body carries a (fake) phone number: the demo of redaction."""
    topic = next(t for t in tp.TOPICS[tp.GREEN] if t.key == "公交优先")
    spec = Spec(
        key="public-redacted", session=b.s2025, author=b.members[60], title="关于优化公交站点设置方便老年人出行的提案",
        background=("部分公交站点离居民区较远，站台缺少座椅和遮阳设施，老年人候车不便。"
                    f"提案人在走访中收集了居民意见，联系人：李某（电话 {DEMO_PHONE}，演示用虚构号码）。"),
        suggestions=["结合社区分布优化公交站点设置。", "为站台配备座椅和遮阳设施。"],
        theme_name=tp.GREEN, topic=topic, units=[(b.units[topic.lead], Mode.LEAD)],
        at={"create": b.now - days(150)}, scale=0.3, staff=b.staff1,
    )
    b.run([(spec.key, b.lifecycle(spec))])
    return Proposal.objects.get(pk=spec.proposal.pk)


def unpublish_demo(proposals) -> None:
    """reset_demo: the demo's publications and their search entries go before the proposals."""
    from jianyan import search
    from jianyan.disclosure.models import Publication

    publications = Publication.objects.filter(proposal__in=proposals)
    for pk in publications.values_list("pk", flat=True):
        search.remove_publication(pk)
    publications.delete()


def build_demo(*, progress: Callable[[int, int], None] | None = None, seed: int = 2024) -> dict:
    """Build the demo data; returns {session label: {state: count}}."""
    return DemoBuilder(seed=seed, progress=progress).build()
