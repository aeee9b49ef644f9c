"""Synthetic data for load tests: N proposals (default 1,000,000) across 10 years and 10 committees, with
members, collective proposers, units, staff, assignments, replies, evaluations, publications and the public
search index, written by COPY (jianyan.exchange.bulk, the importer's fast path) in a few minutes.

    .venv/bin/python bench/generate_data.py [--proposals 1000000] [--committees 10] [--years 10]
        [--pg postgres://postgres@127.0.0.1:5432/jianyan_load_h2load] [--keep] [--similar]

Everything is marked synthetic: every committee is named "示例…（压测合成数据）", every background ends with
SYNTHETIC, every account is a demo account (Profile.is_demo; password DEMO_PASSWORD, so a server with
DEBUG off needs JIANYAN_ALLOW_DEMO=1 to let them in).

A script and not a management command: it creates (drops first) its own scratch database and is run by
bench/load_bench.py; the app has no use for it. `generate()` alone writes into the configured database
(the test calls it on SQLite).

Why rows and not the workflow: the workflow replays ~60 queries per proposal (hours for a million). As in
jianyan.exchange.importer, each proposal gets exactly the rows the workflow leaves behind for its final
state, so the pages and statistics read generated proposals as workflow-made ones:
  draft/cosigning      the first proposer (+ co-signers PENDING; cosigning has a cosign deadline)
  submitted/returned   submitted_at; co-signers ACCEPTED; returned has a decision note
  not_registered/converted/merged   decided_at (+ reason code / merge host)
  registered           + number (gapless per session, in submission order), theme, decided_at
  assigned             + active assignments (lead or separate units, co units), due date, unsigned
  handling             + every assignment signed
  reply_audit          + a PENDING reply of every lead/separate unit
  replied              + replies APPROVED (audited)
  closed               + one evaluation per accepted proposer, closed_at (closed_unresolved if one is 不满意)
Past sessions are (almost) all decided and closed; the current session (its plenary three weeks ago) is
the peak in progress, with proposals in every state above. Not generated: return requests, rehandling,
consultations, co-opinions, extensions, notifications, key proposals (the load test makes its own).
One audit event per proposal (proposal.imported, data.synthetic), like the importer.
Derived tables: the public search index (disclosure_search) is filled with the publications, the statistics'
per-proposal facts (reports.facts) are computed at the end, and the similar-proposal
index only with --similar (`jianyan reindex-similar`, long at 1,000,000). `--derived-only` migrates an
existing generated database and recomputes them (after new migrations)."""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/jianyan_load_h2load"
TZ = ZoneInfo("Asia/Shanghai")
SYNTHETIC = "（压测合成数据，非真实提案）"
MEMBERS_PER_COMMITTEE = 800
STAFF_PER_COMMITTEE = 5

# Final states and their shares: past sessions are finished, the current one is at its peak.
PAST_STATES = {"closed": 0.875, "replied": 0.005, "not_registered": 0.05, "converted": 0.04, "merged": 0.03}
CURRENT_STATES = {"draft": 0.08, "cosigning": 0.02, "submitted": 0.18, "returned": 0.02, "registered": 0.12,
                  "assigned": 0.14, "handling": 0.24, "reply_audit": 0.05, "replied": 0.06, "closed": 0.03,
                  "not_registered": 0.03, "converted": 0.02, "merged": 0.01}
SUBMITTED = {"submitted", "returned", "not_registered", "converted", "merged", "registered", "assigned", "handling",
             "reply_audit", "replied", "closed"}
NUMBERED = {"registered", "assigned", "handling", "reply_audit", "replied", "closed"}
ASSIGNED = {"assigned", "handling", "reply_audit", "replied", "closed"}
SIGNED = {"handling", "reply_audit", "replied", "closed"}
REPLIED = {"reply_audit", "replied", "closed"}
PUBLISH_SHARE = 0.2  # of the closed proposals of past sessions: consent given and published


def setup_django(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
    import django

    django.setup()


def local(d: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


class Picker:
    """rng.choices with precomputed cumulative weights (called millions of times)."""

    def __init__(self, shares: dict):
        self.keys = list(shares)
        total, self.cum = 0.0, []
        for v in shares.values():
            total += v
            self.cum.append(total)

    def __call__(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class Place:
    """One committee's reference rows, by id."""
    committee_id: int
    members: list[int]
    clerks: dict[int, int]  # organisation id -> clerk user id
    org_kinds: dict[int, str]
    staff: list[int]
    units: dict[str, int]  # unit name -> id
    unit_names: dict[int, str]
    themes: dict[str, int]
    reasons: list[int]
    sessions: list  # Session objects, oldest first


# ---- reference data: committees, sessions, units, organisations, accounts -----------------------------

def build_reference(committees: int, years: int, now: dt.datetime, rng: random.Random,
                    members_per_committee: int = MEMBERS_PER_COMMITTEE) -> list[Place]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from jianyan.demo import reference as ref
    from jianyan.demo.builder import DEMO_PASSWORD
    from jianyan.people.models import (
        Committee,
        Organisation,
        Profile,
        ReasonCode,
        Role,
        Sector,
        Session,
        Term,
        Theme,
        Unit,
    )
    from jianyan.people.setup import seed_reason_codes, seed_themes

    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # one Argon2 hash shared by every account (hashing is slow)
    first_year = now.year - years + 1
    places = []
    for c in range(1, committees + 1):
        code = f"s{c:02d}"
        committee = Committee.objects.create(code=code, name=f"示例第{c}市政协（压测合成数据）",
                                             short_name=f"示例{c}市政协", place=f"示例{c}市")
        seed_reason_codes(committee)
        seed_themes(committee)
        sessions = []
        for year in range(first_year, now.year + 1):
            term_number = 10 + (year - first_year) // 5
            term, _ = Term.objects.get_or_create(committee=committee, number=term_number,
                                                 defaults={"start_year": first_year + (term_number - 10) * 5})
            if year == now.year:  # the session at its peak: plenary three weeks ago, submissions still open
                start = (now - dt.timedelta(days=21)).date()
                session = Session(term=term, sitting=year - term.start_year + 1, year=year, plenary_start=start,
                                  plenary_end=start + dt.timedelta(days=3),
                                  submission_deadline=now + dt.timedelta(days=7),
                                  assignment_meeting_date=(now - dt.timedelta(days=7)).date())
            else:
                session = Session(term=term, sitting=year - term.start_year + 1, year=year,
                                  plenary_start=dt.date(year, 1, 8), plenary_end=dt.date(year, 1, 11),
                                  submission_deadline=local(dt.date(year, 1, 11), 12),
                                  assignment_meeting_date=dt.date(year, 3, 10))
            session.save()
            sessions.append(session)
        sectors = Sector.objects.bulk_create(Sector(committee=committee, name=n) for n in ref.SECTORS)
        orgs = Organisation.objects.bulk_create(
            Organisation(committee=committee, name=f"{name.replace('阳泉', f'示例{c}')}", kind=kind)
            for _login, name, kind, _n in ref.ORGANISATIONS)
        units = Unit.objects.bulk_create(
            Unit(committee=committee, name=name, full_name=full.replace("阳泉", f"示例{c}"), system=system,
                 duties=duties)
            for _code, name, full, system, _abbr, duties in ref.UNITS)
        people = []  # (username, role, name, extra)
        people += [(f"{code}_m{i:03d}", Role.MEMBER, ref.person_name(rng), {"sector": rng.choice(sectors)})
                   for i in range(1, members_per_committee + 1)]
        people += [(f"{code}_{login}", Role.CLERK, ref.person_name(rng), {"organisation": org})
                   for (login, *_r), org in zip(ref.ORGANISATIONS, orgs, strict=True)]
        people += [(f"{code}_staff{i}", Role.STAFF, ref.person_name(rng), {}) for i in range(1, STAFF_PER_COMMITTEE + 1)]
        people += [(f"{code}_unit_{u_code}", Role.UNIT, f"{unit.name}联络员 {ref.person_name(rng)}", {"unit": unit})
                   for (u_code, *_r), unit in zip(ref.UNITS, units, strict=True)]
        User.objects.bulk_create(User(username=u, password=password, last_name=n) for u, _r, n, _e in people)
        by_name = dict(User.objects.filter(username__startswith=f"{code}_").values_list("username", "pk"))
        Profile.objects.bulk_create(
            Profile(user_id=by_name[u], committee=committee, role=role, display_name=n, is_demo=True,
                    title="示例账号（压测合成数据）", **extra) for u, role, n, extra in people)
        places.append(Place(
            committee_id=committee.pk,
            members=[by_name[p[0]] for p in people if p[1] == Role.MEMBER],
            clerks={org.pk: by_name[f"{code}_{login}"] for (login, *_r), org in zip(ref.ORGANISATIONS, orgs,
                                                                                     strict=True)},
            org_kinds={org.pk: org.kind for org in orgs},
            staff=[by_name[f"{code}_staff{i}"] for i in range(1, STAFF_PER_COMMITTEE + 1)],
            units={u.name: u.pk for u in units}, unit_names={u.pk: u.name for u in units},
            themes=dict(Theme.objects.filter(committee=committee).values_list("name", "pk")),
            reasons=list(ReasonCode.objects.filter(committee=committee).values_list("pk", flat=True)),
            sessions=sessions))
    return places


# ---- texts ---------------------------------------------------------------------------------------------

class Texts:
    def __init__(self):
        from jianyan.demo import topics as tp
        from jianyan.demo.builder import DemoBuilder

        self.tp = tp
        self.title_for = DemoBuilder.title_for
        self.topics = [(theme, t) for theme, ts in tp.TOPICS.items() for t in ts]
        self.pick_topic = Picker({i: t.weight for i, (_theme, t) in enumerate(self.topics)})

    def proposal(self, rng: random.Random):
        theme, topic = self.topics[self.pick_topic(rng)]
        title = self.title_for(rng, topic, theme)
        sentences = [rng.choice(topic.situation)]
        sentences += rng.sample(topic.problems, k=min(len(topic.problems), rng.randint(1, 2)))
        if rng.random() < 0.4:
            sentences.append(rng.choice(self.tp.CLOSINGS[theme]))
        k = rng.randint(2, min(5, len(topic.suggestions)))
        suggestions = [topic.suggestions[i] for i in sorted(rng.sample(range(len(topic.suggestions)), k))]
        return theme, topic, title, "".join(sentences) + SYNTHETIC, suggestions

    def reply(self, topic, unit_name: str, title: str, result_class: str, lead: bool) -> str:
        done = topic.done if lead else (f"我们结合本单位职能，对提案所提建议逐条研究，在{topic.cores[0]}中承担的相关工作"
                                        "已纳入年度工作安排。")
        verdict = {"A": "您提出的建议已吸收采纳，相关问题已经解决或基本解决。",
                   "B": "您提出的建议已部分落实，其余已列入下一年度工作计划，将分步骤推进实施。",
                   "C": "受政策和财力等条件限制，部分建议暂不具备实施条件，我们将留作工作参考。"}[result_class]
        return (f"您提出的《{title}》收悉。{unit_name}高度重视，及时研究办理，现答复如下：\n"
                f"一、主要工作。{done}\n二、办理结果。{verdict}\n感谢您的关心和支持。\n{SYNTHETIC}")


_PIECE = re.compile(r"(?<=[。\n；：])")
_word_cache: dict[str, str] = {}


def index_words_cached(text: str) -> str:
    """jianyan.search.text.index_words piece by piece (sentences and lines are word boundaries for the
    segmenter), each distinct piece segmented once: generated texts repeat their sentences."""
    from jianyan.search.text import index_words

    out = []
    for piece in _PIECE.split(text):
        words = _word_cache.get(piece)
        if words is None:
            words = _word_cache[piece] = index_words(piece)
        if words:
            out.append(words)
    return " ".join(out)


# ---- proposals -----------------------------------------------------------------------------------------

@dataclass
class Plan:
    """One generated proposal before its rows are written."""
    state: str
    kind_user: int | None
    org: int | None
    proposer_type: str
    cosigners: list[int]
    theme: str
    topic: object
    title: str
    background: str
    suggestions: list[str]
    moments: dict
    number: int | None = None
    lead_units: tuple = ()
    co_units: tuple = ()
    result_class: str = "A"
    ratings: tuple = ()  # (attitude, result) per accepted proposer
    published: bool = False


class Writer:
    def __init__(self, now: dt.datetime):
        from jianyan.core.models import AuditEvent
        from jianyan.disclosure.models import Publication
        from jianyan.exchange.bulk import Inserter
        from jianyan.handling.models import Assignment, Evaluation, Reply
        from jianyan.proposals.models import Proposal, Proposer

        self.now = now
        self.proposals = Inserter(Proposal, [
            "id", "committee_id", "session_id", "kind", "proposer_type", "organisation_id", "created_by_id", "title",
            "background", "suggestions", "contact", "state", "number", "theme_id", "reject_reason_id",
            "merge_host_id", "decision_note", "publish_consent", "closed_unresolved", "cosign_deadline",
            "submitted_at", "decided_at", "closed_at", "created_at"])
        self.proposers = Inserter(Proposer, ["id", "proposal_id", "user_id", "organisation_id", "role", "status",
                                             "responded_at", "order"])
        self.assignments = Inserter(Assignment, ["id", "proposal_id", "unit_id", "mode", "assigned_at", "due_date",
                                                 "signed_at", "is_active"])
        self.replies = Inserter(Reply, [
            "id", "proposal_id", "assignment_id", "round", "result_class", "proposed_class", "body", "signer",
            "doc_no", "status", "written_by_id", "written_at", "audited_by_id", "audited_at", "audit_note"])
        self.evaluations = Inserter(Evaluation, ["proposal_id", "proposer_id", "round", "attitude", "result",
                                                 "rated_by_id", "rated_at"])
        self.events = Inserter(AuditEvent, ["at", "actor_id", "action", "committee_id", "proposal_id", "from_state",
                                            "to_state", "note", "data"])
        self.publications = Inserter(Publication, [
            "id", "proposal_id", "status", "title", "body", "reply", "redactions", "result_class", "published_at",
            "changed_at", "approved_by_id"])
        self.counts: dict[str, int] = {}

    def add(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n

    def write(self, place: Place, session, plans: list[Plan], texts: Texts, liaisons: dict[int, int],
              rng: random.Random) -> None:
        from jianyan.disclosure.redaction import proposal_body
        from jianyan.exchange.bulk import reserve_ids
        from jianyan.handling.models import Assignment, Reply
        from jianyan.proposals.models import Proposal, Proposer

        cid, staff = place.committee_id, place.staff
        ids = reserve_ids(Proposal, len(plans))
        host_of = {}  # merged proposals go into a registered one of the same session
        registered_ids = [pid for pid, p in zip(ids, plans, strict=True) if p.state in NUMBERED]
        for pid, p in zip(ids, plans, strict=True):
            if p.state == "merged" and registered_ids:
                host_of[pid] = rng.choice(registered_ids)
            elif p.state == "merged":
                p.state = "converted"
        reason = place.reasons[0] if place.reasons else None
        self.add("proposals", self.proposals.insert(
            (pid, cid, session.pk, "plenary", p.proposer_type, p.org, p.kind_user, p.title, p.background,
             p.suggestions, "", p.state, p.number, place.themes[p.theme] if p.state in NUMBERED else None,
             reason if p.state == "not_registered" else None, host_of.get(pid),
             "请补充具体情况后再提交。" if p.state == "returned" else "", p.published,
             p.state == "closed" and "unsatisfied" in {v for pair in p.ratings for v in pair},
             p.moments.get("cosign_deadline"), p.moments.get("submitted"), p.moments.get("decided"),
             p.moments.get("closed"), p.moments["created"])
            for pid, p in zip(ids, plans, strict=True)))

        entries = []  # (proposal id, user, org, role, status, responded at, order, rater user id, plan)
        for pid, p in zip(ids, plans, strict=True):
            if p.org:
                entries.append((pid, None, p.org, Proposer.Role.FIRST, "accepted", None, 0, place.clerks[p.org], p))
            else:
                entries.append((pid, p.kind_user, None, Proposer.Role.FIRST, "accepted", None, 0, p.kind_user, p))
            pending = p.state in ("draft", "cosigning")
            entries += [(pid, uid, None, Proposer.Role.COSIGNER, "pending" if pending else "accepted",
                         None if pending else p.moments["submitted"], order, uid, p)
                        for order, uid in enumerate(p.cosigners, start=1)]
        entry_ids = reserve_ids(Proposer, len(entries))
        self.add("proposers", self.proposers.insert((eid, *e[:7]) for eid, e in zip(entry_ids, entries, strict=True)))

        plan_rows = []  # (proposal id, unit id, mode, plan)
        for pid, p in zip(ids, plans, strict=True):
            if p.state in ASSIGNED:
                mode = Assignment.Mode.LEAD if len(p.lead_units) == 1 else Assignment.Mode.SEPARATE
                plan_rows += [(pid, u, mode, p) for u in p.lead_units]
                plan_rows += [(pid, u, Assignment.Mode.CO, p) for u in p.co_units]
        a_ids = reserve_ids(Assignment, len(plan_rows))
        self.add("assignments", self.assignments.insert(
            (aid, pid, u, mode, p.moments["assigned"], p.moments["due"],
             p.moments["signed"] if p.state in SIGNED else None, True)
            for aid, (pid, u, mode, p) in zip(a_ids, plan_rows, strict=True)))
        replies = [(aid, pid, u, mode, p) for aid, (pid, u, mode, p) in zip(a_ids, plan_rows, strict=True)
                   if p.state in REPLIED and mode != Assignment.Mode.CO]
        r_ids = reserve_ids(Reply, len(replies))
        reply_text: dict[int, list[str]] = {}
        reply_rows = []
        for rid, (aid, pid, u, mode, p) in zip(r_ids, replies, strict=True):
            body = texts.reply(p.topic, place.unit_names[u], p.title, p.result_class, mode == Assignment.Mode.LEAD)
            approved = p.state != "reply_audit"
            reply_rows.append((rid, pid, aid, 1, p.result_class, p.result_class, body, "示例签发人", "",
                               Reply.Status.APPROVED if approved else Reply.Status.PENDING, liaisons[u],
                               p.moments["written"], rng.choice(staff) if approved else None,
                               p.moments["audited"] if approved else None, ""))
            reply_text.setdefault(pid, []).append(f"【{place.unit_names[u]}·答复·{p.result_class}类】\n{body.strip()}")
        self.add("replies", self.replies.insert(reply_rows))

        self.add("evaluations", self.evaluations.insert(
            (e[0], eid, 1, *e[8].ratings[min(e[6], len(e[8].ratings) - 1)], e[7], e[8].moments["rated"])
            for eid, e in zip(entry_ids, entries, strict=True) if e[8].state == "closed"))
        self.add("audit events", self.events.insert(
            (p.moments["created"], p.kind_user or place.clerks.get(p.org), "proposal.imported", cid, pid, "", p.state,
             "压测合成数据（bench/generate_data.py）", {"imported": True, "synthetic": True})
            for pid, p in zip(ids, plans, strict=True)))

        published = [(pid, p) for pid, p in zip(ids, plans, strict=True) if p.published]
        pub_ids = reserve_ids(self.publications_model(), len(published))
        pub_rows, index_rows = [], []
        for pub_id, (pid, p) in zip(pub_ids, published, strict=True):
            body = proposal_body(p)
            reply = "\n\n".join(reply_text.get(pid, []))
            at = p.moments["closed"] + dt.timedelta(days=3)
            pub_rows.append((pub_id, pid, "published", p.title, body, reply, {}, p.result_class, at, at,
                             rng.choice(staff)))
            index_rows.append((pub_id, index_words_cached(p.title), index_words_cached(f"{body}\n{reply}"),
                               plain_text_of(f"{p.title}\n{body}\n{reply}")))
        self.add("publications", self.publications.insert(pub_rows))
        self.add("search index", insert_search_rows(index_rows))

    @staticmethod
    def publications_model():
        from jianyan.disclosure.models import Publication

        return Publication


def plain_text_of(text: str) -> str:
    from jianyan.search.text import plain_text

    return plain_text(text)


def insert_search_rows(rows: list[tuple]) -> int:
    """COPY into the PostgreSQL index table (its tsvector columns are generated); the backend's own insert
    elsewhere."""
    from django.db import connection

    from jianyan import search

    if not rows:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
                "COPY disclosure_search (publication_id, title_words, body_words, raw_text) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        search.backend().insert_many(rows)
    return len(rows)


def plan_session(place: Place, session, n: int, current: bool, now: dt.datetime, texts: Texts,
                 rng: random.Random) -> list[Plan]:
    from jianyan.proposals.workflow import ORGANISATION_PROPOSER_TYPES

    pick_state = Picker(CURRENT_STATES if current else PAST_STATES)
    orgs = list(place.clerks)
    plans = []
    for _ in range(n):
        state = pick_state(rng)
        theme, topic, title, background, suggestions = texts.proposal(rng)
        collective = rng.random() < 0.12
        cosigners: list[int] = []
        if collective:
            org = rng.choice(orgs)
            user, proposer_type = place.clerks[org], ORGANISATION_PROPOSER_TYPES[place.org_kinds[org]]
        else:
            org, user = None, rng.choice(place.members)
            if state == "cosigning" or rng.random() < 0.3:
                cosigners = [u for u in rng.sample(place.members, rng.randint(1, 4)) if u != user]
            proposer_type = "joint" if cosigners else "member"
        if state == "cosigning" and not cosigners:
            state = "submitted"
        p = Plan(state=state, kind_user=user, org=org, proposer_type=proposer_type, cosigners=cosigners,
                 theme=theme, topic=topic, title=title, background=background, suggestions=suggestions,
                 moments=moments(session, state, current, now, rng))
        if state in ASSIGNED:
            p.lead_units = (place.units[topic.lead],) if rng.random() < 0.9 else tuple(
                place.units[u] for u in (topic.lead, *topic.co[:1]))
            co = [place.units[u] for u in topic.co if place.units[u] not in p.lead_units]
            p.co_units = tuple(co[:rng.randint(0, min(2, len(co)))])
            p.result_class = rng.choices("ABC", (0.6, 0.3, 0.1))[0]
        if state == "closed":
            p.ratings = tuple(rate(rng) for _ in range(1 + len(cosigners)))
            p.published = not current and rng.random() < PUBLISH_SHARE
        plans.append(p)
    # 案号: gapless per session, in the order the proposals were submitted
    number = 0
    for p in sorted((p for p in plans if p.state in NUMBERED), key=lambda p: p.moments["submitted"]):
        number += 1
        p.number = number
    return plans


def rate(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.8:
        return "satisfied", "satisfied"
    if r < 0.97:
        return "satisfied", "basically_satisfied"
    return "basically_satisfied", "unsatisfied"


def moments(session, state: str, current: bool, now: dt.datetime, rng: random.Random) -> dict:
    """The dates of the steps a proposal went through: a past session's calendar (submitted around the
    plenary, assigned at the meeting in March, replied before the due date), or for the current session
    steps spread over the three weeks since its plenary, all before now."""
    minutes = dt.timedelta(minutes=1)
    if current:
        start = local(session.plenary_start, 8)
        span = (now - start).total_seconds()
        steps = sorted(rng.random() for _ in range(8))
        t = [start + dt.timedelta(seconds=span * s) for s in steps]
        m = {"created": t[0], "submitted": t[1] if state != "draft" else None, "decided": t[2], "assigned": t[3],
             "signed": t[4], "written": t[5], "audited": t[6], "rated": t[7], "closed": t[7] + minutes}
        m["due"] = (t[3] + dt.timedelta(days=91)).date()
    else:
        plenary = local(session.plenary_start, 9)
        created = plenary - dt.timedelta(days=rng.uniform(3, 20))
        assigned = local(session.assignment_meeting_date, 10)
        due = (assigned + dt.timedelta(days=91)).date()
        written = assigned + dt.timedelta(days=rng.uniform(20, 85))
        audited = written + dt.timedelta(days=rng.uniform(0.5, 3))
        rated = audited + dt.timedelta(days=rng.uniform(2, 12))
        m = {"created": created, "submitted": created + dt.timedelta(hours=rng.uniform(1, 72)),
             "decided": plenary + dt.timedelta(days=rng.uniform(20, 45)), "assigned": assigned,
             "signed": assigned + dt.timedelta(days=rng.uniform(0.1, 4)), "written": written, "audited": audited,
             "rated": rated, "closed": rated + dt.timedelta(days=rng.uniform(0.1, 3)), "due": due}
    if state == "cosigning":
        m["cosign_deadline"] = now + dt.timedelta(days=3)
        m["submitted"] = None
    if state in ("draft", "cosigning"):
        m["submitted"] = None
    if state not in ("not_registered", "converted", "merged") and state not in NUMBERED:
        m["decided"] = None
    if state != "closed":
        m["closed"] = None
    return m


# ---- the whole run -------------------------------------------------------------------------------------

def generate(*, proposals: int, committees: int = 10, years: int = 10, seed: int = 8,
             members_per_committee: int = MEMBERS_PER_COMMITTEE, progress=None) -> dict:
    """Write the reference data and `proposals` proposals into the configured (empty) database; returns
    {table: rows written}. One transaction per session."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jianyan.people.models import Session

    progress = progress or (lambda done, total: None)
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        places = build_reference(committees, years, now, rng, members_per_committee)
    from jianyan.people.models import Profile, Role

    texts, writer = Texts(), Writer(now)
    liaisons = dict(Profile.objects.filter(role=Role.UNIT).values_list("unit_id", "user_id"))
    sessions = [(place, s) for place in places for s in place.sessions]
    per, extra = divmod(proposals, len(sessions))
    done = 0
    for i, (place, session) in enumerate(sessions):
        n = per + (1 if i < extra else 0)
        plans = plan_session(place, session, n, session is place.sessions[-1], now, texts, rng)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")  # a scratch database: speed over safety
            writer.write(place, session, plans, texts, liaisons, rng)
            top = max((p.number or 0 for p in plans), default=0)
            Session.objects.filter(pk=session.pk).update(last_number=top)
        done += n
        progress(done, proposals)
    return writer.counts


def build_derived(progress=print) -> None:
    """The tables the pages derive from the proposals and fill lazily on first use (too slow for a first
    request at this size): the statistics' per-proposal facts (jianyan.reports.facts)."""
    from jianyan.people.models import Session
    from jianyan.reports.facts import refresh_year

    started = time.monotonic()
    pairs = sorted(set(Session.objects.values_list("term__committee_id", "year")))
    done = sum(refresh_year(committee_id, year) for committee_id, year in pairs)
    progress(f"statistics facts of {done:,} proposals ({len(pairs)} committee years) in "
             f"{time.monotonic() - started:.1f} s")


def vacuum_analyze(progress=print) -> None:
    """What autovacuum does soon after a bulk load on a production server (it may be off on a test server):
    statistics for the planner, the facts tables included, and the visibility map that lets the state counts
    be answered from the indexes alone."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    progress(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s")


def recreate_database(url: str) -> None:
    from django.db import connection

    from bench._pgdb import recreate_pg_database

    connection.close()
    recreate_pg_database(ctype="C.UTF-8")  # pg_trgm needs a ctype that sees Chinese (search/postgres.py)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--committees", type=int, default=10)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL URL (default {DEFAULT_PG})")
    parser.add_argument("--keep", action="store_true", help="do not drop and recreate the database")
    parser.add_argument("--similar", action="store_true", help="also build the similar-proposal index")
    parser.add_argument("--derived-only", action="store_true",
                        help="only migrate the existing database and rebuild the derived tables")
    args = parser.parse_args(argv)
    setup_django(args.pg)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False  # no query log
    started = time.monotonic()
    if args.derived_only:
        call_command("migrate", verbosity=0)
        build_derived()
        vacuum_analyze()
        return 0
    if not args.keep:
        recreate_database(args.pg)
    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    print(f"database {connection.settings_dict['NAME']} ready (migrations {migrated - started:.1f} s)", flush=True)

    last = [migrated]

    def progress(done, total):
        if time.monotonic() - last[0] > 10 or done == total:
            last[0] = time.monotonic()
            rate = done / (last[0] - migrated)
            print(f"  {done:,} / {total:,} proposals, {rate:,.0f} proposals/s", flush=True)

    counts = generate(proposals=args.proposals, committees=args.committees, years=args.years, progress=progress)
    written = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # What production should set too (README, performance): the data lives in memory or on SSD, where
        # PostgreSQL's default random_page_cost of 4 makes it scan a committee's 100,000 proposals to join a
        # unit's 2,000 assignments (58 ms) instead of looking them up by key (10 ms).
        cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
                       "SET random_page_cost = 1.1")
    analysed = time.monotonic()
    rows = sum(counts.values())
    print(f"written in {written - migrated:.1f} s: {rows:,} rows, {rows / (written - migrated):,.0f} rows/s, "
          f"{args.proposals / (written - migrated):,.0f} proposals/s; ANALYZE {analysed - written:.1f} s")
    for table, n in counts.items():
        print(f"  {table:14} {n:>12,}")
    build_derived()
    vacuum_analyze()
    if args.similar:
        call_command("reindex_similar")
        print(f"similar-proposal index {time.monotonic() - analysed:.1f} s")
    print(f"total {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
